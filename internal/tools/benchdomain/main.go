// Command benchdomain measures `mailcheck domain` against a loopback DNS
// server (internal/dnstest) that answers every query after a fixed delay,
// the shape of a real recursive resolver:
//
//	go run ./internal/tools/benchdomain [-delay 20ms] [-domains 40] [-concurrency 8]
//
// For one domain it prints the wall time, the critical-path lower bound
// (the longest chain of lookups where each needs data from the one before,
// times the delay), and the queries the server received against the
// distinct (name, type) pairs. Then it checks many domains at once and
// prints throughput and the CPU time mailcheck used, to show whether the
// resolver or mailcheck's CPU limits it.
//
// The fixture domains are copies of testdata/zones/shop.example.zone under
// other names. Probes are off (--no-probe): only DNS is measured.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/mailcheck/mailcheck/internal/cli"
	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/iostreams"
	"github.com/miekg/dns"
)

func main() {
	mode := "critical"
	args := os.Args[1:]
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		mode, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("benchdomain "+mode, flag.ExitOnError)
	delay := fs.Duration("delay", 20*time.Millisecond, "delay of every DNS answer")
	var err error
	switch mode {
	case "critical":
		domains := fs.Int("domains", 40, "domains for the throughput run")
		verbose = fs.Bool("v", false, "print every query of the single-domain runs with its depth and arrival time")
		concurrency := fs.Int("concurrency", 8, "mailcheck domain --concurrency for the throughput run")
		zoneFile := fs.String("zone", "testdata/zones/shop.example.zone", "fixture zone; copied under other names")
		_ = fs.Parse(args)
		err = run(*delay, *domains, *concurrency, *zoneFile)
	case "bulk":
		var o bulkOptions
		fs.IntVar(&o.n, "n", 1000, "domains in the generated workload")
		fs.IntVar(&o.concurrency, "concurrency", 64, "mailcheck domain --concurrency")
		fs.StringVar(&o.binary, "mailcheck", "", "mailcheck binary to run (default: go build ./cmd/mailcheck)")
		fs.StringVar(&o.cpuprofile, "cpuprofile", "", "run mailcheck in this process and write a CPU profile here (the DNS server runs in a child process)")
		fs.StringVar(&o.memprofile, "memprofile", "", "with -cpuprofile: also write a heap profile here")
		fs.BoolVar(&o.verbose, "v", false, "count the queries by shape")
		fs.BoolVar(&o.offline, "offline", false, "answer from the zone files (--zone), no DNS server: the checks' own CPU")
		fs.IntVar(&o.nx, "nx", 0, "add this many non-existent domains to the list (a long list for memory, without a huge zone)")
		fs.StringVar(&o.extra, "args", "", "more arguments for mailcheck domain, space-separated")
		fs.StringVar(&o.keep, "keep", "", "write the domain list, the zone files (-offline) and out.jsonl in this directory and keep them (to diff two runs' verdicts)")
		fs.StringVar(&o.against, "against", "", "a second mailcheck binary: run it and -mailcheck at the same time against the one server, -pairs times, and compare their CPU")
		fs.IntVar(&o.pairs, "pairs", 10, "with -against: how many runs of the two at the same time")
		fs.StringVar(&o.server, "server", "dnstest", "DNS server for the workload: dnstest (in Go, this repository's test server) or nsd (NSD from PATH, as issue 15's side-by-side run; a delay proxy of benchdomain's own adds -delay)")
		_ = fs.Parse(args)
		o.delay = *delay
		err = bulk(o)
	case "serve":
		var o bulkOptions
		fs.IntVar(&o.n, "n", 1000, "domains in the generated workload")
		_ = fs.Parse(args)
		o.delay = *delay
		err = serve(o)
	case "proxy":
		to := fs.String("to", "", "address of the DNS server behind the proxy")
		_ = fs.Parse(args)
		err = proxy(*to, *delay)
	case "floor":
		var o floorOptions
		fs.IntVar(&o.n, "n", 1000, "domains in the generated workload")
		fs.IntVar(&o.concurrency, "concurrency", 64, "domains asked at once")
		fs.BoolVar(&o.unpack, "unpack", false, "also parse every answer (miekg/dns)")
		fs.BoolVar(&o.tcp, "tcp", false, "ask over TCP, pipelined, instead of UDP")
		_ = fs.Parse(args)
		err = floor(o)
	case "gen":
		n := fs.Int("n", 1000, "domains")
		dir := fs.String("out", ".", "directory for bench.example.zone, 18.198.in-addr.arpa.zone, example.zone, dnsbl.zone and domains.txt")
		_ = fs.Parse(args)
		err = gen(*dir, *n)
	default:
		err = fmt.Errorf("unknown mode %q: want critical, bulk, floor, serve, proxy or gen", mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchdomain:", err)
		os.Exit(1)
	}
}

func run(delay time.Duration, n, concurrency int, zoneFile string) error {
	text, err := os.ReadFile(zoneFile)
	if err != nil {
		return err
	}
	// The fixture names "shop.example"; each copy replaces it.
	opts := []dnstest.Option{dnstest.ZoneText("example.", string(text))}
	names := []string{"shop.example"}
	for i := 1; i < n; i++ {
		name := fmt.Sprintf("shop%d.example", i)
		names = append(names, name)
		opts = append(opts, dnstest.ZoneText(name+".", copyZone(string(text), name)))
	}
	srv, err := dnstest.Serve(opts...)
	if err != nil {
		return err
	}
	defer srv.Close()
	srv.SetDelay(delay)

	fmt.Printf("mailcheck domain, DNS answers delayed %v, resolver %s\n\n", delay, srv.Addr)
	fmt.Printf("%-14s %9s %22s %6s %8s %9s %9s\n", "domain", "wall", "critical path", "ratio", "lookups", "queries", "distinct")
	for i := 0; i < 3; i++ { // three runs of the same domain, each with a fresh cache
		srv.ResetLog()
		start := time.Now()
		code := mailcheck(srv.Addr, []string{"shop.example"}, 1)
		wall := time.Since(start)
		if code != 0 && code != 1 {
			return fmt.Errorf("mailcheck exited %d", code)
		}
		log := srv.Log()
		depth := criticalDepth(srv, "shop.example", log)
		distinct := map[string]bool{}
		udp := 0
		for _, q := range log {
			distinct[fmt.Sprintf("%s/%d", q.Name, q.Type)] = true
			if q.Proto == "udp" {
				udp++
			}
		}
		cp := time.Duration(depth) * delay
		fmt.Printf("%-14s %9s %22s %6.2f %8s %9d %9d\n", "shop.example", wall.Round(time.Millisecond),
			fmt.Sprintf("%d x %v = %v", depth, delay, cp), float64(wall)/float64(cp), "-", len(log), len(distinct))
		if udp != len(distinct) {
			fmt.Printf("  note: %d UDP queries for %d distinct pairs (a repeated question)\n", udp, len(distinct))
		}
	}

	srv.ResetLog()
	cpu0 := cpuTime()
	start := time.Now()
	mailcheck(srv.Addr, names, concurrency)
	wall := time.Since(start)
	cpu := cpuTime() - cpu0
	q := srv.Queries()
	fmt.Printf("\n%d domains, --concurrency %d: %v wall, %.1f domains/s, %d queries (%.0f/s)\n",
		n, concurrency, wall.Round(time.Millisecond), float64(n)/wall.Seconds(), q, float64(q)/wall.Seconds())
	fmt.Printf("CPU time of mailcheck (and the in-process DNS server): %v, %.0f%% of one core over the wall time\n",
		cpu.Round(time.Millisecond), 100*cpu.Seconds()/wall.Seconds())
	return nil
}

// mailcheck runs `mailcheck domain` in-process, output discarded.
func mailcheck(addr string, domains []string, concurrency int) int {
	ios, _, _, _ := iostreams.Test()
	ios.Out, ios.ErrOut = io.Discard, io.Discard
	f := cli.NewFactory(ios)
	args := append([]string{"domain"}, domains...)
	args = append(args, "--resolver", addr, "--no-probe", "--format", "jsonl", "--fail-on", "none",
		"--concurrency", fmt.Sprint(concurrency), "--timeout", "60s")
	return cli.Run(context.Background(), args, f)
}

func copyZone(text, name string) string {
	// Keep only the shop.example part (up to the next $ORIGIN) and rename it.
	if i := strings.Index(text, "\n$ORIGIN reports.example."); i > 0 {
		text = text[:i]
	}
	return strings.ReplaceAll(text, "shop.example", name)
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// criticalDepth is the longest chain of lookups in the log where each
// question could only be asked after an earlier answer: a name is known
// from the start if it is the domain, a parent of it, or a fixed prefix of
// it (_dmarc., selector._domainkey., _mta-sts., ...); otherwise it is
// learned from an answer that mentions it (an MX target, an include:, a
// mailto: domain, a PTR target, or an address for reverse and blocklist
// names). The depth of a question is one more than the shallowest answer
// that taught its most specific source name. This is a lower bound on the
// round trips any implementation needs, whatever its concurrency.
var verbose *bool

func criticalDepth(srv *dnstest.Server, domain string, log []dnstest.Question) int {
	given := map[string]bool{}
	for d := dns.Fqdn(domain); ; {
		given[d] = true
		i := strings.IndexByte(d, '.')
		if i < 0 || i == len(d)-1 {
			break
		}
		d = d[i+1:]
	}
	learned := map[string]int{} // name or address -> depth of the answer that taught it
	maxDepth := 0
	// The log is in arrival order, so an answer's mentions are known
	// before anything asked later.
	for _, q := range log {
		d := 1 + sourceDepth(q.Name, given, learned)
		if *verbose {
			fmt.Printf("    %6.1fms  depth %d  %s %s %s\n", float64(q.At.Sub(log[0].At).Microseconds())/1000, d, q.Proto, dns.TypeToString[q.Type], q.Name)
		}
		if d > maxDepth {
			maxDepth = d
		}
		for _, m := range mentions(srv.Lookup(q.Name, q.Type).Answer) {
			if old, ok := learned[m]; !ok || d < old {
				learned[m] = d
			}
		}
	}
	return maxDepth
}

// sourceDepth finds what q must have been derived from: a reverse-mapped
// address, else the most specific suffix that is given or learned.
func sourceDepth(name string, given map[string]bool, learned map[string]int) int {
	if ip, ok := reversedAddr(name); ok {
		if d, ok := learned[ip]; ok {
			return d
		}
		return 0 // a fixed test address (127.0.0.2): known from the start
	}
	for n := name; ; {
		if d, ok := learned[n]; ok && !given[n] {
			return d
		}
		if given[n] {
			return 0
		}
		i := strings.IndexByte(n, '.')
		if i < 0 || i == len(n)-1 {
			return 0
		}
		n = n[i+1:]
	}
}

var ipv4Prefix = regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)\.(\d+)\.`)

// reversedAddr reads the address of a reverse (in-addr.arpa) or blocklist
// name: four reversed octets, or 32 reversed nibbles.
func reversedAddr(name string) (string, bool) {
	if m := ipv4Prefix.FindStringSubmatch(name); m != nil {
		if a, err := netip.ParseAddr(m[4] + "." + m[3] + "." + m[2] + "." + m[1]); err == nil {
			return a.String(), true
		}
	}
	labels := strings.Split(name, ".")
	if len(labels) > 32 {
		var b strings.Builder
		for i := 31; i >= 0; i-- {
			if len(labels[i]) != 1 {
				return "", false
			}
			b.WriteString(labels[i])
			if i%4 == 0 && i > 0 {
				b.WriteByte(':')
			}
		}
		if a, err := netip.ParseAddr(b.String()); err == nil {
			return a.String(), true
		}
	}
	return "", false
}

var nameToken = regexp.MustCompile(`[A-Za-z0-9_*-]+(\.[A-Za-z0-9_-]+)+`)

// mentions lists the names and addresses an answer teaches.
func mentions(rrs []dns.RR) []string {
	var out []string
	for _, rr := range rrs {
		switch v := rr.(type) {
		case *dns.MX:
			out = append(out, dns.CanonicalName(v.Mx))
		case *dns.CNAME:
			out = append(out, dns.CanonicalName(v.Target))
		case *dns.PTR:
			out = append(out, dns.CanonicalName(v.Ptr))
		case *dns.SRV:
			out = append(out, dns.CanonicalName(v.Target))
		case *dns.A:
			out = append(out, v.A.String())
		case *dns.AAAA:
			if a, ok := netip.AddrFromSlice(v.AAAA); ok {
				out = append(out, a.String())
			}
		case *dns.TXT:
			for _, tok := range nameToken.FindAllString(strings.Join(v.Txt, ""), -1) {
				if a, err := netip.ParseAddr(tok); err == nil {
					out = append(out, a.String())
					continue
				}
				out = append(out, dns.CanonicalName(tok))
			}
		}
	}
	sort.Strings(out)
	return out
}

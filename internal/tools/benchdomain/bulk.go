package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mailcheck/mailcheck/internal/cli"
	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/iostreams"
	"github.com/miekg/dns"
)

type bulkOptions struct {
	n, concurrency         int
	delay                  time.Duration
	binary                 string
	cpuprofile, memprofile string
	extra                  string
	verbose                bool
	nx                     int
	offline                bool
	keep                   string
	server                 string
	against                string // -against: compare with -mailcheck, at the same time
	pairs                  int
}

var digits = regexp.MustCompile(`d[0-9]{4}|[0-9]+\.[0-9]+\.18\.198`)

// printQueryShapes counts the queries by shape (domain numbers folded), so
// that what each domain costs can be read off.
func printQueryShapes(log []dnstest.Question) {
	counts := map[string]int{}
	for _, q := range log {
		counts[digits.ReplaceAllString(q.Name, "N")+" "+dns.TypeToString[q.Type]+" "+q.Proto]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return counts[keys[i]] > counts[keys[j]] || counts[keys[i]] == counts[keys[j]] && keys[i] < keys[j]
	})
	for _, k := range keys {
		fmt.Printf("  %6d  %s\n", counts[k], k)
	}
}

// gen writes the workload for an external DNS server.
func gen(dir string, n int) error {
	files := map[string]func(io.Writer, int) error{
		benchZone + ".zone":   writeZone,
		reverseZone + ".zone": writeReverse,
		"example.zone":        writeParent,
		"domains.txt":         writeList,
		"dnsbl.zone":          writeLists,
	}
	for name, write := range files {
		fh, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		w := bufio.NewWriter(fh)
		if err := write(w, n); err != nil {
			fh.Close()
			return err
		}
		if err := w.Flush(); err != nil {
			fh.Close()
			return err
		}
		if err := fh.Close(); err != nil {
			return err
		}
	}
	fmt.Printf("wrote %s/{%s.zone,%s.zone,example.zone,dnsbl.zone,domains.txt} for %d domains\n", dir, benchZone, reverseZone, n)
	return nil
}

// writeParent writes the parent zone, so names above the domains (the
// organizational-domain and public-suffix DMARC lookups) get NXDOMAIN as on
// the Internet instead of a refusal.
func writeParent(w io.Writer, _ int) error {
	_, err := io.WriteString(w, "$ORIGIN example.\n$TTL 3600\n@ SOA ns1.bench.example. hostmaster.bench.example. 1 3600 600 1209600 300\n@ NS ns1.bench.example.\n")
	return err
}

func zoneText(write func(io.Writer, int) error, n int) string {
	var b strings.Builder
	_ = write(&b, n)
	return b.String()
}

// serveWorkload serves the workload.
func serveWorkload(o bulkOptions) (*dnstest.Server, error) {
	srv, err := dnstest.Serve(
		dnstest.ZoneText("example.", zoneText(writeParent, o.n)),
		dnstest.ZoneText(benchZone+".", zoneText(writeZone, o.n)),
		dnstest.ZoneText(reverseZone+".", zoneText(writeReverse, o.n)),
		dnstest.ZoneText(".", zoneText(writeLists, o.n)),
	)
	if err != nil {
		return nil, err
	}
	srv.SetDelay(o.delay)
	return srv, nil
}

// serve runs the workload's server until stdin closes, printing its
// address and, at the end, the queries it answered: the DNS server apart
// from the profiled process.
func serve(o bulkOptions) error {
	srv, err := serveWorkload(o)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Println(srv.Addr)
	_, _ = io.Copy(io.Discard, os.Stdin)
	fmt.Println(srv.Queries())
	return nil
}

// bulk serves the workload and runs `mailcheck domain --file` over it.
func bulk(o bulkOptions) error {
	dir := o.keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "benchdomain")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}

	var addr string
	var queries func() int64
	serverCPU := func() time.Duration { return 0 }
	var logOf func() []dnstest.Question
	switch {
	case o.offline:
		// No DNS server: the zone files through --zone, so only the
		// checks' own CPU is measured.
		addr = ""
		queries = func() int64 { return 0 }
	case o.server == "nsd":
		srv, err := startNSD(dir, o.n)
		if err != nil {
			return err
		}
		defer srv.Close()
		addr, queries, serverCPU = srv.addr, srv.Queries, srv.CPU
		if o.delay > 0 {
			paddr, stop, err := child("proxy", "-to", srv.addr, "-delay", o.delay.String())
			if err != nil {
				return err
			}
			defer stop()
			addr = paddr
		}
	case o.server != "" && o.server != "dnstest":
		return fmt.Errorf("-server %q: want dnstest or nsd", o.server)
	case o.cpuprofile != "":
		// Profiled in-process: the server runs in a child process so its
		// CPU stays out of the profile.
		caddr, stop, err := child("serve", "-n", fmt.Sprint(o.n), "-delay", o.delay.String())
		if err != nil {
			return err
		}
		addr = caddr
		var total int64
		queries = func() int64 {
			if total == 0 {
				fmt.Sscan(stop(), &total)
			}
			return total
		}
		defer queries()
	default:
		srv, err := serveWorkload(o)
		if err != nil {
			return err
		}
		defer srv.Close()
		addr, queries, logOf = srv.Addr, srv.Queries, srv.Log
	}

	list := filepath.Join(dir, "domains.txt")
	lf, err := os.Create(list)
	if err != nil {
		return err
	}
	lw := bufio.NewWriter(lf)
	_ = writeList(lw, o.n)
	// -nx: more names, under bench.example but not in it (NXDOMAIN), so
	// that a list far longer than the zone can be streamed (memory).
	for i := 0; i < o.nx; i++ {
		fmt.Fprintf(lw, "x%07d.%s\n", i, benchZone)
	}
	if err := lw.Flush(); err != nil {
		return err
	}
	if err := lf.Close(); err != nil {
		return err
	}
	total := o.n + o.nx
	args := []string{"domain", "--file", list, "--no-probe", "--format", "jsonl", "--fail-on", "none",
		"--concurrency", fmt.Sprint(o.concurrency), "--timeout", "60s"}
	if o.offline {
		zones := map[string]func(io.Writer, int) error{
			benchZone + ".zone": writeZone, reverseZone + ".zone": writeReverse, "example.zone": writeParent, "dnsbl.zone": writeLists,
		}
		for name, write := range zones {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte(zoneText(write, o.n)), 0o644); err != nil {
				return err
			}
			args = append(args, "--zone", path)
		}
	} else {
		args = append(args, "--resolver", addr)
	}
	args = append(args, strings.Fields(o.extra)...)
	if o.against != "" {
		return comparePairs(o, args, dir, total)
	}

	outPath := filepath.Join(dir, "out.jsonl")
	out, err := os.Create(outPath)
	if err != nil {
		return err
	}
	defer out.Close()
	var wall, cpu time.Duration
	server0 := serverCPU()
	var rssKiB int64
	var allocs string
	where := "subprocess"
	if o.cpuprofile != "" {
		where = "in-process, DNS server in a child process"
		pf, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		ios, _, _, _ := iostreams.Test()
		ios.Out, ios.ErrOut = out, io.Discard
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		g0 := goroutinesCreated()
		cpu0 := cpuTime()
		start := time.Now()
		cli.Run(context.Background(), args, cli.NewFactory(ios))
		wall, cpu = time.Since(start), cpuTime()-cpu0
		runtime.ReadMemStats(&m1)
		// Counted, not sampled, and independent of the machine's load:
		// the figure to compare across runs on a shared machine.
		allocs = fmt.Sprintf("%.0f objects, %.1f KiB per domain; %d GC cycles; %.1f goroutines started per domain, with stacks of %d KiB at first",
			float64(m1.Mallocs-m0.Mallocs)/float64(total), float64(m1.TotalAlloc-m0.TotalAlloc)/1024/float64(total), m1.NumGC-m0.NumGC,
			float64(goroutinesCreated()-g0)/float64(total), readMetric("/gc/stack/starting-size:bytes")/1024)
		pprof.StopCPUProfile()
		pf.Close()
		if o.memprofile != "" {
			mf, err := os.Create(o.memprofile)
			if err != nil {
				return err
			}
			_ = pprof.WriteHeapProfile(mf)
			mf.Close()
		}
	} else {
		bin := o.binary
		if bin == "" {
			bin = filepath.Join(dir, "mailcheck")
			build := exec.Command("go", "build", "-o", bin, "./cmd/mailcheck")
			build.Stderr = os.Stderr
			if err := build.Run(); err != nil {
				return fmt.Errorf("go build ./cmd/mailcheck (run from the repository root): %w", err)
			}
		}
		cmd := exec.Command(bin, args...)
		cmd.Stdout = out
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		err := cmd.Run()
		wall = time.Since(start)
		if cmd.ProcessState == nil {
			return err
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
			rssKiB = ru.Maxrss
		}
		if code := cmd.ProcessState.ExitCode(); code != 0 && code != 1 {
			return fmt.Errorf("mailcheck exited %d: %s", code, firstLine(stderr.String()))
		}
	}

	if _, err := out.Seek(0, io.SeekStart); err != nil {
		return err
	}
	lines, unknown := 0, 0
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		lines++
		var rep struct {
			Sections []struct {
				Check, Status string
			} `json:"sections"`
		}
		if json.Unmarshal(sc.Bytes(), &rep) == nil {
			for _, s := range rep.Sections {
				if s.Status == "unknown" {
					unknown++
				}
			}
		}
	}
	srvCPU := serverCPU() - server0 // before queries(): see nsdServer.CPU
	q := queries()
	if o.verbose && logOf != nil {
		printQueryShapes(logOf())
	} else if o.verbose {
		fmt.Println("  (-v counts query shapes with the default server only)")
	}
	fmt.Printf("mailcheck domain --file (%d generated domains, %d non-existent) --no-probe --format jsonl --concurrency %d, DNS delay %v, %s\n",
		o.n, o.nx, o.concurrency, o.delay, where)
	if o.server == "nsd" && !o.offline {
		fmt.Printf("  server        NSD%s\n", map[bool]string{true: ", behind benchdomain's delay proxy", false: ""}[o.delay > 0])
	}
	fmt.Printf("  wall          %v\n", wall.Round(time.Millisecond))
	fmt.Printf("  throughput    %.0f domains/s\n", float64(total)/wall.Seconds())
	fmt.Printf("  CPU           %.2f s, %.3f ms per domain\n", cpu.Seconds(), cpu.Seconds()*1000/float64(total))
	if srvCPU > 0 {
		fmt.Printf("  NSD's CPU     %.2f s, %.3f ms per domain\n", srvCPU.Seconds(), srvCPU.Seconds()*1000/float64(total))
	}
	fmt.Printf("  queries       %d, %.1f per domain\n", q, float64(q)/float64(total))
	if rssKiB > 0 {
		fmt.Printf("  peak RSS      %.1f MiB\n", float64(rssKiB)/1024)
	}
	if allocs != "" {
		fmt.Printf("  allocations   %s\n", allocs)
	}
	fmt.Printf("  reports       %d lines, %d unknown sections\n", lines, unknown)
	if lines != total {
		return fmt.Errorf("%d reports for %d domains", lines, total)
	}
	return nil
}

// child starts `benchdomain ARGS...` (serve or proxy), which prints its
// address on its first line and runs until its stdin closes; stop closes
// it and returns the child's last line.
func child(args ...string) (addr string, stop func() string, err error) {
	cmd := exec.Command(os.Args[0], args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	rd := bufio.NewReader(stdout)
	line, err := rd.ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return "", nil, fmt.Errorf("benchdomain %s: %w", args[0], err)
	}
	var once sync.Once
	var last string
	return strings.TrimSpace(line), func() string {
		once.Do(func() {
			stdin.Close()
			last, _ = rd.ReadString('\n')
			_ = cmd.Wait()
		})
		return last
	}, nil
}

// goroutinesCreated counts the goroutines started so far: each costs a
// start and, usually, stack growth, so it is the figure behind the stack
// copying in the profile.
func goroutinesCreated() uint64 { return readMetric("/sched/goroutines-created:goroutines") }

func readMetric(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

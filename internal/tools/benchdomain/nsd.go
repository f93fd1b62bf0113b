package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// NSD as the workload's server (-server nsd): what issue 15's side-by-side
// run uses. The in-process dnstest server costs about 30 µs of CPU per
// query on the same 2 cores as mailcheck, so it takes more of the machine
// than the tool being measured; NSD answers in about 5 µs.

// nsdServer is a running NSD serving the workload.
type nsdServer struct {
	addr string
	conf string
	cmd  *exec.Cmd
	base int64 // queries answered before the run
}

// startNSD writes the zones and a configuration under dir and starts NSD on
// a free loopback port.
func startNSD(dir string, n int) (*nsdServer, error) {
	bin, err := exec.LookPath("nsd")
	if err != nil {
		if _, e := os.Stat("/usr/sbin/nsd"); e != nil {
			return nil, fmt.Errorf("-server nsd: nsd not found (Debian: apt-get install nsd)")
		}
		bin = "/usr/sbin/nsd"
	}
	dir, err = filepath.Abs(filepath.Join(dir, "nsd"))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	zones := map[string]string{
		"example.":        zoneText(writeParent, n),
		benchZone + ".":   zoneText(writeZone, n),
		reverseZone + ".": zoneText(writeReverse, n),
	}
	// NSD takes one zone per file: the blocklists' text holds several.
	for origin, text := range splitOrigins(zoneText(writeLists, n)) {
		zones[origin] = text
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	var conf strings.Builder
	// rrl-ratelimit 0: NSD's response rate limiting (on by default in
	// Debian's build) drops most answers of a benchmark from one address.
	fmt.Fprintf(&conf, `server:
  ip-address: 127.0.0.1@%d
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: %q
  database: ""
  zonelistfile: %q
  xfrdfile: %q
  pidfile: %q
  logfile: %q
  server-count: 1
  verbosity: 0
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: yes
  control-interface: %q
`, port, dir, filepath.Join(dir, "zone.list"), filepath.Join(dir, "xfrd.state"), filepath.Join(dir, "nsd.pid"),
		filepath.Join(dir, "nsd.log"), filepath.Join(dir, "nsd.ctl"))
	i := 0
	for origin, text := range zones {
		file := fmt.Sprintf("z%02d.zone", i)
		i++
		if err := os.WriteFile(filepath.Join(dir, file), []byte(text), 0o644); err != nil {
			return nil, err
		}
		fmt.Fprintf(&conf, "zone:\n  name: %q\n  zonefile: %q\n", origin, file)
	}
	s := &nsdServer{addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), conf: filepath.Join(dir, "nsd.conf")}
	if err := os.WriteFile(s.conf, []byte(conf.String()), 0o644); err != nil {
		return nil, err
	}
	s.cmd = exec.Command(bin, "-d", "-c", s.conf)
	s.cmd.Stderr = os.Stderr
	dieWithParent(s.cmd)
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	// Up when it answers for the workload's zone.
	q := new(dns.Msg)
	q.SetQuestion(benchName(0)+".", dns.TypeMX)
	c := &dns.Client{Timeout: 200 * time.Millisecond}
	for deadline := time.Now().Add(10 * time.Second); ; {
		if r, _, err := c.Exchange(q, s.addr); err == nil && r.Rcode == dns.RcodeSuccess && len(r.Answer) > 0 {
			break
		}
		if time.Now().After(deadline) {
			s.Close()
			return nil, fmt.Errorf("nsd did not answer on %s within 10 s (see %s)", s.addr, filepath.Join(dir, "nsd.log"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.base = s.Queries()
	return s, nil
}

// Queries counts the queries NSD answered since it started, minus the
// readiness probes.
func (s *nsdServer) Queries() int64 {
	out, err := exec.Command("nsd-control", "-c", s.conf, "stats_noreset").Output()
	if err != nil {
		return -1
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "num.queries="); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n - s.base
		}
	}
	return -1
}

// CPU is the CPU time NSD's processes (the one started and every process
// under it: NSD forks its main, server and xfrd processes) have used so
// far: on 2 cores, mailcheck's and NSD's CPU per domain together bound the
// direct throughput. A live process's time is the scheduler's own count
// (/proc/PID/schedstat, nanoseconds); NSD replaces its server process when
// nsd-control asks for statistics, and an ended process's time is in its
// parent's cutime and cstime (clock ticks, /proc/PID/stat). Zero where
// /proc cannot be read.
func (s *nsdServer) CPU() time.Duration {
	if s.cmd.Process == nil {
		return 0
	}
	type proc struct {
		parent int
		reaped int64 // cutime + cstime, in ticks
	}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	procs := map[int]proc{}
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ... cutime cstime: the fields are counted
		// after the command's closing parenthesis (a command can hold
		// spaces): ppid is the second, cutime and cstime the 14th and 15th.
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		pid, err := strconv.Atoi(strings.Fields(string(b[:i]))[0])
		if err != nil || len(f) < 15 {
			continue
		}
		var pr proc
		pr.parent, _ = strconv.Atoi(f[1])
		cu, _ := strconv.ParseInt(f[13], 10, 64)
		cs, _ := strconv.ParseInt(f[14], 10, 64)
		pr.reaped = cu + cs
		procs[pid] = pr
	}
	var total time.Duration
	for pid, pr := range procs {
		for p, hops := pid, 0; p > 1 && hops < 16; p, hops = procs[p].parent, hops+1 {
			if p != s.cmd.Process.Pid {
				continue
			}
			if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/schedstat", pid)); err == nil {
				ns, _ := strconv.ParseInt(strings.Fields(string(b))[0], 10, 64)
				total += time.Duration(ns)
			}
			total += time.Duration(pr.reaped) * time.Second / 100 // USER_HZ is 100 on Linux
			break
		}
	}
	return total
}

func (s *nsdServer) Close() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
			<-done
		}
	}
}

// splitOrigins cuts a text of several zones, each opened by an $ORIGIN line
// and holding its SOA, into one text per zone, each with the $TTL given
// before the first $ORIGIN.
func splitOrigins(text string) map[string]string {
	zones := map[string]string{}
	head := ""
	var origin string
	var cur strings.Builder
	flush := func() {
		if origin != "" {
			zones[origin] = cur.String()
		}
		cur.Reset()
	}
	for line := range strings.Lines(text) {
		if o, ok := strings.CutPrefix(line, "$ORIGIN "); ok {
			flush()
			origin = strings.TrimSpace(o)
			cur.WriteString(head)
		} else if origin == "" {
			if strings.HasPrefix(line, "$TTL") {
				head += line
			}
			continue
		}
		cur.WriteString(line)
	}
	flush()
	return zones
}

func freePort() (int, error) {
	// A port free for both UDP and TCP, as NSD listens on both.
	for range 20 {
		l, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.LocalAddr().(*net.UDPAddr).Port
		t, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		l.Close()
		if err == nil {
			t.Close()
			return port, nil
		}
	}
	return 0, errors.New("no free loopback port for both UDP and TCP")
}

// proxy is a delay proxy in front of a DNS server (`benchdomain proxy`):
// every answer, over UDP or TCP, reaches the client delay after the
// server gave it, as if the server were that far away. It runs in a
// process of its own so that its CPU stays out of mailcheck's figures.
func proxy(to string, delay time.Duration) error {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := pc.LocalAddr().(*net.UDPAddr).Port
	tl, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return err
	}
	up, err := net.Dial("udp", to)
	if err != nil {
		return err
	}
	// A domain's checks send dozens of queries at once, 64 domains at a
	// time: with the default 208 KiB of buffer the kernel drops part of
	// each burst (the dnstest server does the same).
	_ = pc.(*net.UDPConn).SetReadBuffer(8 << 20)
	_ = up.(*net.UDPConn).SetReadBuffer(8 << 20)
	fmt.Println(pc.LocalAddr().String())
	go proxyTCP(tl, to, delay)

	// UDP: each query gets an ID of the proxy's own on the one upstream
	// socket, so that clients' equal IDs do not collide.
	type origin struct {
		addr net.Addr
		id   uint16
	}
	var mu sync.Mutex
	pending := map[uint16]origin{}
	var next uint16
	go func() {
		buf := make([]byte, 65535)
		for {
			n, err := up.Read(buf)
			if err != nil {
				return
			}
			if n < 12 {
				continue
			}
			id := binary.BigEndian.Uint16(buf)
			mu.Lock()
			o, ok := pending[id]
			delete(pending, id)
			mu.Unlock()
			if !ok {
				continue
			}
			msg := append([]byte(nil), buf[:n]...)
			binary.BigEndian.PutUint16(msg, o.id)
			time.AfterFunc(delay, func() { _, _ = pc.WriteTo(msg, o.addr) })
		}
	}()
	go func() {
		buf := make([]byte, 65535)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 12 {
				continue
			}
			mu.Lock()
			// IDs in turn: one still pending 65,536 queries later
			// was lost (its client asked again long ago) and is
			// replaced, so the table stays bounded and no search
			// can spin when a server stops answering.
			next++
			id := next
			pending[id] = origin{addr, binary.BigEndian.Uint16(buf)}
			mu.Unlock()
			binary.BigEndian.PutUint16(buf, id)
			_, _ = up.Write(buf[:n])
		}
	}()
	// Until stdin closes, as `serve` does.
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}

func proxyTCP(l net.Listener, to string, delay time.Duration) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			u, err := net.Dial("tcp", to)
			if err != nil {
				return
			}
			defer u.Close()
			go func() { _, _ = io.Copy(u, c) }()
			// Answers are framed by their 2-byte length (RFC 1035
			// §4.2.2); each one leaves delay after it arrived, in order.
			type due struct {
				msg []byte
				at  time.Time
			}
			out := make(chan due, 64)
			go func() {
				defer close(out)
				r := bufio.NewReader(u)
				for {
					var l [2]byte
					if _, err := io.ReadFull(r, l[:]); err != nil {
						return
					}
					msg := make([]byte, 2+int(binary.BigEndian.Uint16(l[:])))
					copy(msg, l[:])
					if _, err := io.ReadFull(r, msg[2:]); err != nil {
						return
					}
					out <- due{msg, time.Now().Add(delay)}
				}
			}()
			for d := range out {
				time.Sleep(time.Until(d.at))
				if _, err := c.Write(d.msg); err != nil {
					return
				}
			}
		}()
	}
}

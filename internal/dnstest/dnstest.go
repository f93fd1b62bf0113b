// Package dnstest runs a real DNS server on 127.0.0.1 for tests: UDP and TCP
// on one port, answering from zone files (pkg/zone) like a recursive
// resolver would, with faults on demand: SERVFAIL, REFUSED, silence, delays,
// truncation that forces TCP, and oversize answers. Every DNS test in the
// project talks to it over real sockets; none reads the machine's resolver.
package dnstest

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/mailcheck/mailcheck/pkg/zone"
	"github.com/miekg/dns"
)

// Option configures a server.
type Option func(*zone.Data) error

// ZoneFile loads a BIND-format zone file (its origin: $ORIGIN, else the file
// name without ".zone").
func ZoneFile(path string) Option {
	return func(d *zone.Data) error { return d.LoadFile(path) }
}

// ZoneText loads zone text with the given origin.
func ZoneText(origin, text string) Option {
	return func(d *zone.Data) error { return d.Load(strings.NewReader(text), origin, "zonetext:"+origin) }
}

type faultKind int

const (
	faultNone faultKind = iota
	faultServFail
	faultRefused
	faultSilence
	faultTruncate
	faultDelay
	faultOversize
	faultTruncateAlways
)

// Fault is a misbehaviour injected for one (name, type).
type Fault struct {
	kind  faultKind
	delay time.Duration
	size  int
}

// Faults.
var (
	// ServFail answers SERVFAIL.
	ServFail = Fault{kind: faultServFail}
	// Refused answers REFUSED.
	Refused = Fault{kind: faultRefused}
	// Silence never answers.
	Silence = Fault{kind: faultSilence}
	// Truncate answers over UDP with TC set and no records, so the client
	// must retry over TCP, where the full answer is given.
	Truncate = Fault{kind: faultTruncate}
	// TruncateAlways answers with TC set and no records over TCP too, as a
	// broken server whose answer does not fit in 64 KiB does.
	TruncateAlways = Fault{kind: faultTruncateAlways}
)

// Delay answers after d.
func Delay(d time.Duration) Fault { return Fault{kind: faultDelay, delay: d} }

// Oversize adds about n octets of TXT records to the answer (beyond any UDP
// buffer, so UDP answers come back truncated and TCP carries them).
func Oversize(n int) Fault { return Fault{kind: faultOversize, size: n} }

type faultKey struct {
	name  string
	qtype uint16
}

// Question is one query the server received.
type Question struct {
	Name  string
	Type  uint16
	Proto string // "udp" or "tcp"
	At    time.Time
}

// Server is a running DNS server.
type Server struct {
	// Addr is "127.0.0.1:port", for UDP and TCP alike.
	Addr string

	data      *zone.Data
	done      chan struct{}
	closeOnce sync.Once
	servers   []*dns.Server
	queries   atomic.Int64
	active    atomic.Int64 // queries being answered now
	peak      atomic.Int64 // the most answered at once

	mu        sync.Mutex
	faults    map[faultKey]Fault
	delay     time.Duration
	authentic map[string]bool
	log       []Question
}

// Start starts a server with the given zones and stops it when the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Serve(opts...)
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Serve starts a server outside a test (benchmark tools); Close stops it.
func Serve(opts ...Option) (*Server, error) {
	data := zone.New()
	for _, o := range opts {
		if err := o(data); err != nil {
			return nil, err
		}
	}
	s := &Server{
		data:      data,
		done:      make(chan struct{}),
		faults:    map[faultKey]Fault{},
		authentic: map[string]bool{},
	}
	pc, ln, err := listenPair()
	if err != nil {
		return nil, err
	}
	s.Addr = ln.Addr().String()
	handler := dns.HandlerFunc(s.serve)
	var started sync.WaitGroup
	s.servers = []*dns.Server{
		{PacketConn: pc, Handler: handler},
		{Listener: ln, Handler: handler},
	}
	for _, srv := range s.servers {
		started.Add(1)
		srv.NotifyStartedFunc = started.Done
		go func(srv *dns.Server) {
			// An error after Close is the listener closing.
			_ = srv.ActivateAndServe()
		}(srv)
	}
	started.Wait()
	return s, nil
}

// Close stops the server; answers being delayed are dropped.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		for _, srv := range s.servers {
			_ = srv.Shutdown()
		}
	})
}

// Lookup answers from the server's zone data, as the server would, without
// a query: for tools that analyse the query log.
func (s *Server) Lookup(name string, qtype uint16) zone.Result { return s.data.Lookup(name, qtype) }

// ResetLog empties the query log and the query counter.
func (s *Server) ResetLog() {
	s.mu.Lock()
	s.log = nil
	s.mu.Unlock()
	s.queries.Store(0)
}

// listenPair binds TCP on an ephemeral loopback port, then UDP on the same
// port, retrying when the UDP port happens to be taken.
func listenPair() (net.PacketConn, net.Listener, error) {
	var lastErr error
	for i := 0; i < 20; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		pc, err := net.ListenPacket("udp", ln.Addr().String())
		if err == nil {
			// Room for bursts of queries (benchmarks of many domains):
			// the default buffer drops them and the client then waits
			// out its timeout, which would measure this server, not
			// mailcheck.
			if u, ok := pc.(*net.UDPConn); ok {
				_ = u.SetReadBuffer(8 << 20)
			}
			return pc, ln, nil
		}
		lastErr = err
		ln.Close()
	}
	return nil, nil, fmt.Errorf("no free UDP+TCP port pair: %v", lastErr)
}

// SetFault injects f for (name, qtype); qtype 0 matches every type. A zero
// Fault removes it.
func (s *Server) SetFault(name string, qtype uint16, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := faultKey{dns.CanonicalName(name), qtype}
	if f.kind == faultNone {
		delete(s.faults, k)
		return
	}
	s.faults[k] = f
}

// SetDelay delays every answer by d (on top of any Delay fault).
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// SetAuthentic sets the AD bit on answers for names at or below apex, as a
// validating resolver would for a signed zone.
func (s *Server) SetAuthentic(apex string, on bool) {
	s.mu.Lock()
	s.authentic[dns.CanonicalName(apex)] = on
	s.mu.Unlock()
}

// Peak is the largest number of queries the server was answering at once
// (delayed ones included).
func (s *Server) Peak() int64 { return s.peak.Load() }

// Queries counts the queries received.
func (s *Server) Queries() int64 { return s.queries.Load() }

// Log returns the questions received, in order.
func (s *Server) Log() []Question {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Question(nil), s.log...)
}

// ClientOptions returns resolver options pointed at the server, with
// timeouts suited to tests (1s, one retry).
func (s *Server) ClientOptions() resolver.ClientOptions {
	return resolver.ClientOptions{Server: s.Addr, Timeout: time.Second}
}

// Resolver returns a resolver.Client pointed at the server.
func (s *Server) Resolver(t testing.TB) *resolver.Client {
	t.Helper()
	c, err := resolver.NewClient(s.ClientOptions())
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	return c
}

func (s *Server) fault(name string, qtype uint16) (Fault, time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.faults[faultKey{name, qtype}]
	if !ok {
		f = s.faults[faultKey{name, 0}]
	}
	ad := false
	for n := name; ; {
		if on, ok := s.authentic[n]; ok {
			ad = on
			break
		}
		i := strings.IndexByte(n, '.')
		if n == "." || i < 0 || i == len(n)-1 {
			break
		}
		n = n[i+1:]
	}
	return f, s.delay, ad
}

func (s *Server) serve(w dns.ResponseWriter, req *dns.Msg) {
	s.queries.Add(1)
	// Count queries not yet answered: the count drops before the reply
	// is written, so a client that sends its next query on receiving this
	// reply is never counted twice.
	n := s.active.Add(1)
	var answered sync.Once
	unanswered := func() { answered.Do(func() { s.active.Add(-1) }) }
	defer unanswered()
	for p := s.peak.Load(); n > p && !s.peak.CompareAndSwap(p, n); p = s.peak.Load() {
	}
	q, entry, ok := question(w, req)
	if !ok {
		return
	}
	name := entry.Name
	s.mu.Lock()
	s.log = append(s.log, entry)
	s.mu.Unlock()

	f, delay, ad := s.fault(name, q.Qtype)
	if f.kind == faultDelay {
		delay += f.delay
	}
	if f.kind == faultSilence {
		return
	}
	if delay > 0 {
		timer := time.NewTimer(delay)
		select {
		case <-timer.C:
		case <-s.done:
			timer.Stop()
			return
		}
	}

	m := new(dns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	switch f.kind {
	case faultServFail:
		m.Rcode = dns.RcodeServerFailure
	case faultRefused:
		m.Rcode = dns.RcodeRefused
	default:
		res := s.data.Lookup(name, q.Qtype)
		m.Rcode = res.Rcode
		m.Answer = res.Answer
		m.Ns = res.Authority
		m.AuthenticatedData = ad && res.Rcode != dns.RcodeRefused
	}
	if f.kind == faultOversize {
		m.Answer = append(m.Answer, padding(name, f.size)...)
	}
	bufSize := 512
	if opt := req.IsEdns0(); opt != nil {
		if int(opt.UDPSize()) > bufSize {
			bufSize = int(opt.UDPSize())
		}
		m.SetEdns0(opt.UDPSize(), false)
	}
	if f.kind == faultTruncateAlways {
		m.Answer, m.Ns, m.Extra = nil, nil, nil
		m.Truncated = true
	}
	if entry.Proto == "udp" {
		if f.kind == faultTruncate {
			m.Answer, m.Ns, m.Extra = nil, nil, nil
			m.Truncated = true
		} else {
			// A real server truncates what does not fit (RFC 1035 §4.2.1).
			m.Truncate(bufSize)
		}
	}
	unanswered()
	_ = w.WriteMsg(m)
}

// padding returns TXT records totalling about n octets of text.
func padding(name string, n int) []dns.RR {
	var out []dns.RR
	chunk := strings.Repeat("x", 250)
	for i := 0; n > 0; i++ {
		size := min(n, 240)
		out = append(out, &dns.TXT{
			Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60},
			Txt: []string{fmt.Sprintf("pad%04d=", i) + chunk[:size]},
		})
		n -= size
	}
	return out
}

// question reads the one question of req and the log entry for it. A
// request that does not hold exactly one question gets FORMERR (RFC 1035
// §4.1.2 allows one in practice) and ok is false.
func question(w dns.ResponseWriter, req *dns.Msg) (q dns.Question, entry Question, ok bool) {
	if len(req.Question) != 1 {
		m := new(dns.Msg)
		m.SetRcode(req, dns.RcodeFormatError)
		_ = w.WriteMsg(m)
		return q, entry, false
	}
	q = req.Question[0]
	proto := "tcp"
	if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
		proto = "udp"
	}
	return q, Question{Name: dns.CanonicalName(q.Name), Type: q.Qtype, Proto: proto, At: time.Now()}, true
}

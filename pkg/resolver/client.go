package resolver

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// ClientOptions configure a Client. Zero values take the defaults.
type ClientOptions struct {
	// Server is the recursive resolver, "host:port" or "host" (port 53).
	Server string
	// Fallbacks are more resolvers, asked in order when one does not
	// answer, fails (SERVFAIL) or refuses, the way the system resolver
	// uses the nameserver lines of resolv.conf after the first.
	Fallbacks []string
	// Rotate starts each query at the next server in turn (resolv.conf
	// "options rotate") instead of always at the first.
	Rotate bool
	// Timeout bounds one attempt of one query at one server (default 3s).
	Timeout time.Duration
	// Retries is how many times a timed-out query is sent again (default 1;
	// set -1 for none); each round asks every server.
	Retries int
	// UDPSize is the EDNS0 buffer size (default 1232, the DNS Flag Day 2020
	// value that avoids IP fragmentation).
	UDPSize uint16
	// MaxCNAMEDepth bounds the alias chain followed (default 8).
	MaxCNAMEDepth int
	// MaxAnswerSize bounds a reply in octets (default 32 KiB); larger is an
	// error of kind too-large, so a hostile server cannot balloon memory.
	MaxAnswerSize int
	// MaxInFlight bounds the queries outstanding at once (default 512).
	// Unbounded, checking many domains at once could send bursts of
	// thousands of datagrams, which resolvers and socket buffers drop; each
	// drop then costs a full timeout. The bound is a safety net, not a
	// pace: at 20 ms per answer, 512 in flight allow 25,600 queries/s
	// (the old 128 capped a bulk run at 6,400 whatever --concurrency said),
	// and stay within NSD's default socket buffer, which a burst of 2,368
	// overflows (benchdomain floor).
	MaxInFlight int
}

// Defaults.
const (
	DefaultTimeout       = 3 * time.Second
	DefaultUDPSize       = 1232
	DefaultMaxCNAMEDepth = 8
	DefaultMaxAnswerSize = 32 << 10
	DefaultMaxInFlight   = 512
)

// Client asks one recursive resolver over UDP, falling back to TCP when an
// answer is truncated (RFC 7766 §5). It is safe for concurrent use.
type Client struct {
	opts     ClientOptions
	servers  []string   // Server, then Fallbacks
	udp      []*udpPool // one per server
	tcp      *dns.Client
	rotation atomic.Uint32
	queries  atomic.Int64
	inFlight chan struct{}
	batchMu  sync.Mutex // one LookupBatch at a time takes in-flight places
}

var _ Resolver = (*Client)(nil)

// NewClient returns a client for opts.Server.
func NewClient(opts ClientOptions) (*Client, error) {
	server, err := normalizeServer(opts.Server)
	if err != nil {
		return nil, err
	}
	opts.Server = server
	servers := []string{server}
	for _, fb := range opts.Fallbacks {
		s, err := normalizeServer(fb)
		if err != nil {
			return nil, err
		}
		servers = append(servers, s)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	switch {
	case opts.Retries == 0:
		opts.Retries = 1
	case opts.Retries < 0:
		opts.Retries = 0
	}
	if opts.UDPSize == 0 {
		opts.UDPSize = DefaultUDPSize
	}
	if opts.MaxCNAMEDepth <= 0 {
		opts.MaxCNAMEDepth = DefaultMaxCNAMEDepth
	}
	if opts.MaxAnswerSize <= 0 {
		opts.MaxAnswerSize = DefaultMaxAnswerSize
	}
	if opts.MaxInFlight <= 0 {
		opts.MaxInFlight = DefaultMaxInFlight
	}
	c := &Client{
		opts:     opts,
		servers:  servers,
		inFlight: make(chan struct{}, opts.MaxInFlight),
		tcp:      &dns.Client{Net: "tcp", Timeout: opts.Timeout},
	}
	for _, s := range servers {
		c.udp = append(c.udp, newUDPPool(s, opts.UDPSize))
	}
	return c, nil
}

// normalizeServer accepts "host", "host:port", "[v6]:port" and a bare IPv6
// address, and returns "host:port".
func normalizeServer(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("no resolver address")
	}
	if host, port, err := net.SplitHostPort(s); err == nil {
		if host == "" || port == "" {
			return "", fmt.Errorf("resolver %q: want host[:port]", s)
		}
		return net.JoinHostPort(host, port), nil
	}
	if strings.Count(s, ":") >= 2 || !strings.Contains(s, ":") { // bare IPv6, or host without port
		return net.JoinHostPort(strings.Trim(s, "[]"), "53"), nil
	}
	return "", fmt.Errorf("resolver %q: want host[:port]", s)
}

// SystemServer returns the first nameserver of a resolv.conf file.
func SystemServer(path string) (string, error) {
	o, err := SystemOptions(path)
	if err != nil {
		return "", err
	}
	return o.Server, nil
}

// SystemOptions reads a resolv.conf file the way the system resolver does
// (resolv.conf(5)): every nameserver line, asked in order when one fails
// (or in turn with "options rotate"), "options timeout:N" as the time per
// attempt and "options attempts:N" as the rounds over all servers.
func SystemOptions(path string) (ClientOptions, error) {
	cfg, err := dns.ClientConfigFromFile(path)
	if err != nil {
		return ClientOptions{}, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(cfg.Servers) == 0 {
		return ClientOptions{}, fmt.Errorf("%s lists no nameserver", path)
	}
	o := ClientOptions{Server: net.JoinHostPort(cfg.Servers[0], cfg.Port)}
	for _, s := range cfg.Servers[1:] {
		o.Fallbacks = append(o.Fallbacks, net.JoinHostPort(s, cfg.Port))
	}
	timeout, attempts, rotate := resolvOptions(path)
	if timeout > 0 {
		o.Timeout = time.Duration(min(timeout, 30)) * time.Second // glibc's cap
	}
	switch {
	case attempts > 1:
		o.Retries = min(attempts, 5) - 1 // glibc's cap
	case attempts == 1:
		o.Retries = -1
	}
	o.Rotate = rotate
	return o, nil
}

// resolvOptions reads the "options" lines that the client honours; zero
// for what is not set, so that the client's own defaults apply (3 s and 2
// attempts rather than glibc's 5 s: a diagnostic should not hang long on a
// dead server when others are listed).
func resolvOptions(path string) (timeout, attempts int, rotate bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "options" {
			continue
		}
		for _, opt := range f[1:] {
			name, val, _ := strings.Cut(opt, ":")
			n, _ := strconv.Atoi(val)
			switch name {
			case "rotate":
				rotate = true
			case "timeout":
				timeout = n
			case "attempts":
				attempts = n
			}
		}
	}
	return timeout, attempts, rotate
}

// Server returns the resolver's address (the first, when there are
// fallbacks).
func (c *Client) Server() string { return c.opts.Server }

// Servers returns every resolver address, in the order they are asked.
func (c *Client) Servers() []string { return append([]string(nil), c.servers...) }

// Queries counts the queries sent on the wire, retries and TCP fallbacks
// included.
func (c *Client) Queries() int64 { return c.queries.Load() }

// Lookup implements Resolver.
func (c *Client) Lookup(ctx context.Context, name string, qtype uint16) (Answer, error) {
	var ans Answer
	err := c.lookupCanonical(ctx, Canonical(name), qtype, &ans)
	return ans, err
}

// lookupCanonical is Lookup for a canonical name, into ans (see
// canonicalResolver).
func (c *Client) lookupCanonical(ctx context.Context, qname string, qtype uint16, ans *Answer) error {
	*ans = Answer{Name: qname, Type: qtype}
	if err := checkName(qname, qtype); err != nil {
		return err
	}
	return c.follow(ctx, ans, qname, nil)
}

// follow asks for ans's question at current and on along the alias chain
// until it is answered. first, when set, is the outcome of the first UDP
// attempt at the first server, already sent (LookupBatch).
func (c *Client) follow(ctx context.Context, ans *Answer, current string, first *udpReply) error {
	for {
		msg, blk, size, err := c.exchange(ctx, current, ans.Type, first)
		first = nil
		if err != nil {
			blk.release() // an error refers to no message
			return c.failed(ans, err)
		}
		next, done, err := c.absorb(ans, msg, size, current)
		// ans keeps the answer section's records only, which are not
		// in the block.
		blk.release()
		if done || err != nil {
			return err
		}
		current = next
	}
}

// failed names the question asked (not the alias it had reached) in a
// failure.
func (c *Client) failed(ans *Answer, err error) error {
	var e *Error
	if errors.As(err, &e) {
		e.Name = ans.Name
	}
	return err
}

// absorb reads one reply to the question at current into ans. Done is
// false when the alias chain left the server's data unanswered: the lookup
// goes on at next.
func (c *Client) absorb(ans *Answer, msg *dns.Msg, size int, current string) (next string, done bool, err error) {
	qtype := ans.Type
	ans.Authentic = msg.AuthenticatedData
	ans.Truncated = ans.Truncated || msg.Truncated
	ans.Size = size
	rrs := msg.Answer
	if current, err = followAliases(rrs, ans, current, c.opts.MaxCNAMEDepth); err != nil {
		return "", true, err
	}
	ans.RRs = recordsAt(rrs, qtype, current)
	if qtype == dns.TypeCNAME && len(ans.CNAMEs) > 0 {
		// Asked for the alias itself: the first CNAME is the answer.
		for _, rr := range rrs {
			if c, ok := rr.(*dns.CNAME); ok && strings.EqualFold(c.Hdr.Name, ans.Name) {
				ans.RRs = []dns.RR{c}
			}
		}
		ans.CNAMEs = nil
		ans.Outcome = Found
		return "", true, nil
	}
	switch {
	case len(ans.RRs) > 0:
		ans.Outcome = Found
	case msg.Rcode == dns.RcodeNameError:
		// RFC 6604: with a chain, the RCODE speaks of the last name.
		ans.Outcome = NXDomain
	case len(ans.CNAMEs) > 0 && current != Canonical(msg.Question[0].Name) && !hasSOA(msg.Ns):
		// The chain left the server's data without a final answer (an
		// authoritative server answering for one zone): ask for the
		// target ourselves.
		return current, false, nil
	default:
		ans.Outcome = NoData
	}
	return "", true, nil
}

// followAliases follows the CNAME chain in rrs from current (RFC 1034
// §3.6.2), appending each target to ans.CNAMEs, and returns the last name.
// A name seen before is a loop; more than max aliases, all different, is
// a chain too long to follow, not a loop. The names seen are ans.Name and
// ans.CNAMEs, which carry across the replies of one lookup (a slice of at
// most max names: no map per lookup).
func followAliases(rrs []dns.RR, ans *Answer, current string, max int) (string, error) {
	for {
		target := cnameOf(rrs, current)
		if target == "" {
			return current, nil
		}
		switch {
		case target == ans.Name || slices.Contains(ans.CNAMEs, target):
			return current, &Error{Name: ans.Name, Type: ans.Type, Kind: KindLoop,
				Err: fmt.Errorf("alias chain %s -> %s", ans.Name, strings.Join(append(ans.CNAMEs, target), " -> "))}
		case len(ans.CNAMEs) >= max:
			return current, &Error{Name: ans.Name, Type: ans.Type, Kind: KindChainLong,
				Err: fmt.Errorf("more than %d aliases, starting %s -> %s", max, ans.Name, strings.Join(ans.CNAMEs[:min(3, len(ans.CNAMEs))], " -> "))}
		}
		ans.CNAMEs = append(ans.CNAMEs, target)
		current = target
	}
}

// recordsAt returns the records of qtype owned by name: rrs itself (its
// length as its capacity, so an append copies) when they all are, the
// usual answer section, which saves a slice per answer.
func recordsAt(rrs []dns.RR, qtype uint16, name string) []dns.RR {
	at := func(rr dns.RR) bool {
		h := rr.Header()
		return (h.Rrtype == qtype || qtype == dns.TypeANY) && strings.EqualFold(h.Name, name)
	}
	all := len(rrs) > 0
	for _, rr := range rrs {
		if !at(rr) {
			all = false
			break
		}
	}
	if all {
		return rrs[:len(rrs):len(rrs)]
	}
	var out []dns.RR
	for _, rr := range rrs {
		if at(rr) {
			out = append(out, rr)
		}
	}
	return out
}

func hasSOA(rrs []dns.RR) bool {
	for _, rr := range rrs {
		if rr.Header().Rrtype == dns.TypeSOA {
			return true
		}
	}
	return false
}

func cnameOf(rrs []dns.RR, owner string) string {
	for _, rr := range rrs {
		if c, ok := rr.(*dns.CNAME); ok && strings.EqualFold(c.Hdr.Name, owner) {
			return Canonical(c.Target)
		}
	}
	return ""
}

// exchange sends one question, retrying timeouts and falling back to TCP on
// truncation, and turns RCODEs other than NOERROR and NXDOMAIN into errors.
// first, when set, stands for the first UDP attempt at the first server:
// sent and waited for already (LookupBatch). blk is the returned message's
// block, or that of the reply an error was made of, for the caller to
// release (see replyBlock.release); nil when there is none.
func (c *Client) exchange(ctx context.Context, name string, qtype uint16, first *udpReply) (msg *dns.Msg, blk *replyBlock, size int, err error) {
	fqdn := dns.Fqdn(name) // name is canonical: no copy
	// Written directly, not through a dns.Msg (not SetQuestion either: it
	// draws an ID from crypto/rand, which cost 8% of a bulk run's CPU):
	// the UDP pool sets a random ID per send. RFC 6840 §5.7: AD in a
	// query asks a validating resolver to report whether it validated,
	// without asking for DNSSEC records (DO). The dns.Msg is only built
	// for the rare TCP fallback and for names Pack must escape.
	//
	// (No closure for the dns.Msg, and the rare paths in functions of
	// their own: this frame is on the stack of every lookup, and a small
	// one lets more of the checks' goroutines live in their first stack.)
	buf := wireBufs.Get()
	defer wireBufs.Put(buf) // the datagram is copied out by the time exchange returns
	wire, ok := appendQuery((*buf)[:0], 0, fqdn, qtype, dns.ClassINET, flagRD|flagAD, c.opts.UDPSize, 0)
	if !ok {
		var err error
		if wire, err = c.lookupQuery(fqdn, qtype).Pack(); err != nil {
			return nil, nil, 0, &Error{Name: name, Type: qtype, Kind: KindName, Err: err}
		}
	}

	// Each round asks every server in turn (the system resolver's order,
	// res_send in glibc): a server that does not answer, fails or refuses
	// hands the question to the next; the last one's answer stands.
	start := 0
	if c.opts.Rotate && len(c.servers) > 1 && first == nil {
		start = int(c.rotation.Add(1)-1) % len(c.servers)
	}
	var lastErr error
	var lastReply error
	for attempt := 0; attempt <= c.opts.Retries; attempt++ {
		for k := range c.servers {
			si := (start + k) % len(c.servers)
			var msg *dns.Msg
			var blk *replyBlock
			var err error
			if first != nil && attempt == 0 && k == 0 {
				// Sent and answered (or not) while the context was
				// alive: a reply that came in time counts.
				msg, blk, err = first.msg, first.blk, first.err
			} else {
				if err := ctx.Err(); err != nil {
					return nil, nil, 0, c.ctxError(ctx, name, qtype, err)
				}
				msg, blk, err = c.sendUDP(ctx, si, wire, fqdn)
			}
			if err == nil && msg.Truncated {
				var tcpErr error
				blk = nil // the UDP reply is dropped (the collector's)
				if msg, err, tcpErr = c.overTCP(ctx, si, fqdn, name, qtype); tcpErr != nil {
					lastReply = tcpErr
					continue
				}
			}
			if err != nil {
				if ctxErr := contextDone(ctx); ctxErr != nil {
					return nil, nil, 0, c.ctxError(ctx, name, qtype, ctxErr)
				}
				lastErr = err
				if isTimeout(err) {
					continue
				}
				lastReply = classifyNetErr(name, qtype, err)
				continue
			}
			msg, size, err := c.checkReply(fqdn, msg, name, qtype)
			switch KindOf(err) {
			case KindServFail, KindRefused:
				if k < len(c.servers)-1 {
					lastReply = err
					continue
				}
			}
			return msg, blk, size, err
		}
		if lastReply != nil {
			// Every server answered, none usefully: asking again will
			// not help (only silence is retried).
			return nil, nil, 0, lastReply
		}
	}
	if lastReply != nil {
		return nil, nil, 0, lastReply
	}
	return nil, nil, 0, c.timedOut(name, qtype, lastErr)
}

// lookupQuery is the query exchange sends, as a dns.Msg: for TCP and for
// names appendQuery leaves to Pack.
func (c *Client) lookupQuery(fqdn string, qtype uint16) *dns.Msg {
	q := &dns.Msg{Question: []dns.Question{{Name: fqdn, Qtype: qtype, Qclass: dns.ClassINET}}}
	q.Opcode = dns.OpcodeQuery
	q.RecursionDesired = true
	q.AuthenticatedData = true
	q.SetEdns0(c.opts.UDPSize, false)
	return q
}

// overTCP asks again over TCP after a truncated UDP answer (RFC 7766 §5).
// incomplete is set when the TCP answer is truncated too: RFC 1035 §4.1.1,
// an incomplete answer, never NODATA.
//
//go:noinline
func (c *Client) overTCP(ctx context.Context, server int, fqdn, name string, qtype uint16) (msg *dns.Msg, err, incomplete error) {
	msg, err = c.sendTCP(ctx, server, c.lookupQuery(fqdn, qtype))
	if err != nil {
		return nil, err, nil
	}
	if msg.Truncated {
		return nil, nil, &Error{Name: name, Type: qtype, Kind: KindMalformed, Err: errors.New("answer truncated over TCP too")}
	}
	msg.Truncated = true // remember that UDP was not enough
	return msg, nil, nil
}

// timedOut is the error of a question no server answered in time.
//
//go:noinline
func (c *Client) timedOut(name string, qtype uint16, lastErr error) error {
	return &Error{Name: name, Type: qtype, Kind: KindTimeout,
		Err: fmt.Errorf("no answer from %s after %d attempts of %s: %w", strings.Join(c.servers, ", "), c.opts.Retries+1, c.opts.Timeout, lastErr)}
}

// attempt runs one send under the in-flight bound and the per-attempt
// timeout, and counts it.
func (c *Client) attempt(ctx context.Context, send func(context.Context) (*dns.Msg, error)) (*dns.Msg, error) {
	if err := c.acquire(ctx); err != nil {
		return nil, err
	}
	defer c.release()
	qctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	return send(qctx)
}

// acquire takes a place under the in-flight bound and counts the query;
// release gives it back. (Not a returned func: the method value escaped,
// one allocation per query.)
//
// A place is nearly always free: tried first on its own, which is a
// fraction of the cost of a select that also watches ctx (and makes ctx's
// Done channel). A context already done never gets one, so that nothing
// is sent for it.
func (c *Client) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case c.inFlight <- struct{}{}:
		c.queries.Add(1)
		return nil
	default:
	}
	select {
	case c.inFlight <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	c.queries.Add(1)
	return nil
}

func (c *Client) release() { <-c.inFlight }

// sendUDP is one attempt over the shared sockets. The per-attempt timeout
// is the pool's (its sockets' readers sweep the deadlines), not a context: a context.WithTimeout per
// query was an eighth of a bulk run's allocations (a context, a timer, a
// channel and its registration in the parent).
//
// name is the name asked, as in the wire (see pendingQuery).
func (c *Client) sendUDP(ctx context.Context, server int, wire []byte, name string) (*dns.Msg, *replyBlock, error) {
	if err := c.acquire(ctx); err != nil {
		return nil, nil, err
	}
	defer c.release()
	return c.udp[server].exchange(ctx, wire, name, c.opts.Timeout)
}

func (c *Client) sendTCP(ctx context.Context, server int, q *dns.Msg) (*dns.Msg, error) {
	return c.attempt(ctx, func(qctx context.Context) (*dns.Msg, error) {
		m := q.Copy()
		m.Id = uint16(rand.Uint32())
		return exchangeTCP(qctx, c.tcp, m, c.servers[server])
	})
}

// checkReply also returns the reply's size (msg.Len(), which walks every
// record: computed once per reply).
func (c *Client) checkReply(fqdn string, msg *dns.Msg, name string, qtype uint16) (*dns.Msg, int, error) {
	if len(msg.Question) != 1 || !strings.EqualFold(msg.Question[0].Name, fqdn) || msg.Question[0].Qtype != qtype {
		return nil, 0, &Error{Name: name, Type: qtype, Kind: KindMalformed, Err: errors.New("reply does not match the question")}
	}
	size := msg.Len()
	if size > c.opts.MaxAnswerSize {
		return nil, 0, &Error{Name: name, Type: qtype, Kind: KindTooLarge,
			Err: fmt.Errorf("answer of %d octets, over the %d-octet bound", size, c.opts.MaxAnswerSize)}
	}
	switch msg.Rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
		return msg, size, nil
	case dns.RcodeServerFailure:
		return nil, 0, &Error{Name: name, Type: qtype, Kind: KindServFail, Rcode: msg.Rcode}
	case dns.RcodeRefused:
		return nil, 0, &Error{Name: name, Type: qtype, Kind: KindRefused, Rcode: msg.Rcode}
	default:
		return nil, 0, &Error{Name: name, Type: qtype, Kind: KindRcode, Rcode: msg.Rcode}
	}
}

func (c *Client) ctxError(ctx context.Context, name string, qtype uint16, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Name: name, Type: qtype, Kind: KindTimeout, Err: fmt.Errorf("deadline reached before %s answered: %w", c.opts.Server, err)}
	}
	return &Error{Name: name, Type: qtype, Kind: KindCanceled, Err: err}
}

// contextDone is ctx.Err(), also when the deadline has passed but the
// context's timer has not fired yet (a socket deadline taken from the
// context can expire a moment earlier).
func contextDone(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
}

func classifyNetErr(name string, qtype uint16, err error) error {
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &oe) || errors.As(err, &ne) {
		return &Error{Name: name, Type: qtype, Kind: KindNetwork, Err: err}
	}
	if errors.Is(err, dns.ErrId) || strings.Contains(err.Error(), "dns: ") {
		return &Error{Name: name, Type: qtype, Kind: KindMalformed, Err: err}
	}
	return &Error{Name: name, Type: qtype, Kind: KindNetwork, Err: err}
}

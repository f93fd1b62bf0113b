package resolver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/zone"
	"github.com/miekg/dns"
)

// Reply is one DNS reply seen whole, for the DNSSEC checks: the RCODE, the
// AD bit, the RRSIG records and the authority section that Lookup folds
// away. A SERVFAIL is a Reply here, not an error: telling a bogus zone from
// a dead one needs the same question asked again with CD (RFC 4035 §3.2.2).
type Reply struct {
	Name string
	Type uint16
	// Rcode is the reply's RCODE (dns.RcodeSuccess, dns.RcodeNameError,
	// dns.RcodeServerFailure, ...).
	Rcode int
	// Authentic is the AD bit (RFC 4035 §3.2.3).
	Authentic bool
	// Answer and Authority hold the sections as received, RRSIGs included
	// (the query sets DO, RFC 3225 §3).
	Answer    []dns.RR
	Authority []dns.RR
	// Extended are the RFC 8914 extended errors the resolver attached
	// (unbound names the validation failure there, e.g. 7 "Signature
	// Expired").
	Extended []ExtendedError
	// Offline is set by resolvers that answer from zone files: nothing
	// was validated, so Authentic and a missing SERVFAIL mean nothing.
	Offline bool
	Size    int
}

// ExtendedError is one RFC 8914 EDE option.
type ExtendedError struct {
	Code uint16
	Text string
}

func (e ExtendedError) String() string {
	s := fmt.Sprintf("EDE %d", e.Code)
	if name := dns.ExtendedErrorCodeToString[e.Code]; name != "" {
		s += " (" + name + ")"
	}
	if e.Text != "" {
		s += ": " + e.Text
	}
	return s
}

// DNSSECQuerier is implemented by resolvers that can send a query with the
// DO bit (RFC 3225) and, on demand, the CD bit (RFC 4035 §3.2.2).
type DNSSECQuerier interface {
	QueryDNSSEC(ctx context.Context, name string, qtype uint16, cd bool) (Reply, error)
}

// ZoneLister is implemented by offline resolvers: the records of one type
// that a loaded zone file holds for apex (owned at or below it; for RRSIG,
// those whose signer is apex).
type ZoneLister interface {
	ZoneRecords(apex string, qtype uint16) ([]dns.RR, error)
}

// ErrNoDNSSEC says the resolver cannot send DNSSEC queries.
var ErrNoDNSSEC = errors.New("this resolver cannot send DNSSEC queries")

// QueryDNSSEC asks r with DO (and CD when cd is set), if r can. The error
// is non-nil only when no reply came (timeout, network, malformed, too
// large) or r cannot send such queries (ErrNoDNSSEC).
func QueryDNSSEC(ctx context.Context, r Resolver, name string, qtype uint16, cd bool) (Reply, error) {
	q, ok := r.(DNSSECQuerier)
	if !ok {
		return Reply{Name: Canonical(name), Type: qtype}, ErrNoDNSSEC
	}
	return q.QueryDNSSEC(ctx, name, qtype, cd)
}

// QueryDNSSEC implements DNSSECQuerier, once per (name, type, CD) per run,
// through the same entries as Lookup; the questions count in Stats like
// lookups do.
func (c *Cache) QueryDNSSEC(ctx context.Context, name string, qtype uint16, cd bool) (Reply, error) {
	if _, ok := c.upstream.(DNSSECQuerier); !ok {
		return Reply{Name: Canonical(name), Type: qtype}, ErrNoDNSSEC
	}
	c.lookups.Add(1)
	key := qkey{name: Canonical(name), qtype: qtype, dnssec: 1}
	if cd {
		key.dnssec = 2
	}
	e, lead, err := c.join(ctx, key)
	switch {
	case lead:
		rep := c.newReply()
		*rep, e.err = QueryDNSSEC(ctx, c.upstream, key.name, qtype, cd)
		e.rep = rep
		c.finish(ctx, key, e)
	case e == nil && err == nil:
		// The caller that asked gave up; we did not.
		return QueryDNSSEC(ctx, c.upstream, key.name, qtype, cd)
	case e == nil:
		return Reply{Name: key.name, Type: qtype}, err
	}
	if e.rep == nil {
		return Reply{Name: key.name, Type: qtype}, e.err
	}
	return *e.rep, e.err
}

// replySlab is how many Replies a Cache allocates at once: a domain asks
// some six DNSSEC questions, and a Reply per question was an allocation
// each.
const replySlab = 6

// newReply hands out room for a Reply that lives as long as the cache.
// Only the caller that leads the question writes it, before finish
// publishes it (so no lock: the slab is the cache's, handed out under
// c.mu).
func (c *Cache) newReply() *Reply {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.reps) == 0 {
		c.reps = make([]Reply, replySlab)
	}
	r := &c.reps[0]
	c.reps = c.reps[1:]
	return r
}

// ZoneRecords implements ZoneLister when the upstream does.
func (c *Cache) ZoneRecords(apex string, qtype uint16) ([]dns.RR, error) {
	if z, ok := c.upstream.(ZoneLister); ok {
		return z.ZoneRecords(apex, qtype)
	}
	return nil, ErrNoDNSSEC
}

// QueryDNSSEC implements DNSSECQuerier: one question with DO set, CD as
// asked, RD set; TCP when the UDP reply is truncated (RFC 7766 §5, DNSSEC
// answers are large), one retry on timeout, the answer-size bound. CNAMEs
// are not chased: the DNSSEC checks ask for zone apex records.
func (c *Client) QueryDNSSEC(ctx context.Context, name string, qtype uint16, cd bool) (Reply, error) {
	qname := Canonical(name)
	rep := Reply{Name: qname, Type: qtype}
	if err := checkName(qname, qtype); err != nil {
		if qname != "." { // the root is a fine DNSSEC question
			return rep, err
		}
	}
	// Built as Lookup's queries are (no SetQuestion: its ID comes from
	// crypto/rand; the UDP pool and the TCP path set their own), written
	// directly into a pooled buffer; the dns.Msg only for TCP and for
	// names appendQuery leaves to Pack (the root among them).
	flags := uint16(flagRD)
	if cd {
		flags |= flagCD
	}
	buf := wireBufs.Get()
	defer wireBufs.Put(buf) // the datagram is copied out by the time sendUDP returns
	wire, ok := appendQuery((*buf)[:0], 0, qname, qtype, dns.ClassINET, flags, c.opts.UDPSize, optDO)
	if !ok {
		var err error
		if wire, err = c.dnssecQuery(qname, qtype, cd).Pack(); err != nil {
			return rep, &Error{Name: qname, Type: qtype, Kind: KindName, Err: err}
		}
	}

	var lastErr error
	for attempt := 0; attempt <= c.opts.Retries; attempt++ {
		if err := ctx.Err(); err != nil {
			return rep, c.ctxError(ctx, qname, qtype, err)
		}
		// The first nameserver only: DNSSEC status is a property of the
		// resolver asked, and mixing two resolvers' views (one validating,
		// one not) would make the verdict meaningless.
		msg, _, err := c.sendUDP(ctx, 0, wire, qname) // kept in the Reply: no release
		if err == nil && msg.Truncated {
			msg, err = c.sendTCP(ctx, 0, c.dnssecQuery(qname, qtype, cd))
		}
		if err != nil {
			if ctxErr := contextDone(ctx); ctxErr != nil {
				return rep, c.ctxError(ctx, qname, qtype, ctxErr)
			}
			lastErr = err
			if isTimeout(err) {
				continue
			}
			return rep, classifyNetErr(qname, qtype, err)
		}
		if len(msg.Question) != 1 || !strings.EqualFold(msg.Question[0].Name, qname) || msg.Question[0].Qtype != qtype {
			return rep, &Error{Name: qname, Type: qtype, Kind: KindMalformed, Err: errors.New("reply does not match the question")}
		}
		size := msg.Len()
		if size > c.opts.MaxAnswerSize {
			return rep, &Error{Name: qname, Type: qtype, Kind: KindTooLarge,
				Err: fmt.Errorf("answer of %d octets, over the %d-octet bound", size, c.opts.MaxAnswerSize)}
		}
		rep.Rcode, rep.Authentic, rep.Size = msg.Rcode, msg.AuthenticatedData, size
		rep.Answer, rep.Authority = msg.Answer, msg.Ns
		rep.Extended = extendedErrors(msg)
		return rep, nil
	}
	return rep, &Error{Name: qname, Type: qtype, Kind: KindTimeout,
		Err: fmt.Errorf("no answer from %s after %d attempts of %s: %w", c.opts.Server, c.opts.Retries+1, c.opts.Timeout, lastErr)}
}

// dnssecQuery is the query QueryDNSSEC sends, as a dns.Msg.
func (c *Client) dnssecQuery(qname string, qtype uint16, cd bool) *dns.Msg {
	q := new(dns.Msg)
	q.Question = []dns.Question{{Name: qname, Qtype: qtype, Qclass: dns.ClassINET}}
	q.RecursionDesired = true
	q.CheckingDisabled = cd
	q.SetEdns0(c.opts.UDPSize, true)
	return q
}

// maxExtended bounds the EDE options kept from one reply.
const maxExtended = 4

func extendedErrors(msg *dns.Msg) []ExtendedError {
	opt := msg.IsEdns0()
	if opt == nil {
		return nil
	}
	var out []ExtendedError
	for _, o := range opt.Option {
		if e, ok := o.(*dns.EDNS0_EDE); ok && len(out) < maxExtended {
			text := e.ExtraText
			if len(text) > 200 {
				text = text[:200]
			}
			out = append(out, ExtendedError{Code: e.InfoCode, Text: text})
		}
	}
	return out
}

// QueryDNSSEC implements DNSSECQuerier from the zone files: the records and
// the RRSIGs that cover them, as an authoritative server would send with
// DO. Nothing is validated (Reply.Offline). A name outside the files is
// REFUSED.
func (z *Zones) QueryDNSSEC(ctx context.Context, name string, qtype uint16, cd bool) (Reply, error) {
	qname := Canonical(name)
	rep := Reply{Name: qname, Type: qtype, Offline: true}
	if err := ctx.Err(); err != nil {
		return rep, &Error{Name: qname, Type: qtype, Kind: KindCanceled, Err: err}
	}
	res := z.data.Lookup(qname, qtype)
	rep.Rcode = res.Rcode
	rep.Answer = withSignatures(z, res.Answer)
	rep.Authority = withSignatures(z, res.Authority)
	return rep, nil
}

// withSignatures appends the RRSIGs covering each RRset of rrs.
func withSignatures(z *Zones, rrs []dns.RR) []dns.RR {
	out := append([]dns.RR(nil), rrs...)
	type key struct {
		owner string
		t     uint16
	}
	seen := map[key]bool{}
	for _, rr := range rrs {
		h := rr.Header()
		k := key{Canonical(h.Name), h.Rrtype}
		if seen[k] || h.Rrtype == dns.TypeRRSIG {
			continue
		}
		seen[k] = true
		for _, s := range z.data.Lookup(k.owner, dns.TypeRRSIG).Answer {
			if sig, ok := s.(*dns.RRSIG); ok && sig.TypeCovered == k.t && Canonical(sig.Hdr.Name) == k.owner {
				out = append(out, sig)
			}
		}
	}
	return out
}

// ZoneRecords implements ZoneLister by reading the zone files again: the
// records of qtype owned at or below apex, or for RRSIG those signed by
// apex. Zone data keeps no per-zone listing, so the first call per (apex,
// qtype) reads the files and later calls get copies of what it found (the
// caller may change the records it is given).
func (z *Zones) ZoneRecords(apex string, qtype uint16) ([]dns.RR, error) {
	key := zoneListKey{Canonical(apex), qtype}
	z.listMu.Lock()
	defer z.listMu.Unlock()
	l, ok := z.listed[key]
	if !ok {
		l.rrs, l.err = z.readZoneRecords(key.apex, qtype)
		if z.listed == nil {
			z.listed = map[zoneListKey]zoneList{}
		}
		z.listed[key] = l
	}
	if l.err != nil {
		return nil, l.err
	}
	out := make([]dns.RR, len(l.rrs))
	for i, rr := range l.rrs {
		out[i] = dns.Copy(rr)
	}
	return out, nil
}

// readZoneRecords reads the zone files for ZoneRecords.
func (z *Zones) readZoneRecords(apex string, qtype uint16) ([]dns.RR, error) {
	var out []dns.RR
	for _, p := range z.files {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("zone file %s: %w", p, err)
		}
		zp := dns.NewZoneParser(io.LimitReader(f, zone.MaxFileSize), dns.Fqdn(strings.ToLower(strings.TrimSuffix(filepath.Base(p), ".zone"))), p)
		zp.SetDefaultTTL(3600)
		for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
			h := rr.Header()
			if h.Rrtype != qtype {
				continue
			}
			if sig, isSig := rr.(*dns.RRSIG); isSig {
				if Canonical(sig.SignerName) == apex {
					out = append(out, rr)
				}
				continue
			}
			if dns.IsSubDomain(apex, Canonical(h.Name)) {
				out = append(out, rr)
			}
		}
		err = zp.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("zone file %w", err)
		}
	}
	return out, nil
}

// QueryDNSSEC implements DNSSECQuerier for a bulk run's shared cache. The
// zones above a domain are most domains' too (the root's DNSKEY, the
// TLD's DS, a hosting company's parent zone), so their replies are shared
// under the rules of Lookup: kept once a second domain asks, for their
// TTL, and only answers (NOERROR, NXDOMAIN), never a SERVFAIL or an error.
func (c *SharedCache) QueryDNSSEC(ctx context.Context, name string, qtype uint16, cd bool) (Reply, error) {
	key := qkey{name: Canonical(name), qtype: qtype, dnssec: 1}
	if cd {
		key.dnssec = 2
	}
	for rejoin := 0; ; rejoin++ {
		v, fl, err := c.join(ctx, key)
		switch {
		case fl != nil && fl.detached:
			// The root's and the TLDs' keys above all: see
			// sharedFlight.detached.
			go c.flyDNSSEC(ctx, key, cd, fl)
			v, err = c.await(ctx, key, fl)
			if v == nil && err == nil && rejoin < maxRejoins {
				continue
			}
		case fl != nil:
			rep, qerr := QueryDNSSEC(ctx, c.upstream, key.name, qtype, cd)
			fl.val.rep, fl.val.ttl, fl.err = &rep, replyTTL(rep, c.maxTTL), qerr
			c.finish(ctx, key, fl)
			v, err = &fl.val, fl.err
		case v == nil && err == nil && rejoin < maxRejoins:
			continue // the domain that led the flight gave up: ask again
		}
		if v == nil && err == nil {
			c.misses.Add(1)
			return QueryDNSSEC(ctx, c.upstream, key.name, qtype, cd)
		}
		if v == nil || v.rep == nil || err != nil && v.rep.Name == "" {
			return Reply{Name: key.name, Type: qtype}, err
		}
		return *v.rep, err
	}
}

// flyDNSSEC asks key for a detached flight.
func (c *SharedCache) flyDNSSEC(ctx context.Context, key qkey, cd bool, fl *sharedFlight) {
	fctx, cancel := detach(ctx)
	defer cancel()
	rep, err := QueryDNSSEC(fctx, c.upstream, key.name, key.qtype, cd)
	fl.val.rep, fl.val.ttl, fl.err = &rep, replyTTL(rep, c.maxTTL), err
	c.finish(fctx, key, fl)
}

// ZoneRecords implements ZoneLister when the upstream does.
func (c *SharedCache) ZoneRecords(apex string, qtype uint16) ([]dns.RR, error) {
	if z, ok := c.upstream.(ZoneLister); ok {
		return z.ZoneRecords(apex, qtype)
	}
	return nil, ErrNoDNSSEC
}

// Every resolver a check can be handed answers DNSSEC questions when what
// it wraps does; a wrapper that forgot would make every zone "unknown".
var (
	_ DNSSECQuerier = (*Cache)(nil)
	_ DNSSECQuerier = (*SharedCache)(nil)
	_ ZoneLister    = (*Cache)(nil)
	_ ZoneLister    = (*SharedCache)(nil)
)

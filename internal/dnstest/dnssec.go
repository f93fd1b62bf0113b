package dnstest

// DNSSEC for tests: zones signed in the test with keys made in the test
// (Sign), and a validating resolver stand-in on 127.0.0.1 (StartValidating)
// that behaves the way unbound does towards its clients: AD on answers that
// validate from the trust anchor down (RFC 4035 §3.2.3), SERVFAIL for bogus
// answers unless the query sets CD (RFC 4035 §3.2.2), with an RFC 8914
// extended error naming the failure, and RRSIGs in the reply when the query
// sets DO (RFC 3225 §3). It really validates, with miekg/dns's RRSIG.Verify
// and the DS digests, at the time the test gives it.
//
// Where it is simpler than unbound: negative answers are judged by the
// signature over the SOA in the authority section, not by NSEC/NSEC3
// proofs (the signer does not build a denial chain), and a zone without a
// DS at its parent is insecure without a proof of the DS's absence.

import (
	"crypto"
	"encoding/base64"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/mailcheck/mailcheck/pkg/zone"
	"github.com/miekg/dns"
)

// Key is a DNSSEC key pair made in the test.
type Key struct {
	DNSKEY *dns.DNSKEY
	Signer crypto.Signer
}

// NewKey makes a key for zone: flags 257 (a key-signing key with the SEP
// bit) or 256 (a zone-signing key). RSA algorithms get 1024-bit keys (fast
// to make, good enough to sign test data).
func NewKey(t testing.TB, zoneName string, alg uint8, flags uint16) Key {
	t.Helper()
	k := &dns.DNSKEY{
		Hdr:       dns.RR_Header{Name: dns.CanonicalName(zoneName), Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags:     flags,
		Protocol:  3,
		Algorithm: alg,
	}
	bits := 256
	switch alg {
	case dns.RSASHA1, dns.RSASHA1NSEC3SHA1, dns.RSASHA256, dns.RSASHA512:
		bits = 1024
	case dns.ECDSAP384SHA384:
		bits = 384
	}
	priv, err := k.Generate(bits)
	if err != nil {
		t.Fatalf("dnstest: key for %s: %v", zoneName, err)
	}
	s, ok := priv.(crypto.Signer)
	if !ok {
		t.Fatalf("dnstest: key for %s cannot sign", zoneName)
	}
	return Key{DNSKEY: k, Signer: s}
}

// SignOptions say how Sign signs a zone. Zero values take the defaults.
type SignOptions struct {
	// Algorithm of the one key made (default ECDSAP256SHA256, RFC 8624
	// MUST). Ignored when Keys is set.
	Algorithm uint8
	// Keys sign the zone instead of a fresh key; every key signs every
	// RRset, and the DNSKEY RRset lists them all.
	Keys []Key
	// Inception and Expiration of every signature (default: an hour
	// before testclock.Now(), and 30 days after).
	Inception, Expiration time.Time
	// NSEC3 publishes an NSEC3PARAM with these parameters at the apex.
	NSEC3 *dns.NSEC3PARAM
	// Corrupt lists "owner TYPE" RRsets (e.g. "shop.example. MX") whose
	// signatures are spoilt after signing.
	Corrupt []string
	// Expire lists "owner TYPE" RRsets signed with a window that ended a
	// day before testclock.Now().
	Expire []string
}

// Signed is a zone signed in the test.
type Signed struct {
	Origin string
	// Text is the signed zone in presentation form, for ZoneText.
	Text string
	Keys []Key
}

// DS returns the DS records (SHA-256) of the zone's keys that have the SEP
// bit, in presentation form, to add to the parent zone's text.
func (s *Signed) DS() string {
	var b strings.Builder
	for _, k := range s.Keys {
		if k.DNSKEY.Flags&dns.SEP != 0 {
			b.WriteString(k.DNSKEY.ToDS(dns.SHA256).String() + "\n")
		}
	}
	return b.String()
}

// Anchor returns the zone's DS records as a trust anchor.
func (s *Signed) Anchor() []*dns.DS {
	var out []*dns.DS
	for _, k := range s.Keys {
		if k.DNSKEY.Flags&dns.SEP != 0 {
			out = append(out, k.DNSKEY.ToDS(dns.SHA256))
		}
	}
	return out
}

// Sign signs the zone text for origin: a DNSKEY RRset at the apex and an
// RRSIG by every key over every RRset, except NS records below the apex
// (a delegation) which the parent does not sign (RFC 4035 §2.2).
func Sign(t testing.TB, origin, text string, o SignOptions) *Signed {
	t.Helper()
	origin = dns.CanonicalName(origin)
	zp := dns.NewZoneParser(strings.NewReader(text), origin, "sign:"+origin)
	zp.SetDefaultTTL(3600)
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rr.Header().Name = dns.CanonicalName(rr.Header().Name)
		rrs = append(rrs, rr)
	}
	if err := zp.Err(); err != nil {
		t.Fatalf("dnstest: sign %s: %v", origin, err)
	}
	keys := o.Keys
	if len(keys) == 0 {
		alg := o.Algorithm
		if alg == 0 {
			alg = dns.ECDSAP256SHA256
		}
		keys = []Key{NewKey(t, origin, alg, 257)}
	}
	for _, k := range keys {
		rrs = append(rrs, k.DNSKEY)
	}
	if o.NSEC3 != nil {
		p := *o.NSEC3
		p.Hdr = dns.RR_Header{Name: origin, Rrtype: dns.TypeNSEC3PARAM, Class: dns.ClassINET, Ttl: 0}
		if p.Hash == 0 {
			p.Hash = dns.SHA1
		}
		if p.Salt == "-" {
			p.Salt = ""
		}
		p.SaltLength = uint8(len(p.Salt) / 2)
		rrs = append(rrs, &p)
	}
	// Names below a delegation are glue: neither signed nor in the chain
	// (RFC 4035 §2.2).
	var cuts []string
	for _, rr := range rrs {
		if h := rr.Header(); h.Rrtype == dns.TypeNS && h.Name != origin {
			cuts = append(cuts, h.Name)
		}
	}
	glue := func(name string) bool {
		for _, c := range cuts {
			if name != c && dns.IsSubDomain(c, name) {
				return true
			}
		}
		return false
	}
	var auth []dns.RR
	for _, rr := range rrs {
		if !glue(rr.Header().Name) {
			auth = append(auth, rr)
		}
	}
	rrs = append(rrs, denialChain(origin, auth, o.NSEC3)...)
	inception, expiration := o.Inception, o.Expiration
	if inception.IsZero() {
		inception = testclock.Now().Add(-time.Hour)
	}
	if expiration.IsZero() {
		expiration = testclock.Now().Add(30 * 24 * time.Hour)
	}
	type key struct {
		owner string
		t     uint16
	}
	sets := map[key][]dns.RR{}
	var order []key
	for _, rr := range rrs {
		h := rr.Header()
		k := key{h.Name, h.Rrtype}
		if (h.Rrtype == dns.TypeNS && h.Name != origin) || glue(h.Name) {
			continue
		}
		if _, ok := sets[k]; !ok {
			order = append(order, k)
		}
		sets[k] = append(sets[k], rr)
	}
	out := append([]dns.RR(nil), rrs...)
	for _, k := range order {
		label := k.owner + " " + dns.TypeToString[k.t]
		inc, exp := inception, expiration
		for _, e := range o.Expire {
			if e == label {
				inc, exp = testclock.Now().Add(-30*24*time.Hour), testclock.Now().Add(-24*time.Hour)
			}
		}
		for _, key := range keys {
			sig := &dns.RRSIG{
				Hdr:        dns.RR_Header{Ttl: sets[k][0].Header().Ttl},
				Algorithm:  key.DNSKEY.Algorithm,
				Inception:  uint32(inc.Unix()),
				Expiration: uint32(exp.Unix()),
				KeyTag:     key.DNSKEY.KeyTag(),
				SignerName: origin,
			}
			if err := sig.Sign(key.Signer, sets[k]); err != nil {
				t.Fatalf("dnstest: sign %s: %v", label, err)
			}
			for _, c := range o.Corrupt {
				if c == label {
					b, _ := base64.StdEncoding.DecodeString(sig.Signature)
					b[len(b)/2] ^= 0xff
					sig.Signature = base64.StdEncoding.EncodeToString(b)
				}
			}
			out = append(out, sig)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "$ORIGIN %s\n", origin)
	for _, rr := range out {
		b.WriteString(rr.String() + "\n")
	}
	return &Signed{Origin: origin, Text: b.String(), Keys: keys}
}

// denialChain builds the zone's NSEC chain (RFC 4034 §4), or with p its
// NSEC3 chain (RFC 5155 §7.1, empty non-terminals included), so that a
// real validating resolver can prove what does not exist.
func denialChain(origin string, rrs []dns.RR, p *dns.NSEC3PARAM) []dns.RR {
	minTTL := uint32(300)
	types := map[string]map[uint16]bool{}
	for _, rr := range rrs {
		h := rr.Header()
		if soa, ok := rr.(*dns.SOA); ok && h.Name == origin {
			minTTL = soa.Minttl
		}
		if !dns.IsSubDomain(origin, h.Name) {
			continue
		}
		if types[h.Name] == nil {
			types[h.Name] = map[uint16]bool{}
		}
		types[h.Name][h.Rrtype] = true
	}
	bitmap := func(m map[uint16]bool, extra ...uint16) []uint16 {
		var out []uint16
		for t := range m {
			out = append(out, t)
		}
		if len(m) > 0 {
			out = append(out, extra...)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	if p == nil {
		names := make([]string, 0, len(types))
		for n := range types {
			names = append(names, n)
		}
		sort.Slice(names, func(i, j int) bool { return canonicalLess(names[i], names[j]) })
		var out []dns.RR
		for i, n := range names {
			out = append(out, &dns.NSEC{
				Hdr:        dns.RR_Header{Name: n, Rrtype: dns.TypeNSEC, Class: dns.ClassINET, Ttl: minTTL},
				NextDomain: names[(i+1)%len(names)],
				TypeBitMap: bitmap(types[n], dns.TypeNSEC, dns.TypeRRSIG),
			})
		}
		return out
	}
	// Empty non-terminals get NSEC3 records too (RFC 5155 §7.1).
	for n := range types {
		for a := parentName(n); dns.IsSubDomain(origin, a) && a != origin; a = parentName(a) {
			if types[a] == nil {
				types[a] = map[uint16]bool{}
			}
		}
	}
	salt := p.Salt
	if salt == "-" {
		salt = ""
	}
	type hashed struct {
		hash string
		name string
	}
	var hs []hashed
	for n := range types {
		hs = append(hs, hashed{strings.ToLower(dns.HashName(n, dns.SHA1, p.Iterations, salt)), n})
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i].hash < hs[j].hash })
	var out []dns.RR
	for i, h := range hs {
		out = append(out, &dns.NSEC3{
			Hdr:        dns.RR_Header{Name: h.hash + "." + origin, Rrtype: dns.TypeNSEC3, Class: dns.ClassINET, Ttl: minTTL},
			Hash:       dns.SHA1,
			Iterations: p.Iterations,
			SaltLength: uint8(len(salt) / 2),
			Salt:       salt,
			HashLength: 20,
			NextDomain: strings.ToUpper(hs[(i+1)%len(hs)].hash),
			TypeBitMap: bitmap(types[h.name], dns.TypeRRSIG),
		})
	}
	return out
}

// canonicalLess is RFC 4034 §6.1 canonical order: label by label from the
// right, lower case, octet by octet.
func canonicalLess(a, b string) bool {
	la, lb := dns.SplitDomainName(strings.ToLower(a)), dns.SplitDomainName(strings.ToLower(b))
	for i := 1; i <= len(la) && i <= len(lb); i++ {
		x, y := la[len(la)-i], lb[len(lb)-i]
		if x != y {
			return x < y
		}
	}
	return len(la) < len(lb)
}

// ValidatingOptions configure the validating stand-in.
type ValidatingOptions struct {
	// Anchors are the trust anchors, as DS records (Signed.Anchor).
	Anchors []*dns.DS
	// Now is the validation time (default testclock.Now).
	Now func() time.Time
	// NotValidating makes a resolver that passes DNSSEC records on (DO)
	// but never validates: no AD, no SERVFAIL for bad signatures.
	NotValidating bool
	// Unsupported algorithms are not validated: a zone whose DS records
	// name only those is insecure (RFC 4035 §5.2), as RSASHA1 zones are
	// for resolvers built without SHA-1.
	Unsupported []uint8
}

// Validating is a running validating resolver stand-in.
type Validating struct {
	// Addr is "127.0.0.1:port", for UDP and TCP alike.
	Addr string

	opts      ValidatingOptions
	data      *zone.Data
	apexes    []string
	done      chan struct{}
	closeOnce sync.Once
	servers   []*dns.Server

	mu   sync.Mutex
	log  []Question
	keys map[string]keyEntry // validated DNSKEY RRsets, as a resolver caches them
}

type keyEntry struct {
	at   int64 // the validation time, seconds
	v    verdict
	keys []*dns.DNSKEY
}

// StartValidating serves the zones (signed or not) through a validating
// resolver stand-in on 127.0.0.1, stopped when the test ends.
func StartValidating(t testing.TB, o ValidatingOptions, zones ...Option) *Validating {
	t.Helper()
	data := zone.New()
	for _, z := range zones {
		if err := z(data); err != nil {
			t.Fatalf("dnstest: %v", err)
		}
	}
	if o.Now == nil {
		o.Now = testclock.Now
	}
	v := &Validating{opts: o, data: data, apexes: data.Apexes(), done: make(chan struct{})}
	pc, ln, err := listenPair()
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	v.Addr = ln.Addr().String()
	handler := dns.HandlerFunc(v.serve)
	var started sync.WaitGroup
	v.servers = []*dns.Server{{PacketConn: pc, Handler: handler}, {Listener: ln, Handler: handler}}
	for _, srv := range v.servers {
		started.Add(1)
		srv.NotifyStartedFunc = started.Done
		go func(srv *dns.Server) { _ = srv.ActivateAndServe() }(srv)
	}
	started.Wait()
	t.Cleanup(v.Close)
	return v
}

// Close stops the server.
func (v *Validating) Close() {
	v.closeOnce.Do(func() {
		close(v.done)
		for _, srv := range v.servers {
			_ = srv.Shutdown()
		}
	})
}

// Resolver returns a resolver.Client pointed at the stand-in.
func (v *Validating) Resolver(t testing.TB) *resolver.Client {
	t.Helper()
	c, err := resolver.NewClient(resolver.ClientOptions{Server: v.Addr, Timeout: time.Second})
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	return c
}

// Log returns the questions received, in order.
func (v *Validating) Log() []Question {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]Question(nil), v.log...)
}

// security is a validation outcome (RFC 4035 §4.3).
type security int

const (
	secure security = iota
	insecure
	bogus
)

// verdict is an outcome and, for bogus, why (an RFC 8914 code and text).
type verdict struct {
	sec  security
	code uint16
	why  string
}

func (v *Validating) serve(w dns.ResponseWriter, req *dns.Msg) {
	q, entry, ok := question(w, req)
	if !ok {
		return
	}
	name := entry.Name
	m := new(dns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	v.mu.Lock()
	v.log = append(v.log, entry)
	v.mu.Unlock()

	do := false
	opt := req.IsEdns0()
	if opt != nil {
		do = opt.Do()
	}
	rcode, answer, authority := v.lookup(name, q.Qtype)
	if rcode == dns.RcodeRefused {
		m.Rcode = rcode
		_ = w.WriteMsg(m)
		return
	}
	vd := verdict{sec: insecure}
	if !v.opts.NotValidating {
		vd = v.validate(answer, authority)
	}
	bufSize := 512
	if opt != nil {
		bufSize = max(bufSize, int(opt.UDPSize()))
	}
	if vd.sec == bogus && !req.CheckingDisabled {
		// RFC 4035 §5.5: bogus data is not returned; unbound answers
		// SERVFAIL and names the failure in an extended error.
		m.Rcode = dns.RcodeServerFailure
		if opt != nil {
			m.SetEdns0(opt.UDPSize(), do)
			m.IsEdns0().Option = append(m.IsEdns0().Option, &dns.EDNS0_EDE{InfoCode: vd.code,
				ExtraText: fmt.Sprintf("validation failure <%s %s IN>: %s", name, dns.TypeToString[q.Qtype], vd.why)})
		}
		_ = w.WriteMsg(m)
		return
	}
	m.Rcode = rcode
	m.Answer, m.Ns = keep(answer, do), keep(authority, do)
	// RFC 6840 §5.8: AD only when the query asked for DNSSEC (DO or AD).
	m.AuthenticatedData = vd.sec == secure && (do || req.AuthenticatedData)
	if opt != nil {
		m.SetEdns0(opt.UDPSize(), do)
	}
	if entry.Proto == "udp" {
		m.Truncate(bufSize)
	}
	_ = w.WriteMsg(m)
}

// keep drops RRSIGs unless the query set DO (RFC 4035 §3.2.1).
func keep(rrs []dns.RR, do bool) []dns.RR {
	if do {
		return rrs
	}
	var out []dns.RR
	for _, rr := range rrs {
		if rr.Header().Rrtype != dns.TypeRRSIG {
			out = append(out, rr)
		}
	}
	return out
}

// zoneOf is the closest loaded apex at or above name ("" for none). A DS
// RRset belongs to the parent side of the cut (RFC 4035 §2.4).
func (v *Validating) zoneOf(name string, qtype uint16) string {
	if qtype == dns.TypeDS && name != "." {
		if slices.Contains(v.apexes, name) {
			name = parentName(name)
		}
	}
	best, found := "", false
	for _, a := range v.apexes {
		if dns.IsSubDomain(a, name) && (!found || dns.CountLabel(a) > dns.CountLabel(best)) {
			best, found = a, true
		}
	}
	return best
}

func parentName(name string) string {
	i := strings.IndexByte(name, '.')
	if i < 0 || i == len(name)-1 {
		return "."
	}
	return name[i+1:]
}

// lookup answers as an authoritative server with DO would: the records,
// then the RRSIGs over each RRset. DS at a zone apex comes from the
// parent's side.
func (v *Validating) lookup(name string, qtype uint16) (int, []dns.RR, []dns.RR) {
	z := v.zoneOf(name, qtype)
	if z == "" {
		return dns.RcodeRefused, nil, nil
	}
	var res zone.Result
	if qtype == dns.TypeDS && slices.Contains(v.apexes, name) {
		res = v.data.Lookup(name, dns.TypeDS)
		if len(res.Answer) == 0 {
			res.Authority = v.data.Lookup(z, dns.TypeSOA).Answer
		}
	} else {
		res = v.data.Lookup(name, qtype)
	}
	return res.Rcode, v.signatures(res.Answer), v.signatures(res.Authority)
}

func (v *Validating) signatures(rrs []dns.RR) []dns.RR {
	out := append([]dns.RR(nil), rrs...)
	for _, set := range rrsets(rrs) {
		h := set[0].Header()
		for _, s := range v.data.Lookup(h.Name, dns.TypeRRSIG).Answer {
			if sig, ok := s.(*dns.RRSIG); ok && sig.TypeCovered == h.Rrtype && dns.CanonicalName(sig.Hdr.Name) == dns.CanonicalName(h.Name) {
				out = append(out, sig)
			}
		}
	}
	return out
}

// rrsets groups records by owner and type, RRSIGs left out, in order.
func rrsets(rrs []dns.RR) [][]dns.RR {
	idx := map[string]int{}
	var out [][]dns.RR
	for _, rr := range rrs {
		h := rr.Header()
		if h.Rrtype == dns.TypeRRSIG {
			continue
		}
		k := dns.CanonicalName(h.Name) + "/" + dns.TypeToString[h.Rrtype]
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], rr)
	}
	return out
}

// validate judges every RRset of the reply: bogus if any is, secure if all
// are, insecure otherwise.
func (v *Validating) validate(answer, authority []dns.RR) verdict {
	out := verdict{sec: secure}
	all := append(append([]dns.RR(nil), answer...), authority...)
	sets := rrsets(all)
	if len(sets) == 0 {
		return verdict{sec: insecure}
	}
	for _, set := range sets {
		h := set[0].Header()
		z := v.zoneOf(dns.CanonicalName(h.Name), h.Rrtype)
		zv, keys := v.zoneKeys(z, 0)
		if zv.sec != secure {
			if zv.sec == bogus {
				return zv
			}
			out.sec = insecure
			continue
		}
		if r := verifySet(set, sigsFor(all, set), keys, z, v.opts.Now()); r.sec == bogus {
			return r
		}
	}
	return out
}

func sigsFor(all []dns.RR, set []dns.RR) []*dns.RRSIG {
	h := set[0].Header()
	var out []*dns.RRSIG
	for _, rr := range all {
		if s, ok := rr.(*dns.RRSIG); ok && s.TypeCovered == h.Rrtype && dns.CanonicalName(s.Hdr.Name) == dns.CanonicalName(h.Name) {
			out = append(out, s)
		}
	}
	return out
}

// zoneKeys validates the DNSKEY RRset of apex from the trust anchors down
// (RFC 4035 §5): the anchor's DS, or a DS at the parent that validates,
// must match a key that signs the DNSKEY RRset.
func (v *Validating) zoneKeys(apex string, depth int) (verdict, []*dns.DNSKEY) {
	now := v.opts.Now()
	v.mu.Lock()
	e, ok := v.keys[apex]
	v.mu.Unlock()
	if ok && e.at == now.Unix() {
		return e.v, e.keys
	}
	vd, keys := v.zoneKeysUncached(apex, depth, now)
	v.mu.Lock()
	if v.keys == nil {
		v.keys = map[string]keyEntry{}
	}
	v.keys[apex] = keyEntry{now.Unix(), vd, keys}
	v.mu.Unlock()
	return vd, keys
}

func (v *Validating) zoneKeysUncached(apex string, depth int, now time.Time) (verdict, []*dns.DNSKEY) {
	if apex == "" || depth > 32 {
		return verdict{sec: insecure}, nil
	}
	var ds []*dns.DS
	var anchored bool
	for _, a := range v.opts.Anchors {
		if dns.CanonicalName(a.Hdr.Name) == apex {
			ds, anchored = append(ds, a), true
		}
	}
	if !anchored {
		if apex == "." {
			return verdict{sec: insecure}, nil
		}
		parent := v.zoneOf(parentName(apex), 0)
		pv, pkeys := v.zoneKeys(parent, depth+1)
		if pv.sec != secure {
			return pv, nil
		}
		res := v.data.Lookup(apex, dns.TypeDS)
		var dsSet []dns.RR
		for _, rr := range res.Answer {
			if d, ok := rr.(*dns.DS); ok {
				ds = append(ds, d)
				dsSet = append(dsSet, d)
			}
		}
		if len(ds) == 0 {
			return verdict{sec: insecure}, nil // no DS: an insecure delegation
		}
		all := v.signatures(dsSet)
		if r := verifySet(dsSet, sigsFor(all, dsSet), pkeys, parent, now); r.sec == bogus {
			return r, nil
		}
		ds = slices.DeleteFunc(ds, func(d *dns.DS) bool { return slices.Contains(v.opts.Unsupported, d.Algorithm) })
		if len(ds) == 0 {
			return verdict{sec: insecure}, nil
		}
	}
	var keySet []dns.RR
	var keys []*dns.DNSKEY
	for _, rr := range v.data.Lookup(apex, dns.TypeDNSKEY).Answer {
		if k, ok := rr.(*dns.DNSKEY); ok && dns.CanonicalName(k.Hdr.Name) == apex {
			keySet, keys = append(keySet, k), append(keys, k)
		}
	}
	if len(keys) == 0 {
		return verdict{sec: bogus, code: dns.ExtendedErrorCodeDNSKEYMissing, why: "no DNSKEY records at " + apex + " for the DS at the parent"}, nil
	}
	var matched []*dns.DNSKEY
	for _, d := range ds {
		for _, k := range keys {
			if c := k.ToDS(d.DigestType); c != nil && k.KeyTag() == d.KeyTag && k.Algorithm == d.Algorithm && strings.EqualFold(c.Digest, d.Digest) {
				matched = append(matched, k)
			}
		}
	}
	if len(matched) == 0 {
		return verdict{sec: bogus, code: dns.ExtendedErrorCodeDNSKEYMissing, why: "no DNSKEY at " + apex + " matches the DS records"}, nil
	}
	all := v.signatures(keySet)
	if r := verifySet(keySet, sigsFor(all, keySet), matched, apex, now); r.sec == bogus {
		return r, nil
	}
	return verdict{sec: secure}, keys
}

// verifySet wants one RRSIG over set, by one of keys, that verifies and is
// inside its validity period at now (RFC 4035 §5.3).
func verifySet(set []dns.RR, sigs []*dns.RRSIG, keys []*dns.DNSKEY, signer string, now time.Time) verdict {
	h := set[0].Header()
	label := fmt.Sprintf("%s %s", dns.CanonicalName(h.Name), dns.TypeToString[h.Rrtype])
	if len(sigs) == 0 {
		return verdict{sec: bogus, code: dns.ExtendedErrorCodeRRSIGsMissing, why: "no signatures over " + label}
	}
	sort.Slice(sigs, func(i, j int) bool { return sigs[i].KeyTag < sigs[j].KeyTag })
	last := verdict{sec: bogus, code: dns.ExtendedErrorCodeDNSKEYMissing, why: "no DNSKEY of " + signer + " for the signatures over " + label}
	for _, s := range sigs {
		for _, k := range keys {
			if k.KeyTag() != s.KeyTag || k.Algorithm != s.Algorithm || dns.CanonicalName(s.SignerName) != signer {
				continue
			}
			if err := s.Verify(k, set); err != nil {
				last = verdict{sec: bogus, code: dns.ExtendedErrorCodeDNSBogus, why: "signature over " + label + " does not verify: " + err.Error()}
				continue
			}
			if !s.ValidityPeriod(now) {
				code := dns.ExtendedErrorCodeSignatureExpired
				what := "expired"
				if int32(s.Inception-uint32(now.Unix())) > 0 {
					code, what = dns.ExtendedErrorCodeSignatureNotYetValid, "not yet valid"
				}
				last = verdict{sec: bogus, code: code, why: "signature over " + label + " " + what}
				continue
			}
			return verdict{sec: secure}
		}
	}
	return last
}

// Child is one zone under example. in a signed test hierarchy.
type Child struct {
	Origin, Text string
	// Sign signs the zone; nil leaves it unsigned.
	Sign *SignOptions
	// NoDS leaves the parent without the zone's DS (an island).
	NoDS bool
	// DS is published at the parent instead of the zone's own DS.
	DS string
}

// Hierarchy signs a root zone (the trust anchor returned), the example.
// zone and the children, each parent holding its children's delegation
// and DS records as a registry would, and returns them as server options.
func Hierarchy(t testing.TB, children ...Child) ([]Option, []*dns.DS) {
	t.Helper()
	texts, anchors := HierarchyTexts(t, children...)
	var opts []Option
	for _, z := range texts {
		opts = append(opts, ZoneText(z.Origin, z.Text))
	}
	return opts, anchors
}

// Zone is one zone's origin and presentation text.
type Zone struct{ Origin, Text string }

// HierarchyTexts is Hierarchy's zones as text, for servers other than
// this package's (a real unbound's auth-zones).
func HierarchyTexts(t testing.TB, children ...Child) ([]Zone, []*dns.DS) {
	t.Helper()
	var opts []Zone
	tld := "@ SOA ns.example. hostmaster.example. 1 3600 600 86400 300\n@ NS ns.example.\nns A 192.0.2.1\n"
	for _, c := range children {
		// The delegation (RFC 1034 §4.2.1), so that the parent's denial
		// chain proves an unsigned child insecure.
		tld += dns.CanonicalName(c.Origin) + " NS ns.example.\n"
		text := c.Text
		if c.Sign != nil {
			s := Sign(t, c.Origin, c.Text, *c.Sign)
			text = s.Text
			switch {
			case c.DS != "":
				tld += c.DS
			case !c.NoDS:
				tld += s.DS()
			}
		}
		opts = append(opts, Zone{c.Origin, text})
	}
	example := Sign(t, "example.", tld, SignOptions{})
	root := Sign(t, ".", ". SOA a.root.example. hostmaster.example. 1 3600 600 86400 300\n. NS a.root.example.\nexample. NS ns.example.\n"+example.DS(), SignOptions{})
	opts = append(opts, Zone{".", root.Text}, Zone{"example.", example.Text})
	return opts, root.Anchor()
}

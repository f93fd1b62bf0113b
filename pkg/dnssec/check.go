// Package dnssec says what validating resolvers make of the zone of a mail
// domain and of the zone of each of its MX hosts: secure, insecure
// (provably unsigned), bogus (signed, but the signatures do not validate)
// or unknown; and, for a signed zone, what is about to break or is weak:
// signatures near expiry, algorithms RFC 8624 retires, NSEC3 parameters
// RFC 9276 advises against, DS records at the parent that match no key.
//
// Bogus is told from a plain DNS failure the way validating resolvers
// allow (RFC 4035 §3.2.2): a question answered SERVFAIL is asked again
// with the CD bit; an answer then means the data is there and only its
// signatures fail. A resolver that does not validate is told from an
// unsigned zone by the AD bit (RFC 4035 §4.9.3) on signed data it returns:
// the root's DNSKEY RRset and the DS of the top-level domain are signed,
// so a validating resolver marks them authentic.
//
// DNS names queried, all with the DO bit: <name> SOA for the domain and
// each MX host (to find its zone); <zone> DNSKEY, <zone> DS and <zone>
// NSEC3PARAM for each zone; ". DNSKEY" and "<tld>. DS" to learn whether
// the resolver validates. The mail records (MX, TXT, _dmarc TXT, the MX
// hosts' A, AAAA and TLSA) are read through the shared cache, and asked
// again with CD only when they failed. Offline (zone files), the zone's
// own RRSIG, DNSKEY and NSEC3PARAM records are read; nothing is validated.
package dnssec

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
	"golang.org/x/sync/errgroup"
)

// Status is what a validating resolver makes of a zone (RFC 4035 §4.3).
type Status string

const (
	Secure   Status = "secure"   // the answers validate from the root down
	Insecure Status = "insecure" // provably unsigned: no DS at the parent
	Bogus    Status = "bogus"    // signed, but the signatures do not validate
	Unknown  Status = "unknown"  // the resolver does not validate, or did not answer
)

// Validation says whether the resolver validates DNSSEC.
type Validation string

const (
	Validating    Validation = "validating"     // AD seen, or SERVFAIL that CD lifts
	NotValidating Validation = "not-validating" // signed data came back without AD
	Undetermined  Validation = "unknown"        // no evidence either way
	Offline       Validation = "offline"        // zone files: nothing is validated
)

// ExpiryWarning is how close to its expiration a signature is reported.
const ExpiryWarning = 7 * 24 * time.Hour

// maxSignatures bounds the signatures kept in a zone's data.
const maxSignatures = 8

// Options give the check the names whose zones matter.
type Options struct {
	// MXHosts are the MX host names (nil when the MX set is unknown or
	// there is none): each one's zone is checked too.
	MXHosts []string
}

// Data is Section.Data of the "dnssec" section.
type Data struct {
	// Resolver: validating, not-validating, unknown, or offline (zone
	// files: nothing is validated).
	Resolver Validation `json:"resolver"`
	// Evidence says what showed the resolver's behaviour.
	Evidence string `json:"evidence,omitempty"`
	// Zones: the domain's zone first, then each MX host's zone.
	Zones []Zone `json:"zones"`
}

// Zone is the evidence for one zone.
type Zone struct {
	// Zone is the apex, without the trailing dot.
	Zone string `json:"zone"`
	// Domain is set when this is the checked domain's zone.
	Domain bool `json:"domain,omitempty"`
	// MXHosts are the MX hosts in this zone.
	MXHosts []string `json:"mx_hosts,omitempty"`
	// Status: secure, insecure, bogus or unknown.
	Status Status `json:"status"`
	// Reason says why the status, in a sentence.
	Reason string `json:"reason"`
	// DNSKEYs are the zone's keys.
	DNSKEYs []Key `json:"dnskeys,omitempty"`
	// DS are the DS records at the parent.
	DS []DS `json:"ds,omitempty"`
	// NSEC3 holds the NSEC3PARAM at the apex, when there is one.
	NSEC3 *NSEC3 `json:"nsec3,omitempty"`
	// Signatures are the zone's signatures that expire soonest (at most
	// eight); SignaturesSeen counts all that were read.
	Signatures     []Signature `json:"signatures,omitempty"`
	SignaturesSeen int         `json:"signatures_seen,omitempty"`
	// Failing are the record sets that answer SERVFAIL without CD and
	// answer with CD: their signatures do not validate.
	Failing []Failure `json:"failing,omitempty"`
	// TLSA are the MX hosts of this zone that publish TLSA records.
	TLSA []string `json:"tlsa,omitempty"`
}

// Key is one DNSKEY.
type Key struct {
	// KeyTag identifies the key in RRSIG and DS records (RFC 4034 App. B).
	KeyTag uint16 `json:"key_tag"`
	// Algorithm is the DNSSEC algorithm number (13 = ECDSAP256SHA256).
	Algorithm uint8 `json:"algorithm"`
	// AlgorithmName is the IANA mnemonic.
	AlgorithmName string `json:"algorithm_name"`
	// Flags: 257 for a key-signing key, 256 for a zone-signing key.
	Flags uint16 `json:"flags"`
	// SEP: a key-signing key (flag 257), the one a DS points at.
	SEP bool `json:"sep"`
}

// DS is one DS record at the parent.
type DS struct {
	// KeyTag and Algorithm name the key the DS points at.
	KeyTag    uint16 `json:"key_tag"`
	Algorithm uint8  `json:"algorithm"`
	// DigestType: 2 = SHA-256, 1 = SHA-1, 4 = SHA-384.
	DigestType uint8 `json:"digest_type"`
	// Matches: a DNSKEY of the zone has this digest.
	Matches bool `json:"matches"`
}

// NSEC3 is the zone's NSEC3PARAM (RFC 5155 §4).
type NSEC3 struct {
	// Iterations: extra hash iterations (RFC 9276 says 0).
	Iterations uint16 `json:"iterations"`
	// Salt in hex; empty for none.
	Salt string `json:"salt,omitempty"`
}

// Signature is one RRSIG of the zone.
type Signature struct {
	// Name and Covers: the owner and type of the record set signed.
	Name   string `json:"name"`
	Covers string `json:"covers"`
	// KeyTag and Algorithm of the signing key.
	KeyTag    uint16 `json:"key_tag"`
	Algorithm uint8  `json:"algorithm"`
	// Inception and Expiration bound the signature's validity.
	Inception  time.Time `json:"inception"`
	Expiration time.Time `json:"expiration"`
}

// Failure is one record set that does not validate.
type Failure struct {
	// Name and Type of the record set.
	Name string `json:"name"`
	Type string `json:"type"`
	// Reason: what is wrong with its signatures, as far as the answer
	// given with CD shows.
	Reason string `json:"reason"`
	// Extended is the resolver's RFC 8914 extended error, when it sent one.
	Extended string `json:"extended,omitempty"`
}

// result is one question asked with DO, and again with CD when the first
// answer was SERVFAIL.
type result struct {
	rep resolver.Reply
	cd  *resolver.Reply
	err error
}

func answered(r *resolver.Reply) bool {
	return r != nil && (r.Rcode == dns.RcodeSuccess || r.Rcode == dns.RcodeNameError)
}

// bogus: SERVFAIL without CD, an answer with it (RFC 4035 §3.2.2).
func (r result) bogus() bool {
	return r.err == nil && r.rep.Rcode == dns.RcodeServerFailure && answered(r.cd)
}

// reply is the answer to read records from: the first, or the one given
// with CD when only that one answered. nil when neither answered.
func (r result) reply() *resolver.Reply {
	if r.err != nil {
		return nil
	}
	if answered(&r.rep) {
		return &r.rep
	}
	if answered(r.cd) {
		return r.cd
	}
	return nil
}

func ask(ctx context.Context, r resolver.Resolver, name string, qtype uint16) result {
	rep, err := resolver.QueryDNSSEC(ctx, r, name, qtype, false)
	res := result{rep: rep, err: err}
	if err == nil && rep.Rcode == dns.RcodeServerFailure {
		cd, err := resolver.QueryDNSSEC(ctx, r, name, qtype, true)
		if err == nil {
			res.cd = &cd
		}
	}
	return res
}

// why explains a result that gave nothing.
func (r result) why() string {
	switch {
	case r.err != nil:
		return r.err.Error()
	case r.rep.Rcode == dns.RcodeServerFailure && r.cd != nil:
		return "SERVFAIL, also with CD"
	default:
		s := dns.RcodeToString[r.rep.Rcode]
		if s == "" {
			s = fmt.Sprintf("RCODE %d", r.rep.Rcode)
		}
		return s
	}
}

// zoneWork gathers what was asked about one zone.
type zoneWork struct {
	apex    string
	z       *Zone
	soa     result // the SOA question that found the zone
	dnskey  result
	ds      result
	nsec3   result
	mail    []mailSet
	listed  []dns.RR // offline: every RRSIG of the zone file
	problem string   // the zone could not be found
	// lookup fetches a signed RRset that no reply held (offline only:
	// the zone files answer at no cost).
	lookup func(name string, qtype uint16) []dns.RR
}

type mailSet struct {
	name  string
	qtype uint16
	res   result // asked with DO/CD only when the shared lookup failed
	found bool
}

// Check runs the DNSSEC check.
func Check(ctx context.Context, env check.Env, target dnsname.Domain, opts Options) report.Section {
	data := &Data{Resolver: Undetermined}
	sec := report.Section{Check: "dnssec", Title: "DNSSEC", Target: target.String(), Data: data}
	if _, ok := env.Resolver.(resolver.DNSSECQuerier); !ok {
		sec.Status, sec.Summary = report.StatusUnknown, report.Lit("the resolver cannot send DNSSEC queries")
		sec.Findings = []report.Finding{defUnknown.New("The resolver in use cannot ask DNSSEC questions (DO and CD bits), so nothing can be said about DNSSEC.", "Run mailcheck with --resolver pointing at a validating resolver.")}
		return sec
	}
	now := env.Clock()
	domain := dns.CanonicalName(target.FQDN())
	names := []string{domain}
	for _, h := range opts.MXHosts {
		if h = dns.CanonicalName(h); h != "." && !slices.Contains(names, h) {
			names = append(names, h)
		}
	}

	// The probes run beside everything else, and are called off when the
	// zones' own answers have already shown a validating resolver: a
	// resolver that cannot reach the root (a loopback unbound with a
	// local trust anchor) must not hold the check up.
	var root, tld result
	probeCtx, stopProbes := context.WithCancel(ctx)
	defer stopProbes()
	var probes sync.WaitGroup
	labels := dns.SplitDomainName(domain)
	probes.Add(2)
	go func() {
		defer probes.Done()
		root.rep, root.err = resolver.QueryDNSSEC(probeCtx, env.Resolver, ".", dns.TypeDNSKEY, false)
	}()
	go func() {
		defer probes.Done()
		tld.rep, tld.err = resolver.QueryDNSSEC(probeCtx, env.Resolver, labels[len(labels)-1]+".", dns.TypeDS, false)
	}()

	// Step 1: the zone of each name.
	found := make([]result, len(names))
	var g errgroup.Group
	g.SetLimit(8)
	for i, n := range names {
		g.Go(func() error { found[i] = ask(ctx, env.Resolver, n, dns.TypeSOA); return nil })
	}
	_ = g.Wait()

	var works []*zoneWork
	byApex := map[string]*zoneWork{}
	for i, n := range names {
		apex := apexOf(found[i], n)
		key := apex
		if apex == "" {
			key = "?" + n
		}
		w := byApex[key]
		if w == nil {
			name := label(apex)
			if apex == "" {
				name = label(n)
			}
			w = &zoneWork{apex: apex, z: &Zone{Zone: name}, soa: found[i]}
			if apex == "" {
				w.problem = found[i].why()
			}
			byApex[key] = w
			works = append(works, w)
		}
		if i == 0 {
			w.z.Domain = true
			w.mail = append(w.mail, mailSet{name: n, qtype: dns.TypeMX}, mailSet{name: n, qtype: dns.TypeTXT},
				mailSet{name: "_dmarc." + n, qtype: dns.TypeTXT})
		} else {
			w.z.MXHosts = append(w.z.MXHosts, strings.TrimSuffix(n, "."))
			w.mail = append(w.mail, mailSet{name: n, qtype: dns.TypeA}, mailSet{name: n, qtype: dns.TypeAAAA},
				mailSet{name: "_25._tcp." + n, qtype: dns.TypeTLSA})
		}
		if i > 0 && found[i].bogus() {
			w.soa = found[i] // keep the failing one: it names the failure
		}
	}

	// Step 2: each zone's keys, DS, NSEC3PARAM and the mail records.
	lister, _ := env.Resolver.(resolver.ZoneLister)
	if found[0].err == nil && found[0].rep.Offline {
		for _, w := range works {
			w.lookup = func(name string, qtype uint16) []dns.RR {
				ans, err := env.Resolver.Lookup(ctx, name, qtype)
				if err != nil || len(ans.CNAMEs) > 0 {
					return nil
				}
				return ans.RRs
			}
		}
	}
	var mu sync.Mutex
	for _, w := range works {
		if w.apex == "" {
			continue
		}
		g.Go(func() error { w.dnskey = ask(ctx, env.Resolver, w.apex, dns.TypeDNSKEY); return nil })
		g.Go(func() error { w.ds = ask(ctx, env.Resolver, w.apex, dns.TypeDS); return nil })
		g.Go(func() error { w.nsec3 = ask(ctx, env.Resolver, w.apex, dns.TypeNSEC3PARAM); return nil })
		if lister != nil {
			g.Go(func() error {
				rrs, err := lister.ZoneRecords(w.apex, dns.TypeRRSIG)
				if err == nil {
					mu.Lock()
					w.listed = rrs
					mu.Unlock()
				}
				return nil
			})
		}
		for i := range w.mail {
			m := &w.mail[i]
			g.Go(func() error {
				ans, err := env.Resolver.Lookup(ctx, m.name, m.qtype)
				m.found = err == nil && ans.Outcome == resolver.Found
				if resolver.KindOf(err) == resolver.KindServFail {
					m.res = ask(ctx, env.Resolver, m.name, m.qtype)
				}
				return nil
			})
		}
	}
	_ = g.Wait()

	offline := found[0].err == nil && found[0].rep.Offline
	if v, _ := resolverValidation(offline, result{}, result{}, works); v != Undetermined {
		stopProbes()
	}
	probes.Wait()
	data.Resolver, data.Evidence = resolverValidation(offline, root, tld, works)
	var fs []report.Finding
	for _, w := range works {
		fs = append(fs, judge(w, data.Resolver, now, target)...)
		data.Zones = append(data.Zones, *w.z)
	}
	switch data.Resolver {
	case Offline:
		detail := "Answers come from zone files: nothing was validated, so whether the zones are secure, insecure or bogus is unknown."
		signed := false
		for _, z := range data.Zones {
			signed = signed || len(z.DNSKEYs) > 0 || z.SignaturesSeen > 0
		}
		if signed {
			detail += " The signatures, keys and NSEC3 parameters in the files were checked."
		} else {
			detail += " The files hold no DNSSEC records (no DNSKEY, no RRSIG): published like this, the zones are unsigned."
		}
		fs = append(fs, defOffline.New(detail, "Run mailcheck without --zone, through a validating resolver, once the zone is published."))
	case NotValidating:
		fs = append(fs, defNotValidating.New("The resolver returned signed data ("+data.Evidence+") without the AD bit: it passes DNSSEC records on but does not validate them (RFC 4035 §4.9.3), so it cannot tell a secure zone from a bogus one.",
			howToValidate))
	}
	report.SortFindings(fs)
	sec.Findings = fs
	sec.Status = report.StatusOf(fs)
	sec.Summary = report.Lit(summary(data))
	sec.Display = display(data)
	return sec
}

const howToValidate = "Run mailcheck through a validating resolver: a local unbound (it validates by default with the root trust anchor from unbound-anchor) with --resolver 127.0.0.1, or a public validating resolver such as --resolver 1.1.1.1, 8.8.8.8 or 9.9.9.9."

// apexOf finds the zone of name from its SOA answer: the SOA itself when
// name is an apex, else the SOA of a negative answer's authority section
// (RFC 2308 §3). "" when the answer says nothing.
func apexOf(r result, name string) string {
	rep := r.reply()
	if rep == nil {
		return ""
	}
	for _, rr := range rep.Answer {
		if soa, ok := rr.(*dns.SOA); ok {
			return dns.CanonicalName(soa.Hdr.Name)
		}
	}
	for _, rr := range rep.Authority {
		if soa, ok := rr.(*dns.SOA); ok && dns.IsSubDomain(dns.CanonicalName(soa.Hdr.Name), name) {
			return dns.CanonicalName(soa.Hdr.Name)
		}
	}
	return ""
}

func signedNoAD(r result) bool {
	rep := &r.rep
	if r.err != nil || rep.Rcode != dns.RcodeSuccess || rep.Authentic {
		return false
	}
	for _, rr := range rep.Answer {
		if rr.Header().Rrtype == dns.TypeRRSIG {
			return true
		}
	}
	return false
}

// resolverValidation: the AD bit on any answer, or a SERVFAIL that CD
// lifts, shows a validating resolver; signed root or top-level-domain data
// without AD shows one that does not (RFC 4035 §4.9.3).
func resolverValidation(offline bool, root, tld result, works []*zoneWork) (Validation, string) {
	if offline {
		return Offline, "answers come from zone files"
	}
	var all []result
	for _, w := range works {
		all = append(all, w.soa, w.dnskey, w.ds, w.nsec3)
		for _, m := range w.mail {
			all = append(all, m.res)
		}
	}
	// The zones' own answers first, so the evidence named does not depend
	// on whether the probes were called off.
	for _, r := range append(all, root, tld) {
		if r.err == nil && r.rep.Authentic {
			return Validating, fmt.Sprintf("the AD bit on %s %s", label(r.rep.Name), resolver.TypeString(r.rep.Type))
		}
	}
	for _, r := range all {
		if r.bogus() {
			return Validating, fmt.Sprintf("SERVFAIL for %s %s, answered with CD", label(r.rep.Name), resolver.TypeString(r.rep.Type))
		}
	}
	switch {
	case signedNoAD(root):
		return NotValidating, "the root's signed DNSKEY records"
	case signedNoAD(tld):
		return NotValidating, "the signed DS records of " + strings.TrimSuffix(tld.rep.Name, ".")
	}
	return Undetermined, ""
}

// judge sets w.z's status and evidence and returns its findings.
func judge(w *zoneWork, v Validation, now time.Time, target dnsname.Domain) []report.Finding {
	z := w.z
	if w.apex == "" {
		z.Status = Unknown
		z.Reason = "the zone of " + z.Zone + " could not be found: " + w.problem
		return []report.Finding{defUnknown.New(fmt.Sprintf("%s: DNSSEC status unknown, the SOA question got no usable answer (%s).", roles(z), w.problem),
			"Retry; if it persists, check that the DNS servers of "+z.Zone+" answer.")}
	}
	keys := readKeys(w)
	dsRecs, dsKnown := readDS(w, v)
	readNSEC3(w)
	failing := failures(w, keys, now)
	z.Failing = failing
	sigs := signatures(w, now)

	var fs []report.Finding
	signed := len(keys) > 0
	dsAbsent := dsKnown && len(dsRecs) == 0
	anyAD := false
	for _, r := range []result{w.soa, w.dnskey, w.nsec3} {
		anyAD = anyAD || (r.err == nil && r.rep.Authentic)
	}
	zoneErr := ""
	for _, r := range []result{w.dnskey, w.ds} {
		if r.reply() == nil && !r.bogus() {
			zoneErr = r.why()
		}
	}

	switch {
	case v == Offline:
		z.Status, z.Reason = Unknown, "offline: zone files are not validated"
	case len(failing) > 0 && dsAbsent && !w.ds.bogus():
		// Without a DS at a parent that answered, nothing in the zone can
		// fail validation (RFC 4035 §5.2: an insecure delegation): the
		// SERVFAILs were something else, maybe passing.
		z.Status = Unknown
		z.Reason = "SERVFAIL without CD and an answer with CD, but the zone has no DS at its parent, so this is not a DNSSEC failure: " + failingList(failing)
		z.Failing = nil
		fs = append(fs, defUnknown.New(fmt.Sprintf("%s: some questions failed (SERVFAIL) and then answered with CD, but the zone has no DS at its parent, so validation cannot be the cause: %s.", roles(z), failingList(failing)),
			"Retry; if it persists, check that the DNS servers of "+z.Zone+" answer every question."))
	case len(failing) > 0:
		z.Status = Bogus
		z.Reason = "signed, but these record sets do not validate: " + failingList(failing)
		fs = append(fs, bogusFinding(w, failing, target))
	case anyAD:
		z.Status, z.Reason = Secure, "the resolver validated the zone's answers (AD bit)"
	case zoneErr != "":
		z.Status, z.Reason = Unknown, "the resolver did not answer: "+zoneErr
		fs = append(fs, defUnknown.New(fmt.Sprintf("%s: DNSSEC status unknown, a DNSKEY or DS question got no answer (%s).", roles(z), zoneErr),
			"Retry; if it persists, check that the DNS servers of "+z.Zone+" answer DNSKEY and DS questions."))
	case dsAbsent && !signed:
		z.Status, z.Reason = Insecure, "not signed: no DS at the parent, no DNSKEY at the apex"
		fs = append(fs, insecureFinding(w, target))
	case dsAbsent:
		z.Status, z.Reason = Insecure, "DNSKEY records at the apex but no DS at the parent: no chain of trust"
		f := defIsland.New(fmt.Sprintf("%s publishes DNSKEY records and signatures, but the parent zone has no DS record for it, so validating resolvers treat it as unsigned (RFC 4035 §5.2) and the signing protects nothing.", roles(z)),
			"Publish the DS record of the zone's key-signing key at the registrar (or parent zone), shown below.")
		f.Record = dsRecord(w.apex, keys)
		fs = append(fs, f)
	case v == Validating && retired(keys) != "":
		// RFC 4035 §5.2: a DS whose algorithms the validator does not
		// support makes the zone insecure, not bogus.
		alg := retired(keys)
		z.Status, z.Reason = Insecure, "signed with "+alg+", which this resolver no longer validates: treated as unsigned"
		fs = append(fs, defInsecure.New(fmt.Sprintf("%s is signed with %s and has a DS at its parent, but the validating resolver did not mark its answers authentic: validators that no longer support %s treat the zone as unsigned (RFC 4035 §5.2).", roles(z), alg, alg),
			"Roll the zone to ECDSAP256SHA256 (13) or ED25519 (15)."))
	case v == Validating:
		// A validating resolver gave neither AD nor SERVFAIL although
		// the parent has a DS: the chain of trust ends above (an
		// insecure parent), so the zone's data is unauthenticated.
		z.Status, z.Reason = Insecure, "the parent has a DS, but the resolver did not authenticate the zone: the chain of trust breaks above it"
		fs = append(fs, defInsecure.New(fmt.Sprintf("%s has a DS at its parent, but the validating resolver did not mark its answers authentic: a zone above it is not signed, so validators treat it as unsigned.", roles(z)),
			"Ask the operator of the parent zone to sign it; nothing to change in "+z.Zone+"."))
	default:
		z.Status = Unknown
		if v == NotValidating {
			z.Reason = "the resolver does not validate"
		} else {
			z.Reason = "the resolver set no AD bit and may not validate"
		}
		detail := fmt.Sprintf("%s is signed (DNSKEY records, DS at the parent), but %s, so whether validating receivers and senders can use it is unknown.", roles(z), z.Reason)
		fs = append(fs, defUnknown.New(detail, howToValidate))
	}

	if signed || len(sigs) > 0 {
		fs = append(fs, hygiene(w, keys, dsRecs, sigs, now)...)
	}
	return fs
}

// retired names the keys' algorithm when none of them is one that
// validators must support (RFC 8624 §3.1: validators may drop the others).
func retired(keys []*dns.DNSKEY) string {
	name := ""
	for _, k := range keys {
		if SigningAdvice(k.Algorithm) == Fine {
			return ""
		}
		name = AlgorithmName(k.Algorithm)
	}
	return name
}

// roles names a zone and what it is to the domain: "Zone shop.example
// (of the domain and of MX host mx1.shop.example)".
func roles(z *Zone) string {
	var parts []string
	if z.Domain {
		parts = append(parts, "the domain")
	}
	if len(z.MXHosts) == 1 {
		parts = append(parts, "MX host "+z.MXHosts[0])
	} else if len(z.MXHosts) > 1 {
		parts = append(parts, "MX hosts "+strings.Join(z.MXHosts, ", "))
	}
	return "Zone " + z.Zone + " (of " + strings.Join(parts, " and of ") + ")"
}

// label names a queried name for people: the root as ".".
func label(name string) string {
	if name == "." || name == "" {
		return "."
	}
	return strings.TrimSuffix(name, ".")
}

func bogusFinding(w *zoneWork, failing []Failure, target dnsname.Domain) report.Finding {
	z := w.z
	var b strings.Builder
	fmt.Fprintf(&b, "%s is signed but does not validate: %s. Validating resolvers (Google Public DNS, Cloudflare, Quad9, most ISPs) answer SERVFAIL for these records; with the CD bit they are there, so the signatures are broken, not the servers.", roles(z), failingList(failing))
	wide := zoneWide(failing)
	if z.Domain {
		txt := slices.ContainsFunc(failing, func(f Failure) bool { return f.Type == "TXT" })
		if wide || txt {
			fmt.Fprintf(&b, " Receivers that validate see no SPF, DKIM or DMARC at all for %s: its mail fails authentication and may be rejected, and mail to it cannot find its MX.", target.String())
		} else {
			fmt.Fprintf(&b, " Receivers that validate cannot use these records of %s, and other record sets of the zone (SPF, DKIM keys, DMARC) may fail the same way.", target.String())
		}
	}
	if len(z.MXHosts) > 0 {
		fmt.Fprintf(&b, " DANE and validating senders defer mail to %s: they cannot look up its addresses or TLSA records.", strings.Join(z.MXHosts, ", "))
	}
	fix := "Re-sign the zone " + z.Zone + " with its current keys and check that every server of the zone serves the new signatures. If it cannot be fixed within the hour, remove the DS record at the registrar: the zone then resolves as unsigned everywhere (re-sign and publish the DS again afterwards)."
	for _, f := range failing {
		if f.Type == "DNSKEY" && strings.Contains(f.Reason, "DS") {
			fix = "Publish at the registrar the DS record of the key that signs " + z.Zone + "'s DNSKEY records (below), and remove the DS records that match no key."
		}
	}
	f := defBogus.New(b.String(), fix)
	if strings.HasPrefix(fix, "Publish") {
		f.Record = dsRecord(w.apex, zoneKeys(w))
	}
	return f
}

func insecureFinding(w *zoneWork, target dnsname.Domain) report.Finding {
	z := w.z
	detail := fmt.Sprintf("%s is not signed: no DS record at the parent and no DNSKEY at the apex, so validating resolvers accept its answers unauthenticated (nothing breaks, but answers can be forged).", roles(z))
	if len(z.TLSA) > 0 {
		detail += fmt.Sprintf(" The TLSA records of %s are ignored by senders: RFC 7672 §2.2 uses TLSA only from a signed zone, so DANE does not protect mail to them.", strings.Join(z.TLSA, ", "))
	} else if len(z.MXHosts) > 0 {
		detail += " DANE for " + strings.Join(z.MXHosts, ", ") + " needs this zone signed."
	}
	return defInsecure.New(detail, "Sign the zone "+z.Zone+" (most DNS hosts do it with one switch) and publish the DS record they give you at the registrar.")
}

// failingList names the failing record sets, those with the same cause
// together: "shop.example MX, shop.example TXT (the signature by key 1
// does not verify; resolver: EDE 6 (DNSSEC Bogus))".
func failingList(fs []Failure) string {
	type group struct {
		why   string
		names []string
	}
	var groups []*group
	for _, f := range fs {
		why := f.Reason
		if f.Extended != "" {
			why += "; resolver: " + f.Extended
		}
		i := slices.IndexFunc(groups, func(g *group) bool { return g.why == why })
		if i < 0 {
			groups = append(groups, &group{why: why})
			i = len(groups) - 1
		}
		groups[i].names = append(groups[i].names, f.Name+" "+f.Type)
	}
	var parts []string
	for _, g := range groups {
		parts = append(parts, strings.Join(g.names, ", ")+" ("+g.why+")")
	}
	return strings.Join(parts, "; ")
}

// zoneKeys returns the DNSKEY records read for the zone (with CD when
// only that answered).
func zoneKeys(w *zoneWork) []*dns.DNSKEY {
	var out []*dns.DNSKEY
	if rep := w.dnskey.reply(); rep != nil {
		for _, rr := range rep.Answer {
			if k, ok := rr.(*dns.DNSKEY); ok && dns.CanonicalName(k.Hdr.Name) == w.apex && k.Flags&dns.ZONE != 0 {
				out = append(out, k)
			}
		}
	}
	return out
}

func readKeys(w *zoneWork) []*dns.DNSKEY {
	keys := zoneKeys(w)
	for _, k := range keys {
		w.z.DNSKEYs = append(w.z.DNSKEYs, Key{KeyTag: k.KeyTag(), Algorithm: k.Algorithm, AlgorithmName: AlgorithmName(k.Algorithm),
			Flags: k.Flags, SEP: k.Flags&dns.SEP != 0})
	}
	return keys
}

// readDS returns the DS records at the parent and whether the answer can
// be trusted to say so. Offline, a DS answer without records means only
// that the files hold none.
func readDS(w *zoneWork, v Validation) ([]*dns.DS, bool) {
	rep := w.ds.reply()
	if rep == nil {
		return nil, false
	}
	var out []*dns.DS
	for _, rr := range rep.Answer {
		if d, ok := rr.(*dns.DS); ok && dns.CanonicalName(d.Hdr.Name) == w.apex {
			out = append(out, d)
		}
	}
	keys := zoneKeys(w)
	for _, d := range out {
		w.z.DS = append(w.z.DS, DS{KeyTag: d.KeyTag, Algorithm: d.Algorithm, DigestType: d.DigestType, Matches: dsMatches(d, keys)})
	}
	if v == Offline && len(out) == 0 {
		return nil, false
	}
	return out, true
}

func dsMatches(d *dns.DS, keys []*dns.DNSKEY) bool {
	for _, k := range keys {
		if k.KeyTag() != d.KeyTag || k.Algorithm != d.Algorithm {
			continue
		}
		if c := k.ToDS(d.DigestType); c != nil && strings.EqualFold(c.Digest, d.Digest) {
			return true
		}
	}
	return false
}

func readNSEC3(w *zoneWork) {
	if rep := w.nsec3.reply(); rep != nil {
		for _, rr := range rep.Answer {
			if p, ok := rr.(*dns.NSEC3PARAM); ok {
				salt := strings.ToLower(p.Salt)
				if salt == "-" {
					salt = ""
				}
				w.z.NSEC3 = &NSEC3{Iterations: p.Iterations, Salt: salt}
				return
			}
		}
	}
	// Without an NSEC3PARAM, a negative answer's NSEC3 records say the
	// same (RFC 5155 §3.1.3).
	if rep := w.soa.reply(); rep != nil {
		for _, rr := range rep.Authority {
			if n, ok := rr.(*dns.NSEC3); ok && dns.IsSubDomain(w.apex, dns.CanonicalName(n.Hdr.Name)) {
				salt := strings.ToLower(n.Salt)
				if salt == "-" {
					salt = ""
				}
				w.z.NSEC3 = &NSEC3{Iterations: n.Iterations, Salt: salt}
				return
			}
		}
	}
}

// failures lists the record sets that are bogus, each with what can be
// seen of the cause in the answer given with CD.
func failures(w *zoneWork, keys []*dns.DNSKEY, now time.Time) []Failure {
	var out []Failure
	add := func(r result, qtype uint16) {
		if !r.bogus() {
			return
		}
		f := Failure{Name: strings.TrimSuffix(r.rep.Name, "."), Type: resolver.TypeString(qtype), Reason: diagnose(r.cd, qtype, keys, w, now)}
		for _, e := range r.rep.Extended {
			f.Extended = e.String()
		}
		out = append(out, f)
	}
	add(w.dnskey, dns.TypeDNSKEY) // the usual root cause first
	add(w.ds, dns.TypeDS)
	add(w.soa, dns.TypeSOA)
	add(w.nsec3, dns.TypeNSEC3PARAM)
	for _, m := range w.mail {
		add(m.res, m.qtype)
		if m.found && m.qtype == dns.TypeTLSA {
			w.z.TLSA = append(w.z.TLSA, strings.TrimSuffix(strings.TrimPrefix(m.name, "_25._tcp."), "."))
		}
	}
	// When the keys themselves fail, a set whose own signature verifies
	// fails because of them.
	if i := slices.IndexFunc(out, func(f Failure) bool { return f.Type == "DNSKEY" }); i >= 0 {
		for j := range out {
			if out[j].Reason == chainFails {
				out[j].Reason = "its signature verifies, but the zone's DNSKEY records do not validate"
			}
		}
	}
	return out
}

const chainFails = "its signature verifies; the chain of trust above it fails"

// zoneWide: the zone's SOA, keys or DS fail, so every answer from it does.
func zoneWide(fs []Failure) bool {
	return slices.ContainsFunc(fs, func(f Failure) bool { return f.Type == "SOA" || f.Type == "DNSKEY" || f.Type == "DS" })
}

// diagnose says why a record set from a CD answer fails to validate, as
// far as its own signatures show (RFC 4035 §5.3): no signature, expired or
// future signatures, a key tag with no DNSKEY, a signature that does not
// verify. For the DNSKEY set, the DS at the parent is compared too.
func diagnose(rep *resolver.Reply, qtype uint16, keys []*dns.DNSKEY, w *zoneWork, now time.Time) string {
	var set []dns.RR
	var sigs []*dns.RRSIG
	for _, rr := range append(append([]dns.RR(nil), rep.Answer...), rep.Authority...) {
		if s, ok := rr.(*dns.RRSIG); ok {
			if s.TypeCovered == qtype {
				sigs = append(sigs, s)
			}
			continue
		}
		if rr.Header().Rrtype == qtype && dns.CanonicalName(rr.Header().Name) == rep.Name {
			set = append(set, rr)
		}
	}
	if len(set) == 0 {
		// A negative answer: the SOA in the authority section carries
		// the signature that matters here.
		for _, rr := range rep.Authority {
			if rr.Header().Rrtype == dns.TypeSOA {
				set = append(set, rr)
			}
		}
		sigs = sigs[:0]
		for _, rr := range rep.Authority {
			if s, ok := rr.(*dns.RRSIG); ok && s.TypeCovered == dns.TypeSOA {
				sigs = append(sigs, s)
			}
		}
		if len(set) == 0 {
			return "no records to check in the answer given with CD"
		}
		// RFC 9276 §3.2: validators may refuse to prove a denial with
		// too many NSEC3 iterations.
		for _, rr := range rep.Authority {
			if n, ok := rr.(*dns.NSEC3); ok && n.Iterations > 100 {
				return fmt.Sprintf("a negative answer proved with NSEC3 of %d iterations, more than validating resolvers accept (RFC 9276 §3.2)", n.Iterations)
			}
		}
	}
	if qtype == dns.TypeDNSKEY && w.ds.reply() != nil {
		var ds []*dns.DS
		for _, rr := range w.ds.reply().Answer {
			if d, ok := rr.(*dns.DS); ok {
				ds = append(ds, d)
			}
		}
		matched := false
		for _, d := range ds {
			matched = matched || dsMatches(d, keys)
		}
		if len(ds) > 0 && !matched {
			return "no DNSKEY matches the DS records at the parent"
		}
	}
	if len(sigs) == 0 {
		return "no RRSIG over it"
	}
	reasons := map[string]bool{}
	for _, s := range sigs {
		if dns.CanonicalName(s.SignerName) != w.apex && qtype != dns.TypeDS {
			reasons["signed by "+s.SignerName+", not by the zone"] = true
			continue
		}
		var key *dns.DNSKEY
		for _, k := range keys {
			if k.KeyTag() == s.KeyTag && k.Algorithm == s.Algorithm {
				key = k
			}
		}
		switch {
		case qtype == dns.TypeDS:
			// Signed by the parent, whose keys were not fetched.
			reasons["the parent's signature over the DS does not validate"] = true
		case !s.ValidityPeriod(now) && sigTime(s.Expiration, now).Before(now):
			reasons["signature expired "+sigTime(s.Expiration, now).Format(time.RFC3339)] = true
		case !s.ValidityPeriod(now):
			reasons["signature valid only from "+sigTime(s.Inception, now).Format(time.RFC3339)] = true
		case key == nil:
			reasons[fmt.Sprintf("signed by key tag %d, which is not in the DNSKEY records", s.KeyTag)] = true
		case s.Verify(key, set) != nil:
			reasons[fmt.Sprintf("the signature by key %d does not verify", s.KeyTag)] = true
		default:
			return chainFails
		}
	}
	var list []string
	for r := range reasons {
		list = append(list, r)
	}
	sort.Strings(list)
	return strings.Join(list, "; ")
}

// sigTime maps an RRSIG time (seconds mod 2^32, RFC 4034 §3.1.5) to the
// time nearest now, by serial number arithmetic (RFC 1982).
func sigTime(v uint32, now time.Time) time.Time {
	d := int64(int32(v - uint32(now.Unix())))
	return time.Unix(now.Unix()+d, 0).UTC()
}

// signatures gathers the zone's own RRSIGs from every answer (offline:
// from the zone file), soonest expiry first, and fills the zone's data.
func signatures(w *zoneWork, now time.Time) []*dns.RRSIG {
	seen := map[string]bool{}
	var out []*dns.RRSIG
	addAll := func(rrs []dns.RR) {
		for _, rr := range rrs {
			s, ok := rr.(*dns.RRSIG)
			if !ok || dns.CanonicalName(s.SignerName) != w.apex {
				continue
			}
			k := s.String()
			if !seen[k] {
				seen[k] = true
				out = append(out, s)
			}
		}
	}
	for _, r := range []result{w.soa, w.dnskey, w.nsec3} {
		if rep := r.reply(); rep != nil {
			addAll(rep.Answer)
			addAll(rep.Authority)
		}
	}
	for _, m := range w.mail {
		if m.res.cd != nil {
			addAll(m.res.cd.Answer)
		}
	}
	addAll(w.listed)
	sort.SliceStable(out, func(i, j int) bool {
		return sigTime(out[i].Expiration, now).Before(sigTime(out[j].Expiration, now))
	})
	w.z.SignaturesSeen = len(out)
	for i, s := range out {
		if i == maxSignatures {
			break
		}
		w.z.Signatures = append(w.z.Signatures, Signature{Name: strings.TrimSuffix(s.Hdr.Name, "."), Covers: resolver.TypeString(s.TypeCovered),
			KeyTag: s.KeyTag, Algorithm: s.Algorithm, Inception: sigTime(s.Inception, now), Expiration: sigTime(s.Expiration, now)})
	}
	return out
}

// dsRecord is the DS to publish for the zone's key-signing key (SHA-256,
// RFC 4509; the SEP key, else the first key).
func dsRecord(apex string, keys []*dns.DNSKEY) *report.Record {
	var pick *dns.DNSKEY
	for _, k := range keys {
		if k.Flags&dns.SEP != 0 && pick == nil {
			pick = k
		}
	}
	if pick == nil && len(keys) > 0 {
		pick = keys[0]
	}
	if pick == nil {
		return nil
	}
	ds := pick.ToDS(dns.SHA256)
	if ds == nil {
		return nil
	}
	return &report.Record{Name: strings.TrimSuffix(apex, "."), Type: "DS", Value: fmt.Sprintf("%d %d %d %s", ds.KeyTag, ds.Algorithm, ds.DigestType, strings.ToUpper(ds.Digest))}
}

func summary(d *Data) string {
	var parts []string
	for _, z := range d.Zones {
		parts = append(parts, z.Zone+" "+string(z.Status))
	}
	s := strings.Join(parts, ", ")
	switch d.Resolver {
	case NotValidating:
		s += "; the resolver does not validate"
	case Offline:
		s += "; offline, not validated"
	}
	return s
}

func display(d *Data) report.Display {
	facts := []report.Fact{{Label: report.Lit("resolver"), Value: report.Lit(string(d.Resolver))}}
	if d.Evidence != "" {
		facts[0].Value = facts[0].Value.Append(" (" + d.Evidence + ")")
	}
	t := report.Table{Title: report.Lit("Zones"), Columns: report.Lits("zone", "for", "status", "keys", "DS", "first expiry")}
	for _, z := range d.Zones {
		var what []string
		if z.Domain {
			what = append(what, "domain")
		}
		what = append(what, z.MXHosts...)
		var keys []string
		for _, k := range z.DNSKEYs {
			keys = append(keys, fmt.Sprintf("%d %s", k.KeyTag, k.AlgorithmName))
		}
		var ds []string
		for _, x := range z.DS {
			m := "no match"
			if x.Matches {
				m = "ok"
			}
			ds = append(ds, fmt.Sprintf("%d (%s)", x.KeyTag, m))
		}
		exp := ""
		if len(z.Signatures) > 0 {
			exp = z.Signatures[0].Expiration.Format("2006-01-02 15:04Z")
		}
		t.Rows = append(t.Rows, report.Lits(z.Zone, strings.Join(what, ", "), string(z.Status), strings.Join(keys, "; "), strings.Join(ds, "; "), exp))
	}
	return report.Display{Facts: facts, Tables: []report.Table{t}}
}

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

	"github.com/mailcheck/mailcheck/internal/workers"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
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
	Evidence report.Msg `json:"evidence,omitzero"`
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
	Reason report.Msg `json:"reason"`
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
	Reason report.Msg `json:"reason"`
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
func (r result) why() report.Msg {
	switch {
	case r.err != nil:
		return check.ErrMsg(r.err)
	case r.rep.Rcode == dns.RcodeServerFailure && r.cd != nil:
		return report.T("dnssec.why.servfail_cd", nil)
	default:
		s := dns.RcodeToString[r.rep.Rcode]
		if s == "" {
			s = fmt.Sprintf("RCODE %d", r.rep.Rcode)
		}
		return report.Lit(s)
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
	listed  []dns.RR   // offline: every RRSIG of the zone file
	problem report.Msg // the zone could not be found
	// lookup fetches a signed RRset that no reply held (offline only:
	// the zone files answer at no cost).
	lookup func(name string, qtype uint16) []dns.RR

	// The zone and the first mail record sets, in this allocation.
	zone     Zone
	mailRoom [6]mailSet
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
		sec.Status, sec.Summary = report.StatusUnknown, report.T("dnssec.summary.no_dnssec", nil)
		sec.Findings = []report.Finding{defUnknown.Alt("no_dnssec", report.Params{"validate": true})}
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
	// What the goroutines share, in one allocation.
	st := &struct {
		root, tld result
		probes, g workers.Group
		mu        sync.Mutex
	}{}
	root, tld, probes, g, mu := &st.root, &st.tld, &st.probes, &st.g, &st.mu
	probeCtx, stopProbes := context.WithCancel(ctx)
	defer stopProbes()
	probes.Go(func() {
		root.rep, root.err = resolver.QueryDNSSEC(probeCtx, env.Resolver, ".", dns.TypeDNSKEY, false)
	})
	probes.Go(func() {
		tld.rep, tld.err = resolver.QueryDNSSEC(probeCtx, env.Resolver, lastLabel(domain), dns.TypeDS, false)
	})

	// Step 1: the zone of each name, the domain's on this goroutine.
	found := make([]result, len(names))
	g.SetLimit(8)
	for i, n := range names[1:] {
		g.Go(func() { found[i+1] = ask(ctx, env.Resolver, n, dns.TypeSOA) })
	}
	found[0] = ask(ctx, env.Resolver, names[0], dns.TypeSOA)
	g.Wait()

	// The zones, found by a scan (one to three: the domain's and its MX
	// hosts'); a name whose zone could not be found is a zone of its own.
	works := make([]*zoneWork, 0, len(names))
	for i, n := range names {
		apex := apexOf(found[i], n)
		var w *zoneWork
		for _, o := range works {
			if apex != "" && o.apex == apex {
				w = o
				break
			}
		}
		if w == nil {
			name := label(apex)
			if apex == "" {
				name = label(n)
			}
			// Three mail record sets a name: the domain's and, most
			// often, one MX host's in its zone, without growing.
			w = &zoneWork{apex: apex, soa: found[i], zone: Zone{Zone: name}}
			w.z, w.mail = &w.zone, w.mailRoom[:0]
			if apex == "" {
				w.problem = found[i].why()
			}
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
	nmail := 0
	for _, w := range works {
		if w.apex != "" {
			nmail += len(w.mail)
		}
	}
	mail := make([]*mailSet, 0, nmail)
	for _, w := range works {
		if w.apex == "" {
			continue
		}
		for i := range w.mail {
			mail = append(mail, &w.mail[i])
		}
		g.Go(func() { w.dnskey = ask(ctx, env.Resolver, w.apex, dns.TypeDNSKEY) })
		g.Go(func() { w.ds = ask(ctx, env.Resolver, w.apex, dns.TypeDS) })
		g.Go(func() { w.nsec3 = ask(ctx, env.Resolver, w.apex, dns.TypeNSEC3PARAM) })
		if lister != nil {
			g.Go(func() {
				rrs, err := lister.ZoneRecords(w.apex, dns.TypeRRSIG)
				if err == nil {
					mu.Lock()
					w.listed = rrs
					mu.Unlock()
				}
			})
		}
	}
	// The mail records of the zones that were found, read through the
	// shared cache in one batch on this goroutine (the other checks asked
	// them: mostly answered already), and asked again with DO/CD only
	// when they failed.
	qs := make([]resolver.Question, len(mail))
	for i, m := range mail {
		qs[i] = resolver.Question{Name: m.name, Type: m.qtype}
	}
	for i, res := range resolver.Batch(ctx, env.Resolver, qs, 8) {
		m := mail[i]
		m.found = res.Err == nil && res.Answer.Outcome == resolver.Found
		if resolver.KindOf(res.Err) == resolver.KindServFail {
			g.Go(func() { m.res = ask(ctx, env.Resolver, m.name, m.qtype) })
		}
	}
	g.Wait()

	offline := found[0].err == nil && found[0].rep.Offline
	if v, _ := resolverValidation(offline, result{}, result{}, works); v != Undetermined {
		stopProbes()
	}
	probes.Wait()
	data.Resolver, data.Evidence = resolverValidation(offline, *root, *tld, works)
	var fs []report.Finding
	if len(works) > 0 { // (always: the domain's own zone at least)
		data.Zones = make([]Zone, 0, len(works))
	}
	for _, w := range works {
		fs = append(fs, judge(w, data.Resolver, now, target)...)
		data.Zones = append(data.Zones, *w.z)
	}
	switch data.Resolver {
	case Offline:
		signed := false
		for _, z := range data.Zones {
			signed = signed || len(z.DNSKEYs) > 0 || z.SignaturesSeen > 0
		}
		fs = append(fs, defOffline.With(report.Params{"signed": signed}))
	case NotValidating:
		fs = append(fs, defNotValidating.With(report.Params{"evidence": data.Evidence, "validate": true}))
	}
	report.SortFindings(fs)
	sec.Findings = fs
	sec.Status = report.StatusOf(fs)
	sec.Summary = summary(data)
	if !env.NoDisplay {
		sec.Display = display(data)
	}
	return sec
}

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
		if soa, ok := rr.(*dns.SOA); ok && inZone(dns.CanonicalName(soa.Hdr.Name), name) {
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
func resolverValidation(offline bool, root, tld result, works []*zoneWork) (Validation, report.Msg) {
	if offline {
		return Offline, report.T("dnssec.evidence.zone_files", nil)
	}
	n := 2
	for _, w := range works {
		n += 4 + len(w.mail)
	}
	// Pointers, not copies: a result holds a whole reply.
	all := make([]*result, 0, n)
	for _, w := range works {
		all = append(all, &w.soa, &w.dnskey, &w.ds, &w.nsec3)
		for i := range w.mail {
			all = append(all, &w.mail[i].res)
		}
	}
	// The zones' own answers first, so the evidence named does not depend
	// on whether the probes were called off.
	for _, r := range all {
		if r.err == nil && r.rep.Authentic {
			return Validating, adEvidence(r)
		}
	}
	for _, r := range [2]*result{&root, &tld} {
		if r.err == nil && r.rep.Authentic {
			return Validating, adEvidence(r)
		}
	}
	for _, r := range all {
		if r.bogus() {
			return Validating, report.T("dnssec.evidence.servfail_cd", report.Params{"name": label(r.rep.Name), "type": resolver.TypeString(r.rep.Type)})
		}
	}
	switch {
	case signedNoAD(root):
		return NotValidating, report.T("dnssec.evidence.root", nil)
	case signedNoAD(tld):
		return NotValidating, report.T("dnssec.evidence.tld", report.Params{"name": strings.TrimSuffix(tld.rep.Name, ".")})
	}
	return Undetermined, report.Msg{}
}

func adEvidence(r *result) report.Msg {
	return report.T("dnssec.evidence.ad", report.Params{"name": label(r.rep.Name), "type": resolver.TypeString(r.rep.Type)})
}

// judge sets w.z's status and evidence and returns its findings.
func judge(w *zoneWork, v Validation, now time.Time, target dnsname.Domain) []report.Finding {
	z := w.z
	if w.apex == "" {
		z.Status = Unknown
		z.Reason = report.T("dnssec.reason.no_zone", report.Params{"name": z.Zone, "problem": w.problem})
		return []report.Finding{defUnknown.Alt("no_zone", report.Params{"zone": roles(z), "name": z.Zone, "problem": w.problem})}
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
	var zoneErr report.Msg
	for _, r := range []result{w.dnskey, w.ds} {
		if r.reply() == nil && !r.bogus() {
			zoneErr = r.why()
		}
	}
	p := report.Params{"zone": roles(z), "name": z.Zone}

	switch {
	case v == Offline:
		z.Status, z.Reason = Unknown, report.T("dnssec.reason.offline", nil)
	case len(failing) > 0 && dsAbsent && !w.ds.bogus():
		// Without a DS at a parent that answered, nothing in the zone can
		// fail validation (RFC 4035 §5.2: an insecure delegation): the
		// SERVFAILs were something else, maybe passing.
		z.Status = Unknown
		p["failing"] = failingList(failing)
		z.Reason = report.T("dnssec.reason.servfail_unsigned", report.Params{"failing": p["failing"]})
		z.Failing = nil
		fs = append(fs, defUnknown.Alt("servfail_unsigned", p))
	case len(failing) > 0:
		z.Status = Bogus
		z.Reason = report.T("dnssec.reason.bogus", report.Params{"failing": failingList(failing)})
		fs = append(fs, bogusFinding(w, failing, target))
	case anyAD:
		z.Status, z.Reason = Secure, report.T("dnssec.reason.secure", nil)
	case !zoneErr.IsZero():
		z.Status, z.Reason = Unknown, report.T("dnssec.reason.no_answer", report.Params{"error": zoneErr})
		p["error"] = zoneErr
		fs = append(fs, defUnknown.Alt("no_answer", p))
	case dsAbsent && !signed:
		z.Status, z.Reason = Insecure, report.T("dnssec.reason.unsigned", nil)
		fs = append(fs, insecureFinding(w, target))
	case dsAbsent:
		z.Status, z.Reason = Insecure, report.T("dnssec.reason.island", nil)
		f := defIsland.With(p)
		f.Record = dsRecord(w.apex, keys)
		fs = append(fs, f)
	case v == Validating && retired(keys) != "":
		// RFC 4035 §5.2: a DS whose algorithms the validator does not
		// support makes the zone insecure, not bogus.
		alg := retired(keys)
		z.Status, z.Reason = Insecure, report.T("dnssec.reason.retired", report.Params{"alg": alg})
		p["alg"] = alg
		fs = append(fs, defInsecure.Alt("retired", p))
	case v == Validating:
		// A validating resolver gave neither AD nor SERVFAIL although
		// the parent has a DS: the chain of trust ends above (an
		// insecure parent), so the zone's data is unauthenticated.
		z.Status, z.Reason = Insecure, report.T("dnssec.reason.parent_unsigned", nil)
		fs = append(fs, defInsecure.Alt("parent_unsigned", p))
	default:
		z.Status = Unknown
		if v == NotValidating {
			z.Reason = report.T("dnssec.reason.not_validating", nil)
		} else {
			z.Reason = report.T("dnssec.reason.no_ad", nil)
		}
		p["reason"], p["validate"] = z.Reason, true
		fs = append(fs, defUnknown.With(p))
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
// (of the domain and of MX host mx1.shop.example)"; catalog keys
// dnssec.roles.*.
func roles(z *Zone) report.Msg {
	p := report.Params{"zone": z.Zone, "count": len(z.MXHosts), "hosts": z.MXHosts}
	switch {
	case z.Domain && len(z.MXHosts) > 0:
		return report.T("dnssec.roles.both", p)
	case z.Domain:
		return report.T("dnssec.roles.domain", p)
	case len(z.MXHosts) > 0:
		return report.T("dnssec.roles.mx", p)
	}
	return report.T("dnssec.roles.zone", p)
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
	p := report.Params{"zone": roles(z), "name": z.Zone, "failing": failingList(failing)}
	if z.Domain {
		p["domain"] = target.String()
		txt := slices.ContainsFunc(failing, func(f Failure) bool { return f.Type == "TXT" })
		if zoneWide(failing) || txt {
			p["domain_wide"] = true
		} else {
			p["domain_some"] = true
		}
	}
	if len(z.MXHosts) > 0 {
		p["mx"] = z.MXHosts
	}
	for _, f := range failing {
		if f.Type == "DNSKEY" && f.Reason.Key == "dnssec.why.ds_mismatch" {
			b := defBogus.Alt("ds", p)
			b.Record = dsRecord(w.apex, zoneKeys(w))
			return b
		}
	}
	return defBogus.With(p)
}

func insecureFinding(w *zoneWork, target dnsname.Domain) report.Finding {
	z := w.z
	p := report.Params{"zone": roles(z), "name": z.Zone}
	if len(z.TLSA) > 0 {
		p["tlsa"] = z.TLSA
	} else if len(z.MXHosts) > 0 {
		p["mx"] = z.MXHosts
	}
	return defInsecure.With(p)
}

// failingList names the failing record sets, those with the same cause
// together: "shop.example MX, shop.example TXT (the signature by key 1
// does not verify; resolver: EDE 6 (DNSSEC Bogus))".
func failingList(fs []Failure) []report.Msg {
	type group struct {
		key   string
		why   report.Msg
		ede   string
		names []string
	}
	var groups []*group
	for _, f := range fs {
		key := msgKey(f.Reason) + "\x00" + f.Extended
		i := slices.IndexFunc(groups, func(g *group) bool { return g.key == key })
		if i < 0 {
			groups = append(groups, &group{key: key, why: f.Reason, ede: f.Extended})
			i = len(groups) - 1
		}
		groups[i].names = append(groups[i].names, f.Name+" "+f.Type)
	}
	var out []report.Msg
	for _, g := range groups {
		p := report.Params{"sets": g.names, "why": g.why}
		if g.ede != "" {
			p["ede"] = g.ede
		}
		out = append(out, report.T("dnssec.failing", p))
	}
	return out
}

// msgKey is a message as a comparable string (fmt prints maps sorted).
func msgKey(m report.Msg) string { return m.Key + "\x00" + m.Text + "\x00" + fmt.Sprint(m.Params) }

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
			if n, ok := rr.(*dns.NSEC3); ok && inZone(w.apex, dns.CanonicalName(n.Hdr.Name)) {
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
			if out[j].Reason.Key == chainFails {
				out[j].Reason = report.T("dnssec.why.namesfail", nil)
			}
		}
	}
	return out
}

const chainFails = "dnssec.why.chain_fails"

// zoneWide: the zone's SOA, keys or DS fail, so every answer from it does.
func zoneWide(fs []Failure) bool {
	return slices.ContainsFunc(fs, func(f Failure) bool { return f.Type == "SOA" || f.Type == "DNSKEY" || f.Type == "DS" })
}

// diagnose says why a record set from a CD answer fails to validate, as
// far as its own signatures show (RFC 4035 §5.3): no signature, expired or
// future signatures, a key tag with no DNSKEY, a signature that does not
// verify. For the DNSKEY set, the DS at the parent is compared too.
func diagnose(rep *resolver.Reply, qtype uint16, keys []*dns.DNSKEY, w *zoneWork, now time.Time) report.Msg {
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
			return report.T("dnssec.why.no_records", nil)
		}
		// RFC 9276 §3.2: validators may refuse to prove a denial with
		// too many NSEC3 iterations.
		for _, rr := range rep.Authority {
			if n, ok := rr.(*dns.NSEC3); ok && n.Iterations > 100 {
				return report.T("dnssec.why.nsec3_iterations", report.Params{"count": int(n.Iterations)})
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
			return report.T("dnssec.why.ds_mismatch", nil)
		}
	}
	if len(sigs) == 0 {
		return report.T("dnssec.why.no_rrsig", nil)
	}
	reasons := map[string]report.Msg{}
	add := func(m report.Msg) { reasons[msgKey(m)] = m }
	for _, s := range sigs {
		if dns.CanonicalName(s.SignerName) != w.apex && qtype != dns.TypeDS {
			add(report.T("dnssec.why.foreign_signer", report.Params{"signer": s.SignerName}))
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
			add(report.T("dnssec.why.parent_ds", nil))
		case !s.ValidityPeriod(now) && sigTime(s.Expiration, now).Before(now):
			add(report.T("dnssec.why.expired", report.Params{"time": sigTime(s.Expiration, now).Format(time.RFC3339)}))
		case !s.ValidityPeriod(now):
			add(report.T("dnssec.why.not_yet", report.Params{"time": sigTime(s.Inception, now).Format(time.RFC3339)}))
		case key == nil:
			add(report.T("dnssec.why.unknown_key", report.Params{"tag": int(s.KeyTag)}))
		case s.Verify(key, set) != nil:
			add(report.T("dnssec.why.bad_sig", report.Params{"tag": int(s.KeyTag)}))
		default:
			return report.T(chainFails, nil)
		}
	}
	var names []string
	for k := range reasons {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(names) == 1 {
		return reasons[names[0]]
	}
	list := make([]report.Msg, len(names))
	for i, k := range names {
		list[i] = reasons[k]
	}
	return report.T("list", report.Params{"items": list})
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
	slices.SortStableFunc(out, func(a, b *dns.RRSIG) int {
		return sigTime(a.Expiration, now).Compare(sigTime(b.Expiration, now))
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

func summary(d *Data) report.Msg {
	var zones []report.Msg
	for _, z := range d.Zones {
		zones = append(zones, report.T("dnssec.summary.zone", report.Params{"zone": z.Zone, "status": statusKeys.T(string(z.Status), nil)}))
	}
	p := report.Params{"zones": zones}
	switch d.Resolver {
	case NotValidating:
		p["not_validating"] = true
	case Offline:
		p["offline"] = true
	}
	return report.T("dnssec.summary.zones", p)
}

func display(d *Data) report.Display {
	v := report.Params{"resolver": report.T("dnssec.validation."+string(d.Resolver), nil)}
	if !d.Evidence.IsZero() {
		v["evidence"] = d.Evidence
	}
	facts := []report.Fact{{Label: report.T("dnssec.fact.resolver", nil), Value: report.T("dnssec.fact.resolver_value", v)}}
	t := report.Table{Title: report.T("dnssec.table.zones", nil), Columns: []report.Msg{
		report.T("dnssec.col.zone", nil), report.T("dnssec.col.for", nil), report.T("dnssec.col.status", nil),
		report.T("dnssec.col.keys", nil), report.Lit("DS"), report.T("dnssec.col.first_expiry", nil)}}
	for _, z := range d.Zones {
		var what []report.Msg
		if z.Domain {
			what = append(what, report.T("dnssec.for.domain", nil))
		}
		for _, h := range z.MXHosts {
			what = append(what, report.Lit(h))
		}
		var keys []string
		for _, k := range z.DNSKEYs {
			keys = append(keys, fmt.Sprintf("%d %s", k.KeyTag, k.AlgorithmName))
		}
		var ds []report.Msg
		for _, x := range z.DS {
			m := "no_match"
			if x.Matches {
				m = "ok"
			}
			ds = append(ds, report.T("dnssec.ds_cell."+m, report.Params{"tag": int(x.KeyTag)}))
		}
		exp := ""
		if len(z.Signatures) > 0 {
			exp = z.Signatures[0].Expiration.Format("2006-01-02 15:04Z")
		}
		t.Rows = append(t.Rows, []report.Msg{report.Lit(z.Zone), report.T("list", report.Params{"items": what}),
			statusKeys.T(string(z.Status), nil), report.Lit(strings.Join(keys, "; ")),
			report.T("list", report.Params{"items": ds}), report.Lit(exp)})
	}
	return report.Display{Facts: facts, Tables: []report.Table{t}}
}

// inZone reports whether child is zone or a name under it, as
// dns.IsSubDomain does for two canonical names (lower case, with the
// root dot), without splitting both into labels (five allocations a
// domain in a bulk run). A dot counts as a label boundary unless a
// backslash escapes it (RFC 4343 §2.1): an odd run of backslashes
// before it.
func inZone(zone, child string) bool {
	if zone == "." || child == zone {
		return true
	}
	i := len(child) - len(zone) - 1
	if i < 0 || child[i] != '.' || child[i+1:] != zone {
		return false
	}
	n := 0
	for j := i - 1; j >= 0 && child[j] == '\\'; j-- {
		n++
	}
	return n%2 == 0
}

// lastLabel is the last label of a canonical name with its root dot
// ("com." of "shop.example.com."), as dns.SplitDomainName's last element
// and a dot, sliced from name rather than made anew.
func lastLabel(name string) string {
	for i := len(name) - 2; i >= 0; i-- {
		if name[i] != '.' {
			continue
		}
		n := 0
		for j := i - 1; j >= 0 && name[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return name[i+1:]
		}
	}
	return name
}

// statusKeys joins dnssec.status.<status> once per status (report.Keys).
var statusKeys = report.NewKeys("dnssec.status.")

package dnssec

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// maxNamed bounds the record sets a hygiene finding names.
const maxNamed = 5

// hygiene reports what in a signed zone is about to break or is weak:
// signatures (expired, expiring within ExpiryWarning, not yet valid, all
// judged at now), algorithms (RFC 8624 §3.1), NSEC3 parameters (RFC 9276)
// and the DS records at the parent.
func hygiene(w *zoneWork, keys []*dns.DNSKEY, ds []*dns.DS, sigs []*dns.RRSIG, now time.Time) []report.Finding {
	z := w.z
	var fs []report.Finding
	var expired, expiring, future []*dns.RRSIG
	for _, s := range sigs {
		exp, inc := sigTime(s.Expiration, now), sigTime(s.Inception, now)
		switch {
		case exp.Before(now):
			expired = append(expired, s)
		case inc.After(now):
			future = append(future, s)
		case exp.Sub(now) < ExpiryWarning:
			expiring = append(expiring, s)
		}
	}
	p := func(more report.Params) report.Params {
		out := report.Params{"zone": roles(z), "name": z.Zone}
		maps.Copy(out, more)
		return out
	}
	if len(expired) > 0 {
		fs = append(fs, defExpired.With(p(report.Params{"count": len(expired), "sigs": sigList(expired, now)})))
	}
	if len(expiring) > 0 {
		fs = append(fs, defExpiring.With(p(report.Params{"count": len(expiring), "sigs": sigList(expiring, now)})))
	}
	if len(future) > 0 {
		fs = append(fs, defNotYetValid.With(p(report.Params{"count": len(future), "sigs": sigList(future, now)})))
	}

	if bad, n := badSignatures(w, keys, sigs); n > 0 {
		fs = append(fs, defInvalid.With(p(report.Params{"count": n, "sigs": bad})))
	}

	// Algorithms: of the keys, and of the signatures when the keys are
	// not visible (offline, or a DNSKEY answer that failed).
	algs := map[uint8]bool{}
	for _, k := range keys {
		algs[k.Algorithm] = true
	}
	if len(keys) == 0 {
		for _, s := range sigs {
			algs[s.Algorithm] = true
		}
	}
	var mustNot, notRec []string
	for _, a := range sortedAlgs(algs) {
		switch SigningAdvice(a) {
		case MustNot:
			mustNot = append(mustNot, fmt.Sprintf("%s (%d)", AlgorithmName(a), a))
		case NotRecommended:
			notRec = append(notRec, fmt.Sprintf("%s (%d)", AlgorithmName(a), a))
		}
	}
	if len(mustNot) > 0 {
		fs = append(fs, defAlgMustNot.With(p(report.Params{"algs": mustNot})))
	}
	if len(notRec) > 0 {
		fs = append(fs, defAlgNotRecommended.With(p(report.Params{"algs": notRec})))
	}

	// RFC 9276 §3.1: iterations SHOULD be 0 and the salt SHOULD be
	// empty; §3.2: validators may treat high counts as insecure or bogus.
	if n := z.NSEC3; n != nil {
		if n.Iterations > 0 {
			fs = append(fs, defIterations.With(p(report.Params{"count": int(n.Iterations), "high": n.Iterations > 100})))
		}
		if n.Salt != "" {
			fs = append(fs, defSalt.With(p(report.Params{"salt": n.Salt})))
		}
	}

	// DS records at the parent against the keys (RFC 4035 §5.2).
	if len(ds) > 0 {
		var matched, stale []*dns.DS
		for _, d := range ds {
			if dsMatches(d, keys) {
				matched = append(matched, d)
			} else {
				stale = append(stale, d)
			}
		}
		switch {
		case len(matched) == 0:
			q := p(report.Params{"ds": dsList(ds)})
			if len(keys) > 0 {
				q["keys"] = keyList(keys)
			}
			f := defDSMismatch.With(q)
			f.Record = dsRecord(w.apex, keys)
			fs = append(fs, f)
		case len(stale) > 0:
			fs = append(fs, defDSStale.With(p(report.Params{"ds": dsList(stale)})))
		}
		sha1Only := true
		for _, d := range ds {
			sha1Only = sha1Only && d.DigestType == dns.SHA1
		}
		if sha1Only {
			f := defDSSHA1.With(p(nil))
			f.Record = dsRecord(w.apex, keys)
			fs = append(fs, f)
		}
	}
	return fs
}

func sortedAlgs(m map[uint8]bool) []uint8 {
	var out []uint8
	for a := range m {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

func sigList(sigs []*dns.RRSIG, now time.Time) []report.Msg {
	var parts []report.Msg
	for i, s := range sigs {
		if i == maxNamed {
			parts = append(parts, report.T("dnssec.more", report.Params{"count": len(sigs) - maxNamed}))
			break
		}
		parts = append(parts, report.T("dnssec.sig_item", report.Params{"name": strings.TrimSuffix(s.Hdr.Name, "."),
			"type": resolver.TypeString(s.TypeCovered), "until": sigTime(s.Expiration, now).Format(time.RFC3339)}))
	}
	return parts
}

func keyList(keys []*dns.DNSKEY) []report.Msg {
	var parts []report.Msg
	for _, k := range keys {
		parts = append(parts, report.T("dnssec.key_item", report.Params{"tag": int(k.KeyTag()), "alg": AlgorithmName(k.Algorithm)}))
	}
	return parts
}

func dsList(ds []*dns.DS) []report.Msg {
	var parts []report.Msg
	for _, d := range ds {
		parts = append(parts, report.T("dnssec.ds_item", report.Params{"tag": int(d.KeyTag), "alg": AlgorithmName(d.Algorithm), "digest": int(d.DigestType)}))
	}
	return parts
}

// maxVerify bounds the signatures verified per zone.
const maxVerify = 500

// badSignatures verifies the zone's signatures whose record set is at hand
// (in a reply, or offline in the zone files) against the zone's keys, and
// names those that do not verify or name a key the zone does not publish
// (RFC 4035 §5.3.1), at most maxNamed of them, and counts them all.
// Algorithms this library cannot verify are skipped: not knowing is not
// failing.
func badSignatures(w *zoneWork, keys []*dns.DNSKEY, sigs []*dns.RRSIG) ([]report.Msg, int) {
	if len(keys) == 0 {
		return nil, 0
	}
	held := map[string][]dns.RR{}
	hold := func(rrs []dns.RR) {
		for _, rr := range rrs {
			h := rr.Header()
			if h.Rrtype == dns.TypeRRSIG {
				continue
			}
			k := dns.CanonicalName(h.Name) + "/" + resolver.TypeString(h.Rrtype)
			if !slices.ContainsFunc(held[k], func(x dns.RR) bool { return dns.IsDuplicate(x, rr) }) {
				held[k] = append(held[k], rr)
			}
		}
	}
	for _, r := range []result{w.soa, w.dnskey, w.nsec3} {
		if rep := r.reply(); rep != nil {
			hold(rep.Answer)
			hold(rep.Authority)
		}
	}
	var bad []report.Msg
	for i, s := range sigs {
		if i == maxVerify {
			break
		}
		owner := dns.CanonicalName(s.Hdr.Name)
		k := owner + "/" + resolver.TypeString(s.TypeCovered)
		set, ok := held[k]
		if !ok && w.lookup != nil {
			for _, rr := range w.lookup(owner, s.TypeCovered) {
				if dns.CanonicalName(rr.Header().Name) == owner && rr.Header().Rrtype == s.TypeCovered {
					set = append(set, rr)
				}
			}
			held[k] = set
		}
		if len(set) == 0 {
			continue
		}
		what := label(owner) + " " + resolver.TypeString(s.TypeCovered)
		var key *dns.DNSKEY
		for _, kk := range keys {
			if kk.KeyTag() == s.KeyTag && kk.Algorithm == s.Algorithm {
				key = kk
			}
		}
		if key == nil {
			bad = append(bad, report.T("dnssec.badsig.no_key", report.Params{"set": what, "tag": int(s.KeyTag)}))
			continue
		}
		if err := s.Verify(key, set); err != nil && err != dns.ErrAlg {
			bad = append(bad, report.T("dnssec.badsig.by_key", report.Params{"set": what, "tag": int(s.KeyTag)}))
		}
	}
	n := len(bad)
	if n > maxNamed {
		bad = append(bad[:maxNamed], report.T("dnssec.more", report.Params{"count": n - maxNamed}))
	}
	return bad, n
}

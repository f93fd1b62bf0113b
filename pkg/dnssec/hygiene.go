package dnssec

import (
	"fmt"
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
	resign := "Re-sign the zone " + z.Zone + " now, and check that the signer runs on schedule (signatures are usually refreshed well before the last week; a stopped signer or a hidden primary that no longer transfers is the common cause)."
	if len(expired) > 0 {
		fs = append(fs, defExpired.New(fmt.Sprintf("%s: %d signature(s) have expired (%s). Validating resolvers treat the record sets as bogus and answer SERVFAIL for them (RFC 4035 §5.3.1).", roles(z), len(expired), sigList(expired, now)),
			resign))
	}
	if len(expiring) > 0 {
		fs = append(fs, defExpiring.New(fmt.Sprintf("%s: %d signature(s) expire within 7 days (%s). When they expire, validating resolvers answer SERVFAIL for these records, and mail to and from the domain stops for them.", roles(z), len(expiring), sigList(expiring, now)),
			resign))
	}
	if len(future) > 0 {
		fs = append(fs, defNotYetValid.New(fmt.Sprintf("%s: %d signature(s) are not valid yet (%s): validating resolvers reject them until then. The signer's clock is probably ahead.", roles(z), len(future), sigList(future, now)),
			"Fix the signing host's clock (NTP) and re-sign the zone "+z.Zone+"."))
	}

	if bad := badSignatures(w, keys, sigs); len(bad) > 0 {
		fs = append(fs, defInvalid.New(fmt.Sprintf("%s: %d signature(s) do not verify with the zone's keys (%s). Validating resolvers treat these record sets as bogus and answer SERVFAIL for them (RFC 4035 §5.3).", roles(z), len(bad), strings.Join(bad, ", ")),
			"Re-sign the zone "+z.Zone+" with its current keys; if the records were edited after signing (by hand, or by a tool that does not re-sign), let the signer produce the zone instead."))
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
	rollover := "Roll the zone " + z.Zone + " to ECDSAP256SHA256 (13) or ED25519 (15) (RFC 6781 §4.1.4, RFC 7583: sign with the new algorithm first, then change the DS at the registrar, then drop the old keys). Most DNS hosts offer it as one switch."
	if len(mustNot) > 0 {
		fs = append(fs, defAlgMustNot.New(fmt.Sprintf("%s is signed with %s, which RFC 8624 §3.1 and its SHA-1 update say must not be used for signing: validators increasingly treat such zones as unsigned, and SHA-1 signatures can be forged.", roles(z), strings.Join(mustNot, ", ")),
			rollover))
	}
	if len(notRec) > 0 {
		fs = append(fs, defAlgNotRecommended.New(fmt.Sprintf("%s is signed with %s, which RFC 8624 §3.1 does not recommend for signing.", roles(z), strings.Join(notRec, ", ")),
			rollover))
	}

	// RFC 9276 §3.1: iterations SHOULD be 0 and the salt SHOULD be
	// empty; §3.2: validators may treat high counts as insecure or bogus.
	if n := z.NSEC3; n != nil {
		if n.Iterations > 0 {
			detail := fmt.Sprintf("%s uses NSEC3 with %d extra iteration(s): they cost every resolver work without adding protection (RFC 9276 §3.1 says 0).", roles(z), n.Iterations)
			if n.Iterations > 100 {
				detail += " Above 100, validating resolvers may treat the zone's negative answers as insecure or answer SERVFAIL (RFC 9276 §3.2), and several do above 150."
			}
			fs = append(fs, defIterations.New(detail, "Set NSEC3 iterations to 0 and an empty salt: NSEC3PARAM \"1 0 0 -\" (BIND: nsec3param iterations 0 salt-length 0; in the dnssec-policy; PowerDNS: pdnsutil set-nsec3 "+z.Zone+" '1 0 0 -')."))
		}
		if n.Salt != "" {
			fs = append(fs, defSalt.New(fmt.Sprintf("%s uses NSEC3 with the salt %s: a salt adds no protection and must be changed in every NSEC3 record to change (RFC 9276 §3.1).", roles(z), n.Salt),
				"Use an empty salt: NSEC3PARAM \"1 0 0 -\"."))
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
			what := "no DNSKEY is published"
			if len(keys) > 0 {
				what = "the DNSKEY records are " + keyList(keys)
			}
			f := defDSMismatch.New(fmt.Sprintf("%s: the parent publishes DS %s, but %s: no DS matches a key, so validating resolvers treat every answer of the zone as bogus and answer SERVFAIL.", roles(z), dsList(ds), what),
				"Replace the DS records at the registrar with the DS of the zone's current key-signing key (below); if the zone is no longer signed, remove the DS records.")
			f.Record = dsRecord(w.apex, keys)
			fs = append(fs, f)
		case len(stale) > 0:
			fs = append(fs, defDSStale.New(fmt.Sprintf("%s: the parent publishes DS %s, which matches no DNSKEY (a leftover of a key rollover). It does no harm while another DS matches, but it will if the matching key is retired.", roles(z), dsList(stale)),
				"Remove the DS records that match no key at the registrar."))
		}
		sha1Only := true
		for _, d := range ds {
			sha1Only = sha1Only && d.DigestType == dns.SHA1
		}
		if sha1Only {
			f := defDSSHA1.New(fmt.Sprintf("%s: the DS records at the parent use only SHA-1 digests, which RFC 8624 §3.3 says must not be used for new delegations.", roles(z)),
				"Publish a SHA-256 DS (digest type 2, below) at the registrar, then remove the SHA-1 one.")
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

func sigList(sigs []*dns.RRSIG, now time.Time) string {
	var parts []string
	for i, s := range sigs {
		if i == maxNamed {
			parts = append(parts, fmt.Sprintf("and %d more", len(sigs)-maxNamed))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %s until %s", strings.TrimSuffix(s.Hdr.Name, "."), resolver.TypeString(s.TypeCovered), sigTime(s.Expiration, now).Format(time.RFC3339)))
	}
	return strings.Join(parts, ", ")
}

func keyList(keys []*dns.DNSKEY) string {
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("key %d (%s)", k.KeyTag(), AlgorithmName(k.Algorithm)))
	}
	return strings.Join(parts, ", ")
}

func dsList(ds []*dns.DS) string {
	var parts []string
	for _, d := range ds {
		parts = append(parts, fmt.Sprintf("for key %d (%s, digest type %d)", d.KeyTag, AlgorithmName(d.Algorithm), d.DigestType))
	}
	return strings.Join(parts, ", ")
}

// maxVerify bounds the signatures verified per zone.
const maxVerify = 500

// badSignatures verifies the zone's signatures whose record set is at hand
// (in a reply, or offline in the zone files) against the zone's keys, and
// names those that do not verify or name a key the zone does not publish
// (RFC 4035 §5.3.1). Algorithms this library cannot verify are skipped:
// not knowing is not failing.
func badSignatures(w *zoneWork, keys []*dns.DNSKEY, sigs []*dns.RRSIG) []string {
	if len(keys) == 0 {
		return nil
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
	var bad []string
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
			bad = append(bad, fmt.Sprintf("%s: key %d is not in the DNSKEY records", what, s.KeyTag))
			continue
		}
		if err := s.Verify(key, set); err != nil && err != dns.ErrAlg {
			bad = append(bad, fmt.Sprintf("%s by key %d", what, s.KeyTag))
		}
	}
	if len(bad) > maxNamed {
		bad = append(bad[:maxNamed], fmt.Sprintf("and %d more", len(bad)-maxNamed))
	}
	return bad
}

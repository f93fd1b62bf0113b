package dnssec

import (
	"strings"

	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/miekg/dns"
)

// explained marks a finding already explained, so Explain can run twice
// over the same sections (pkg/infra, then pkg/audit).
const explained = "DNSSEC-bogus"

// Explain tells the other sections why their lookups failed: a finding
// that could not decide because a lookup answered SERVFAIL, about a name in
// a zone this check found bogus, gets a sentence saying the zone's
// signatures are broken (not the servers), pointing at the DNSSEC section.
// Without it a merchant reads "the DNS did not answer" and hunts for an
// outage. sections must include the "dnssec" section; others are changed
// in place.
func Explain(sections []report.Section) {
	var bogus []string
	for _, s := range sections {
		if d, ok := s.Data.(*Data); ok && s.Check == "dnssec" {
			for _, z := range d.Zones {
				if z.Status == Bogus {
					bogus = append(bogus, dns.CanonicalName(z.Zone))
				}
			}
		}
	}
	if len(bogus) == 0 {
		return
	}
	for i := range sections {
		if sections[i].Check == "dnssec" {
			continue
		}
		for j := range sections[i].Findings {
			f := &sections[i].Findings[j]
			if !f.Inconclusive || f.Variant == "bogus_zone" {
				continue // decided, or already explained by its check (pkg/dane)
			}
			if f.Detail != "" {
				// Worded in English by its check (Definition.New, going
				// away): the sentence is appended as before.
				if !strings.Contains(f.Detail, "SERVFAIL") || strings.Contains(f.Detail, explained) {
					continue
				}
				if z := zoneNamed(f.Detail, bogus); z != "" {
					f.Detail += " The zone " + label(z) + " is " + explained + ": its signatures do not validate, so validating resolvers answer SERVFAIL; see the DNSSEC section."
				}
				continue
			}
			explainParams(f.Params, bogus)
		}
	}
}

// explainParams wraps each SERVFAIL error among a finding's parameters
// (check.ErrMsg's dns.error.servfail, which names the question) about a
// name in a bogus zone in the message that says so, once.
func explainParams(p report.Params, bogus []string) {
	for k, v := range p {
		m, ok := v.(report.Msg)
		if !ok || m.Key != "dns.error.servfail" {
			continue
		}
		name, _ := m.Params["name"].(string)
		if name == "" {
			continue
		}
		if z := zoneNamed(name, bogus); z != "" {
			p[k] = report.T("dnssec.explain.servfail", report.Params{"error": m, "zone": label(z)})
		}
	}
}

// zoneNamed returns the first of zones that a word of text (a domain
// name) falls in.
func zoneNamed(text string, zones []string) string {
	for _, w := range strings.Fields(text) {
		w = strings.Trim(w, ":;,()\"'")
		if _, ok := dns.IsDomainName(w); !ok || !strings.Contains(w, ".") {
			continue
		}
		n := dns.CanonicalName(w)
		for _, z := range zones {
			if dns.IsSubDomain(z, n) {
				return z
			}
		}
	}
	return ""
}

package audit

import (
	"strings"

	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// DMARC findings that say what to remove from the record but carry no
// record of their own. Left apart, they are fixes to make by hand on a
// record that another fix tells the reader to replace; folded, they join
// the one merged DMARC record (fixes.go), each removal harmless on its
// own:
//   - an unknown tag is ignored by receivers (RFC 9989 §4.7), and a tag
//     RFC 9989 removed (pct, ri, rf; Appendix C) means two things to two
//     generations of receivers;
//   - a report destination whose domain receives no mail only bounces
//     (RFC 9990), and the same address twice is one address;
//   - reporters may send to the first two destinations only (RFC 9990),
//     so at most two are kept, in the order published.
var dmarcFoldable = map[string]bool{
	"dmarc.tag.unknown":  true,
	"dmarc.tag.removed":  true,
	"dmarc.rua.no_mx":    true,
	"dmarc.rua.too_many": true,
}

// dmarcKnownTags are the tags a receiver reads (RFC 9989 §4.7, plus those
// it removed from RFC 7489).
var dmarcKnownTags = map[string]bool{"v": true, "p": true, "sp": true, "np": true, "adkim": true, "aspf": true,
	"pct": true, "ri": true, "rf": true, "fo": true, "rua": true, "ruf": true, "psd": true, "t": true}

// dmarcRemovedTags are the tags RFC 9989 Appendix C removed.
var dmarcRemovedTags = map[string]bool{"pct": true, "ri": true, "rf": true}

// foldDMARC gives each foldable DMARC finding of the sections the record
// that applies every such removal at once (all of them get the same one,
// so that merging them never has two of them disagree), and says which
// report domains that record no longer sends to.
func foldDMARC(sections []report.Section) (rec *report.Record, dropped map[string]bool) {
	var d *dmarc.Data
	ids := map[string]bool{}
	for _, sec := range sections {
		if dd, ok := sec.Data.(*dmarc.Data); ok && dd != nil {
			d = dd
		}
		for _, f := range sec.Findings {
			if dmarcFoldable[f.ID] && !f.Inconclusive {
				ids[f.ID] = true
			}
		}
	}
	if d == nil || d.RecordText == "" || d.PolicyDomain == "" || len(ids) == 0 {
		return nil, nil
	}
	dead := map[string]bool{} // destination URIs whose domain takes no mail
	if ids["dmarc.rua.no_mx"] {
		for _, dst := range d.Destinations {
			if dst.AcceptsMail != nil && !*dst.AcceptsMail {
				dead[strings.ToLower(dst.URI)] = true
			}
		}
	}
	dropped = map[string]bool{}
	p := published{kind: kindDMARC}
	var out []token
	for _, t := range p.tokens(d.RecordText) {
		switch {
		case ids["dmarc.tag.unknown"] && !dmarcKnownTags[t.key]:
			continue
		case ids["dmarc.tag.removed"] && dmarcRemovedTags[t.key]:
			continue
		case t.key == "rua" || t.key == "ruf":
			limit := 0
			if t.key == "rua" && ids["dmarc.rua.too_many"] {
				limit = 2
			}
			uris := cleanURIs(t.text, dead, limit, dropped, d.Destinations)
			if len(uris) == 0 {
				continue
			}
			t.text = t.key + "=" + strings.Join(uris, ",")
		}
		out = append(out, t)
	}
	return report.TXTRecord("_dmarc."+d.PolicyDomain, p.join(out)), dropped
}

// cleanURIs returns the tag's URIs without the dead ones and duplicates,
// at most limit of them (0: all), and adds to dropped the domains of the
// destinations left out.
func cleanURIs(tag string, dead map[string]bool, limit int, dropped map[string]bool, dests []dmarc.Destination) []string {
	_, v, _ := strings.Cut(tag, "=")
	seen := map[string]bool{}
	var keep []string
	for _, u := range strings.Split(v, ",") {
		u = strings.TrimSpace(u)
		k := strings.ToLower(u)
		if u == "" || seen[k] {
			continue
		}
		seen[k] = true
		if dead[k] || (limit > 0 && len(keep) == limit) {
			for _, dst := range dests {
				if strings.EqualFold(dst.URI, u) && dst.Domain != "" {
					dropped[strings.ToLower(strings.TrimSuffix(dst.Domain, "."))] = true
				}
			}
			continue
		}
		keep = append(keep, u)
	}
	return keep
}

// reportAuthFor says which report domain a dmarc.rua.unauthorized fix's
// record authorizes ("shop.example._report._dmarc.reports.example" is for
// reports.example, RFC 7489 §7.1).
func reportAuthFor(r *report.Record) string {
	if r == nil {
		return ""
	}
	_, dest, ok := strings.Cut(strings.ToLower(strings.TrimSuffix(r.Name, ".")), "._report._dmarc.")
	if !ok {
		return ""
	}
	return dest
}

// policyRank orders DMARC policies by strength.
func policyRank(p string) int {
	switch p {
	case "none":
		return 1
	case "quarantine":
		return 2
	case "reject":
		return 3
	}
	return 0
}

// noWeakerSP removes from a DMARC record an sp= weaker than its p=: a
// merged record that raises p must not leave subdomains behind at the old
// policy (that is finding dmarc.sp.weaker, RFC 9989 §4.7); without sp,
// subdomains follow p through every stage.
func noWeakerSP(r *report.Record) *report.Record {
	if r == nil {
		return nil
	}
	text := report.TXTText(r.Value)
	sp, pol := tagOf(text, "sp"), tagOf(text, "p")
	if sp == "" || policyRank(sp) == 0 || policyRank(sp) >= policyRank(pol) {
		return r
	}
	p := published{kind: kindDMARC}
	ts := p.tokens(text)
	if j := indexOf(ts, "sp"); j >= 0 {
		ts = append(ts[:j], ts[j+1:]...)
	}
	return report.TXTRecord(r.Name, p.join(ts))
}

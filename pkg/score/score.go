// Package score turns the sections of a domain report into a 0-100 score
// and a grade. It is a pure function of the findings: same findings, same
// score. The model, documented in docs/scoring.md and printed by
// `mailcheck domain --explain`:
//
//  1. Sections map to six weighted categories (SPF 15, DKIM 15, DMARC 20,
//     reputation 20, sending infrastructure 15, transport security 15).
//     BIMI is informational (weight 0); reachability from this machine is
//     an environment report and never scored.
//  2. In a category, each decisive finding deducts points (critical 10,
//     high 6, medium 3, low 1, info 0); the category's factor is
//     max(0, 10 - deductions) / 10.
//  3. A section whose status is unknown or skipped is left out of both
//     the numerator and the denominator (the internet.nl model): not being
//     able to tell is never scored as a failure. A category with no scored
//     section has "insufficient data" and the other weights are
//     renormalized.
//     A grade needs evidence: when the categories that could be judged
//     carry less than MinKnownShare of the weight of the categories
//     checked, there is no score at all ("insufficient data"), so a run
//     whose resolver answered almost nothing cannot pass a --fail-under
//     gate on the few checks it could decide.
//  4. Hard caps then bound the score when a condition makes the rest
//     irrelevant (+all caps at 40, ...); the lowest cap that fires wins,
//     and the report names it.
//  5. Grades: A >= 90, B >= 75, C >= 60, D >= 40, F below.
package score

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// Category is one weighted part of the score.
type Category struct {
	// Name is the category's stable name in JSON ("Reputation"); Key
	// names its words in the catalogs (score.category.<key>).
	Name   string
	Key    string
	Weight int
	Checks []string // Section.Check values
}

// Label is the category's name in the report's language.
func (c Category) Label() report.Msg {
	if k, ok := categoryKeys()[c.Key]; ok {
		return report.T(k, nil)
	}
	return report.T("score.category."+c.Key, nil)
}

// categoryKeys are the catalog keys of the categories' labels, made once
// (every report labels every category).
var categoryKeys = sync.OnceValue(func() map[string]string {
	out := make(map[string]string, len(Categories))
	for _, c := range Categories {
		out[c.Key] = "score.category." + c.Key
	}
	return out
})

// Categories is the score model's table (our weights: docs/scoring.md).
var Categories = []Category{
	{Name: "SPF", Key: "spf", Weight: 15, Checks: []string{"spf"}},
	{Name: "DKIM", Key: "dkim", Weight: 15, Checks: []string{"dkim"}},
	{Name: "DMARC", Key: "dmarc", Weight: 20, Checks: []string{"dmarc"}},
	{Name: "Reputation", Key: "reputation", Weight: 20, Checks: []string{"dnsbl"}},
	{Name: "Sending infrastructure", Key: "infrastructure", Weight: 15, Checks: []string{"mx", "rdns", "dnssec"}},
	{Name: "Transport security", Key: "transport", Weight: 15, Checks: []string{"mtasts", "tlsrpt", "dane", "smtp"}},
	{Name: "BIMI", Key: "bimi", Weight: 0, Checks: []string{"bimi"}},
}

// Points deducted per decisive finding, by severity.
var Points = map[report.Severity]int{
	report.Critical: 10,
	report.High:     6,
	report.Medium:   3,
	report.Low:      1,
	report.Info:     0,
}

// CapRule bounds the score when any of its finding IDs is present
// (decisive), or when its test says so.
type CapRule struct {
	Limit int
	// Reason names the cap's words in the catalogs: score.cap.<Reason>.
	Reason string
	IDs    []string
	// Test, when set, decides instead of IDs; it returns the IDs it
	// relied on.
	Test func(sections []report.Section) ([]string, bool)
	// Outage: when the rule fires, the score is known even if too little
	// else could be judged, because the outage is why nothing else
	// answered (a DNSSEC-bogus zone makes every validating lookup
	// SERVFAIL, RFC 4035 §5.5). The evidence decides, so it is graded.
	Outage bool
}

// Caps is the hard-cap table (our caps: docs/scoring.md).
var Caps = []CapRule{
	{Limit: 20, Reason: "dnssec_bogus", IDs: []string{"dnssec.zone.bogus", "dnssec.ds.mismatch", "dnssec.rrsig.expired", "dnssec.rrsig.invalid"}, Outage: true},
	{Limit: 40, Reason: "spf_pass_all", IDs: []string{"spf.all.pass"}},
	{Limit: 40, Reason: "no_authentication", Test: noAuthentication},
	{Limit: 40, Reason: "domain_listed", IDs: []string{"dnsbl.domain.listed"}},
	{Limit: 50, Reason: "ip_listed", IDs: []string{"dnsbl.ip.listed.major"}},
	{Limit: 50, Reason: "transport_broken", Test: transportBroken},
	{Limit: 60, Reason: "spf_permerror", IDs: spfPermerror},
	{Limit: 60, Reason: "sending_ptr", Test: sendingPTR},
	{Limit: 60, Reason: "dkim_weak", IDs: []string{"dkim.key.rsa_lt_1024", "dkim.key.sha1_only", "dkim.sig.from_unsigned"}},
	{Limit: 70, Reason: "dmarc_invalid", IDs: []string{"dmarc.record.missing", "dmarc.record.multiple", "dmarc.syntax.invalid", "dmarc.version.invalid", "dmarc.record.leading_space"}},
}

// spfPermerror lists the findings that make check_host() return permerror
// (RFC 7208 §4.6, §4.6.4, §5.2, §6).
var spfPermerror = []string{"spf.record.multiple", "spf.syntax.invalid", "spf.syntax.glued_all", "spf.modifier.duplicate",
	"spf.lookups.exceeded", "spf.void.exceeded", "spf.mx.too_many", "spf.include.no_record", "spf.redirect.no_record",
	"spf.include.loop", "spf.macro.exp_only_letter"}

// MinKnownShare is the share of the weight that must be known for a grade:
// 60 of 100 points when every check ran. It lets the usual gaps through
// (no DKIM selector guessed, 15, and blocklists refusing a public
// resolver, 20, leave 65 known) and stops a score made of what little
// could be decided (an apex CNAME loop leaves only transport security, 15).
const MinKnownShare = 0.6

// Coverage returns the weight of the categories that could be scored and
// the weight of the categories that have at least one section.
func Coverage(sections []report.Section) (known, checked int) {
	for _, cat := range Categories {
		present, scored := false, false
		for _, sec := range sections {
			if !slices.Contains(cat.Checks, sec.Check) {
				continue
			}
			// Skipped is "does not apply" (offline, a parked domain): it
			// leaves the category out of both sides, as the score does.
			// Only unknown counts against the evidence.
			if sec.Status == report.StatusSkipped {
				continue
			}
			present = true
			if sec.Status != report.StatusUnknown {
				scored = true
			}
		}
		if present {
			checked += cat.Weight
		}
		if scored {
			known += cat.Weight
		}
	}
	return known, checked
}

// Sufficient reports whether enough of the weight is known for a grade
// (MinKnownShare), and says how much was when it is not.
func Sufficient(sections []report.Section) (bool, report.Msg) {
	known, checked := Coverage(sections)
	if checked == 0 || known == 0 {
		return false, report.T("score.insufficient.none", nil)
	}
	if float64(known) < MinKnownShare*float64(checked) {
		return false, report.T("score.insufficient.share", report.Params{"count": known, "checked": checked,
			"needed": int(math.Ceil(MinKnownShare * float64(checked)))})
	}
	return true, report.Msg{}
}

// Compute scores the sections. ok is false when too little could be
// decided for a score (Sufficient); the categories are still filled in.
func Compute(sections []report.Section) (report.Score, bool) {
	s := report.Score{Categories: make([]report.CategoryScore, 0, len(Categories))}
	// The categories' section names and deductions are cut from two
	// arrays sized once (at most every finding deducts), not grown per
	// category.
	nChecks, nDeduct := 0, 0
	for _, cat := range Categories {
		nChecks += len(cat.Checks)
	}
	for _, sec := range sections {
		nDeduct += len(sec.Findings)
	}
	names := make([]string, 0, nChecks)
	var deductions []report.Deduction
	if nDeduct > 0 {
		deductions = make([]report.Deduction, 0, nDeduct)
	}
	var earned, possible float64
	for _, cat := range Categories {
		n := len(names)
		cs := report.CategoryScore{Name: cat.Name, Label: cat.Label(), Weight: cat.Weight, Sections: names[n : n : n+len(cat.Checks)]}
		first := len(deductions)
		deducted, scored := 0, false
		for _, sec := range sections {
			if !slices.Contains(cat.Checks, sec.Check) {
				continue
			}
			cs.Sections = append(cs.Sections, sec.Check)
			if sec.Status == report.StatusUnknown || sec.Status == report.StatusSkipped {
				continue
			}
			scored = true
			for _, f := range sec.Findings {
				if f.Inconclusive || Points[f.Severity] == 0 {
					continue
				}
				deductions = append(deductions, report.Deduction{ID: f.ID, Severity: f.Severity, Points: Points[f.Severity]})
				deducted += Points[f.Severity]
			}
		}
		names = names[:n+len(cat.Checks)] // the category's share, used or not (a longer list was copied by append)
		if len(deductions) > first {
			cs.Deductions = deductions[first:len(deductions):len(deductions)]
		}
		if !scored {
			cs.Status = "insufficient data"
			s.Categories = append(s.Categories, cs)
			continue
		}
		cs.Status = "scored"
		cs.Factor = math.Max(0, float64(10-deducted)) / 10
		earned += float64(cat.Weight) * cs.Factor
		possible += float64(cat.Weight)
		s.Categories = append(s.Categories, cs)
	}
	if ok, _ := Sufficient(sections); !ok || possible == 0 {
		outage := -1
		for _, rule := range Caps {
			if _, fired := rule.fires(sections); fired && rule.Outage && (outage < 0 || rule.Limit < outage) {
				outage = rule.Limit
			}
		}
		if outage < 0 {
			return s, false
		}
		// Graded on the outage alone: what was scored, if anything,
		// cannot lift it above the cap.
		earned, possible = float64(outage), 100
	}
	s.Uncapped = int(math.Round(100 * earned / possible))
	s.Value = s.Uncapped
	for _, rule := range Caps {
		ids, fired := rule.fires(sections)
		if !fired {
			continue
		}
		s.Caps = append(s.Caps, report.Cap{Limit: rule.Limit, Reason: report.T("score.cap."+rule.Reason, nil), IDs: ids})
	}
	slices.SortStableFunc(s.Caps, func(a, b report.Cap) int { return cmp.Compare(a.Limit, b.Limit) })
	if len(s.Caps) > 0 && s.Caps[0].Limit < s.Value {
		c := s.Caps[0]
		s.Cap = &c
		s.Value = c.Limit
	}
	s.Grade = Grade(s.Value)
	return s, true
}

// Grade maps a score to a letter.
func Grade(v int) string {
	switch {
	case v >= 90:
		return "A"
	case v >= 75:
		return "B"
	case v >= 60:
		return "C"
	case v >= 40:
		return "D"
	default:
		return "F"
	}
}

func (r CapRule) fires(sections []report.Section) ([]string, bool) {
	if r.Test != nil {
		return r.Test(sections)
	}
	var ids []string
	for _, sec := range sections {
		for _, f := range sec.Findings {
			if !f.Inconclusive && slices.Contains(r.IDs, f.ID) && !slices.Contains(ids, f.ID) {
				ids = append(ids, f.ID)
			}
		}
	}
	return ids, len(ids) > 0
}

// noAuthentication: SPF is missing or permerror, and DKIM was checked and
// found no valid key. A DKIM section that could not decide (no selector
// known) does not count as "no DKIM": unknown is never a failure.
func noAuthentication(sections []report.Section) ([]string, bool) {
	spf, dkim := find(sections, "spf"), find(sections, "dkim")
	if spf == nil || dkim == nil || spf.Status == report.StatusUnknown || dkim.Status != report.StatusFail {
		return nil, false
	}
	var ids []string
	for _, f := range spf.Findings {
		if !f.Inconclusive && (f.ID == "spf.record.missing" || slices.Contains(spfPermerror, f.ID)) {
			ids = append(ids, f.ID)
		}
	}
	if len(ids) == 0 {
		return nil, false
	}
	for _, f := range dkim.Findings {
		if !f.Inconclusive && f.Severity.AtLeast(report.High) {
			ids = append(ids, f.ID)
		}
	}
	return ids, true
}

// transportBroken: an MTA-STS policy in enforce mode that misses an MX or
// whose MX certificates fail (the finding is critical only in enforce
// mode), or a DANE TLSA mismatch.
func transportBroken(sections []report.Section) ([]string, bool) {
	var ids []string
	for _, sec := range sections {
		for _, f := range sec.Findings {
			if f.Inconclusive {
				continue
			}
			switch {
			case (f.ID == "mtasts.mx.uncovered" || f.ID == "mtasts.mx.cert_invalid") && f.Severity == report.Critical,
				f.ID == "dane.tlsa.mismatch":
				if !slices.Contains(ids, f.ID) {
					ids = append(ids, f.ID)
				}
			}
		}
	}
	return ids, len(ids) > 0
}

// sendingPTR: ptr.missing or ptr.not_fcrdns at high severity, which pkg/rdns
// gives only to sending addresses (an MX-only address gets medium: it
// matters only if the host also sends).
func sendingPTR(sections []report.Section) ([]string, bool) {
	var ids []string
	for _, sec := range sections {
		for _, f := range sec.Findings {
			if !f.Inconclusive && (f.ID == "ptr.missing" || f.ID == "ptr.not_fcrdns") && f.Severity.AtLeast(report.High) && !slices.Contains(ids, f.ID) {
				ids = append(ids, f.ID)
			}
		}
	}
	return ids, len(ids) > 0
}

func find(sections []report.Section, check string) *report.Section {
	for i := range sections {
		if sections[i].Check == check {
			return &sections[i]
		}
	}
	return nil
}

// TopFixes picks the n findings to fix first: decisive, most severe first,
// heavier categories first among equals, one per ID.
func TopFixes(sections []report.Section, n int) []report.TopFix {
	weight := map[string]int{}
	for _, c := range Categories {
		for _, ch := range c.Checks {
			weight[ch] = c.Weight
		}
	}
	var all []report.TopFix
	seen := map[string]bool{}
	for _, sec := range sections {
		for _, f := range sec.Findings {
			if f.Inconclusive || !f.Severity.AtLeast(report.Low) || !HasFix(f) || seen[f.ID] {
				continue
			}
			seen[f.ID] = true
			all = append(all, report.TopFix{Check: sec.Check, ID: f.ID, Severity: f.Severity, Title: f.TitleMsg(), Fix: f.FixMsg()})
		}
	}
	slices.SortStableFunc(all, func(a, b report.TopFix) int {
		if ra, rb := a.Severity.Rank(), b.Severity.Rank(); ra != rb {
			return cmp.Compare(rb, ra)
		}
		return cmp.Compare(weight[b.Check], weight[a.Check])
	})
	if len(all) > n {
		all = all[:n]
	}
	return all
}

// HasFix reports whether a finding says what to do: a fix in the catalogs
// (the variant's or the finding's own), or, for a finding its check still
// words itself, a fix written there. Fixes are worded after the report is
// built (internal/i18n), so the catalog is what knows.
func HasFix(f report.Finding) bool {
	if f.Fix != "" {
		// Worded already (by its check, or by the localizer).
		return true
	}
	en := i18n.For(i18n.English)
	m := f.FixMsg() // no allocation: the keys are made once per ID
	return en.Has(m.Key) || (m.Else != "" && en.Has(m.Else))
}

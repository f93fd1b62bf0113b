package audit

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/score"
	"github.com/mailcheck/mailcheck/pkg/spf"
)

// Fixes picks the n fixes to make first from the sections' findings:
// decisive findings of low severity or more that say what to do, ranked
// by Priority (what they change for delivery), then severity, then the
// weight of their category (docs/scoring.md). Findings that change the
// same published record (DMARC tags, SPF terms) become one fix with one
// record that applies them all; a DMARC policy still at none is moved in
// two steps, quarantine now and reject later (TopFix.Later).
func Fixes(sections []report.Section, n int) []report.TopFix { return fixes(sections, n, false) }

// fixes is Fixes; for a parked domain (parked.go) a DMARC change goes to
// reject at once: with no legitimate mail, there is nothing to watch for.
func fixes(sections []report.Section, n int, parked bool) []report.TopFix {
	weight := checkWeights()
	type cand struct {
		fix    report.TopFix
		record *report.Record
	}
	cands := make([]cand, 0, 8) // a report's fixes: grown once at most, not four times
	var seen []string           // IDs already a candidate: a report has a dozen findings
	folded, droppedDest := foldDMARC(sections)
	spfFolded := foldSPF(sections)
	for _, sec := range sections {
		for _, f := range sec.Findings {
			if f.Inconclusive || !f.Severity.AtLeast(report.Low) || !score.HasFix(f) || slices.Contains(seen, f.ID) || isEnvironment(f.ID) {
				continue
			}
			seen = append(seen, f.ID)
			if f.Record == nil && folded != nil && dmarcFoldable[f.ID] {
				f.Record = folded
			}
			if f.Record == nil && spfFolded != nil && f.ID == "spf.include.no_record" {
				f.Record = spfFolded
			}
			// No authorization to ask of a report domain the merged
			// record no longer sends to.
			if f.ID == "dmarc.rua.unauthorized" && droppedDest[reportAuthFor(f.Record)] {
				continue
			}
			cands = append(cands, cand{
				fix:    report.TopFix{Check: sec.Check, ID: f.ID, Severity: f.Severity, Title: f.TitleMsg(), Fix: f.FixMsg(), Priority: Priority(f), Record: f.Record},
				record: f.Record,
			})
		}
	}
	slices.SortStableFunc(cands, func(ca, cb cand) int {
		a, b := ca.fix, cb.fix
		if a.Priority != b.Priority {
			return cmp.Compare(b.Priority, a.Priority)
		}
		if ra, rb := a.Severity.Rank(), b.Severity.Rank(); ra != rb {
			return cmp.Compare(rb, ra)
		}
		if weight[a.Check] != weight[b.Check] {
			return cmp.Compare(weight[b.Check], weight[a.Check])
		}
		return strings.Compare(a.ID, b.ID)
	})

	published := publishedRecords(sections)
	type group struct {
		fix     report.TopFix
		records []string // the findings' record texts, highest priority first
		titles  []report.Msg
	}
	// The groups in one array; a record's group is found by a scan of
	// byRecord (a report changes two or three records at most).
	groups := make([]group, 0, len(cands))
	type recordGroup struct {
		key   recKey
		group int
	}
	var byRecord []recordGroup
	for _, c := range cands {
		if c.record != nil {
			k := recordKey(c.record)
			if i := slices.IndexFunc(byRecord, func(r recordGroup) bool { return r.key == k }); i >= 0 {
				g := &groups[byRecord[i].group]
				g.fix.IDs = append(g.fix.IDs, c.fix.ID)
				g.records = append(g.records, report.TXTText(c.record.Value))
				g.titles = append(g.titles, c.fix.Title)
				continue
			}
			g := group{fix: c.fix, records: []string{report.TXTText(c.record.Value)}}
			g.fix.IDs = []string{c.fix.ID}
			byRecord = append(byRecord, recordGroup{k, len(groups)})
			groups = append(groups, g)
			continue
		}
		groups = append(groups, group{fix: c.fix})
	}

	out := make([]report.TopFix, 0, min(n, len(groups)))
	for i := range groups {
		if len(out) == n {
			break
		}
		g := &groups[i]
		fix := g.fix
		if fix.Record != nil {
			base, ok := published.find(recordKey(fix.Record))
			if ok && len(g.records) > 1 {
				fix.Record = report.TXTRecord(fix.Record.Name, base.merge(g.records))
				// Worded with the findings: their own fix and titles.
				fix.Fix = report.T("audit.fix.also", report.Params{"fix": fix.Fix, "titles": report.Clauses(g.titles)})
			}
			if ok && base.kind == kindDMARC && tagOf(report.TXTText(fix.Record.Value), "p") != base.tag("p") {
				fix.Record = noWeakerSP(fix.Record)
			}
			if ok && base.kind == kindDMARC && !parked {
				stage(&fix, base)
			}
			if len(fix.IDs) < 2 {
				fix.IDs = nil
			}
		}
		out = append(out, fix)
	}
	return out
}

// checkWeights is the weight of each check's category (docs/scoring.md),
// made once.
var checkWeights = sync.OnceValue(func() map[string]int {
	weight := map[string]int{}
	for _, c := range score.Categories {
		for _, ch := range c.Checks {
			weight[ch] = c.Weight
		}
	}
	return weight
})

// stage splits a DMARC change that leaves p=none into the safe order:
// p=quarantine now, p=reject once reports show legitimate mail passing.
// Going from none straight to reject risks losing the legitimate mail
// that no report has shown yet.
func stage(fix *report.TopFix, base published) {
	if base.tag("p") != "none" {
		return
	}
	now := report.TXTText(fix.Record.Value)
	switch tagOf(now, "p") {
	case "quarantine", "reject":
	default:
		return
	}
	name := fix.Record.Name
	fix.Record = report.TXTRecord(name, setTag(now, "p", "quarantine"))
	fix.Later = &report.LaterFix{
		Record: report.TXTRecord(name, setTag(now, "p", "reject")),
		When:   report.T("audit.fix.later", nil),
	}
}

type recordKind int

const (
	kindDMARC recordKind = iota // tag=value pairs separated by ";"
	kindSPF                     // terms separated by spaces
)

// published is a record as the domain publishes it, which the findings'
// records are changes of.
type published struct {
	kind recordKind
	text string
}

func (p published) tag(name string) string { return tagOf(p.text, name) }

// publishedRecords finds the records that fixes may change together: the
// DMARC policy record and the SPF record, from the sections' data.
func publishedRecords(sections []report.Section) publishedSet {
	var out publishedSet
	for _, sec := range sections {
		switch d := sec.Data.(type) {
		case *dmarc.Data:
			if d != nil && d.RecordText != "" && d.PolicyDomain != "" {
				out = out.set(key("_dmarc."+d.PolicyDomain, "TXT"), published{kindDMARC, d.RecordText})
			}
		case *spf.Data:
			if d != nil && d.Record != "" {
				out = out.set(key(d.Domain, "TXT"), published{kindSPF, d.Record})
			}
		}
	}
	return out
}

// publishedSet holds the published records by key: the DMARC and the SPF
// record, two at most, so a list and not a map.
type publishedSet []publishedEntry

type publishedEntry struct {
	key recKey
	rec published
}

// set records p under k, replacing what k held (as a map would).
func (s publishedSet) set(k recKey, p published) publishedSet {
	for i := range s {
		if s[i].key == k {
			s[i].rec = p
			return s
		}
	}
	return append(s, publishedEntry{k, p})
}

func (s publishedSet) find(k recKey) (published, bool) {
	for _, e := range s {
		if e.key == k {
			return e.rec, true
		}
	}
	return published{}, false
}

// recKey names a record: its owner without the root dot, in lower case,
// and its type in upper case. A pair, not one string made of both (six
// strings a domain).
type recKey struct{ name, typ string }

func recordKey(r *report.Record) recKey { return key(r.Name, r.Type) }

func key(name, typ string) recKey {
	return recKey{strings.ToLower(strings.TrimSuffix(name, ".")), strings.ToUpper(typ)}
}

// token is one tag (DMARC) or term (SPF) and the key that says which
// setting it is: "p", "pct"; "all", "include:_spf.esp.example", "redirect".
type token struct{ key, text string }

func (p published) tokens(s string) []token {
	var out []token
	if p.kind == kindDMARC {
		for _, part := range strings.Split(s, ";") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			name, _, _ := strings.Cut(part, "=")
			out = append(out, token{strings.ToLower(strings.TrimSpace(name)), part})
		}
		return out
	}
	for _, term := range strings.Fields(s) {
		out = append(out, token{spfKey(term), term})
	}
	return out
}

// spfKey: a mechanism without its qualifier (RFC 7208 §4.6.2), so that
// "~all" and "-all" are the same setting; a modifier by its name (§6).
func spfKey(term string) string {
	t := strings.ToLower(term)
	if i := strings.IndexAny(t, "=:/"); i >= 0 && t[i] == '=' {
		return t[:i]
	}
	return strings.TrimLeft(t, "+-~?")
}

func (p published) join(ts []token) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.text
	}
	if p.kind == kindDMARC {
		return strings.Join(parts, "; ")
	}
	return strings.Join(parts, " ")
}

// merge applies to the published record every change that each of recs
// (the findings' records, highest priority first) makes to it: a setting
// changed, added or removed. When two records change the same setting,
// the higher-priority one wins.
func (p published) merge(recs []string) string {
	base := p.tokens(p.text)
	baseText := map[string]string{}
	for _, t := range base {
		baseText[t.key] = t.text
	}
	result := append([]token(nil), base...)
	decided := map[string]bool{}
	for _, rec := range recs {
		rt := p.tokens(rec)
		inRec := map[string]bool{}
		for i, t := range rt {
			inRec[t.key] = true
			if baseText[t.key] == t.text || decided[t.key] {
				continue
			}
			decided[t.key] = true
			if j := indexOf(result, t.key); j >= 0 {
				result[j] = t
				continue
			}
			// A new setting goes where the finding put it: after the
			// setting before it in the finding's record.
			at := len(result)
			if p.kind == kindSPF {
				if j := indexOf(result, "all"); j >= 0 {
					at = j
				}
			}
			if i > 0 {
				if j := indexOf(result, rt[i-1].key); j >= 0 {
					at = j + 1
				}
			}
			result = append(result[:at], append([]token{t}, result[at:]...)...)
		}
		for _, t := range base {
			if !inRec[t.key] && !decided[t.key] {
				decided[t.key] = true
				if j := indexOf(result, t.key); j >= 0 {
					result = append(result[:j], result[j+1:]...)
				}
			}
		}
	}
	return p.join(result)
}

func indexOf(ts []token, key string) int {
	for i, t := range ts {
		if t.key == key {
			return i
		}
	}
	return -1
}

// tagOf reads a DMARC tag's value from a record's text.
func tagOf(text, name string) string {
	for _, t := range (published{kind: kindDMARC}).tokens(text) {
		if t.key == name {
			_, v, _ := strings.Cut(t.text, "=")
			return strings.ToLower(strings.TrimSpace(v))
		}
	}
	return ""
}

// setTag returns the DMARC record text with tag name set to value.
func setTag(text, name, value string) string {
	p := published{kind: kindDMARC}
	ts := p.tokens(text)
	if j := indexOf(ts, name); j >= 0 {
		ts[j].text = name + "=" + value
	} else {
		ts = append(ts, token{name, name + "=" + value})
	}
	return p.join(ts)
}

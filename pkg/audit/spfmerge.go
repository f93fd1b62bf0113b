package audit

import (
	"strings"

	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/spf"
)

// foldSPF gives spf.include.no_record the SPF record without the include
// terms whose target has no SPF record (each is a permerror for every
// sender that reaches it, RFC 7208 §5.2, so removing it loses no
// authorized sender) and without terms written twice (the second never
// matches what the first did not). The record then merges with the other
// SPF fixes (fixes.go). Terms that need a choice (ptr, a heavy include)
// stay for the reader.
func foldSPF(sections []report.Section) *report.Record {
	var d *spf.Data
	found := false
	for _, sec := range sections {
		if dd, ok := sec.Data.(*spf.Data); ok && dd != nil {
			d = dd
		}
		for _, f := range sec.Findings {
			if f.ID == "spf.include.no_record" && !f.Inconclusive {
				found = true
			}
		}
	}
	if !found || d == nil || d.Tree == nil || d.Record == "" {
		return nil
	}
	dead := map[string]bool{}
	for _, c := range d.Tree.Children {
		if c.Via == "include" && c.Status == "none" && c.Term != "" {
			dead[strings.ToLower(c.Term)] = true
		}
	}
	if len(dead) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var keep []string
	for _, term := range strings.Fields(d.Record) {
		k := strings.ToLower(term)
		if seen[k] || dead[strings.TrimLeft(k, "+-~?")] {
			continue
		}
		seen[k] = true
		keep = append(keep, term)
	}
	return report.TXTRecord(d.Domain, strings.Join(keep, " "))
}

// Package catalog gathers the finding definitions of every check package,
// so that tools (and the docs test) can see all finding IDs in one place.
// A new check package adds its Definitions here.
package catalog

import (
	"sort"

	"github.com/mailcheck/mailcheck/internal/i18n"

	"github.com/mailcheck/mailcheck/pkg/audit"
	"github.com/mailcheck/mailcheck/pkg/bimi"
	"github.com/mailcheck/mailcheck/pkg/bounce"
	"github.com/mailcheck/mailcheck/pkg/dane"
	"github.com/mailcheck/mailcheck/pkg/dkim"
	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/dnsbl"
	"github.com/mailcheck/mailcheck/pkg/dnssec"
	"github.com/mailcheck/mailcheck/pkg/message"
	"github.com/mailcheck/mailcheck/pkg/mtasts"
	"github.com/mailcheck/mailcheck/pkg/mx"
	"github.com/mailcheck/mailcheck/pkg/rdns"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/reports"
	"github.com/mailcheck/mailcheck/pkg/smtpprobe"
	"github.com/mailcheck/mailcheck/pkg/spf"
	"github.com/mailcheck/mailcheck/pkg/tlsrpt"
)

// Group is the definitions of one check, documented in docs/findings/<Doc>.
type Group struct {
	Check       string
	Doc         string // file name under docs/findings
	Definitions []report.Definition
}

// Groups lists every check's findings, in the order of the docs index.
func Groups() []Group {
	return []Group{
		{Check: "spf", Doc: "spf.md", Definitions: spf.Definitions},
		{Check: "dkim", Doc: "dkim.md", Definitions: dkim.Definitions},
		{Check: "dmarc", Doc: "dmarc.md", Definitions: dmarc.Definitions},
		{Check: "dnsbl", Doc: "dnsbl.md", Definitions: dnsbl.Definitions},
		{Check: "mx", Doc: "mx.md", Definitions: mx.Definitions},
		{Check: "rdns", Doc: "rdns.md", Definitions: rdns.Definitions},
		{Check: "mtasts", Doc: "mtasts.md", Definitions: mtasts.Definitions},
		{Check: "tlsrpt", Doc: "tlsrpt.md", Definitions: tlsrpt.Definitions},
		{Check: "dnssec", Doc: "dnssec.md", Definitions: dnssec.Definitions},
		{Check: "dane", Doc: "dane.md", Definitions: dane.Definitions},
		{Check: "bimi", Doc: "bimi.md", Definitions: bimi.Definitions},
		{Check: "ports", Doc: "smtp.md", Definitions: smtpprobe.Definitions},
		{Check: "domain", Doc: "audit.md", Definitions: audit.Definitions},
		{Check: "bounce", Doc: "bounce.md", Definitions: bounce.Definitions},
		{Check: "message", Doc: "message.md", Definitions: message.Definitions},
		{Check: "reports", Doc: "reports.md", Definitions: reports.Definitions},
	}
}

// All returns every definition, sorted by ID.
func All() []report.Definition {
	var all []report.Definition
	for _, g := range Groups() {
		all = append(all, g.Definitions...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return all
}

// Title is the title of a finding in lang, from the catalogs.
func Title(lang i18n.Lang, d report.Definition) string {
	return i18n.For(lang).Label(d.ID + ".title")
}

// byID indexes the registry.
var byID = func() map[string]report.Definition {
	m := map[string]report.Definition{}
	for _, d := range All() {
		m[d.ID] = d
	}
	return m
}()

// Lookup returns the definition of id.
func Lookup(id string) (report.Definition, bool) {
	d, ok := byID[id]
	return d, ok
}

// Validate checks the findings of a report against the registry: every ID
// is defined, every variant is declared, and every severity is the
// definition's or its variant's (a severity chosen in code and not declared
// is a bug the tests catch). It returns one line per problem.
func Validate(rep *report.Report) []string {
	var out []string
	for _, secs := range [][]report.Section{rep.Sections, rep.Environment} {
		for _, s := range secs {
			for _, f := range s.Findings {
				d, ok := byID[f.ID]
				if !ok {
					out = append(out, f.ID+": not in the registry (internal/catalog)")
					continue
				}
				want := d.Severity
				if f.Variant != "" {
					found := false
					for _, v := range d.Variants {
						if v.Name == f.Variant {
							want, found = v.Severity, true
						}
					}
					if !found {
						out = append(out, f.ID+": variant "+f.Variant+" is not declared")
						continue
					}
				}
				if f.Severity != want {
					out = append(out, f.ID+": severity "+string(f.Severity)+", declared "+string(want))
				}
			}
		}
	}
	return out
}

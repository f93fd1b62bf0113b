// Package catalog gathers the finding definitions of every check package,
// so that tools (and the docs test) can see all finding IDs in one place.
// A new check package adds its Definitions here.
package catalog

import (
	"sort"

	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/spf"
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
		{Check: "dmarc", Doc: "dmarc.md", Definitions: dmarc.Definitions},
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

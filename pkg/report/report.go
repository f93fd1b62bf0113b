// Package report is mailcheck's result model: a Report made of Sections, each
// holding the Findings of one check. It is pure data: checks build it, renderers
// print it, and its JSON tags are the public schema documented in docs/json.md.
// Nothing in this package prints or touches the network.
package report

import (
	"time"
)

// SchemaVersion is the version of the JSON document. It changes only when a
// field is removed or changes meaning; adding a field keeps the version.
const SchemaVersion = 1

// Report is the result of one mailcheck run against one target.
type Report struct {
	SchemaVersion int `json:"schema_version"`
	// Lang is the language of the report's words ("en", "fr"); IDs, keys
	// and parameters are the same in every language.
	Lang        string    `json:"lang,omitempty"`
	Tool        Tool      `json:"tool"`
	Command     string    `json:"command"`
	Target      string    `json:"target"`
	GeneratedAt time.Time `json:"generated_at"`
	Sections    []Section `json:"sections"`
	// Score, TopFixes and Readiness are set by `mailcheck domain`.
	Score     *Score      `json:"score,omitempty"`
	TopFixes  []TopFix    `json:"top_fixes,omitempty"`
	Readiness []Readiness `json:"readiness,omitempty"`
	// Environment holds reports about the machine mailcheck runs on
	// (outbound SMTP reachability), never part of the domain score.
	Environment []Section `json:"environment,omitempty"`
	// DNS counts the queries the run needed; absent when no resolver was used.
	DNS *DNSStats `json:"dns,omitempty"`
}

// Tool names the program that produced the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// DNSStats summarizes resolver use for one run.
type DNSStats struct {
	// Resolver is where queries went: "host:port", or "zone files" offline.
	Resolver string `json:"resolver"`
	// Lookups is how many (name, type) lookups checks asked for.
	Lookups int64 `json:"lookups"`
	// Distinct is how many of those were different (name, type) pairs.
	Distinct int64 `json:"distinct"`
	// Queries is how many queries went to the resolver, retries included.
	Queries int64 `json:"queries"`
}

// Section is the result of one check (dmarc, spf, ...) on one target.
type Section struct {
	// Check is the stable name of the check, as used on the command line.
	Check string `json:"check"`
	// Title is the human name of the check ("DMARC").
	Title string `json:"title"`
	// Target is what was checked: a domain, an address or a host.
	Target string `json:"target"`
	Status Status `json:"status"`
	// Summary is one line for humans saying what was found.
	Summary  Msg       `json:"summary"`
	Findings []Finding `json:"findings"`
	// Data holds the evidence the check found (records, trees, key sizes), so
	// JSON users get facts and not only verdicts. Its shape is per check and
	// documented in docs/json.md.
	Data any `json:"data,omitempty"`
	// Display is a check-neutral view of the evidence for the text and
	// Markdown renderers. It is not part of the JSON schema: Data is.
	Display Display `json:"-"`
}

// Display is what a renderer shows of a section's evidence, kept generic so
// that renderers need not know any check's data types.
type Display struct {
	Facts  []Fact
	Tables []Table
	Trees  []Node
}

// Fact is one labelled value ("record", "v=DMARC1; p=reject").
type Fact struct {
	Label Msg
	Value Msg
}

// Table is a small grid of evidence (hosts by ports, addresses by lists).
type Table struct {
	Title   Msg
	Columns []Msg
	Rows    [][]Msg
}

// Node is one node of a tree of evidence (the SPF include tree).
type Node struct {
	Label    Msg
	Note     Msg
	Children []Node
}

// Finding is one thing a check noticed. ID is stable across releases and is
// documented in docs/findings/. A check sets the ID, the severity (that of
// its Definition or of a declared Variant) and the Params; Title, Detail and
// Fix are words, which the localizer (internal/i18n) fills from the message
// catalogs in the language of the run.
type Finding struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	// Inconclusive marks a finding that says the check could not decide
	// (timeout, SERVFAIL, refused query). Such a finding makes its section
	// "unknown", never "fail", and never trips --fail-on.
	Inconclusive bool `json:"inconclusive,omitempty"`
	// Variant names the declared variant of the finding (its own wording,
	// and perhaps severity), empty for the finding as defined.
	Variant string `json:"variant,omitempty"`
	// Params are the facts of this case, the same in every language.
	Params Params `json:"params,omitempty"`
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
	Fix    string `json:"fix,omitempty"`
	// Record is the exact DNS record to publish, when one fixes the problem.
	Record *Record `json:"record,omitempty"`
	// Refs cite the rule, e.g. "RFC 9989 §4.10".
	Refs []string `json:"refs,omitempty"`
}

// Record is a DNS record in presentation form, ready to publish.
type Record struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

// String formats the record as one zone-file line.
func (r Record) String() string {
	return r.Name + ". IN " + r.Type + " " + r.Value
}

// Definition declares a finding ID once: its default severity, the rule it
// comes from and its declared variants. Each check package lists its
// definitions in findings.go; internal/catalog registers them all, and the
// docs generator and the catalog tests read that registry. The words are
// in the catalogs, under the finding's ID.
type Definition struct {
	ID           string
	Severity     Severity
	Inconclusive bool
	Refs         []string
	// Variants are the other ways the check reports this finding: each has
	// its own wording in the catalogs and may have its own severity.
	Variants []Variant
}

// Variant is a declared variant of a finding: its name (the catalog key
// <id>.<name>.detail) and its severity.
type Variant struct {
	Name     string
	Severity Severity
}

// With returns the finding as defined, about the facts p. The finding's
// Refs are the definition's, shared and clipped to their length (an append
// copies them): a report carries some twenty findings a domain, and no
// code edits a reference in place.
func (d Definition) With(p Params) Finding {
	if p == nil {
		p = Params{}
	}
	var refs []string
	if len(d.Refs) > 0 {
		refs = d.Refs[:len(d.Refs):len(d.Refs)]
	}
	return Finding{
		ID:           d.ID,
		Severity:     d.Severity,
		Inconclusive: d.Inconclusive,
		Params:       p,
		Refs:         refs,
	}
}

// Alt returns the declared variant name of the finding, with its severity,
// about the facts p. A name that is not declared keeps the default severity
// and is reported by the catalog tests (internal/catalog.Validate).
func (d Definition) Alt(name string, p Params) Finding {
	f := d.With(p)
	f.Variant = name
	for _, v := range d.Variants {
		if v.Name == name {
			f.Severity = v.Severity
		}
	}
	return f
}

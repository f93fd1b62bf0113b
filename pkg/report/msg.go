package report

import (
	"sync"
	"sync/atomic"
)

// Params are the typed facts a finding or a message is about: the domain,
// the record, the count, the address. Checks fill them; the words around them
// live in the message catalogs (internal/i18n), one per language. Values are
// strings, integers, floats, booleans, []string (shown as a list) and Msg (a
// nested message, worded in the same language).
//
// Keys are lower-case identifiers ("domain", "count"); "count", when present,
// chooses the plural form of the message (CLDR rules: French "1 hôte" and
// "0 hôte", English "0 hosts").
type Params map[string]any

// Msg is words for a person: a message of the catalogs, named by Key and
// filled with Params, or a literal (Key empty) that is data to show as it is
// (a host name, a record, an address). pkg/ builds Msgs and never prose; the
// localizer (internal/i18n) sets Text in the chosen language before anything
// is rendered, and JSON writes that text as a plain string.
type Msg struct {
	// Key names the catalog message; empty for a literal.
	Key string
	// Else is the message used when the catalog has no Key (a variant's fix
	// falling back on the finding's own); empty: none.
	Else string
	// Optional messages that are in no catalog come out empty rather than
	// as their key (a finding with no fix).
	Optional bool
	Params   Params
	// Text is the words: the literal, or what the localizer made of Key.
	Text string
}

// T returns the catalog message key filled with p.
func T(key string, p Params) Msg { return Msg{Key: key, Params: p} }

// Lit returns a literal: data shown as it is, never translated.
func Lit(s string) Msg { return Msg{Text: s} }

// Lits returns literals, one per string (a table row of data).
func Lits(ss ...string) []Msg {
	out := make([]Msg, len(ss))
	for i, s := range ss {
		out[i] = Lit(s)
	}
	return out
}

// String returns the words: the literal or localized text, else the key (a
// message that has not been through the localizer shows its key, which the
// tests catch).
func (m Msg) String() string {
	if m.Text != "" || m.Key == "" || m.Optional {
		return m.Text
	}
	return m.Key
}

// IsZero reports whether there are no words, so that `omitzero` drops an
// empty message from JSON.
func (m Msg) IsZero() bool { return m.String() == "" }

// MarshalText gives the words, which JSON writes as a string: the schema
// of every prose field is a string in the report's language ("lang"). Text
// rather than JSON marshaling lets the report's encoder write the string
// itself, with its own escaping (no HTML escapes) and no second scan.
func (m Msg) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads a prose field back as a literal (tools reading
// reports).
func (m *Msg) UnmarshalText(b []byte) error {
	*m = Lit(string(b))
	return nil
}

// Catalog keys of a finding's words (docs/findings.md): <id>.title, and
// <id>.detail and <id>.fix, or <id>.<variant>.detail and <id>.<variant>.fix
// for a declared variant, whose fix falls back on the finding's own.

// TitleMsg is the finding's title.
func (f Finding) TitleMsg() Msg {
	return Msg{Key: keysOf(f.ID, f.Variant).title, Params: f.Params}
}

// DetailMsg is what the finding says about this case.
func (f Finding) DetailMsg() Msg {
	k := keysOf(f.ID, f.Variant)
	return Msg{Key: k.detail, Else: k.detailElse, Optional: true, Params: f.Params}
}

// FixMsg is the change that fixes it, when there is one.
func (f Finding) FixMsg() Msg {
	k := keysOf(f.ID, f.Variant)
	return Msg{Key: k.fix, Else: k.fixElse, Optional: true, Params: f.Params}
}

// findingKeys are the catalog keys of a finding's words, made once per ID
// and variant: a bulk run asks for them several times per finding (fixes,
// scoring, wording), and building them was an allocation each time.
type findingKeys struct{ title, detail, detailElse, fix, fixElse string }

type idVariant struct{ id, variant string }

// findingKeysTable is copied on write: IDs and variants are the few
// hundred the checks declare, read by every report.
var (
	findingKeysMu    sync.Mutex
	findingKeysTable atomic.Pointer[map[idVariant]*findingKeys]
)

// maxFindingKeys bounds the table (IDs come from the checks' tables, but
// nothing forces a finding to be declared).
const maxFindingKeys = 4096

func keysOf(id, variant string) *findingKeys {
	k := idVariant{id, variant}
	if t := findingKeysTable.Load(); t != nil {
		if fk := (*t)[k]; fk != nil {
			return fk
		}
	}
	fk := &findingKeys{title: id + ".title", detail: id + ".detail", fix: id + ".fix"}
	if variant != "" {
		fk.detail, fk.detailElse = id+"."+variant+".detail", fk.detail
		fk.fix, fk.fixElse = id+"."+variant+".fix", fk.fix
	}
	findingKeysMu.Lock()
	defer findingKeysMu.Unlock()
	old := findingKeysTable.Load()
	if old != nil && len(*old) >= maxFindingKeys {
		return fk
	}
	next := make(map[idVariant]*findingKeys, 1+mapLen(old))
	if old != nil {
		for k, v := range *old {
			next[k] = v
		}
	}
	next[k] = fk
	findingKeysTable.Store(&next)
	return fk
}

func mapLen(m *map[idVariant]*findingKeys) int {
	if m == nil {
		return 0
	}
	return len(*m)
}

// LitRows returns a table of literals.
func LitRows(rows [][]string) [][]Msg {
	out := make([][]Msg, len(rows))
	for i, r := range rows {
		out[i] = Lits(r...)
	}
	return out
}

// Strings returns the words of each message.
func Strings(ms []Msg) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.String()
	}
	return out
}

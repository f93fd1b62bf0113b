package i18n

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// paramSets returns parameter sets for a message's placeholders: each
// absent, empty, a word, numbers, booleans, a nested message, and mixes.
func paramSets(names []string) []report.Params {
	values := []any{nil, "", "mx1.shop.example", 0, 1, 2, 7, true, false, int64(3), uint16(25), 99.5,
		[]string{"a", "b"}, report.Lit("literal"), report.T("render.status.pass", nil), []int{1, 2}, struct{ A int }{4}}
	var out []report.Params
	for vi := range values {
		// Every placeholder the same value, then mixes.
		for shift := 0; shift < 3; shift++ {
			p := report.Params{}
			for i, n := range names {
				v := values[(vi+i*shift)%len(values)]
				if v != nil {
					p[n] = v
				}
			}
			out = append(out, p)
		}
	}
	return out
}

// Every form of every message of the catalogs words the same through the
// compiled program as through text/template, for many parameter sets.
func TestProgramsAgree(t *testing.T) {
	compiled, total := 0, 0
	for _, lang := range Langs {
		l := For(lang)
		msgs, err := Messages(lang)
		if err != nil {
			t.Fatal(err)
		}
		keys := make([]string, 0, len(msgs))
		for k := range msgs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, key := range keys {
			e := l.entries[key]
			for form := range numForms {
				text := formText(e.msg, form)
				if text == "" || !strings.Contains(text, "{{") {
					continue
				}
				total++
				p := e.program(key, form)
				if p.err != nil {
					t.Errorf("%s %s: %v", lang, key, p.err)
					continue
				}
				if p.nodes == nil {
					continue // text/template's own
				}
				compiled++
				for _, params := range paramSets(placeholders(e.msg)) {
					pre := &prepared{p: params}
					var b strings.Builder
					ok := l.exec(p.nodes, &b, pre)
					var want strings.Builder
					werr := p.tmpl.Execute(&want, (&prepared{p: params}).dataMap(l))
					if !ok {
						continue // left to text/template
					}
					if werr != nil || b.String() != want.String() {
						t.Errorf("%s %s [%s] %v:\ncompiled %q\ntemplate %q (%v)", lang, key, formNames[form], params, b.String(), want.String(), werr)
					}
				}
			}
		}
	}
	if compiled < total*9/10 {
		t.Errorf("only %d of %d templates compiled", compiled, total)
	}
	t.Logf("%d of %d templates compiled", compiled, total)
}

// Plural messages word as go-i18n words them, for counts of every form.
func TestPluralAgreesWithGoI18n(t *testing.T) {
	counts := []any{0, 1, 2, 3, 5, 11, 21, 100, 255, 256, 1000000, -1, int64(1), "1", "1.5", "0", 1.5, true, nil}
	for _, lang := range Langs {
		l := For(lang)
		msgs, _ := Messages(lang)
		n := 0
		for key, m := range msgs {
			if newEntry(m, false).single {
				continue
			}
			n++
			for _, c := range counts {
				params := report.Params{}
				for _, name := range placeholders(m) {
					params[name] = "x"
				}
				if c != nil {
					params["count"] = c
				}
				got := l.Text(report.T(key, params))
				s, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: key, TemplateData: (&prepared{p: params}).dataMap(l), PluralCount: params["count"]})
				want := strings.ReplaceAll(s, "<no value>", "")
				if s == "" && (err != nil || strings.Contains(s, "<no value>")) {
					want = key
				}
				if got != want {
					t.Errorf("%s %s count %#v: %q, go-i18n %q (%v)", lang, key, c, got, want, err)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no plural message", lang)
		}
	}
}

// A value text/template prints in its own way (a pointer: the value it
// points to) is left to text/template.
func TestProgramPointerLeftToTemplate(t *testing.T) {
	p := compile("k", "", "at {{.v}}")
	if p.nodes == nil {
		t.Fatal("not compiled")
	}
	n := 5
	got, err := p.run(For(English), &prepared{p: report.Params{"v": &n}})
	if err != nil || got != "at 5" {
		t.Errorf("%q, %v; want text/template's %q", got, err, "at 5")
	}
	if got, _ := compile("k", "", `{{if eq .v "a"}}A{{else}}B{{end}}`).run(For(English), &prepared{p: report.Params{"v": "a"}}); got != "A" {
		t.Errorf("eq: %q", got)
	}
	if p := compile("k", "", `{{if eq .v "a"}}A{{end}}`); p.nodes != nil {
		t.Error("eq compiled")
	}
	if got := fmt.Sprint(pluralForm(For(French).loc, For(French).forms, 1)); got != fmt.Sprint(formOne, true) {
		t.Errorf("French 1: form %s", got)
	}
}

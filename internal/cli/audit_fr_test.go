package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/catalog"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// auditWords reports whether a catalog key is the domain audit's, the
// score's or the SMTP probe's (pkg/audit, pkg/score, pkg/smtpprobe).
func auditWords(key string) bool {
	for _, p := range []string{"audit.", "score.", "smtp.", "env."} {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// englishLeft fails on any English sentence of those catalogs found in a
// French output: the words without parameters, long enough to be prose.
func englishLeft(t *testing.T, what, out string) {
	t.Helper()
	en, _ := i18n.Messages(i18n.English)
	fr, _ := i18n.Messages(i18n.French)
	for k, m := range en {
		if !auditWords(k) || fr[k] == nil || strings.HasPrefix(fr[k].Description, "same") {
			continue
		}
		for _, s := range []string{m.Other, m.One} {
			for _, part := range strings.Split(s, "{{") {
				if _, rest, ok := strings.Cut(part, "}}"); ok {
					part = rest
				}
				if len(part) >= 16 && strings.Contains(out, part) {
					t.Errorf("%s: English %q (%s) in the French output", what, part, k)
				}
			}
		}
	}
}

// mailcheck domain --lang fr on the bundled zones: the score's meaning,
// the checklist (French providers included), the top fixes' joining words,
// the parked findings and the SMTP sections are French; no message of
// these catalogs is missing, and every finding's variant and severity are
// declared.
func TestDomainFrenchAuditWords(t *testing.T) {
	cases := [][]string{
		{"domain", "shop.example", "--zone", demoZone},
		{"domain", "parked.example", "--zone", "../../testdata/zones/parked-good.zone"},
		{"domain", "retired.example", "--zone", "../../testdata/zones/parked-not-yet.zone", "--parked"},
		{"ports", "shop.example", "--zone", demoZone},
	}
	for _, args := range cases {
		for _, format := range []string{"text", "markdown"} {
			r := run(t, append(append([]string{}, args...), "--lang", "fr", "--details", "--format", format, "--fail-on", "none")...)
			if r.stdout == "" {
				t.Fatalf("%v: no output (exit %d, %s)", args, r.code, r.stderr)
			}
			englishLeft(t, strings.Join(args, " ")+" "+format, r.stdout)
		}
		r := run(t, append(append([]string{}, args...), "--lang", "fr", "--format", "json", "--fail-on", "none")...)
		var reps []report.Report
		if err := json.Unmarshal([]byte(r.stdout), &reps); err != nil {
			var one report.Report
			if err := json.Unmarshal([]byte(r.stdout), &one); err != nil {
				t.Fatalf("%v: JSON: %v", args, err)
			}
			reps = []report.Report{one}
		}
		for i := range reps {
			if reps[i].Lang != "fr" {
				t.Errorf("%v: lang %q", args, reps[i].Lang)
			}
			// Only these packages' findings: the others may still be
			// worded by their checks, which JSON does not say.
			rep := reps[i]
			for j := range rep.Sections {
				rep.Sections[j].Findings = mine(rep.Sections[j].Findings)
			}
			for j := range rep.Environment {
				rep.Environment[j].Findings = mine(rep.Environment[j].Findings)
			}
			for _, p := range catalog.Validate(&rep) {
				t.Errorf("%v: %s", args, p)
			}
		}
	}
	for _, k := range i18n.For(i18n.French).Missing() {
		if auditWords(k) {
			t.Errorf("missing from the French catalogs: %s", k)
		}
	}
}

func mine(fs []report.Finding) []report.Finding {
	var out []report.Finding
	for _, f := range fs {
		if auditWords(f.ID + ".") {
			out = append(out, f)
		}
	}
	return out
}

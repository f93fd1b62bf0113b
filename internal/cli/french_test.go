package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/catalog"
	"github.com/mailcheck/mailcheck/internal/conformance"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/report"
)

var originLine = regexp.MustCompile(`(?m)^\$ORIGIN\s+(\S+?)\.?\s*$`)

// frenchRuns are the commands the French tests run: every check on every
// bundled zone (the demo zones and the QA zones with many problems at
// once), and the ticket commands on the bundled public samples.
func frenchRuns(t *testing.T) [][]string {
	t.Helper()
	var runs [][]string
	zones, _ := filepath.Glob("../../testdata/zones/*.zone")
	qa, _ := filepath.Glob("../schema/testdata/qa/*.zone")
	for _, z := range append(zones, qa...) {
		data, err := os.ReadFile(z)
		if err != nil {
			t.Fatal(err)
		}
		apex := strings.TrimSuffix(filepath.Base(z), ".zone")
		if m := originLine.FindSubmatch(data); m != nil {
			apex = string(m[1])
		}
		runs = append(runs, []string{"domain", apex, "--zone", z, "--details"})
	}
	runs = append(runs, []string{"domain", "shop.example", "--zone", "../../testdata/zones/shop.example.zone"},
		[]string{"domain", "parked-good.example", "--zone", "../../testdata/zones/parked-good.zone", "--parked"})
	for _, c := range []string{"spf", "dkim", "dmarc", "mx", "dnsbl", "ports"} {
		runs = append(runs, []string{c, "shop.example", "--zone", "../../testdata/zones/shop.example.zone"})
	}
	bounces, _ := filepath.Glob(filepath.Join(conformance.Dir(t), "bounce", "messages", "*.eml"))
	for i, b := range bounces {
		if i%7 == 0 { // a spread of the corpus: every MTA family appears
			runs = append(runs, []string{"bounce", b})
		}
	}
	runs = append(runs, []string{"reports", filepath.Join(conformance.Dir(t), "dmarc-reports", "reports"), "--no-dns"})
	msgs, _ := filepath.Glob("../../testdata/messages/*.eml")
	for _, m := range msgs {
		runs = append(runs, []string{"message", m, "--zone", "../../testdata/zones/message-shop.zone"})
	}
	return runs
}

// TestFrenchOutputHasNoEnglish: with LANG=fr_FR.UTF-8, text and Markdown
// carry no English sentence of the catalogs and no message key, every
// finding is registered with a declared variant and severity, and JSON says
// "lang": "fr" and keeps its IDs.
func TestFrenchOutputHasNoEnglish(t *testing.T) {
	fr := func(f *Factory, _ *bytes.Buffer) {
		f.Getenv = func(k string) string {
			if k == "LANG" {
				return "fr_FR.UTF-8"
			}
			return ""
		}
	}
	for _, args := range frenchRuns(t) {
		what := strings.Join(args, " ")
		for _, format := range []string{"text", "markdown"} {
			r := runWith(t, fr, append(args, "--format", format)...)
			if r.code == ExitBadInput {
				t.Errorf("%s: exit 2: %s", what, r.stderr)
				continue
			}
			if left := i18n.EnglishIn(r.stdout); len(left) > 0 {
				t.Errorf("%s --format %s: English left: %q", what, format, left)
			}
		}
		r := runWith(t, fr, append(args, "--format", "json")...)
		var reps []report.Report
		if strings.HasPrefix(strings.TrimSpace(r.stdout), "[") {
			_ = json.Unmarshal([]byte(r.stdout), &reps)
		} else {
			var rep report.Report
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Errorf("%s: JSON: %v", what, err)
				continue
			}
			reps = append(reps, rep)
		}
		for i := range reps {
			if reps[i].Lang != "fr" {
				t.Errorf("%s: lang %q", what, reps[i].Lang)
			}
			for _, p := range catalog.Validate(&reps[i]) {
				t.Errorf("%s: %s", what, p)
			}
			for _, sec := range append(reps[i].Sections, reps[i].Environment...) {
				for _, f := range sec.Findings {
					if en := i18n.For(i18n.English).Label(f.ID + ".title"); f.Title == en && f.Title != i18n.For(i18n.French).Label(f.ID+".title") {
						t.Errorf("%s: %s: English title %q", what, f.ID, f.Title)
					}
					if f.Title == "" || strings.HasPrefix(f.Title, f.ID) {
						t.Errorf("%s: %s: no words (%q)", what, f.ID, f.Title)
					}
				}
			}
		}
	}
	if m := i18n.For(i18n.French).Missing(); len(m) > 0 {
		t.Errorf("messages without French or without any words: %q", m)
	}
	if m := i18n.For(i18n.English).Missing(); len(m) > 0 {
		t.Errorf("messages in no catalog: %q", m)
	}
}

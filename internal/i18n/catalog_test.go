package i18n

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/mailcheck/mailcheck/pkg/report"
)

var fix = flag.Bool("fix", false, "rewrite the French catalogs with French typography (no-break spaces)")

func forms(m *goi18n.Message) map[string]string {
	out := map[string]string{}
	for k, v := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

var action = regexp.MustCompile(`\{\{[^}]*\}\}`)

// words finds prose: two letters in a row outside template actions.
var words = regexp.MustCompile(`[A-Za-z]{2}`)
var field = regexp.MustCompile(`\.([A-Za-z_][A-Za-z0-9_]*)`)

// placeholders returns the parameters a message's forms refer to.
func placeholders(m *goi18n.Message) []string {
	set := map[string]bool{}
	for _, s := range forms(m) {
		for _, a := range action.FindAllString(s, -1) {
			for _, f := range field.FindAllStringSubmatch(a, -1) {
				set[f[1]] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func catalogs(t *testing.T) (en, fr map[string]*goi18n.Message) {
	t.Helper()
	if err := LoadError(); err != nil {
		t.Fatal(err)
	}
	en, _ = Messages(English)
	fr, _ = Messages(French)
	if len(en) == 0 || len(fr) == 0 {
		t.Fatal("empty catalog")
	}
	return en, fr
}

// TestEveryMessageHasFrench fails on an English message with no French text,
// on a French message English lacks (a typo in a key), and on placeholders
// that differ between the two.
func TestEveryMessageHasFrench(t *testing.T) {
	en, fr := catalogs(t)
	for k, m := range en {
		f, ok := fr[k]
		if !ok {
			t.Errorf("%s: no French text", k)
			continue
		}
		if a, b := strings.Join(placeholders(m), ","), strings.Join(placeholders(f), ","); a != b {
			t.Errorf("%s: placeholders differ: en {%s}, fr {%s}", k, a, b)
		}
		if (m.One != "") != (f.One != "") || (m.Other != "") != (f.Other != "") {
			t.Errorf("%s: plural forms differ between English and French", k)
		}
	}
	for k := range fr {
		if strings.HasPrefix(k, "help.mailcheck.") {
			// The command line's help: its English is the Go source
			// (cobra), held to its translation by internal/cli's
			// TestHelpInFrench.
			continue
		}
		if _, ok := en[k]; !ok {
			t.Errorf("%s: French text for a message English does not have", k)
		}
	}
}

// TestFrenchIsNotEnglish fails when a French text is the English one, unless
// its description says the words are the same in every language (a record,
// a list, a protocol name).
func TestFrenchIsNotEnglish(t *testing.T) {
	en, fr := catalogs(t)
	for k, m := range en {
		f := fr[k]
		if f == nil || strings.HasPrefix(f.Description, "same") {
			continue
		}
		for form, s := range forms(m) {
			if forms(f)[form] == s && words.MatchString(action.ReplaceAllString(s, "")) {
				t.Errorf("%s (%s): French is the English text %q", k, form, s)
			}
		}
	}
}

// French typography (Lexique des règles typographiques en usage à
// l'Imprimerie nationale): a no-break space before the colon, a narrow
// no-break space before ; ! ?, no-break spaces inside « ».
var frenchSpaces = []struct{ bad, good string }{
	{" :", "\u00a0:"}, {" ;", "\u202f;"}, {" !", "\u202f!"}, {" ?", "\u202f?"},
	{"« ", "«\u00a0"}, {" »", "\u00a0»"},
}

func TestFrenchTypography(t *testing.T) {
	if *fix {
		files, _ := filepath.Glob("locales/*fr.toml")
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			s := string(b)
			var out []string
			for _, line := range strings.Split(s, "\n") {
				if !strings.HasPrefix(strings.TrimSpace(line), "#") && strings.Contains(line, "=") {
					for _, r := range frenchSpaces {
						line = strings.ReplaceAll(line, r.bad, r.good)
					}
				}
				out = append(out, line)
			}
			if err := os.WriteFile(f, []byte(strings.Join(out, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	_, fr := catalogs(t)
	for k, m := range fr {
		for form, s := range forms(m) {
			prose := action.ReplaceAllString(s, "X")
			for _, r := range frenchSpaces {
				if strings.Contains(prose, r.bad) {
					t.Errorf("%s (%s): %q wants %q (go test ./internal/i18n -run TestFrenchTypography -fix)", k, form, r.bad, r.good)
				}
			}
		}
	}
}

func TestEnglishIn(t *testing.T) {
	en := For(English).Text(report.T("render.details_hint", nil))
	fr := For(French).Text(report.T("render.details_hint", nil))
	if len(EnglishIn("x "+en+" y")) == 0 {
		t.Errorf("English %q not found", en)
	}
	if got := EnglishIn(fr); len(got) != 0 {
		t.Errorf("French %q read as English: %q", fr, got)
	}
}

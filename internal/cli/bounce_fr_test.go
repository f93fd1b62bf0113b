package cli

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/catalog"
	"github.com/mailcheck/mailcheck/internal/conformance"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/bounce"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// englishFragments are the words of the bounce catalog's English messages
// that French must not show (i18n.Fragments: runs of three words or more;
// shorter ones, "hard" or "sender", are also found in the data a bounce
// quotes).
func englishFragments(t *testing.T) []string {
	t.Helper()
	out := i18n.Fragments("bounce.")
	if len(out) < 100 {
		t.Fatalf("only %d English fragments: the catalog was not read", len(out))
	}
	return out
}

// TestBounceFrench runs `mailcheck bounce --lang fr` on every bounce of the
// bundled corpus (and a Gmail refusal written here): the text and Markdown
// reports show no English sentence of the bounce catalog and no message
// key, the French catalog lacks nothing asked, and every finding is in the
// registry with its declared severity.
func TestBounceFrench(t *testing.T) {
	corpus := conformance.Path(t, "bounce", "messages")
	gmail := writeFile(t, "gmail.eml", gmailBounce())
	frags := englishFragments(t)
	ids := map[string]bool{}
	for _, d := range bounce.Definitions {
		ids[d.ID] = true
	}
	spaces := regexp.MustCompile(`[ \t\r\n]+`)
	key := regexp.MustCompile(`\bbounce\.[a-z0-9_]+(?:\.[a-z0-9_]+)*`)
	for _, format := range []string{"text", "markdown"} {
		r := run(t, "bounce", corpus, gmail, "--lang", "fr", "--format", format, "--fail-on", "none")
		if r.code != ExitOK {
			t.Fatalf("%s: exit %d: %s", format, r.code, r.stderr)
		}
		// Markdown escapes undone, text wrapping joined.
		out := spaces.ReplaceAllString(strings.ReplaceAll(r.stdout, "\\_", "_"), " ")
		if !strings.Contains(out, "Orange a suspendu l'adresse IP d'envoi") || !strings.Contains(out, "Gmail a refusé le message") {
			t.Errorf("%s: the French explanations are not there", format)
		}
		for _, f := range frags {
			if strings.Contains(out, f) {
				t.Errorf("%s: English left: %q", format, f)
			}
		}
		if left := i18n.EnglishIn(out); len(left) > 0 {
			t.Errorf("%s: English of the catalogs left: %q", format, left)
		}
		for _, k := range key.FindAllString(out, -1) {
			if !ids[k] {
				t.Errorf("%s: message key shown: %s", format, k)
			}
		}
	}
	for _, k := range i18n.For(i18n.French).Missing() {
		if strings.HasPrefix(k, "bounce.") || strings.HasPrefix(k, "hint.bounce") {
			t.Errorf("French message missing: %s", k)
		}
	}

	r := run(t, "bounce", corpus, gmail, "--lang", "fr", "--format", "json", "--fail-on", "none")
	var rep report.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("json: %v", err)
	}
	if rep.Lang != "fr" || len(rep.Sections) < 250 {
		t.Fatalf("lang %q, %d sections", rep.Lang, len(rep.Sections))
	}
	if problems := catalog.Validate(&rep); len(problems) > 0 {
		t.Errorf("catalog.Validate: %v", problems)
	}
}

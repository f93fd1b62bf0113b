package dkim

import (
	"os"
	"strings"
	"testing"
)

// TestFindingsDocumented: every definition has a "### id" entry in
// docs/findings/dkim.md whose Severity line starts with its default
// severity, and every entry there is a definition. (internal/catalog runs
// the same test for all checks once this package is registered there.)
func TestFindingsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/findings/dkim.md")
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{}
	current := ""
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if id, ok := strings.CutPrefix(line, "### "); ok {
			current = strings.Trim(id, "` ")
			if _, dup := docs[current]; dup {
				t.Errorf("%s documented twice", current)
			}
			docs[current] = ""
			continue
		}
		if sev, ok := strings.CutPrefix(line, "Severity:"); ok && current != "" && docs[current] == "" {
			docs[current] = strings.Fields(sev + " x")[0]
		}
	}
	defined := map[string]bool{}
	for _, d := range Definitions {
		if defined[d.ID] {
			t.Errorf("%s defined twice", d.ID)
		}
		defined[d.ID] = true
		sev, ok := docs[d.ID]
		switch {
		case !ok:
			t.Errorf("%s has no entry in docs/findings/dkim.md", d.ID)
		case sev != string(d.Severity):
			t.Errorf("%s: docs say severity %q, definition %q", d.ID, sev, d.Severity)
		}
		if !strings.HasPrefix(d.ID, "dkim.") || d.Title == "" || len(d.Refs) == 0 {
			t.Errorf("%s: malformed definition %+v", d.ID, d)
		}
	}
	for id := range docs {
		if !defined[id] {
			t.Errorf("docs/findings/dkim.md documents %s, which is not a definition", id)
		}
	}
}

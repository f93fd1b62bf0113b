package dnsbl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFindingsDocumented: every definition has a docs/findings/dnsbl.md entry
// whose Severity line starts with its default severity, and every entry has
// a definition (internal/catalog checks the same for every package once the
// package is registered there).
func TestFindingsDocumented(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "findings", "dnsbl.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := map[string]string{}
	current := ""
	for _, line := range strings.Split(string(data), "\n") {
		if id, ok := strings.CutPrefix(line, "### "); ok {
			current = strings.TrimSpace(id)
			doc[current] = ""
			continue
		}
		if sev, ok := strings.CutPrefix(line, "Severity:"); ok && current != "" && doc[current] == "" {
			doc[current] = strings.Fields(sev)[0]
		}
	}
	seen := map[string]bool{}
	for _, d := range Definitions {
		if seen[d.ID] {
			t.Errorf("%s defined twice", d.ID)
		}
		seen[d.ID] = true
		if !strings.HasPrefix(d.ID, "dnsbl.") || d.Title == "" || len(d.Refs) == 0 {
			t.Errorf("definition %+v", d)
		}
		sev, ok := doc[d.ID]
		switch {
		case !ok:
			t.Errorf("%s has no docs entry", d.ID)
		case sev != string(d.Severity):
			t.Errorf("%s: docs say %q, code says %q", d.ID, sev, d.Severity)
		}
	}
	for id := range doc {
		if !seen[id] {
			t.Errorf("docs entry %s has no definition", id)
		}
	}
}

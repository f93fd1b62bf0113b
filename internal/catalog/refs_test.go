package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefsCanBeOpened: a finding cites RFCs, Internet-Drafts or public
// documents by address, never a document that ships nowhere (the project's
// internal brief), and neither do the docs a user reads.
func TestRefsCanBeOpened(t *testing.T) {
	for _, d := range All() {
		for _, r := range d.Refs {
			if strings.Contains(r, "DOMAIN.md") || !(strings.HasPrefix(r, "RFC ") || strings.HasPrefix(r, "draft-") || strings.Contains(r, "https://")) {
				t.Errorf("%s cites %q: want an RFC, a draft or an https:// address", d.ID, r)
			}
		}
	}
	docs, _ := filepath.Glob("../../docs/*.md")
	more, _ := filepath.Glob("../../docs/findings/*.md")
	for _, p := range append(append(docs, more...), "../../README.md") {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "DOMAIN.md") {
			t.Errorf("%s cites DOMAIN.md, which ships nowhere", p)
		}
	}
}

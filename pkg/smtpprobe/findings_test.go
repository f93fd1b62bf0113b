package smtpprobe

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// Every definition has an entry in docs/findings/smtp.md whose Severity
// line starts with its default severity, and every entry names a
// definition. (internal/catalog checks the same for all checks once this
// package is registered there.)
func TestDefinitionsDocumented(t *testing.T) {
	f, err := os.Open("../../docs/findings/smtp.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	docs := map[string]string{}
	current := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if id, ok := strings.CutPrefix(line, "### "); ok {
			current = id
			docs[id] = ""
		} else if sev, ok := strings.CutPrefix(line, "Severity:"); ok && current != "" && docs[current] == "" {
			docs[current] = strings.Fields(sev)[0]
		}
	}
	ids := map[string]bool{}
	for _, d := range Definitions {
		if ids[d.ID] {
			t.Errorf("%s defined twice", d.ID)
		}
		ids[d.ID] = true
		sev, ok := docs[d.ID]
		switch {
		case !ok:
			t.Errorf("%s: no entry", d.ID)
		case sev != string(d.Severity):
			t.Errorf("%s: documented as %q, defined as %q", d.ID, sev, d.Severity)
		}
	}
	for id := range docs {
		if !ids[id] {
			t.Errorf("entry %s names no definition", id)
		}
	}
}

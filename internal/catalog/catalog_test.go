package catalog

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/findings.md")

var idPattern = regexp.MustCompile(`^[a-z0-9]+(\.[a-z0-9_]+)+$`)

// docEntry is one "### id" heading of docs/findings/*.md.
type docEntry struct {
	file     string
	severity string // the "Severity:" line's first word
}

func readDocs(t *testing.T, dir string) map[string]docEntry {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no docs in %s: %v", dir, err)
	}
	out := map[string]docEntry{}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		current := ""
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if id, ok := strings.CutPrefix(line, "### "); ok {
				id = strings.Trim(id, "` ")
				if _, dup := out[id]; dup {
					t.Errorf("%s: %s documented twice", path, id)
				}
				current = id
				out[id] = docEntry{file: filepath.Base(path)}
				continue
			}
			if sev, ok := strings.CutPrefix(line, "Severity:"); ok && current != "" && out[current].severity == "" {
				e := out[current]
				e.severity = strings.Fields(sev + " x")[0]
				out[current] = e
			}
		}
		f.Close()
	}
	return out
}

// TestEveryFindingIsDocumented: each ID is well formed and unique, has a
// "### id" entry whose Severity line starts with its default severity, and
// every entry names a real ID.
func TestEveryFindingIsDocumented(t *testing.T) {
	docs := readDocs(t, "../../docs/findings")
	seen := map[string]bool{}
	for _, g := range Groups() {
		if len(g.Definitions) == 0 {
			t.Errorf("%s: no definitions", g.Check)
		}
		for _, d := range g.Definitions {
			if !idPattern.MatchString(d.ID) {
				t.Errorf("%s: malformed ID", d.ID)
			}
			if seen[d.ID] {
				t.Errorf("%s: defined twice", d.ID)
			}
			seen[d.ID] = true
			if d.Severity.Rank() < 0 || d.Title == "" {
				t.Errorf("%s: severity %q, title %q", d.ID, d.Severity, d.Title)
			}
			e, ok := docs[d.ID]
			switch {
			case !ok:
				t.Errorf("%s has no entry in docs/findings/ (add '### %s' to docs/findings/%s)", d.ID, d.ID, g.Doc)
			case e.file != g.Doc:
				t.Errorf("%s is documented in %s, want %s", d.ID, e.file, g.Doc)
			case e.severity != string(d.Severity):
				t.Errorf("%s: docs say severity %q, code says %q", d.ID, e.severity, d.Severity)
			}
		}
	}
	for id, e := range docs {
		if !seen[id] {
			t.Errorf("docs/findings/%s documents %s, which no check defines", e.file, id)
		}
	}
}

// TestIndexIsCurrent: docs/findings.md is generated from the definitions;
// run `go test ./internal/catalog -update` after adding a finding.
func TestIndexIsCurrent(t *testing.T) {
	want := index()
	path := "../../docs/findings.md"
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("docs/findings.md is stale: run go test ./internal/catalog -update")
	}
}

func index() string {
	var b strings.Builder
	b.WriteString(`# Findings

Every finding mailcheck reports has a stable ID (` + "`area.subject.condition`" + `), a default severity and an
entry in the page of its check, saying what it means and how to fix it. This index is generated
from the code (` + "`go test ./internal/catalog -update`" + `); a test fails when an ID has no entry.

Severities: **critical** (the mechanism is void, mail is rejected or the domain is spoofable),
**high** (authentication or delivery fails for some mail), **medium** (material risk),
**low** (hygiene), **info** (no effect). A finding marked *inconclusive* means a check could not
decide (a timeout, SERVFAIL, a refused query): its section is ` + "`unknown`" + `, never ` + "`fail`" + `, and it never
trips ` + "`--fail-on`" + `.

`)
	for _, g := range Groups() {
		fmt.Fprintf(&b, "## %s\n\n| ID | Severity | Finding |\n|---|---|---|\n", g.Check)
		for _, d := range g.Definitions {
			sev := string(d.Severity)
			if d.Inconclusive {
				sev += " (inconclusive)"
			}
			fmt.Fprintf(&b, "| [`%s`](findings/%s#%s) | %s | %s |\n", d.ID, g.Doc, anchor(d.ID), sev, d.Title)
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// anchor is the GitHub heading anchor of "### id": dots dropped.
func anchor(id string) string { return strings.ReplaceAll(id, ".", "") }

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
	"text/template"

	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/report"
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
			if d.Severity.Rank() < 0 || Title(i18n.English, d) == "" {
				t.Errorf("%s: severity %q, title %q", d.ID, d.Severity, Title(i18n.English, d))
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

// TestIndexIsCurrent: docs/findings.md (English) and docs/findings.fr.md
// (French) are generated from the registry and the catalogs; run
// `go test ./internal/catalog -update` after adding a finding.
func TestIndexIsCurrent(t *testing.T) {
	for lang, path := range map[i18n.Lang]string{i18n.English: "../../docs/findings.md", i18n.French: "../../docs/findings.fr.md"} {
		want := index(lang)
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
			t.Errorf("%s is stale: run go test ./internal/catalog -update", path)
		}
	}
}

var intro = map[i18n.Lang]string{
	i18n.English: `# Findings

*[Version française](findings.fr.md)*

Every finding mailcheck reports has a stable ID (` + "`area.subject.condition`" + `), a default severity and an
entry in the page of its check, saying what it means and how to fix it. This index is generated
from the registry of findings and the English catalog (` + "`go test ./internal/catalog -update`" + `); a test
fails when an ID has no entry or no words.

Severities: **critical** (the mechanism is void, mail is rejected or the domain is spoofable),
**high** (authentication or delivery fails for some mail), **medium** (material risk),
**low** (hygiene), **info** (no effect). A finding marked *inconclusive* means a check could not
decide (a timeout, SERVFAIL, a refused query): its section is ` + "`unknown`" + `, never ` + "`fail`" + `, and it never
trips ` + "`--fail-on`" + `. A finding with *variants* is reported in one of several declared ways, each
with its own words and perhaps its own severity; JSON names it in ` + "`variant`" + `.

`,
	i18n.French: `# Constats

*[English version](findings.md)*

Chaque constat de mailcheck a un identifiant stable (` + "`domaine.sujet.condition`" + `), une gravité par
défaut et une entrée dans la page de sa vérification (en anglais), qui dit ce qu'il signifie et comment
le corriger. Cet index est produit à partir du registre des constats et du catalogue français
(` + "`go test ./internal/catalog -update`" + `) ; un test échoue si un identifiant n'a pas d'entrée ou pas
de texte.

Gravités : **critical** (critique : le mécanisme est sans effet, le courrier est rejeté ou le domaine
peut être usurpé), **high** (élevée : l'authentification ou la remise échoue pour une partie du
courrier), **medium** (moyenne : risque réel), **low** (faible : hygiène), **info** (sans effet). Un
constat marqué *non concluant* signifie qu'une vérification n'a pas pu trancher (délai dépassé,
SERVFAIL, requête refusée) : sa section est ` + "`unknown`" + `, jamais ` + "`fail`" + `, et il ne déclenche jamais
` + "`--fail-on`" + `. Un constat à *variantes* est signalé sous l'une de plusieurs formes déclarées, chacune
avec ses propres mots et parfois sa propre gravité ; le JSON la nomme dans ` + "`variant`" + `.

`,
}

var headers = map[i18n.Lang][2]string{
	i18n.English: {"| ID | Severity | Finding |", "inconclusive"},
	i18n.French:  {"| Identifiant | Gravité | Constat |", "non concluant"},
}

func index(lang i18n.Lang) string {
	var b strings.Builder
	b.WriteString(intro[lang])
	for _, g := range Groups() {
		fmt.Fprintf(&b, "## %s\n\n%s\n|---|---|---|\n", g.Check, headers[lang][0])
		for _, d := range g.Definitions {
			link := "findings/" + g.Doc + "#" + anchor(d.ID)
			if lang != i18n.English {
				link = "#" + anchor(d.ID) // the words below, in this language
			}
			fmt.Fprintf(&b, "| [`%s`](%s) | %s | %s |\n", d.ID, link, severities(lang, d), strings.ReplaceAll(Title(lang, d), "|", "\\|"))
		}
		b.WriteString("\n")
		if lang != i18n.English {
			for _, d := range g.Definitions {
				entry(&b, lang, d)
			}
		}
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

func severities(lang i18n.Lang, d report.Definition) string {
	word := func(s report.Severity) string {
		if lang == i18n.English {
			return string(s)
		}
		return i18n.For(lang).Label("render.severity." + string(s))
	}
	semi, colon := "; ", ": "
	if lang == i18n.French {
		semi, colon = "\u202f; ", "\u00a0: " // French typography
	}
	sev := word(d.Severity)
	if d.Inconclusive {
		sev += " (" + headers[lang][1] + ")"
	}
	for _, v := range d.Variants {
		sev += semi + "`" + v.Name + "`" + colon + word(v.Severity)
	}
	return sev
}

var entryWords = map[i18n.Lang][3]string{
	i18n.French: {"Gravité", "Ce que dit le rapport", "Correction"},
}

// entry writes one finding's words from the catalog, each parameter shown
// as ‹name› (and every optional clause shown).
func entry(b *strings.Builder, lang i18n.Lang, d report.Definition) {
	msgs, _ := i18n.Messages(lang)
	w := entryWords[lang]
	fmt.Fprintf(b, "### %s\n\n**%s**\n\n%s\u00a0: %s\n\n", d.ID, Title(lang, d), w[0], severities(lang, d))
	for _, v := range append([]string{""}, variantNames(d)...) {
		key := d.ID
		if v != "" {
			key += "." + v
		}
		for i, part := range []string{"detail", "fix"} {
			m := msgs[key+"."+part]
			if m == nil {
				continue
			}
			label := w[1+i]
			if v != "" {
				label += " (`" + v + "`)"
			}
			fmt.Fprintf(b, "%s\u00a0: %s\n\n", label, shown(m.Other))
		}
	}
	if len(d.Refs) > 0 {
		fmt.Fprintf(b, "_%s_\n\n", strings.Join(d.Refs, "; "))
	}
}

func variantNames(d report.Definition) []string {
	var out []string
	for _, v := range d.Variants {
		out = append(out, v.Name)
	}
	return out
}

var placeholder = regexp.MustCompile(`\{\{[^}]*?\.([a-z_][a-z0-9_]*)[^}]*\}\}`)

// shown executes a message template with every parameter named ‹name›.
func shown(text string) string {
	data := map[string]any{}
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		data[m[1]] = "‹" + m[1] + "›"
	}
	tm, err := template.New("").Parse(text)
	if err != nil {
		return text
	}
	var out strings.Builder
	if err := tm.Execute(&out, data); err != nil {
		return text
	}
	return strings.ReplaceAll(out.String(), "\n", " ")
}

// anchor is the GitHub heading anchor of "### id": dots dropped.
func anchor(id string) string { return strings.ReplaceAll(id, ".", "") }

// TestEveryFindingIsWorded: every registered finding has a title in every
// language, and every declared variant has its own detail or fix (else it
// would not need declaring); severities of variants are real ones.
func TestEveryFindingIsWorded(t *testing.T) {
	for _, lang := range i18n.Langs {
		msgs, err := i18n.Messages(lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range All() {
			if msgs[d.ID+".title"] == nil {
				t.Errorf("%s: %s has no title", lang, d.ID)
			}
			seen := map[string]bool{}
			for _, v := range d.Variants {
				if seen[v.Name] {
					t.Errorf("%s: variant %s declared twice", d.ID, v.Name)
				}
				seen[v.Name] = true
				if v.Severity.Rank() < 0 {
					t.Errorf("%s/%s: severity %q", d.ID, v.Name, v.Severity)
				}
				if lang == i18n.English && msgs[d.ID+"."+v.Name+".detail"] == nil && msgs[d.ID+"."+v.Name+".fix"] == nil && v.Severity == d.Severity {
					t.Errorf("%s: variant %s has neither its own words nor its own severity", d.ID, v.Name)
				}
			}
		}
	}
}

// Package render prints a report.Report as styled text (lipgloss), JSON or
// Markdown. It never touches the network and never decides about terminals:
// the caller passes the color profile and width (internal/iostreams).
package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/muesli/termenv"
)

// TextOptions lay out the text report.
type TextOptions struct {
	Width   int             // columns; 80 when unset
	Profile termenv.Profile // termenv.Ascii for no color
}

// Text writes the human report.
func Text(w io.Writer, rep *report.Report, opts TextOptions) error {
	width := opts.Width
	if width <= 0 {
		width = 80
	}
	width = max(width, 40)
	r := lipgloss.NewRenderer(w)
	r.SetColorProfile(opts.Profile)
	t := textWriter{th: newTheme(r), width: width}
	t.report(rep)
	_, err := io.WriteString(w, t.b.String())
	return err
}

type textWriter struct {
	b     strings.Builder
	th    theme
	width int
}

func (t *textWriter) line(s string) { t.b.WriteString(strings.TrimRight(s, " ") + "\n") }

func (t *textWriter) report(rep *report.Report) {
	t.line(t.th.title.Render("mailcheck "+rep.Command) + " " + t.th.dim.Render("·") + " " + t.th.bold.Render(rep.Target))
	for _, s := range rep.Sections {
		t.line("")
		t.section(s, rep.Target)
	}
	if rep.DNS != nil {
		t.line("")
		t.wrapped("", fmt.Sprintf("DNS: %d lookups, %d distinct, %d queries to %s",
			rep.DNS.Lookups, rep.DNS.Distinct, rep.DNS.Queries, rep.DNS.Resolver), t.th.dim)
	}
}

func (t *textWriter) section(s report.Section, reportTarget string) {
	st := t.th.status[s.Status]
	head := st.Render(statusGlyph(s.Status)+" "+s.Title) + " " + t.th.dim.Render("·") + " " + st.Render(string(s.Status))
	if s.Target != "" && s.Target != reportTarget {
		head += " " + t.th.dim.Render("· "+s.Target)
	}
	t.line(head)
	if s.Summary != "" {
		t.wrapped("  ", s.Summary, lipgloss.Style{})
	}
	t.display(s.Display)
	if len(s.Findings) > 0 {
		t.line("")
	}
	for i, f := range s.Findings {
		if i > 0 {
			t.line("")
		}
		t.finding(f)
	}
}

func (t *textWriter) display(d report.Display) {
	if len(d.Facts) > 0 {
		t.line("")
		w := 0
		for _, f := range d.Facts {
			w = max(w, lipgloss.Width(f.Label))
		}
		for _, f := range d.Facts {
			prefix := "  " + t.th.label.Render(pad(f.Label, w)) + "  "
			// Values (records) are not wrapped: they must stay copyable.
			t.line(prefix + f.Value)
		}
	}
	for _, tb := range d.Tables {
		t.line("")
		t.table(tb)
	}
	for _, n := range d.Trees {
		t.line("")
		t.tree(n, "  ", "", true, true)
	}
}

func (t *textWriter) table(tb report.Table) {
	if tb.Title != "" {
		t.line("  " + t.th.bold.Render(tb.Title))
	}
	widths := make([]int, len(tb.Columns))
	for i, c := range tb.Columns {
		widths[i] = lipgloss.Width(c)
	}
	for _, row := range tb.Rows {
		for i := range min(len(row), len(widths)) {
			widths[i] = max(widths[i], lipgloss.Width(row[i]))
		}
	}
	cells := func(row []string, style func(i int, s string) string) string {
		parts := make([]string, len(widths))
		for i := range widths {
			v := ""
			if i < len(row) {
				v = row[i]
			}
			parts[i] = style(i, pad(v, widths[i]))
		}
		return "  " + strings.Join(parts, "  ")
	}
	t.line(cells(tb.Columns, func(_ int, s string) string { return t.th.label.Render(s) }))
	for _, row := range tb.Rows {
		t.line(cells(row, func(_ int, s string) string { return s }))
	}
}

func (t *textWriter) tree(n report.Node, indent, branch string, root, last bool) {
	label := n.Label
	if n.Note != "" {
		label += " " + t.th.dim.Render(n.Note)
	}
	t.line(indent + t.th.dim.Render(branch) + label)
	childIndent := indent
	if !root {
		if last {
			childIndent += "   "
		} else {
			childIndent += "│  "
		}
	}
	for i, c := range n.Children {
		b := "├─ "
		if i == len(n.Children)-1 {
			b = "└─ "
		}
		t.tree(c, childIndent, b, false, i == len(n.Children)-1)
	}
}

func (t *textWriter) finding(f report.Finding) {
	sev := t.th.severity[f.Severity]
	tag := string(f.Severity)
	if f.Inconclusive {
		tag = "unknown"
		sev = t.th.status[report.StatusUnknown]
	}
	t.line("  " + sev.Render(findingGlyph(f)+" "+tag) + " " + t.th.dim.Render("· "+f.ID))
	t.wrapped("    ", f.Title, t.th.bold)
	if f.Detail != "" {
		t.wrapped("    ", f.Detail, lipgloss.Style{})
	}
	if f.Fix != "" {
		t.wrapped("    ", "Fix: "+f.Fix, lipgloss.Style{})
	}
	if f.Record != nil {
		t.line("      " + t.th.record.Render(f.Record.String()))
	}
	if len(f.Refs) > 0 {
		t.line("    " + t.th.ref.Render(strings.Join(f.Refs, "; ")))
	}
}

// wrapped writes text word-wrapped to the width, every line indented.
func (t *textWriter) wrapped(indent, text string, style lipgloss.Style) {
	for _, l := range wrap(text, t.width-lipgloss.Width(indent)) {
		t.line(indent + style.Render(l))
	}
}

// wrap breaks text into lines of at most width columns at spaces; a word
// longer than the width (a URL, a record) stays whole on its own line.
func wrap(text string, width int) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		cur := words[0]
		for _, w := range words[1:] {
			if lipgloss.Width(cur)+1+lipgloss.Width(w) > width {
				out = append(out, cur)
				cur = w
				continue
			}
			cur += " " + w
		}
		out = append(out, cur)
	}
	return out
}

func pad(s string, w int) string {
	if n := lipgloss.Width(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

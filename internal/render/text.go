// Package render prints a report.Report as styled text (lipgloss), JSON or
// Markdown. It never touches the network and never decides about terminals:
// the caller passes the color profile and width (internal/iostreams).
package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/muesli/termenv"
)

// TextOptions lay out the text report.
type TextOptions struct {
	Width   int             // columns; 80 when unset
	Profile termenv.Profile // termenv.Ascii for no color
	// Details prints every section in full. Without it, a scored report
	// (mailcheck domain) is one screen: score, meaning, fixes, one line
	// per check.
	Details bool
	// Lang words the tables that are not reports (Summary); a report is
	// worded in its own language (report.Report.Lang).
	Lang i18n.Lang
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
	t := textWriter{th: newTheme(r), width: width, details: opts.Details, l: localizer(rep)}
	t.report(safeReport(rep))
	_, err := io.WriteString(w, t.b.String())
	return err
}

type textWriter struct {
	b       strings.Builder
	th      theme
	width   int
	details bool
	l       *i18n.Localizer
}

// w words a message of the renderer's own (render.* in the catalogs).
func (t *textWriter) w(key string, p report.Params) string {
	return t.l.Text(report.T("render."+key, p))
}

func (t *textWriter) line(s string) { t.b.WriteString(strings.TrimRight(s, " ") + "\n") }

func (t *textWriter) report(rep *report.Report) {
	t.line(t.th.title.Render("mailcheck "+rep.Command) + " " + t.th.dim.Render("·") + " " + t.th.bold.Render(rep.Target))
	if rep.Score != nil {
		t.score(rep)
		if !t.details {
			t.oneScreen(rep)
			return
		}
	}
	for _, s := range rep.Sections {
		t.line("")
		t.section(s, rep.Target)
	}
	if len(rep.Readiness) > 0 {
		t.line("")
		t.readiness(rep.Readiness)
	}
	if len(rep.Environment) > 0 {
		t.line("")
		t.line(t.th.title.Render(t.w("machine", nil)) + " " + t.th.dim.Render("· "+t.w("not_scored", nil)))
		for _, s := range rep.Environment {
			t.line("")
			t.section(s, rep.Target)
		}
	}
	if rep.DNS != nil {
		t.line("")
		t.wrapped("", t.w("dns", report.Params{"lookups": rep.DNS.Lookups, "distinct": rep.DNS.Distinct,
			"queries": rep.DNS.Queries, "resolver": t.l.Text(resolverName(rep.DNS.Resolver))}), t.th.dim)
	}
}

// score writes the header of a scored report: score, grade, the cap that
// bound it, and the fixes to make first.
func (t *textWriter) score(rep *report.Report) {
	sc := rep.Score
	st := t.th.status[gradeStatus(sc.Grade)]
	line := st.Render(t.w("score", report.Params{"value": sc.Value, "grade": sc.Grade}))
	t.line("")
	t.line(line)
	if sc.Cap != nil {
		t.wrapped("  ", t.w("capped", report.Params{"limit": sc.Cap.Limit, "uncapped": sc.Uncapped, "reason": sc.Cap.Reason.String()}), t.th.dim)
	}
	if sc.Summary.String() != "" {
		t.wrapped("", sc.Summary.String(), lipgloss.Style{})
	}
	if len(rep.TopFixes) > 0 {
		t.line("")
		t.line(t.th.bold.Render(t.w("fix_first", nil)))
		for i, f := range rep.TopFixes {
			t.topFix(i+1, f)
		}
	}
}

// topFix writes one fix: its title, what to do (unless a record says it
// all), the record to publish now and, for a staged change, the one to
// publish later, each record on a line of its own and never broken, so it
// can be copied as is.
func (t *textWriter) topFix(n int, f report.TopFix) {
	title := f.Title.String()
	if len(f.IDs) < 2 {
		title += " [" + f.ID + "]"
	}
	for j, l := range wrap(title, t.width-5) {
		prefix := "     "
		if j == 0 {
			prefix = fmt.Sprintf("%3d. ", n)
		}
		t.line(prefix + t.th.severity[f.Severity].Render(l))
	}
	if f.Record == nil || t.details || needsMoreThanRecord(f.Fix.String()) {
		t.wrapped("     ", f.Fix.String(), lipgloss.Style{})
	}
	if f.Record == nil {
		return
	}
	if len(f.IDs) > 1 {
		t.wrapped("     ", t.w("one_record", report.Params{"ids": f.IDs}), t.th.dim)
	}
	t.record(f.Record)
	if f.Later != nil {
		t.wrapped("     ", t.w("later", report.Params{"when": f.Later.When.String()}), t.th.dim)
		t.record(f.Later.Record)
	}
}

// needsMoreThanRecord: a fix that also asks for a file served over HTTPS
// (an MTA-STS policy, a BIMI logo) is not done by publishing its record
// alone, so its text is shown on the one screen too.
func needsMoreThanRecord(fix string) bool { return strings.Contains(fix, "https://") }

// record writes a record to publish on its own line. A record wider than
// the screen is not wrapped: the terminal folds it, and a copy of it is
// still the whole record.
func (t *textWriter) record(r *report.Record) {
	t.line("     " + t.th.record.Render(r.String()))
}

// oneScreen is the default body of a scored report (mailcheck domain):
// after the score and the fixes, one line per check, one for the sender
// requirements, one per environment section, and how to see the rest.
func (t *textWriter) oneScreen(rep *report.Report) {
	t.line("")
	t.line(t.th.bold.Render(t.w("checks", nil)))
	tw := 0
	for _, s := range rep.Sections {
		tw = max(tw, lipgloss.Width(s.Title))
	}
	tw = min(tw, max(10, t.width/4))
	for _, s := range rep.Sections {
		t.checkLine(s, tw)
	}
	if len(rep.Readiness) > 0 {
		counts := map[string]int{}
		for _, r := range rep.Readiness {
			counts[r.Status]++
		}
		var parts []string
		for _, st := range []string{"pass", "fail", "unverifiable"} {
			if counts[st] > 0 {
				parts = append(parts, t.w("readiness_count", report.Params{"count": counts[st], "status": t.w("readiness."+st, nil)}))
			}
		}
		t.line("")
		t.wrapped("", t.w("readiness_line", report.Params{"counts": parts}), lipgloss.Style{})
	}
	if len(rep.Environment) > 0 {
		t.line("")
		t.line(t.th.bold.Render(t.w("machine", nil)) + " " + t.th.dim.Render("· "+t.w("not_scored", nil)))
		for _, s := range rep.Environment {
			t.checkLine(s, tw)
		}
	}
	t.line("")
	t.wrapped("", t.w("details_hint", nil), t.th.dim)
}

// checkLine is one check in one line: glyph, title, status, and as much of
// the summary as fits, cut at a space.
func (t *textWriter) checkLine(s report.Section, tw int) {
	st := t.th.status[s.Status]
	title := truncate(s.Title, tw)
	head := "  " + st.Render(statusGlyph(s.Status)) + " " + pad(title, tw) + "  " + st.Render(pad(t.status(s.Status), statusWidth(t.l)))
	room := t.width - lipgloss.Width(head) - 1
	if room >= 12 && s.Summary.String() != "" {
		head += " " + t.th.dim.Render(truncate(s.Summary.String(), room))
	}
	t.line(head)
}

// truncate cuts s to at most w columns at a space, with an ellipsis.
func truncate(s string, w int) string {
	if lipgloss.Width(s) <= w {
		return s
	}
	cut := ""
	for _, word := range fields(s) {
		next := word
		if cut != "" {
			next = cut + " " + word
		}
		if lipgloss.Width(next)+1 > w {
			break
		}
		cut = next
	}
	if cut == "" { // one long word: cut it (a title, never a record)
		r := []rune(s)
		for len(r) > 0 && lipgloss.Width(string(r))+1 > w {
			r = r[:len(r)-1]
		}
		return string(r) + "…"
	}
	// A cut inside a parenthesis drops the parenthesis ("Policy none for
	// shop.example (p, at…" reads as a typo); a cut after a semicolon or
	// colon drops the mark (a comma stays: the list goes on).
	if i := strings.LastIndex(cut, "("); i > 0 && !strings.Contains(cut[i:], ")") {
		cut = strings.TrimRight(cut[:i], " ")
	}
	return strings.TrimRight(cut, ";:") + "…"
}

func gradeStatus(g string) report.Status {
	switch g {
	case "A":
		return report.StatusPass
	case "B", "C":
		return report.StatusWarn
	default:
		return report.StatusFail
	}
}

func (t *textWriter) readiness(rows []report.Readiness) {
	t.line(t.th.title.Render(t.w("readiness_title", nil)) + " " + t.th.dim.Render("· "+t.w("not_scored", nil)))
	for _, r := range rows {
		glyph, st := "?", t.th.status[report.StatusUnknown]
		switch r.Status {
		case "pass":
			glyph, st = "✓", t.th.status[report.StatusPass]
		case "fail":
			glyph, st = "✗", t.th.status[report.StatusFail]
		}
		t.wrapped("  ", st.Render(glyph)+" "+r.Requirement.String()+" "+t.th.dim.Render("("+r.Applies.String()+")"), lipgloss.Style{})
		t.wrapped("    ", r.Detail.String(), t.th.dim)
	}
}

// Summary writes the closing table of a multi-domain run.
func Summary(w io.Writer, title string, table report.Table, opts TextOptions) error {
	r := lipgloss.NewRenderer(w)
	r.SetColorProfile(opts.Profile)
	t := textWriter{th: newTheme(r), width: max(opts.Width, 40), l: i18n.For(opts.Lang)}
	t.line("")
	t.line(t.th.title.Render(title))
	t.line("")
	table = safeCopy(table)
	t.l.LocalizeAny(&table)
	t.table(table)
	_, err := io.WriteString(w, t.b.String())
	return err
}

// Explain writes how the score was computed (--explain), in lang.
func Explain(w io.Writer, sc *report.Score, lang i18n.Lang) error {
	l := i18n.For(lang)
	say := func(key string, p report.Params) string { return l.Text(report.T("render.explain."+key, p)) }
	num := func(f float64) string {
		s := fmt.Sprintf("%.1f", f)
		if lang == i18n.French {
			s = strings.Replace(s, ".", ",", 1) // the decimal comma
		}
		return s
	}
	var b strings.Builder
	b.WriteString("\n" + say("title", nil) + "\n")
	total := 0
	for _, c := range sc.Categories {
		if c.Status == "scored" {
			total += c.Weight
		}
	}
	name := func(c report.CategoryScore) string {
		n := l.Label("render.category." + c.Name)
		return n + strings.Repeat(" ", max(1, 25-lipgloss.Width(n)))
	}
	for _, c := range sc.Categories {
		if c.Weight == 0 {
			b.WriteString("  " + name(c) + say("informational", nil) + "\n")
			continue
		}
		if c.Status != "scored" {
			b.WriteString("  " + name(c) + say("left_out", report.Params{"weight": fmt.Sprintf("%2d", c.Weight)}) + "\n")
			continue
		}
		deducted := 0
		var parts []string
		for _, d := range c.Deductions {
			deducted += d.Points
			parts = append(parts, fmt.Sprintf("%s -%d", d.ID, d.Points))
		}
		b.WriteString("  " + name(c) + say("scored", report.Params{"weight": fmt.Sprintf("%2d", c.Weight), "factor": num(c.Factor),
			"deducted": deducted, "points": num(float64(c.Weight) * c.Factor)}) + "\n")
		for _, p := range parts {
			fmt.Fprintf(&b, "      %s\n", p)
		}
	}
	earned := 0.0
	for _, c := range sc.Categories {
		if c.Status == "scored" {
			earned += float64(c.Weight) * c.Factor
		}
	}
	b.WriteString("  " + say("weighted", report.Params{"earned": num(earned), "total": total, "uncapped": sc.Uncapped}) + "\n")
	for _, c := range sc.Caps {
		b.WriteString("  " + say("cap", report.Params{"limit": c.Limit, "reason": c.Reason.String(), "ids": c.IDs}) + "\n")
	}
	if sc.Cap != nil {
		b.WriteString("  " + say("final_capped", report.Params{"uncapped": sc.Uncapped, "limit": sc.Cap.Limit, "value": sc.Value, "grade": sc.Grade}) + "\n")
	} else {
		b.WriteString("  " + say("final", report.Params{"value": sc.Value, "grade": sc.Grade}) + "\n")
	}
	b.WriteString("  " + say("grades", nil) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func (t *textWriter) section(s report.Section, reportTarget string) {
	st := t.th.status[s.Status]
	head := st.Render(statusGlyph(s.Status)+" "+s.Title) + " " + t.th.dim.Render("·") + " " + st.Render(t.status(s.Status))
	if s.Target != "" && s.Target != reportTarget {
		head += " " + t.th.dim.Render("· "+s.Target)
	}
	t.line(head)
	if s.Summary.String() != "" {
		t.wrapped("  ", s.Summary.String(), lipgloss.Style{})
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
			w = max(w, lipgloss.Width(f.Label.String()))
		}
		for _, f := range d.Facts {
			prefix := "  " + t.th.label.Render(pad(f.Label.String(), w)) + "  "
			// Values (records) are not wrapped: they must stay copyable.
			t.line(prefix + f.Value.String())
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
	if tb.Title.String() != "" {
		t.line("  " + t.th.bold.Render(tb.Title.String()))
	}
	widths := make([]int, len(tb.Columns))
	for i, c := range tb.Columns {
		widths[i] = lipgloss.Width(c.String())
	}
	for _, row := range tb.Rows {
		for i := range min(len(row), len(widths)) {
			widths[i] = max(widths[i], lipgloss.Width(row[i].String()))
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
	t.line(cells(report.Strings(tb.Columns), func(_ int, s string) string { return t.th.label.Render(s) }))
	for _, row := range tb.Rows {
		t.line(cells(report.Strings(row), func(_ int, s string) string { return s }))
	}
}

func (t *textWriter) tree(n report.Node, indent, branch string, root, last bool) {
	label := n.Label.String()
	if n.Note.String() != "" {
		label += " " + t.th.dim.Render(n.Note.String())
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
	tag := t.w("severity."+string(f.Severity), nil)
	if f.Inconclusive {
		tag = t.status(report.StatusUnknown)
		sev = t.th.status[report.StatusUnknown]
	}
	t.line("  " + sev.Render(findingGlyph(f)+" "+tag) + " " + t.th.dim.Render("· "+f.ID))
	t.wrapped("    ", f.Title, t.th.bold)
	if f.Detail != "" {
		t.wrapped("    ", f.Detail, lipgloss.Style{})
	}
	if f.Fix != "" {
		t.wrapped("    ", t.w("fix", report.Params{"fix": f.Fix}), lipgloss.Style{})
	}
	if f.Record != nil {
		t.line("      " + t.th.record.Render(f.Record.String()))
	}
	if len(f.Refs) > 0 {
		t.line("    " + t.th.ref.Render(strings.Join(f.Refs, semicolon(t.l))))
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
		words := fields(para)
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

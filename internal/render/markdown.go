package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// Markdown writes the report for pasting into a ticket or a pull request:
// a summary table, then each section with its evidence and findings.
func Markdown(w io.Writer, rep *report.Report) error {
	l := localizer(rep)
	say := func(key string, p report.Params) string { return l.Text(report.T("render."+key, p)) }
	status := func(s report.Status) string { return l.Label("render.status." + string(s)) }
	rep = safeMarkdownReport(rep)
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", say("md.title", report.Params{"command": rep.Command, "target": mdText(rep.Target)}))
	if sc := rep.Score; sc != nil {
		b.WriteString("**" + say("md.score", report.Params{"value": sc.Value, "grade": sc.Grade}) + "**")
		if sc.Cap != nil {
			b.WriteString(" (" + say("md.capped", report.Params{"limit": sc.Cap.Limit, "uncapped": sc.Uncapped, "reason": mdText(sc.Cap.Reason.String())}) + ")")
		}
		b.WriteString("\n\n")
		if sc.Summary.String() != "" {
			b.WriteString(mdText(sc.Summary.String()) + "\n\n")
		}
		if len(rep.TopFixes) > 0 {
			b.WriteString(say("md.fix_first", nil) + "\n\n")
			for i, f := range rep.TopFixes {
				mdTopFix(&b, i+1, f, say)
			}
			trimmed := strings.TrimRight(b.String(), "\n")
			b.Reset()
			b.WriteString(trimmed + "\n\n")
		}
	}
	b.WriteString(say("md.checks_header", nil) + "\n|---|---|---|\n")
	all := append(append([]report.Section{}, rep.Sections...), rep.Environment...)
	for _, s := range rep.Sections {
		fmt.Fprintf(&b, "| %s | %s %s | %s |\n", mdCell(s.Title), statusGlyph(s.Status), status(s.Status), mdCell(s.Summary.String()))
	}
	// A scored report (mailcheck domain) is a summary first; the rest,
	// long, goes in a collapsible block, which GitHub and GitLab render
	// closed (and other renderers show as is).
	collapsed := rep.Score != nil
	if collapsed {
		b.WriteString("\n<details>\n<summary>" + say("md.full_report", nil) + "</summary>\n")
	}
	if len(rep.Readiness) > 0 {
		b.WriteString("\n## " + say("readiness_title", nil) + "\n\n" + say("md.readiness_header", nil) + "\n|---|---|---|---|\n")
		for _, r := range rep.Readiness {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(r.Requirement.String()), mdCell(r.Applies.String()), say("readiness."+r.Status, nil), mdCell(r.Detail.String()))
		}
	}
	for _, s := range all {
		fmt.Fprintf(&b, "\n## %s\n\n", say("md.section", report.Params{"title": mdText(s.Title), "status": status(s.Status)}))
		if s.Summary.String() != "" {
			b.WriteString(mdText(s.Summary.String()) + "\n\n")
		}
		for _, f := range s.Display.Facts {
			fmt.Fprintf(&b, "- %s\n", say("md.fact", report.Params{"label": "**" + mdText(f.Label.String()) + "**", "value": mdCode(f.Value.String())}))
		}
		if len(s.Display.Facts) > 0 {
			b.WriteString("\n")
		}
		for _, t := range s.Display.Tables {
			if t.Title.String() != "" {
				fmt.Fprintf(&b, "**%s**\n\n", mdText(t.Title.String()))
			}
			cells := make([]string, len(t.Columns))
			for i, c := range t.Columns {
				cells[i] = mdCell(c.String())
			}
			b.WriteString("| " + strings.Join(cells, " | ") + " |\n|" + strings.Repeat("---|", len(t.Columns)) + "\n")
			for _, row := range t.Rows {
				cells := make([]string, len(t.Columns))
				for i := range cells {
					if i < len(row) {
						cells[i] = mdCell(row[i].String())
					}
				}
				b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
			}
			b.WriteString("\n")
		}
		for _, n := range s.Display.Trees {
			b.WriteString("```\n")
			mdTree(&b, n, "")
			b.WriteString("```\n\n")
		}
		if len(s.Findings) == 0 {
			continue
		}
		b.WriteString("### " + say("md.findings", nil) + "\n\n")
		for _, f := range s.Findings {
			sev := say("severity."+string(f.Severity), nil)
			if f.Inconclusive {
				sev = status(report.StatusUnknown)
			}
			fmt.Fprintf(&b, "#### %s %s\n\n", findingGlyph(f), say("md.finding", report.Params{"severity": sev, "title": mdText(f.Title), "id": "`" + f.ID + "`"}))
			if f.Detail != "" {
				b.WriteString(mdText(f.Detail) + "\n\n")
			}
			if f.Fix != "" {
				b.WriteString(say("md.fix", report.Params{"fix": mdText(f.Fix)}) + "\n\n")
			}
			if f.Record != nil {
				b.WriteString("```dns\n" + f.Record.String() + "\n```\n\n")
			}
			if len(f.Refs) > 0 {
				b.WriteString("_" + mdText(strings.Join(f.Refs, semicolon(l))) + "_\n\n")
			}
		}
	}
	out := strings.TrimRight(b.String(), "\n") + "\n"
	if collapsed {
		out += "\n</details>\n"
	}
	_, err := io.WriteString(w, out)
	return err
}

// mdTopFix writes one fix as a list item, its records in code blocks
// (copyable as is, never wrapped).
func mdTopFix(b *strings.Builder, n int, f report.TopFix, say func(string, report.Params) string) {
	ids := "`" + f.ID + "`"
	if len(f.IDs) > 1 {
		ids = "`" + strings.Join(f.IDs, "`, `") + "`"
	}
	fmt.Fprintf(b, "%d. %s\n", n, say("md.top_fix", report.Params{"title": "**" + mdText(f.Title.String()) + "**", "ids": ids, "fix": mdText(f.Fix.String())}))
	if f.Record == nil {
		return
	}
	if f.Later != nil {
		b.WriteString("\n   " + say("md.now", nil) + "\n")
	}
	b.WriteString("\n   ```dns\n   " + f.Record.String() + "\n   ```\n")
	if f.Later != nil {
		b.WriteString("\n   " + say("later", report.Params{"when": mdText(f.Later.When.String())}) + "\n\n   ```dns\n   " + f.Later.Record.String() + "\n   ```\n")
	}
	b.WriteString("\n")
}

func mdTree(b *strings.Builder, n report.Node, indent string) {
	line := indent + n.Label.String()
	if n.Note.String() != "" {
		line += "  " + n.Note.String()
	}
	b.WriteString(line + "\n")
	for _, c := range n.Children {
		mdTree(b, c, indent+"  ")
	}
}

// mdText escapes the characters that would start Markdown markup.
var mdEscaper = strings.NewReplacer("\\", "\\\\", "*", "\\*", "_", "\\_", "`", "\\`", "<", "&lt;", ">", "&gt;", "[", "\\[", "]", "\\]", "&", "&amp;")

func mdText(s string) string { return mdEscaper.Replace(s) }

func mdCell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(mdText(s), "|", "\\|"), "\n", " ")
}

// mdCode wraps a value in a code span whose fence is longer than any run of
// backticks inside it (CommonMark §6.1).
func mdCode(s string) string {
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

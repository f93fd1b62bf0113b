package render

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// theme holds every style and glyph of the text output. Colors are the
// first eight ANSI colors, so the terminal's own palette (tuned by its
// theme for its own background) keeps them readable on dark and light
// backgrounds alike, without querying the terminal. Secondary text is
// faint (SGR 2), not "bright black" (color 8): several dark themes draw
// color 8 in the background's own color, which made it vanish, while
// faint is always a shade of the foreground. Records to publish keep the
// default foreground, the best contrast any theme has, and are bold.
// Nothing is told by color alone: every status and severity also has a
// glyph and a word.
type theme struct {
	title, dim, label, bold, record, ref lipgloss.Style
	severity                             map[report.Severity]lipgloss.Style
	status                               map[report.Status]lipgloss.Style
}

var (
	red     = lipgloss.Color("1")
	green   = lipgloss.Color("2")
	yellow  = lipgloss.Color("3")
	blue    = lipgloss.Color("4")
	magenta = lipgloss.Color("5")
)

func newTheme(r *lipgloss.Renderer) theme {
	s := r.NewStyle()
	return theme{
		title:  s.Bold(true),
		dim:    s.Faint(true),
		label:  s.Foreground(blue),
		bold:   s.Bold(true),
		record: s.Bold(true),
		ref:    s.Faint(true).Italic(true),
		severity: map[report.Severity]lipgloss.Style{
			report.Critical: s.Foreground(red).Bold(true),
			report.High:     s.Foreground(red),
			report.Medium:   s.Foreground(yellow),
			report.Low:      s.Foreground(magenta),
			report.Info:     s.Faint(true),
		},
		status: map[report.Status]lipgloss.Style{
			report.StatusPass:    s.Foreground(green).Bold(true),
			report.StatusWarn:    s.Foreground(yellow).Bold(true),
			report.StatusFail:    s.Foreground(red).Bold(true),
			report.StatusUnknown: s.Foreground(magenta).Bold(true),
			report.StatusSkipped: s.Faint(true),
		},
	}
}

// statusGlyph marks a section's verdict.
func statusGlyph(s report.Status) string {
	switch s {
	case report.StatusPass:
		return "✓"
	case report.StatusWarn:
		return "!"
	case report.StatusFail:
		return "✗"
	case report.StatusUnknown:
		return "?"
	default:
		return "-"
	}
}

// findingGlyph marks a finding by severity; "?" when it is inconclusive.
func findingGlyph(f report.Finding) string {
	if f.Inconclusive {
		return "?"
	}
	switch f.Severity {
	case report.Critical, report.High:
		return "✗"
	case report.Medium, report.Low:
		return "!"
	default:
		return "i"
	}
}

package render

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// theme holds every style and glyph of the text output. Colors are the 16
// ANSI colors, so the terminal's own palette keeps them readable on dark and
// light backgrounds alike, without querying the terminal.
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
	cyan    = lipgloss.Color("6")
	gray    = lipgloss.Color("8")
)

func newTheme(r *lipgloss.Renderer) theme {
	s := r.NewStyle()
	return theme{
		title:  s.Bold(true),
		dim:    s.Foreground(gray),
		label:  s.Foreground(blue),
		bold:   s.Bold(true),
		record: s.Foreground(cyan),
		ref:    s.Foreground(gray).Italic(true),
		severity: map[report.Severity]lipgloss.Style{
			report.Critical: s.Foreground(red).Bold(true),
			report.High:     s.Foreground(red),
			report.Medium:   s.Foreground(yellow),
			report.Low:      s.Foreground(magenta),
			report.Info:     s.Foreground(gray),
		},
		status: map[report.Status]lipgloss.Style{
			report.StatusPass:    s.Foreground(green).Bold(true),
			report.StatusWarn:    s.Foreground(yellow).Bold(true),
			report.StatusFail:    s.Foreground(red).Bold(true),
			report.StatusUnknown: s.Foreground(magenta).Bold(true),
			report.StatusSkipped: s.Foreground(gray),
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

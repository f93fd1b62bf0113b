package render

import (
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// localizer is the one of the report's language (set by i18n.Localize;
// English for a report that was not localized).
func localizer(rep *report.Report) *i18n.Localizer {
	l, err := i18n.Parse(rep.Lang)
	if err != nil || rep.Lang == "" {
		l = i18n.English
	}
	return i18n.For(l)
}

// status words a section status ("pass" is "réussi" in French); JSON keeps
// the stable value.
func (t *textWriter) status(s report.Status) string { return t.l.Label("render.status." + string(s)) }

// statusWidth is the width of the longest status word, so the one-screen
// lines stay aligned in every language.
func statusWidth(l *i18n.Localizer) int {
	w := 0
	for _, s := range []report.Status{report.StatusPass, report.StatusWarn, report.StatusFail, report.StatusUnknown, report.StatusSkipped} {
		w = max(w, lipgloss.Width(l.Label("render.status."+string(s))))
	}
	return w
}

// fields splits text at ASCII spaces only: the no-break spaces of French
// typography (before ":" and inside « ») must neither break a line nor
// become plain spaces.
func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' })
}

// resolverName words where the answers came from: an address stays as it
// is, the zone files are named in the report's language.
func resolverName(r string) report.Msg {
	if r == resolver.ZoneFiles {
		return report.T("render.zone_files", nil)
	}
	return report.Lit(r)
}

// semicolon separates the items of a list (a finding's references) as the
// language writes it: French puts a narrow no-break space before ";".
func semicolon(l *i18n.Localizer) string {
	if l.Lang() == i18n.French {
		return "\u202f; "
	}
	return "; "
}

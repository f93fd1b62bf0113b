package smtpprobe

import (
	"testing"

	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// worded returns copies of the sections worded in lang, failing the test
// on any message the catalogs lack.
func worded(t *testing.T, lang i18n.Lang, secs []report.Section) []report.Section {
	t.Helper()
	loc := i18n.For(lang)
	out := make([]report.Section, len(secs))
	for i, s := range secs {
		s.Findings = append([]report.Finding(nil), s.Findings...)
		s.Display.Tables = append([]report.Table(nil), s.Display.Tables...)
		loc.LocalizeSection(&s)
		out[i] = s
	}
	if m := loc.Missing(); len(m) > 0 {
		t.Errorf("%s: messages missing from the catalogs: %q", lang, m)
	}
	return out
}

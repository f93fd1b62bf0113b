package dnsbl

import (
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// en words messages in English, as the CLI does before rendering: tests
// that read words read them through the catalogs.
var en = i18n.For(i18n.English)

func words(m report.Msg) string { return en.Text(m) }

// worded returns the section with its words filled in, in English.
func worded(sec report.Section) report.Section {
	en.LocalizeSection(&sec)
	return sec
}

func wordsOf(ms []report.Msg) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = words(m)
	}
	return out
}

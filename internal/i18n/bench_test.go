package i18n

import (
	"testing"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// BenchmarkText words one message with parameters and a plural count, as
// every finding of a bulk run is worded.
func BenchmarkText(b *testing.B) {
	l := For(French)
	m := report.T("mx.summary.hosts", report.Params{"count": 2, "hosts": []string{"mx1.shop.example", "mx2.shop.example"}})
	for b.Loop() {
		_ = l.Text(m)
	}
}

// BenchmarkLabel words a message without parameters.
func BenchmarkLabel(b *testing.B) {
	l := For(French)
	for b.Loop() {
		_ = l.Label("render.status.pass")
	}
}

// BenchmarkTextSingle words a one-form message with parameters (the fast
// path: a template parsed once, no language matching).
func BenchmarkTextSingle(b *testing.B) {
	l := For(French)
	m := report.T("mx.target_no_address.detail", report.Params{"host": "mx1.shop.example"})
	for b.Loop() {
		_ = l.Text(m)
	}
}

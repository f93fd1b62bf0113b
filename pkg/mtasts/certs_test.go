package mtasts

import (
	"testing"

	"github.com/mailcheck/mailcheck/pkg/report"
)

func TestCheckCertificates(t *testing.T) {
	certs := []MXCertificate{
		{Host: "mx1.shop.example", Valid: true},
		{Host: "mx2.shop.example", Problem: "it expired on 2026-01-01"},
		{Host: "old.shop.example", Problem: "it does not name the host"}, // uncovered: reported as such already
	}
	for _, tt := range []struct {
		mode     Mode
		severity report.Severity // of the one finding; "" for none
	}{
		{ModeEnforce, report.Critical},
		{ModeTesting, report.Medium},
		{ModeNone, ""},
	} {
		sec := report.Section{Check: "mtasts", Status: report.StatusPass, Data: &Data{
			Policy: &PolicyData{Mode: tt.mode}, Uncovered: []string{"old.shop.example"}}}
		CheckCertificates(&sec, append([]MXCertificate(nil), certs...))
		switch {
		case tt.severity == "" && len(sec.Findings) != 0:
			t.Errorf("%s: findings %+v", tt.mode, sec.Findings)
		case tt.severity != "" && (len(sec.Findings) != 1 || sec.Findings[0].ID != "mtasts.mx.cert_invalid" || sec.Findings[0].Severity != tt.severity):
			t.Errorf("%s: findings %+v", tt.mode, sec.Findings)
		case tt.severity == report.Critical && sec.Status != report.StatusFail:
			t.Errorf("%s: status %s", tt.mode, sec.Status)
		}
	}
	// No policy fetched: nothing to judge against.
	sec := report.Section{Check: "mtasts", Status: report.StatusWarn, Data: &Data{}}
	CheckCertificates(&sec, certs)
	if len(sec.Findings) != 0 {
		t.Errorf("findings without a policy: %+v", sec.Findings)
	}
}

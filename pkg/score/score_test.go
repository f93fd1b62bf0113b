package score

import (
	"github.com/mailcheck/mailcheck/internal/i18n"
	"testing"

	"github.com/mailcheck/mailcheck/pkg/report"
)

func sec(check string, status report.Status, findings ...report.Finding) report.Section {
	return report.Section{Check: check, Status: status, Findings: findings}
}

func f(id string, sev report.Severity) report.Finding { return report.Finding{ID: id, Severity: sev} }

// The worked example of docs/scoring.md.
func TestWorkedExample(t *testing.T) {
	sections := []report.Section{
		sec("spf", report.StatusPass, f("spf.all.softfail", report.Info)),
		sec("dkim", report.StatusUnknown, report.Finding{ID: "dkim.selector.unverified", Severity: report.Info, Inconclusive: true}),
		sec("dmarc", report.StatusWarn, f("dmarc.policy.none", report.Medium), f("dmarc.rua.unauthorized", report.Medium), f("dmarc.np.missing", report.Low)),
		sec("dnsbl", report.StatusPass),
		sec("mx", report.StatusPass, f("mx.single", report.Info)),
		sec("rdns", report.StatusFail, f("ptr.not_fcrdns", report.High)),
		sec("mtasts", report.StatusWarn, f("mtasts.absent", report.Low)),
		sec("tlsrpt", report.StatusWarn, f("tlsrpt.absent", report.Low)),
		sec("dane", report.StatusPass),
		sec("bimi", report.StatusPass),
	}
	s, ok := Compute(sections)
	if !ok {
		t.Fatal("not scored")
	}
	// SPF 15*1.0 + DMARC 20*0.3 + reputation 20*1.0 + infrastructure
	// 15*0.4 + transport 15*0.8 = 59 of 85 (DKIM left out) = 69.4 -> 69;
	// ptr.not_fcrdns caps at 60.
	if s.Uncapped != 69 || s.Value != 60 || s.Grade != "C" || s.Cap == nil || s.Cap.Limit != 60 {
		t.Fatalf("score %+v", s)
	}
	want := map[string]float64{"SPF": 1, "DKIM": 0, "DMARC": 0.3, "Reputation": 1, "Sending infrastructure": 0.4, "Transport security": 0.8}
	for _, c := range s.Categories {
		if w, ok := want[c.Name]; ok && c.Factor != w {
			t.Errorf("%s factor %v, want %v", c.Name, c.Factor, w)
		}
		if c.Name == "DKIM" && c.Status != "insufficient data" {
			t.Errorf("DKIM status %q", c.Status)
		}
	}
}

func TestCaps(t *testing.T) {
	tests := []struct {
		name     string
		sections []report.Section
		value    int
		grade    string
	}{
		{"perfect", []report.Section{sec("spf", report.StatusPass), sec("dmarc", report.StatusPass)}, 100, "A"},
		{"a bogus zone caps at 20", []report.Section{sec("spf", report.StatusPass), sec("dmarc", report.StatusPass), sec("dnssec", report.StatusFail, f("dnssec.zone.bogus", report.Critical))}, 20, "F"},
		{"+all caps at 40", []report.Section{sec("spf", report.StatusFail, f("spf.all.pass", report.Critical)), sec("dmarc", report.StatusPass)}, 40, "D"},
		{"missing DMARC caps at 70 though the rest is perfect", []report.Section{sec("spf", report.StatusPass), sec("dnsbl", report.StatusPass), sec("dmarc", report.StatusFail, f("dmarc.record.missing", report.High))}, 70, "C"},
		{"the lowest cap wins", []report.Section{sec("spf", report.StatusFail, f("spf.lookups.exceeded", report.Critical)), sec("dnsbl", report.StatusFail, f("dnsbl.domain.listed", report.Critical))}, 0, "F"},
		{"inconclusive findings cost nothing", []report.Section{sec("spf", report.StatusPass), sec("dkim", report.StatusPass), sec("dnsbl", report.StatusPass), sec("dmarc", report.StatusUnknown, report.Finding{ID: "dmarc.dns.error", Severity: report.Critical, Inconclusive: true})}, 100, "A"},
		{"no auth at all", []report.Section{sec("spf", report.StatusFail, f("spf.record.missing", report.High)), sec("dkim", report.StatusFail, f("dkim.key.revoked", report.High)), sec("dmarc", report.StatusPass)}, 40, "D"},
		{"unknown DKIM does not fire the no-auth cap", []report.Section{sec("spf", report.StatusFail, f("spf.record.missing", report.High)), sec("dkim", report.StatusUnknown), sec("dmarc", report.StatusPass)}, 74, "C"},
		{"testing-mode MTA-STS gap does not cap", []report.Section{sec("mtasts", report.StatusWarn, f("mtasts.mx.uncovered", report.Medium))}, 70, "C"},
		{"enforce-mode MTA-STS gap caps", []report.Section{sec("spf", report.StatusPass), sec("mtasts", report.StatusFail, f("mtasts.mx.uncovered", report.Critical))}, 50, "D"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := Compute(tt.sections)
			if !ok || s.Value != tt.value || s.Grade != tt.grade {
				t.Errorf("score %d %s (uncapped %d, caps %+v), want %d %s", s.Value, s.Grade, s.Uncapped, s.Caps, tt.value, tt.grade)
			}
		})
	}
}

func TestNothingScorable(t *testing.T) {
	if _, ok := Compute([]report.Section{sec("spf", report.StatusUnknown), sec("ports", report.StatusFail)}); ok {
		t.Error("scored with no scorable section")
	}
}

// An apex CNAME loop: everything but transport security unknown. No score,
// however good the little that was decided looks.
func TestInsufficientData(t *testing.T) {
	loop := report.Finding{ID: "x.dns.error", Severity: report.Medium, Inconclusive: true}
	sections := []report.Section{
		sec("spf", report.StatusUnknown, loop), sec("dkim", report.StatusUnknown, loop), sec("dmarc", report.StatusUnknown, loop),
		sec("dnsbl", report.StatusUnknown, loop), sec("mx", report.StatusUnknown, loop), sec("rdns", report.StatusUnknown, loop),
		sec("mtasts", report.StatusWarn, f("mtasts.absent", report.Low)), sec("tlsrpt", report.StatusPass), sec("dane", report.StatusPass),
		sec("bimi", report.StatusSkipped),
	}
	if s, ok := Compute(sections); ok {
		t.Fatalf("scored %d %s on 15 points of weight", s.Value, s.Grade)
	}
	ok, why := Sufficient(sections)
	if ok || why.Key != "score.insufficient.share" || why.Params["count"] != 15 || why.Params["checked"] != 100 || why.Params["needed"] != 60 {
		t.Errorf("Sufficient: %v %+v", ok, why)
	}
	if s := i18n.For(i18n.English).Text(why); s != "only 15 of 100 points of score weight could be judged; a grade needs 60" {
		t.Errorf("English %q", s)
	}
	if s := i18n.For(i18n.French).Text(why); s != "seulement 15 points sur 100 du poids de la note ont pu être évalués\u202f; une note en exige 60" {
		t.Errorf("French %q", s)
	}
	// The usual gaps (no DKIM selector guessed, blocklists refusing the
	// resolver) leave 65 points: graded.
	for i := range sections[:6] {
		if sections[i].Check != "dkim" && sections[i].Check != "dnsbl" {
			sections[i].Status, sections[i].Findings = report.StatusPass, nil
		}
	}
	if _, ok := Compute(sections); !ok {
		t.Error("not scored with 65 of 100 known")
	}
}

func TestGradeBoundaries(t *testing.T) {
	for v, g := range map[int]string{100: "A", 90: "A", 89: "B", 75: "B", 74: "C", 60: "C", 59: "D", 40: "D", 39: "F", 0: "F"} {
		if Grade(v) != g {
			t.Errorf("Grade(%d) = %s, want %s", v, Grade(v), g)
		}
	}
}

func TestTopFixes(t *testing.T) {
	// Findings as checks make them: the fix is in the catalogs.
	mk := func(id string, sev report.Severity) report.Finding {
		return report.Definition{ID: id, Severity: sev}.With(nil)
	}
	got := TopFixes([]report.Section{
		sec("mx", report.StatusFail, mk("mx.target_no_address", report.High)),
		sec("dmarc", report.StatusFail, mk("audit.parked.dmarc", report.High), mk("smtp.ext.size", report.Low)),
		sec("smtp", report.StatusFail, mk("smtp.starttls.missing", report.Critical), report.Finding{ID: "smtp.x", Severity: report.Critical, Inconclusive: true}),
	}, 3)
	ids := []string{}
	for _, f := range got {
		ids = append(ids, f.ID)
	}
	// Most severe first, the heavier category (DMARC 20) first among
	// equals; smtp.ext.size has no fix and the inconclusive one decides
	// nothing.
	if len(ids) != 3 || ids[0] != "smtp.starttls.missing" || ids[1] != "audit.parked.dmarc" || ids[2] != "mx.target_no_address" {
		t.Errorf("top fixes %v", ids)
	}
	// The words are the finding's own, worded with it.
	if got[0].Title.Key != "smtp.starttls.missing.title" || got[0].Fix.Key != "smtp.starttls.missing.fix" {
		t.Errorf("top fix words %+v", got[0])
	}
	if s := i18n.For(i18n.French).Text(got[0].Title); s != "STARTTLS n'est pas proposé" {
		t.Errorf("French title %q", s)
	}
}

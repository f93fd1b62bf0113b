package audit

import (
	"context"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
)

func runZone(t *testing.T, zone, domain string, opts Options) *report.Report {
	t.Helper()
	srv := dnstest.Start(t, dnstest.ZoneFile("../../testdata/zones/"+zone))
	env, _ := envFor(t, srv)
	return Run(context.Background(), env, dnsname.MustParse(domain), opts)
}

func section(rep *report.Report, check string) report.Section {
	for _, s := range rep.Sections {
		if s.Check == check {
			return s
		}
	}
	return report.Section{}
}

// A correctly parked domain (null MX, v=spf1 -all, p=reject) scores A,
// and nothing that protects mail it does not have is asked of it.
func TestParkedDomainScoresA(t *testing.T) {
	rep := runZone(t, "parked-good.zone", "parked.example", Options{})
	if rep.Score == nil || rep.Score.Grade != "A" {
		t.Fatalf("score %+v, want grade A", rep.Score)
	}
	for _, c := range []string{"dkim", "mtasts", "tlsrpt", "dane", "bimi"} {
		if s := section(rep, c); s.Status != report.StatusSkipped || len(s.Findings) != 0 {
			t.Errorf("%s: %s with %d findings, want skipped", c, s.Status, len(s.Findings))
		}
	}
	for _, f := range rep.TopFixes {
		t.Errorf("a correct parked domain is told to fix %s", f.ID)
	}
	if s := en.Text(rep.Score.Summary); !strings.Contains(s, "is parked") {
		t.Errorf("summary %q", s)
	}
	if s := fr.Text(rep.Score.Summary); !strings.Contains(s, "parked.example est en sommeil") {
		t.Errorf("French summary %q", s)
	}
	// The same records on a domain that is not parked: the checks apply.
	demo := runZone(t, "shop.example.zone", "shop.example", Options{})
	if s := section(demo, "mtasts"); s.Status == report.StatusSkipped {
		t.Error("MTA-STS skipped for a domain that receives mail")
	}
}

// --parked on a domain that still takes and sends mail: each record that
// lets mail in or out gets a finding with the record that parks it, and
// DMARC goes straight to reject.
func TestForcedParked(t *testing.T) {
	rep := runZone(t, "parked-not-yet.zone", "retired.example", Options{Parked: true})
	want := map[string]string{
		"audit.parked.mx":    "retired.example. IN MX 0 .",
		"audit.parked.spf":   `retired.example. IN TXT "v=spf1 -all"`,
		"audit.parked.dmarc": `_dmarc.retired.example. IN TXT "v=DMARC1; p=reject"`,
	}
	for _, s := range rep.Sections {
		for _, f := range s.Findings {
			if rec, ok := want[f.ID]; ok {
				if f.Record == nil || f.Record.String() != rec {
					t.Errorf("%s: record %v, want %s", f.ID, f.Record, rec)
				}
				delete(want, f.ID)
			}
			if reportFinding(f.ID) {
				t.Errorf("a parked domain is asked for report addresses: %s", f.ID)
			}
		}
	}
	for id := range want {
		t.Errorf("no %s", id)
	}
	if len(rep.TopFixes) == 0 || rep.TopFixes[0].ID != "audit.parked.dmarc" {
		t.Fatalf("first fix %+v, want the DMARC policy", rep.TopFixes)
	}
	if f := rep.TopFixes[0]; f.Later != nil || !strings.Contains(f.Record.Value, "p=reject") {
		t.Errorf("a parked domain's DMARC is staged: %+v", f)
	}
	if s := section(rep, "dkim"); s.Status != report.StatusSkipped {
		t.Errorf("dkim %s under --parked", s.Status)
	}
	// Without --parked the same domain is an ordinary one.
	plain := runZone(t, "parked-not-yet.zone", "retired.example", Options{})
	if s := section(plain, "dkim"); s.Status == report.StatusSkipped {
		t.Error("dkim skipped without --parked")
	}
}

// A domain that sends no mail (v=spf1 -all, p=reject) but keeps an MX is
// not judged parked (it may well receive mail), and its summary says how
// to see the parked judgement.
func TestHalfParkedDomainPointsToParked(t *testing.T) {
	rep := runText(t, "leftover.test", "@ TXT \"v=spf1 -all\"\n_dmarc TXT \"v=DMARC1; p=reject\"\n")
	if s := section(rep, "mtasts"); s.Status == report.StatusSkipped {
		t.Error("MTA-STS skipped for a domain with an MX")
	}
	if rep.Score == nil || rep.Score.Summary.Params["receives_only"] != true || !strings.Contains(en.Text(rep.Score.Summary), "judge it as a parked domain") {
		t.Errorf("summary %+v does not point to the parked judgement", rep.Score)
	}
	good := runZone(t, "parked-good.zone", "parked.example", Options{})
	if good.Score.Summary.Params["receives_only"] != nil {
		t.Errorf("a parked domain is told about the parked judgement: %q", en.Text(good.Score.Summary))
	}
}

var (
	en = i18n.For(i18n.English)
	fr = i18n.For(i18n.French)
)

// isSPFNone decides as the words of the record joined by one space and
// compared without case would.
func TestIsSPFNone(t *testing.T) {
	for _, r := range []string{"v=spf1 -all", "V=SPF1   -ALL", " v=spf1\t-all ", "v=spf1 -all x", "v=spf1", "-all v=spf1", "", "v=spf1 ~all", "v=spf1 -all -all", "v=spf1 -\u212aall"} {
		want := strings.EqualFold(strings.Join(strings.Fields(r), " "), "v=spf1 -all")
		if got := isSPFNone(r); got != want {
			t.Errorf("isSPFNone(%q) = %v, want %v", r, got, want)
		}
	}
}

package audit

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/testclock"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dane"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/mtasts"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/mailcheck/mailcheck/pkg/score"
	"github.com/mailcheck/mailcheck/pkg/smtpprobe"
)

const demoZone = "../../testdata/zones/shop.example.zone"

func envFor(t *testing.T, srv *dnstest.Server) (check.Env, *resolver.Cache) {
	cache := resolver.NewCache(srv.Resolver(t))
	return check.Env{Resolver: cache, Now: testclock.Func()}, cache
}

// Every (name, type) reaches the DNS server once per run, however many
// checks need it (SPF, DMARC, DNSBL and MX all read the apex and the MX set).
func TestRunAsksEachQuestionOnce(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile(demoZone))
	env, cache := envFor(t, srv)
	rep := Run(context.Background(), env, dnsname.MustParse("shop.example"), Options{})
	seen := map[string]int{}
	for _, q := range srv.Log() {
		if q.Proto == "udp" {
			seen[fmt.Sprintf("%s/%d", q.Name, q.Type)]++
		}
	}
	for k, n := range seen {
		if n > 1 {
			t.Errorf("%s asked %d times", k, n)
		}
	}
	st := cache.Stats()
	if st.Lookups <= st.Distinct {
		t.Errorf("stats %+v: the checks should share lookups", st)
	}
	if int64(len(seen)) != st.Distinct {
		t.Errorf("server saw %d distinct questions, cache sent %d", len(seen), st.Distinct)
	}
	var checks []string
	for _, s := range rep.Sections {
		checks = append(checks, s.Check)
	}
	want := []string{"spf", "dkim", "dmarc", "dnsbl", "mx", "rdns", "mtasts", "tlsrpt", "dnssec", "dane", "bimi"}
	if fmt.Sprint(checks) != fmt.Sprint(want) {
		t.Errorf("sections %v, want %v (fixed order)", checks, want)
	}
	if rep.Score == nil || len(rep.TopFixes) == 0 || len(rep.Readiness) == 0 {
		t.Errorf("score %v, top fixes %d, readiness %d", rep.Score, len(rep.TopFixes), len(rep.Readiness))
	}
}

// A check whose DNS fails is unknown and left out of the score; the others
// keep their results.
func TestRunPartialFailure(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile(demoZone))
	srv.SetFault("_dmarc.shop.example.", 0, dnstest.ServFail)
	env, _ := envFor(t, srv)
	rep := Run(context.Background(), env, dnsname.MustParse("shop.example"), Options{})
	for _, s := range rep.Sections {
		switch s.Check {
		case "dmarc":
			if s.Status != report.StatusUnknown {
				t.Errorf("dmarc status %s, want unknown", s.Status)
			}
		case "spf", "mx":
			if s.Status == report.StatusUnknown {
				t.Errorf("%s became unknown because DMARC failed", s.Check)
			}
		}
	}
	if rep.Score == nil {
		t.Fatal("no score")
	}
	for _, c := range rep.Score.Categories {
		if c.Name == "DMARC" && c.Status != "insufficient data" {
			t.Errorf("DMARC category %q, want left out", c.Status)
		}
	}
	for _, r := range rep.Readiness {
		if r.Requirement.Key == "audit.ready.req.dmarc" && r.Status != "unverifiable" {
			t.Errorf("readiness DMARC row %q, want unverifiable", r.Status)
		}
	}
}

func TestRunSkipsProbesWithReason(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile(demoZone))
	env, _ := envFor(t, srv)
	rep := Run(context.Background(), env, dnsname.MustParse("shop.example"), Options{ProbeReason: "offline"})
	if len(rep.Environment) != 1 || rep.Environment[0].Status != report.StatusSkipped || rep.Environment[0].Findings[0].ID != "audit.probe.skipped" {
		t.Errorf("environment %+v", rep.Environment)
	}
	for _, s := range rep.Sections {
		if s.Check == "ports" {
			t.Error("ports is an environment report, never a domain section")
		}
	}
}

func TestGuardTurnsPanicIntoUnknown(t *testing.T) {
	var one report.Section
	secs := guard(context.Background(), job{name: "spf", run: func(context.Context, *audit, *report.Section) []report.Section { panic("boom") }}, &audit{d: dnsname.MustParse("shop.example")}, &one)
	if len(secs) != 1 || secs[0].Status != report.StatusUnknown || secs[0].Findings[0].ID != "audit.check.failed" {
		t.Errorf("sections %+v", secs)
	}
}

func TestReadinessRows(t *testing.T) {
	rows := Readiness([]report.Section{
		{Check: "spf", Status: report.StatusFail, Findings: []report.Finding{{ID: "spf.record.missing", Severity: report.High}}},
		{Check: "dkim", Status: report.StatusPass},
	})
	got := map[string]string{}
	for _, r := range rows {
		got[en.Text(r.Requirement)] = r.Status
	}
	if got["SPF or DKIM authenticates the domain"] != "pass" || got["SPF and DKIM both set up"] != "fail" {
		t.Errorf("rows %v", got)
	}
	if got["Spam complaint rate below 0.3%"] != "unverifiable" {
		t.Error("complaint rate is never measurable from DNS")
	}
	// The French providers: Orange requires SPF; laposte.net asks for at
	// least one of SPF, DKIM and DMARC; Free's blocks are not in DNS.
	if got["SPF record (mandatory)"] != "fail" || got["At least one of SPF, DKIM and DMARC: mail with none goes to the spam folder at best"] != "pass" {
		t.Errorf("rows %v", got)
	}
	for _, r := range rows {
		if r.Applies.Key == "audit.ready.applies.free" && r.Status != "unverifiable" {
			t.Errorf("Free row %q: its blocks cannot be seen from DNS", r.Status)
		}
		if r.Requirement.Key == "audit.ready.req.orange_spf" {
			if s := fr.Text(r.Requirement) + " · " + fr.Text(r.Applies) + " · " + fr.Text(r.Detail); s != "Enregistrement SPF (obligatoire) · Orange\u00a0: tous les expéditeurs · aucun enregistrement SPF" {
				t.Errorf("French row %q", s)
			}
		}
	}
}

// BenchmarkAudit runs the whole audit of the demo domain through a loopback
// DNS server that answers after 20 ms, the shape of a real resolver.
func BenchmarkAudit(b *testing.B) {
	srv := dnstest.Start(b, dnstest.ZoneFile(demoZone))
	srv.SetDelay(20 * time.Millisecond)
	var queries, distinct int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cache := resolver.NewCache(srv.Resolver(b))
		Run(context.Background(), check.Env{Resolver: cache, Now: testclock.Func()}, dnsname.MustParse("shop.example"), Options{})
		st := cache.Stats()
		queries += st.Lookups
		distinct += st.Distinct
	}
	b.ReportMetric(float64(queries)/float64(b.N), "lookups/op")
	b.ReportMetric(float64(distinct)/float64(b.N), "distinct/op")
}

// What the SMTP probe saw on port 25 reaches MTA-STS and DANE: an expired
// certificate under an enforce policy, and a chain no validated TLSA
// record matches.
func TestCrossCheckTLS(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "mx1.shop.example"},
		NotBefore: testclock.Now().Add(-48 * time.Hour), NotAfter: testclock.Now().Add(-24 * time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	cert, _ := x509.ParseCertificate(der)
	sections := []report.Section{
		{Check: "mtasts", Status: report.StatusPass, Data: &mtasts.Data{Policy: &mtasts.PolicyData{Mode: mtasts.ModeEnforce}}},
		{Check: "dane", Status: report.StatusPass, Data: &dane.Data{Hosts: []dane.Host{{Host: "mx1.shop.example", Authentic: true,
			Records: []dane.TLSA{{Usage: 3, Selector: 1, MatchingType: 1, Data: strings.Repeat("ab", 32)}}}}}},
		{Check: "smtp", Status: report.StatusWarn, Data: &smtpprobe.ServerData{Servers: []smtpprobe.Server{
			{Host: "mx1.shop.example", Port: smtpprobe.Port{Number: 25, Role: "smtp"},
				TLS: &smtpprobe.TLSInfo{Trusted: true, NameMatch: true, Expired: true, NotAfter: cert.NotAfter, Certificates: []*x509.Certificate{cert}}},
			{Host: "mx1.shop.example", Port: smtpprobe.Port{Number: 587, Role: "submission"}, TLS: &smtpprobe.TLSInfo{}},
		}}},
	}
	crossCheckTLS(sections)
	if f := sections[0].Findings; len(f) != 1 || f[0].ID != "mtasts.mx.cert_invalid" || !strings.Contains(fmt.Sprint(f[0].Params["problem"]), "expired") {
		t.Errorf("mtasts findings %+v", f)
	}
	if f := sections[1].Findings; len(f) != 1 || f[0].ID != "dane.tlsa.mismatch" {
		t.Errorf("dane findings %+v", f)
	}
	if s, _ := score.Compute(sections); len(s.Caps) != 1 || s.Caps[0].Limit != 50 {
		t.Errorf("caps %+v: an enforce-mode certificate failure fires the cap of 50", s.Caps)
	}
}

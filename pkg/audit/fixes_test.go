package audit

import (
	"context"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// The demo zone's DMARC record has three problems, each finding proposing
// its own record; the fixes give one record applying all three, staged:
// quarantine now, reject later.
func TestFixesMergeDMARCAndStage(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile(demoZone))
	env, _ := envFor(t, srv)
	rep := Run(context.Background(), env, dnsname.MustParse("shop.example"), Options{})
	fix := dmarcFix(t, rep, "_dmarc.shop.example")
	if fix.ID != "dmarc.policy.none" {
		t.Errorf("the DMARC fix is led by %s, want the policy (it changes most)", fix.ID)
	}
	if got := strings.Join(fix.IDs, " "); got != "dmarc.policy.none dmarc.pct.partial dmarc.np.missing dmarc.tag.removed" {
		t.Errorf("merged IDs %q", got)
	}
	const now = `"v=DMARC1; p=quarantine; np=reject; rua=mailto:dmarc@shop.example,mailto:reports@reports.example"`
	const later = `"v=DMARC1; p=reject; np=reject; rua=mailto:dmarc@shop.example,mailto:reports@reports.example"`
	if fix.Record.Value != now {
		t.Errorf("record now:\n%s\nwant\n%s", fix.Record.Value, now)
	}
	if fix.Later == nil || fix.Later.Record.Value != later || fix.Later.When.String() == "" {
		t.Errorf("record later: %+v, want %s", fix.Later, later)
	}
	// The merged record is a valid DMARC record that parses to the changes.
	rec, err := dmarc.Parse(report.TXTText(fix.Record.Value))
	if err != nil {
		t.Fatalf("merged record does not parse: %v", err)
	}
	if rec.String() != report.TXTText(now) {
		t.Errorf("parsed and serialized: %s", rec.String())
	}
}

func TestFixesRankByPriority(t *testing.T) {
	sec := func(check string, fs ...report.Finding) report.Section {
		return report.Section{Check: check, Findings: fs}
	}
	f := func(id string, sev report.Severity) report.Finding {
		return report.Finding{ID: id, Severity: sev, Title: id, Fix: "fix " + id}
	}
	got := Fixes([]report.Section{
		sec("dmarc", f("dmarc.pct.partial", report.Medium), f("dmarc.tag.removed", report.Low), f("dmarc.policy.none", report.Medium)),
		sec("tlsrpt", f("tlsrpt.absent", report.Low)),
		sec("spf", f("spf.lookups.exceeded", report.High), f("spf.ip.broad", report.Medium)),
		sec("dmarc", f("dmarc.dns.error", report.Info)),
		sec("ports", f("env.port25.blocked", report.High)),
	}, 10)
	var ids []string
	for _, x := range got {
		ids = append(ids, x.ID)
	}
	// A void SPF first; the none policy before the pct tag (the same
	// severity, but it changes more); this machine's port 25 never.
	want := "spf.lookups.exceeded dmarc.policy.none dmarc.pct.partial spf.ip.broad tlsrpt.absent dmarc.tag.removed"
	if strings.Join(ids, " ") != want {
		t.Errorf("order:\n%s\nwant\n%s", strings.Join(ids, " "), want)
	}
	if len(Fixes([]report.Section{sec("spf", f("a.b", report.High), f("c.d", report.High))}, 1)) != 1 {
		t.Error("n not honoured")
	}
}

func TestMergeSPFTerms(t *testing.T) {
	base := published{kindSPF, "v=spf1 mx ptr include:_spf.esp.example ?all"}
	got := base.merge([]string{
		"v=spf1 mx ptr include:_spf.esp.example -all",               // spf.all.neutral: end in -all (wins)
		"v=spf1 mx include:_spf.esp.example ?all",                   // spf.ptr.used: drop ptr
		"v=spf1 mx ptr include:_spf.esp.example ~all",               // a lower-priority opinion on all: loses
		"v=spf1 mx ptr include:_spf.esp.example ip4:192.0.2.1 ?all", // adds a term before all
	})
	if want := "v=spf1 mx include:_spf.esp.example ip4:192.0.2.1 -all"; got != want {
		t.Errorf("merged SPF:\n%s\nwant\n%s", got, want)
	}
}

func TestStageFromNoneToReject(t *testing.T) {
	rec := report.TXTRecord("_dmarc.x.example", "v=DMARC1; p=reject; rua=mailto:d@x.example")
	fix := report.TopFix{ID: "dmarc.policy.none", Record: rec}
	stage(&fix, published{kindDMARC, "v=DMARC1; p=none; rua=mailto:d@x.example"})
	if fix.Record.Value != `"v=DMARC1; p=quarantine; rua=mailto:d@x.example"` || fix.Later == nil ||
		fix.Later.Record.Value != `"v=DMARC1; p=reject; rua=mailto:d@x.example"` {
		t.Errorf("not staged: %+v %+v", fix.Record, fix.Later)
	}
	// Already at quarantine: the move to reject is the next step itself.
	fix = report.TopFix{Record: rec}
	stage(&fix, published{kindDMARC, "v=DMARC1; p=quarantine"})
	if fix.Later != nil || fix.Record != rec {
		t.Errorf("staged from quarantine: %+v", fix)
	}
}

func TestUnquoteTXT(t *testing.T) {
	for _, s := range []string{"v=DMARC1; p=none", `a "quoted" \ text`, strings.Repeat("k", 600)} {
		if got := report.TXTText(report.TXTValue(s)); got != s {
			t.Errorf("round trip of %q: %q", s, got)
		}
	}
	if got := report.TXTText(`"a\059b" "c"`); got != "a;bc" {
		t.Errorf(`\DDD: %q`, got)
	}
}

// A DMARC record with every problem at once: the one merged record also
// drops what the findings without a record of their own ask to remove
// (a typo tag, a removed tag, a duplicate and a dead destination), keeps
// sp from lagging behind the raised p, and no authorization is asked of
// the dead destination's domain.
func TestFixesMergeEveryDMARCProblem(t *testing.T) {
	rep := runText(t, "many.test", `_dmarc TXT "v=DMARC1; p=none; pct=30; sp=none; adkim=r; aspf=s; rua=mailto:agg@many.test,mailto:agg@many.test,mailto:r@vendor.test; ruf=mailto:f@many.test; fo=1; rau=mailto:x@many.test"
@      TXT "v=spf1 mx -all"
`)
	fix := dmarcFix(t, rep, "_dmarc.many.test")
	for _, f := range rep.TopFixes {
		if f.ID == "dmarc.rua.unauthorized" || f.ID == "dmarc.rua.too_many" || f.ID == "dmarc.tag.unknown" {
			t.Errorf("%s is a fix of its own, want it in the merged record", f.ID)
		}
	}
	const now = `"v=DMARC1; p=quarantine; np=reject; adkim=r; aspf=s; rua=mailto:agg@many.test; ruf=mailto:f@many.test; fo=1"`
	const later = `"v=DMARC1; p=reject; np=reject; adkim=r; aspf=s; rua=mailto:agg@many.test; ruf=mailto:f@many.test; fo=1"`
	if fix.Record.Value != now {
		t.Errorf("record now:\n%s\nwant\n%s", fix.Record.Value, now)
	}
	if fix.Later == nil || fix.Later.Record.Value != later {
		t.Errorf("record later: %+v, want %s", fix.Later, later)
	}
	for _, id := range []string{"dmarc.policy.none", "dmarc.tag.unknown", "dmarc.rua.no_mx", "dmarc.rua.too_many"} {
		if !strings.Contains(strings.Join(fix.IDs, " "), id) {
			t.Errorf("merged IDs %v lack %s", fix.IDs, id)
		}
	}
	if _, err := dmarc.Parse(report.TXTText(fix.Record.Value)); err != nil {
		t.Fatalf("merged record does not parse: %v", err)
	}
}

// An SPF record with an include of a name without SPF and a term written
// twice: the fix for the dead include is the record without it and
// without the duplicate; the terms that need a choice (ptr) stay.
func TestFixesSPFDeadInclude(t *testing.T) {
	rep := runText(t, "spfmany.test", `@      TXT "v=spf1 ip4:192.0.2.25 ip4:192.0.2.25 ptr mx include:esp.spfmany.test include:gone.nowhere.test ~all"
esp    TXT "v=spf1 ip4:198.51.100.0/24 -all"
_dmarc TXT "v=DMARC1; p=reject; rua=mailto:d@spfmany.test"
`)
	for _, f := range rep.TopFixes {
		if f.ID != "spf.include.no_record" {
			continue
		}
		const want = `"v=spf1 ip4:192.0.2.25 ptr mx include:esp.spfmany.test ~all"`
		if f.Record == nil || f.Record.Value != want || f.Record.Name != "spfmany.test" {
			t.Fatalf("record %+v, want %s", f.Record, want)
		}
		return
	}
	t.Fatalf("no spf.include.no_record fix in %+v", rep.TopFixes)
}

// runText runs the audit of domain on a zone of it (SOA, NS, an MX host
// at 192.0.2.25, then extra) under a test. zone that makes other names
// answer NXDOMAIN.
func runText(t *testing.T, domain, extra string) *report.Report {
	t.Helper()
	srv := dnstest.Start(t, dnstest.ZoneText(domain+".", "$TTL 3600\n@ SOA ns1 h 1 3600 600 1209600 300\n@ NS ns1\n@ MX 10 mx\nmx A 192.0.2.25\nns1 A 192.0.2.53\n"+extra),
		dnstest.ZoneText("test.", "@ SOA ns h 1 3600 600 1209600 300\n"))
	env, _ := envFor(t, srv)
	return Run(context.Background(), env, dnsname.MustParse(domain), Options{})
}

// dmarcFix is the one top fix that publishes the record at name.
func dmarcFix(t *testing.T, rep *report.Report, name string) *report.TopFix {
	t.Helper()
	var fix *report.TopFix
	for i, f := range rep.TopFixes {
		if f.Check == "dmarc" && f.Record != nil && f.Record.Name == name {
			if fix != nil {
				t.Fatalf("two fixes for %s: %s and %s", name, fix.ID, f.ID)
			}
			fix = &rep.TopFixes[i]
		}
	}
	if fix == nil {
		t.Fatalf("no DMARC fix in %+v", rep.TopFixes)
	}
	return fix
}

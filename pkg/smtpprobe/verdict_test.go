package smtpprobe

import (
	"context"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/smtptest"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// refuse.example: two MX hosts of one provider, no submission host at all.
const refuseZone = `@    SOA ns.refuse.example. h.refuse.example. 1 3600 600 86400 300
@    MX  10 mx1.refuse.example.
@    MX  20 mx2.refuse.example.
mx1  A   192.0.2.50
mx2  A   192.0.2.51
`

// Every MX host refuses port 25 (real refusals from loopback) and there is
// no submission host: the servers that receive the domain's mail are down.
// That is a fail, never "SMTP servers · pass".
func TestEveryMXRefusedFails(t *testing.T) {
	fn := &fakeNet{routes: map[string]route{
		"192.0.2.50:25": {to: smtptest.RefusedAddr(t)},
		"192.0.2.51:25": {to: smtptest.RefusedAddr(t)},
	}}
	srv := dnstest.Start(t, dnstest.ZoneText("refuse.example.", refuseZone))
	env := check.Env{Resolver: srv.Resolver(t), Dialer: fn, Now: testclock.Func()}
	secs := Check(context.Background(), env, dnsname.MustParse("refuse.example"), Options{})
	fn.check(t)
	smtp := secs[1]
	if smtp.Status != report.StatusFail {
		t.Errorf("smtp status %s, want fail; findings %q", smtp.Status, ids(smtp.Findings))
	}
	if got := ids(smtp.Findings); !slices.Contains(got, "smtp.connect.refused") {
		t.Errorf("findings %q", got)
	}
}

// The resolver is down: nothing could be planned, so both sections are
// unknown: not "Outbound SMTP · pass · nothing to probe".
func TestResolverDownIsUnknown(t *testing.T) {
	fn := &fakeNet{}
	srv := dnstest.Start(t, dnstest.ZoneText("refuse.example.", refuseZone))
	srv.SetFault("refuse.example.", 0, dnstest.ServFail)
	srv.SetFault("_submission._tcp.refuse.example.", 0, dnstest.ServFail)
	srv.SetFault("_submissions._tcp.refuse.example.", 0, dnstest.ServFail)
	srv.SetFault("smtp.refuse.example.", 0, dnstest.ServFail)
	srv.SetFault("mail.refuse.example.", 0, dnstest.ServFail)
	env := check.Env{Resolver: srv.Resolver(t), Dialer: fn, Now: testclock.Func()}
	secs := Check(context.Background(), env, dnsname.MustParse("refuse.example"), Options{})
	fn.check(t)
	if secs[0].Status != report.StatusUnknown || secs[1].Status != report.StatusUnknown {
		t.Errorf("ports %s (%s), smtp %s: want unknown", secs[0].Status, secs[0].Summary, secs[1].Status)
	}
	// Failed lookups are not "no submission host".
	if got := ids(secs[1].Findings); slices.Contains(got, "smtp.submission.not_found") {
		t.Errorf("findings %q", got)
	}
}

// The resolver is down and only the reference hosts are to be probed: no
// connection was tried, so this network is unknown, not "Outbound SMTP ·
// pass · 25 not reached".
func TestReferencesUnresolvedIsUnknown(t *testing.T) {
	fn := &fakeNet{}
	srv := dnstest.Start(t, dnstest.ZoneText("refuse.example.", refuseZone))
	srv.SetFault("ref1.refuse.example.", 0, dnstest.ServFail)
	srv.SetFault("ref2.refuse.example.", 0, dnstest.ServFail)
	env := check.Env{Resolver: srv.Resolver(t), Dialer: fn, Now: testclock.Func()}
	plan := Plan{Target: "this machine", Targets: []Target{
		{Host: "ref1.refuse.example", Source: SourceReference, Port: Port{Number: 25, Role: RoleSMTP}},
		{Host: "ref2.refuse.example", Source: SourceReference, Port: Port{Number: 25, Role: RoleSMTP}},
	}}
	secs := Execute(context.Background(), env, plan, Options{})
	fn.check(t)
	if secs[0].Status != report.StatusUnknown {
		t.Errorf("ports %s (%s): want unknown", secs[0].Status, secs[0].Summary)
	}
}

// A null MX: nothing to probe is not applicable (skipped), not a pass.
func TestNothingToProbeIsSkipped(t *testing.T) {
	env, _ := zoneEnv(t, &fakeNet{})
	secs := Check(context.Background(), env, dnsname.MustParse("null.example"), Options{})
	if secs[0].Status != report.StatusSkipped {
		t.Errorf("ports %s", secs[0].Status)
	}
}

// Port 25 is blocked on this network (silent to two unrelated MX
// providers) while 587 greets: the MX hosts were not judged, so the servers
// section is unknown, not pass.
func TestMXNotReachedIsUnknown(t *testing.T) {
	ca := smtptest.NewCA(t)
	cert := ca.Issue(t, smtptest.CertOptions{DNSNames: []string{"smtp.shop.example"}})
	sub := smtptest.Start(t, smtptest.Config{Hostname: "smtp.shop.example", TLS: smtptest.ServerConfig(cert)})
	fn := &fakeNet{routes: map[string]route{
		"192.0.2.10:25":     {blackhole: true},
		"[2001:db8::10]:25": {blackhole: true},
		"198.51.100.10:25":  {blackhole: true},
		"192.0.2.20:587":    {to: sub.Addr},
		"192.0.2.20:465":    {to: smtptest.RefusedAddr(t)},
	}}
	env, _ := zoneEnv(t, fn)
	opts := Options{ConnectTimeout: 200 * time.Millisecond, Roots: ca.Pool}
	secs := Check(context.Background(), env, dnsname.MustParse("shop.example"), opts)
	fn.check(t)
	if got := ids(secs[0].Findings); !slices.Contains(got, "env.port25.blocked") {
		t.Fatalf("environment findings %q", got)
	}
	if secs[1].Status == report.StatusPass {
		t.Errorf("smtp pass with no MX host reached; findings %q", ids(secs[1].Findings))
	}
}

// Without an explicit Budget the stage bounds come from the context's
// deadline (mailcheck domain's per-domain --timeout): a silent MX is "no
// greeting within 1 s" under a 2 s deadline, not cut off by it.
func TestBudgetFromDeadline(t *testing.T) {
	silent := smtptest.Start(t, smtptest.Config{Silent: true})
	fn := &fakeNet{routes: map[string]route{
		"192.0.2.50:25": {to: silent.Addr},
		"192.0.2.51:25": {to: smtptest.RefusedAddr(t)},
	}}
	srv := dnstest.Start(t, dnstest.ZoneText("refuse.example.", refuseZone))
	env := check.Env{Resolver: srv.Resolver(t), Dialer: fn, Now: testclock.Func()}
	// 4 s gives a 2 s greeting bound and 2 s of slack for the MX lookup
	// and the dial on a loaded machine (CI under -race).
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	secs := Check(ctx, env, dnsname.MustParse("refuse.example"), Options{Ports: []Port{{25, RoleSMTP}}})
	f, ok := findingByID(worded(t, i18n.English, secs)[1].Findings, "smtp.banner.timeout")
	if !ok || f.Params["timeout"] != 2.0 || !strings.Contains(f.Detail, "no greeting within 2 s") {
		t.Errorf("findings %+v", secs[1].Findings)
	}
}

// A server that greets and then never answers EHLO stalled at a bound of
// mailcheck's choosing: smtp.reply.timeout, inconclusive, naming the stage
// and the bound; not a protocol error that deducts.
func TestEHLOStallIsInconclusive(t *testing.T) {
	stall := smtptest.Start(t, smtptest.Config{StallEHLO: true})
	fn := &fakeNet{routes: map[string]route{"192.0.2.50:25": {to: stall.Addr}}}
	env := check.Env{Dialer: fn, Now: testclock.Func()}
	plan := Plan{Target: "192.0.2.50", Targets: []Target{{Host: "192.0.2.50", Source: SourceArgument, Port: Port{Number: 25, Role: RoleSMTP}}}}
	secs := Execute(context.Background(), env, plan, Options{CommandTimeout: 300 * time.Millisecond})
	f, ok := findingByID(worded(t, i18n.English, secs)[1].Findings, "smtp.reply.timeout")
	if !ok || !f.Inconclusive || !strings.Contains(f.Detail, "during EHLO within 0.3 s") {
		t.Fatalf("findings %+v", secs[1].Findings)
	}
	// The same finding in French: the stage and the decimal comma.
	if f, _ := findingByID(worded(t, i18n.French, secs)[1].Findings, "smtp.reply.timeout"); !strings.Contains(f.Detail, "pendant la commande EHLO en 0,3\u00a0s") {
		t.Errorf("French detail %q", f.Detail)
	}
	if _, bad := findingByID(secs[1].Findings, "smtp.protocol.error"); bad {
		t.Errorf("a stall reported as a protocol error: %+v", secs[1].Findings)
	}
}

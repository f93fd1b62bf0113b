package smtpprobe

import (
	"context"
	"fmt"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/testclock"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/smtptest"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// route is where fakeNet sends a dial: a loopback server, a "blackhole"
// that never answers (as a DROP firewall rule), or a connect error.
type route struct {
	to        string
	blackhole bool
	errno     syscall.Errno
}

// fakeNet is a Dialer that maps the documentation addresses of the zone
// fixtures to loopback. An address without a route is a test bug and is
// reported by unrouted.
type fakeNet struct {
	routes map[string]route

	mu          sync.Mutex
	inflight    int
	maxInflight int
	unrouted    []string
}

func (n *fakeNet) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	n.mu.Lock()
	n.inflight++
	n.maxInflight = max(n.maxInflight, n.inflight)
	r, ok := n.routes[addr]
	if !ok {
		n.unrouted = append(n.unrouted, addr)
	}
	n.mu.Unlock()
	defer func() {
		n.mu.Lock()
		n.inflight--
		n.mu.Unlock()
	}()
	switch {
	case !ok:
		return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("fakeNet: no route for %s", addr)}
	case r.blackhole:
		<-ctx.Done()
		return nil, &net.OpError{Op: "dial", Net: network, Err: ctx.Err()}
	case r.errno != 0:
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", r.errno)}
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp4", r.to)
}

func (n *fakeNet) check(t *testing.T) {
	t.Helper()
	if len(n.unrouted) > 0 {
		t.Errorf("dials without a route: %q", n.unrouted)
	}
}

func zoneEnv(t *testing.T, fn *fakeNet) (check.Env, *dnstest.Server) {
	t.Helper()
	srv := dnstest.Start(t, dnstest.ZoneFile("testdata/ports.zone"))
	return check.Env{Resolver: srv.Resolver(t), Dialer: fn, Now: testclock.Func()}, srv
}

func targetStrings(ts []Target) []string {
	var out []string
	for _, t := range ts {
		out = append(out, fmt.Sprintf("%s %s %s", t.Host, t.Port, t.Source))
	}
	return out
}

func ids(fs []report.Finding) []string {
	var out []string
	for _, f := range fs {
		if !strings.HasPrefix(f.ID, "smtp.ext.") {
			out = append(out, f.ID)
		}
	}
	slices.Sort(out)
	return out
}

func TestPlanDomain(t *testing.T) {
	env, _ := zoneEnv(t, &fakeNet{})
	tests := []struct {
		domain   string
		opts     Options
		targets  []string
		findings []string
	}{
		{"shop.example", Options{}, []string{
			"mx1.shop.example 25/smtp mx", "mx.backup.test 25/smtp mx",
			"smtp.shop.example 587/submission srv", "smtp.shop.example 465/submissions srv",
		}, nil},
		{"shop.example", Options{Ports: MergePorts([]Port{{2525, RoleSMTP}})}, []string{
			"mx1.shop.example 25/smtp mx", "mx1.shop.example 2525/smtp mx",
			"mx.backup.test 25/smtp mx", "mx.backup.test 2525/smtp mx",
			"smtp.shop.example 587/submission srv", "smtp.shop.example 465/submissions srv",
		}, nil},
		{"guess.example", Options{}, []string{
			"mx.guess.example 25/smtp mx", "smtp.guess.example 587/submission guess", "smtp.guess.example 465/submissions guess",
		}, nil},
		{"null.example", Options{}, nil, []string{"smtp.submission.not_found"}},
		{"nomx.example", Options{}, []string{
			"nomx.example 25/smtp implicit-mx", "relay.nomx.example 2587/submission srv",
		}, nil},
		{"lonely.example", Options{References: []string{"mx.ref.test"}}, []string{
			"gone.lonely.example 25/smtp mx", "mx.ref.test 25/smtp reference",
		}, []string{"smtp.submission.not_found"}},
		{"missing.shop.example", Options{Ports: []Port{{25, RoleSMTP}}}, nil, []string{"smtp.host.unresolved"}},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			plan := PlanDomain(context.Background(), env, dnsname.MustParse(tt.domain), tt.opts)
			if got := targetStrings(plan.Targets); !slices.Equal(got, tt.targets) {
				t.Errorf("targets\n got %q\nwant %q", got, tt.targets)
			}
			if got := ids(plan.Findings); !slices.Equal(got, tt.findings) {
				t.Errorf("findings %q, want %q", got, tt.findings)
			}
		})
	}
}

func TestPlanDomainDNSError(t *testing.T) {
	env, srv := zoneEnv(t, &fakeNet{})
	srv.SetFault("shop.example.", dns.TypeMX, dnstest.ServFail)
	plan := PlanDomain(context.Background(), env, dnsname.MustParse("shop.example"), Options{})
	if got := ids(plan.Findings); !slices.Equal(got, []string{"smtp.dns.error"}) {
		t.Fatalf("findings %q", got)
	}
	if !plan.Findings[0].Inconclusive {
		t.Error("a DNS failure must be inconclusive")
	}
	// Submission hosts are still found.
	if got := targetStrings(plan.Targets); len(got) != 2 {
		t.Errorf("targets %q", got)
	}
}

func TestPlanHost(t *testing.T) {
	tests := []struct {
		in, want string
		err      bool
	}{
		{"MX1.Shop.Example.", "mx1.shop.example", false},
		{"192.0.2.1", "192.0.2.1", false},
		{"[2001:db8::1]", "2001:db8::1", false},
		{"::ffff:192.0.2.1", "192.0.2.1", false},
		{"bad..name", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		plan, err := PlanHost(tt.in, Options{})
		if (err != nil) != tt.err {
			t.Errorf("%q: err %v", tt.in, err)
			continue
		}
		if err == nil && (plan.Target != tt.want || len(plan.Targets) != 3 || plan.Targets[0].Host != tt.want) {
			t.Errorf("%q: %+v", tt.in, plan)
		}
	}
}

// The whole sequence for a domain: MX on 25, SRV hosts on 587 and 465, IPv6
// without a route. Nothing but EHLO, STARTTLS and QUIT reaches any server.
func TestCheckDomain(t *testing.T) {
	ca := smtptest.NewCA(t)
	cert := ca.Issue(t, smtptest.CertOptions{DNSNames: []string{"mx1.shop.example", "smtp.shop.example"}})
	backupCert := ca.Issue(t, smtptest.CertOptions{DNSNames: []string{"mx.backup.test"}})
	mx1 := smtptest.Start(t, smtptest.Config{Hostname: "mx1.shop.example", TLS: smtptest.ServerConfig(cert),
		Extensions: []string{"PIPELINING", "SIZE 35882577", "8BITMIME", "SMTPUTF8"}})
	backup := smtptest.Start(t, smtptest.Config{Hostname: "mx.backup.test", TLS: smtptest.ServerConfig(backupCert)})
	sub := smtptest.Start(t, smtptest.Config{Hostname: "smtp.shop.example", TLS: smtptest.ServerConfig(cert), Extensions: []string{"PIPELINING"}})
	subs := smtptest.Start(t, smtptest.Config{Hostname: "smtp.shop.example", TLS: smtptest.ServerConfig(cert), ImplicitTLS: true})
	fn := &fakeNet{routes: map[string]route{
		"192.0.2.10:25":       {to: mx1.Addr},
		"[2001:db8::10]:25":   {errno: syscall.ENETUNREACH},
		"198.51.100.10:25":    {to: backup.Addr},
		"192.0.2.20:587":      {to: sub.Addr},
		"192.0.2.20:465":      {to: subs.Addr},
		"[2001:db8::10]:2525": {errno: syscall.ENETUNREACH},
	}}
	env, _ := zoneEnv(t, fn)
	opts := testOpts(ca)
	secs := Check(context.Background(), env, dnsname.MustParse("shop.example"), opts)
	fn.check(t)
	if len(secs) != 2 || secs[0].Check != CheckPorts || secs[1].Check != CheckSMTP {
		t.Fatalf("sections %+v", secs)
	}
	secs = worded(t, i18n.English, secs)
	ports, smtp := secs[0], secs[1]
	if got := ids(ports.Findings); !slices.Equal(got, []string{"env.ipv6.unreachable"}) {
		t.Errorf("environment findings %q", got)
	}
	if ports.Status != report.StatusWarn {
		t.Errorf("ports status %s", ports.Status)
	}
	if got := ids(smtp.Findings); len(got) != 0 {
		t.Errorf("server findings %q", got)
	}
	if smtp.Status != report.StatusPass {
		t.Errorf("smtp status %s", smtp.Status)
	}
	if _, ok := findingByID(smtp.Findings, "smtp.ext.smtputf8"); !ok {
		t.Error("no smtp.ext.smtputf8 info finding")
	}
	data := ports.Data.(*PortsData)
	if len(data.Probes) != 5 {
		t.Fatalf("%d probes", len(data.Probes))
	}
	for _, s := range []*smtptest.Server{mx1, backup, sub, subs} {
		noMail(t, s)
		if s.Sessions() != 1 {
			t.Errorf("%s: %d sessions, want 1", s.Addr, s.Sessions())
		}
	}
	table := ports.Display.Tables[0]
	wantCols := []string{"Host", "Address", "25/smtp", "587/submission", "465/submissions"}
	if !slices.Equal(report.Strings(table.Columns), wantCols) {
		t.Errorf("columns %q", table.Columns)
	}
	wantRows := [][]string{
		{"mx1.shop.example", "192.0.2.10", "ok, TLS 1.3", "-", "-"},
		{"mx1.shop.example", "2001:db8::10", "unreachable", "-", "-"},
		{"mx.backup.test", "198.51.100.10", "ok, TLS 1.3", "-", "-"},
		{"smtp.shop.example", "192.0.2.20", "-", "ok, TLS 1.3", "ok, TLS 1.3"},
	}
	if !slices.EqualFunc(table.Rows, report.LitRows(wantRows), func(a, b []report.Msg) bool { return slices.Equal(report.Strings(a), report.Strings(b)) }) {
		t.Errorf("rows\n got %q\nwant %q", table.Rows, wantRows)
	}
}

// Diagnose's cases, each from real probes over loopback.
func TestDiagnose(t *testing.T) {
	greeter := func(t *testing.T, name string) string {
		return smtptest.Start(t, smtptest.Config{Hostname: name}).Addr
	}
	refused := func(t *testing.T) route { return route{to: smtptest.RefusedAddr(t)} }
	tests := []struct {
		name   string
		routes func(t *testing.T) map[string]route
		opts   Options
		env    []string
		server []string
		status report.Status
	}{
		{
			name: "port 25 silent to two unrelated hosts, 587 works: blocked here",
			routes: func(t *testing.T) map[string]route {
				return map[string]route{
					"192.0.2.10:25": {blackhole: true}, "198.51.100.10:25": {blackhole: true},
					"192.0.2.20:587": {to: greeter(t, "smtp.shop.example")}, "192.0.2.20:465": refused(t),
					"[2001:db8::10]:25": {blackhole: true},
				}
			},
			env:    []string{"env.port25.blocked"},
			server: []string{"smtp.connect.refused", "smtp.starttls.missing"},
			status: report.StatusFail,
		},
		{
			name: "port 25 refused by two unrelated hosts: a firewall sends RST",
			routes: func(t *testing.T) map[string]route {
				return map[string]route{
					"192.0.2.10:25": refused(t), "198.51.100.10:25": refused(t), "[2001:db8::10]:25": refused(t),
					"192.0.2.20:587": {to: greeter(t, "smtp.shop.example")}, "192.0.2.20:465": {to: greeter(t, "smtp.shop.example")},
				}
			},
			env:    []string{"env.port25.blocked"},
			server: []string{"smtp.465.not_tls", "smtp.starttls.missing"},
			status: report.StatusFail,
		},
		{
			name: "one MX refuses, the other answers: server problem",
			routes: func(t *testing.T) map[string]route {
				return map[string]route{
					"192.0.2.10:25": refused(t), "[2001:db8::10]:25": refused(t), "198.51.100.10:25": {to: greeter(t, "mx.backup.test")},
					"192.0.2.20:587": refused(t), "192.0.2.20:465": refused(t),
				}
			},
			server: []string{"smtp.connect.refused", "smtp.starttls.missing"},
			status: report.StatusPass,
		},
		{
			name: "one MX silent, the other answers: that host is down or filtered",
			routes: func(t *testing.T) map[string]route {
				return map[string]route{
					"192.0.2.10:25": {blackhole: true}, "[2001:db8::10]:25": {blackhole: true},
					"198.51.100.10:25": {to: greeter(t, "mx.backup.test")},
					"192.0.2.20:587":   refused(t), "192.0.2.20:465": refused(t),
				}
			},
			// IPv6 has one destination and nothing to compare it with.
			env:    []string{"env.port.unconfirmed"},
			server: []string{"smtp.connect.failed", "smtp.connect.refused", "smtp.starttls.missing"},
			status: report.StatusUnknown,
		},
		{
			name: "nothing answers at all: cannot tell",
			routes: func(t *testing.T) map[string]route {
				return map[string]route{
					"192.0.2.10:25": {blackhole: true}, "[2001:db8::10]:25": {blackhole: true}, "198.51.100.10:25": {blackhole: true},
					"192.0.2.20:587": {blackhole: true}, "192.0.2.20:465": {blackhole: true},
				}
			},
			env:    []string{"env.port.unconfirmed"},
			status: report.StatusUnknown,
		},
		{
			name: "unrelated hosts greet with one name: interception",
			routes: func(t *testing.T) map[string]route {
				proxy := greeter(t, "smtp-proxy.isp.test")
				return map[string]route{
					"192.0.2.10:25": {to: proxy}, "[2001:db8::10]:25": {to: proxy}, "198.51.100.10:25": {to: proxy},
					"192.0.2.20:587": refused(t), "192.0.2.20:465": refused(t),
				}
			},
			env:    []string{"env.port25.intercepted"},
			server: []string{"smtp.connect.refused", "smtp.starttls.missing"},
			status: report.StatusFail,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := &fakeNet{routes: tt.routes(t)}
			env, _ := zoneEnv(t, fn)
			opts := testOpts(nil)
			opts.ConnectTimeout = 300 * time.Millisecond
			secs := Check(context.Background(), env, dnsname.MustParse("shop.example"), opts)
			fn.check(t)
			if got := ids(secs[0].Findings); !slices.Equal(got, tt.env) {
				t.Errorf("environment %q, want %q", got, tt.env)
			}
			if got := uniq(ids(secs[1].Findings)); !slices.Equal(got, tt.server) {
				t.Errorf("server %q, want %q", got, tt.server)
			}
			if secs[0].Status != tt.status {
				t.Errorf("ports status %s, want %s", secs[0].Status, tt.status)
			}
		})
	}
}

func uniq(ss []string) []string { return slices.Compact(ss) }

// A single destination that is silent on 25 while its 587 answers cannot
// be blamed: the finding is inconclusive, and --reference settles it.
func TestDiagnoseReference(t *testing.T) {
	sub := smtptest.Start(t, smtptest.Config{Hostname: "mx1.shop.example"})
	routes := map[string]route{
		"192.0.2.10:25": {blackhole: true}, "192.0.2.10:587": {to: sub.Addr}, "192.0.2.10:465": {to: smtptest.RefusedAddr(t)},
	}
	opts := testOpts(nil)
	opts.ConnectTimeout = 300 * time.Millisecond

	secs, err := CheckHost(context.Background(), check.Env{Now: testclock.Func(), Dialer: &fakeNet{routes: routes}}, "192.0.2.10", opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(secs[0].Findings); !slices.Equal(got, []string{"env.port.unconfirmed"}) || secs[0].Status != report.StatusUnknown {
		t.Fatalf("alone: %q %s", got, secs[0].Status)
	}

	// With a reference MX of another provider silent too, the network is to blame.
	routes["198.51.100.10:25"] = route{blackhole: true}
	opts.References = []string{"198.51.100.10"}
	secs, err = CheckHost(context.Background(), check.Env{Now: testclock.Func(), Dialer: &fakeNet{routes: routes}}, "192.0.2.10", opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(secs[0].Findings); !slices.Equal(got, []string{"env.port25.blocked"}) {
		t.Fatalf("with reference: %q", got)
	}
	// The reference gets no server finding; the target gets none for port 25.
	for _, f := range worded(t, i18n.English, secs)[1].Findings {
		if strings.Contains(f.Detail, "198.51.100.10") || strings.HasPrefix(f.ID, "smtp.connect.failed") {
			t.Errorf("unexpected %s: %s", f.ID, f.Detail)
		}
	}
}

// Blackholed destinations are waited for side by side: the run costs one
// connect timeout, not one per destination.
func TestRunConcurrent(t *testing.T) {
	routes := map[string]route{}
	var targets []Target
	for i := 1; i <= 6; i++ {
		addr := fmt.Sprintf("192.0.2.%d", i)
		routes[addr+":25"] = route{blackhole: true}
		targets = append(targets, Target{Host: addr, Port: Port{25, RoleSMTP}, Source: SourceArgument})
	}
	fn := &fakeNet{routes: routes}
	opts := testOpts(nil)
	opts.ConnectTimeout = 300 * time.Millisecond
	probes := Run(context.Background(), check.Env{Now: testclock.Func(), Dialer: fn}, targets, opts)
	if fn.maxInflight != 6 {
		t.Errorf("at most %d dials in flight, want 6", fn.maxInflight)
	}
	for _, p := range probes {
		if p.Outcome != OutcomeTimeout || p.Stage != StageConnect {
			t.Errorf("%s: %s at %s", p.Host, p.Outcome, p.Stage)
		}
	}

	fn = &fakeNet{routes: routes}
	opts.Concurrency = 2
	Run(context.Background(), check.Env{Now: testclock.Func(), Dialer: fn}, targets, opts)
	if fn.maxInflight != 2 {
		t.Errorf("with Concurrency 2: %d dials in flight", fn.maxInflight)
	}
}

// When the caller's time runs out, every probe is still reported, each
// classified by how far it got.
func TestRunContextEnds(t *testing.T) {
	silent := smtptest.Start(t, smtptest.Config{Silent: true})
	routes := map[string]route{
		"192.0.2.1:25": {to: silent.Addr},
		"192.0.2.2:25": {blackhole: true},
		"192.0.2.3:25": {to: silent.Addr},
	}
	targets := []Target{
		{Host: "192.0.2.1", Port: Port{25, RoleSMTP}},
		{Host: "192.0.2.2", Port: Port{25, RoleSMTP}},
		{Host: "192.0.2.3", Port: Port{25, RoleSMTP}},
	}
	opts := testOpts(nil)
	opts.ConnectTimeout, opts.GreetingTimeout = time.Minute, time.Minute
	opts.Concurrency = 2
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	probes := Run(ctx, check.Env{Now: testclock.Func(), Dialer: &fakeNet{routes: routes}}, targets, opts)
	if len(probes) != 3 {
		t.Fatalf("%d probes", len(probes))
	}
	// Two probes held the two slots and stopped where they were (connecting
	// to the blackhole, or waiting for a greeting); the third never started.
	queued := 0
	for i, p := range probes {
		want := StageGreeting
		if i == 1 {
			want = StageConnect
		}
		if p.Stage == StageQueued {
			queued++
			want = StageQueued
		}
		if p.Outcome != OutcomeUnfinished || p.Stage != want {
			t.Errorf("%s: %s at %s, want unfinished at %s", p.Host, p.Outcome, p.Stage, want)
		}
	}
	if queued != 1 {
		t.Errorf("%d probes never started, want 1", queued)
	}
	secs := Sections(Plan{Target: "x", Targets: targets}, probes, opts)
	if secs[1].Status != report.StatusUnknown {
		t.Errorf("smtp status %s, want unknown", secs[1].Status)
	}
	if got := ids(secs[1].Findings); !slices.Equal(got, []string{"smtp.probe.unfinished", "smtp.probe.unfinished", "smtp.probe.unfinished"}) {
		t.Errorf("findings %q", got)
	}
	var verdicts []string
	for _, row := range worded(t, i18n.English, secs)[0].Display.Tables[0].Rows {
		verdicts = append(verdicts, row[2].String())
	}
	slices.Sort(verdicts)
	for _, v := range verdicts {
		if !strings.HasPrefix(v, "unfinished (") {
			t.Errorf("verdict %q", v)
		}
	}
}

func TestRunHostWithoutAddress(t *testing.T) {
	env, srv := zoneEnv(t, &fakeNet{})
	srv.SetFault("mx.backup.test.", dns.TypeA, dnstest.ServFail)
	targets := []Target{
		{Host: "gone.lonely.example", Port: Port{25, RoleSMTP}, Source: SourceMX},
		{Host: "mx.backup.test", Port: Port{25, RoleSMTP}, Source: SourceMX},
	}
	probes := Run(context.Background(), env, targets, testOpts(nil))
	got := []string{}
	for _, p := range probes {
		got = append(got, fmt.Sprintf("%s %s %s", p.Host, p.Family, p.Outcome))
	}
	want := []string{"gone.lonely.example  unresolved", "mx.backup.test ipv4 dns-error"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	fs := ServerFindings(probes, Diagnose(probes), Options{})
	if g := ids(fs); !slices.Equal(g, []string{"smtp.dns.error", "smtp.host.unresolved"}) {
		t.Errorf("findings %q", g)
	}
}

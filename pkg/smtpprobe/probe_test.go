package smtpprobe

import (
	"context"
	"crypto/tls"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/testclock"

	"github.com/mailcheck/mailcheck/internal/smtptest"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// testOpts are short limits for loopback servers.
func testOpts(ca *smtptest.CA) Options {
	o := Options{
		HELO:            "probe.example.org",
		ConnectTimeout:  2 * time.Second,
		GreetingTimeout: 5 * time.Second,
		CommandTimeout:  5 * time.Second,
	}
	if ca != nil {
		o.Roots = ca.Pool
	}
	return o.withDefaults()
}

// probeOne runs the probe sequence against a loopback server as if it were
// host on the given role.
func probeOne(t *testing.T, srv *smtptest.Server, host string, role Role, opts Options) Probe {
	t.Helper()
	return probeAddr(t, context.Background(), srv.Addr, host, role, opts)
}

func probeAddr(t *testing.T, ctx context.Context, addr, host string, role Role, opts Options) Probe {
	t.Helper()
	ap := netipAddrPort(t, addr)
	p := Probe{Host: host, Address: ap.Addr().String(), Family: IPv4, Port: Port{int(ap.Port()), role}, Source: SourceArgument, Stage: StageQueued, Sent: []string{}}
	env := check.Env{Now: testclock.Func(), Dialer: &net.Dialer{}}
	opts = opts.withDefaults()
	probe(ctx, env, &opts, &p)
	return p
}

// findingIDs returns the IDs of the server findings for one probe.
func findingIDs(p Probe, opts Options) []string {
	var ids []string
	for _, f := range ServerFindings([]Probe{p}, Diagnosis{}, opts) {
		if f.Severity != report.Info || !strings.HasPrefix(f.ID, "smtp.ext.") {
			ids = append(ids, f.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

func findingByID(fs []report.Finding, id string) (report.Finding, bool) {
	i := slices.IndexFunc(fs, func(f report.Finding) bool { return f.ID == id })
	if i < 0 {
		return report.Finding{}, false
	}
	return fs[i], true
}

// noMail fails the test if the server received a mail command.
func noMail(t *testing.T, srv *smtptest.Server) {
	t.Helper()
	if m := srv.MailCommands(); len(m) > 0 {
		t.Errorf("the probe sent mail commands: %q", m)
	}
}

func TestProbeSTARTTLSValid(t *testing.T) {
	ca := smtptest.NewCA(t)
	cert := ca.Issue(t, smtptest.CertOptions{DNSNames: []string{"mx.example.com"}})
	srv := smtptest.Start(t, smtptest.Config{
		Hostname:      "mx.example.com",
		TLS:           smtptest.ServerConfig(cert),
		Extensions:    []string{"PIPELINING", "SIZE 10240000"},
		TLSExtensions: []string{"PIPELINING", "SIZE 10240000", "AUTH PLAIN LOGIN", "REQUIRETLS"},
	})
	opts := testOpts(ca)
	p := probeOne(t, srv, "mx.example.com", RoleSubmission, opts)

	if p.Outcome != OutcomeOK || p.Stage != StageDone {
		t.Fatalf("outcome %s at %s: %s", p.Outcome, p.Stage, p.Error)
	}
	if p.TLS == nil || !p.TLS.Verified || p.TLS.ServerName != "mx.example.com" {
		t.Fatalf("TLS %+v", p.TLS)
	}
	if p.TLS.Version != "TLS 1.3" {
		t.Errorf("version %s", p.TLS.Version)
	}
	if !slices.Equal(p.AddedByTLS, []string{"AUTH", "REQUIRETLS"}) || !slices.Equal(p.RemovedByTLS, []string{"STARTTLS"}) {
		t.Errorf("added %q removed %q", p.AddedByTLS, p.RemovedByTLS)
	}
	wantSent := []string{"EHLO probe.example.org", "STARTTLS", "EHLO probe.example.org", "QUIT"}
	if !slices.Equal(p.Sent, wantSent) {
		t.Errorf("sent %q, want %q", p.Sent, wantSent)
	}
	// The server saw exactly that, the last two inside TLS.
	var got []string
	for _, c := range srv.Commands() {
		got = append(got, c.Line)
		if c.TLS != (len(got) > 2) {
			t.Errorf("%q TLS=%v", c.Line, c.TLS)
		}
	}
	if !slices.Equal(got, wantSent) {
		t.Errorf("server received %q", got)
	}
	noMail(t, srv)
	if ids := findingIDs(p, opts); len(ids) != 0 {
		t.Errorf("findings %q on a healthy server", ids)
	}
	var stages []Stage
	for _, tm := range p.Timings {
		stages = append(stages, tm.Stage)
	}
	want := []Stage{StageConnect, StageGreeting, StageEHLO, StageSTARTTLS, StageTLS, StageEHLOTLS, StageQuit}
	if !slices.Equal(stages, want) {
		t.Errorf("timed stages %v, want %v", stages, want)
	}
}

func TestProbeImplicitTLS(t *testing.T) {
	ca := smtptest.NewCA(t)
	cert := ca.Issue(t, smtptest.CertOptions{DNSNames: []string{"smtp.example.com"}})
	srv := smtptest.Start(t, smtptest.Config{Hostname: "smtp.example.com", TLS: smtptest.ServerConfig(cert), ImplicitTLS: true})
	opts := testOpts(ca)
	p := probeOne(t, srv, "smtp.example.com", RoleSubmissions, opts)
	if p.Outcome != OutcomeOK || p.TLS == nil || !p.TLS.Verified {
		t.Fatalf("outcome %s %s TLS %+v", p.Outcome, p.Error, p.TLS)
	}
	if !slices.Equal(p.Sent, []string{"EHLO probe.example.org", "QUIT"}) {
		t.Errorf("sent %q", p.Sent)
	}
	for _, c := range srv.Commands() {
		if !c.TLS {
			t.Errorf("%q outside TLS", c.Line)
		}
	}
	// AUTH PLAIN inside Implicit TLS is how it should be.
	if ids := findingIDs(p, opts); len(ids) != 0 {
		t.Errorf("findings %q", ids)
	}
	noMail(t, srv)
}

func TestProbeCertificates(t *testing.T) {
	ca := smtptest.NewCA(t)
	now := testclock.Now()
	tests := []struct {
		name  string
		cert  func() tls.Certificate
		role  Role
		want  string
		sev   report.Severity
		check func(*TLSInfo) bool
	}{
		{"expired on MX", func() tls.Certificate {
			return ca.Issue(t, smtptest.CertOptions{DNSNames: []string{"mx.example.com"}, NotBefore: now.Add(-100 * 24 * time.Hour), NotAfter: now.Add(-48 * time.Hour)})
		}, RoleSMTP, "smtp.cert.expired", report.High, func(i *TLSInfo) bool { return i.Expired && i.Trusted && i.NameMatch }},
		{"expired on submission", func() tls.Certificate {
			return ca.Issue(t, smtptest.CertOptions{DNSNames: []string{"mx.example.com"}, NotBefore: now.Add(-100 * 24 * time.Hour), NotAfter: now.Add(-48 * time.Hour)})
		}, RoleSubmission, "smtp.cert.expired", report.Critical, func(i *TLSInfo) bool { return i.Expired && i.DaysLeft < 0 }},
		{"wrong name on MX", func() tls.Certificate {
			return ca.Issue(t, smtptest.CertOptions{DNSNames: []string{"other.example.net"}})
		}, RoleSMTP, "smtp.cert.name_mismatch", report.Medium, func(i *TLSInfo) bool { return !i.NameMatch && i.Trusted && !i.Verified }},
		{"wrong name on submission", func() tls.Certificate {
			return ca.Issue(t, smtptest.CertOptions{DNSNames: []string{"other.example.net"}})
		}, RoleSubmission, "smtp.cert.name_mismatch", report.High, func(i *TLSInfo) bool { return !i.NameMatch }},
		{"self-signed on MX", func() tls.Certificate {
			return smtptest.SelfSigned(t, smtptest.CertOptions{DNSNames: []string{"mx.example.com"}})
		}, RoleSMTP, "smtp.cert.untrusted", report.Low, func(i *TLSInfo) bool { return i.SelfSigned && !i.Trusted && i.NameMatch }},
		{"self-signed on submission", func() tls.Certificate {
			return smtptest.SelfSigned(t, smtptest.CertOptions{DNSNames: []string{"mx.example.com"}})
		}, RoleSubmission, "smtp.cert.untrusted", report.High, func(i *TLSInfo) bool { return i.SelfSigned }},
		{"expiring in 5 days", func() tls.Certificate {
			return ca.Issue(t, smtptest.CertOptions{DNSNames: []string{"mx.example.com"}, NotBefore: now.Add(-80 * 24 * time.Hour), NotAfter: now.Add(5*24*time.Hour + time.Hour)})
		}, RoleSMTP, "smtp.cert.expiring", report.Medium, func(i *TLSInfo) bool { return i.DaysLeft == 5 && i.Verified }},
		{"expiring in 20 days", func() tls.Certificate {
			return ca.Issue(t, smtptest.CertOptions{DNSNames: []string{"mx.example.com"}, NotBefore: now.Add(-80 * 24 * time.Hour), NotAfter: now.Add(20*24*time.Hour + time.Hour)})
		}, RoleSMTP, "smtp.cert.expiring", report.Low, func(i *TLSInfo) bool { return i.DaysLeft == 20 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.Start(t, smtptest.Config{Hostname: "mx.example.com", TLS: smtptest.ServerConfig(tt.cert())})
			opts := testOpts(ca)
			p := probeOne(t, srv, "mx.example.com", tt.role, opts)
			if p.Outcome != OutcomeOK || p.TLS == nil {
				t.Fatalf("outcome %s %s", p.Outcome, p.Error)
			}
			if !tt.check(p.TLS) {
				t.Errorf("TLS info %+v", p.TLS)
			}
			fs := ServerFindings([]Probe{p}, Diagnosis{}, opts)
			f, ok := findingByID(fs, tt.want)
			if !ok {
				t.Fatalf("no %s in %q", tt.want, findingIDs(p, opts))
			}
			if f.Severity != tt.sev {
				t.Errorf("severity %s, want %s", f.Severity, tt.sev)
			}
			if ids := findingIDs(p, opts); len(ids) != 1 {
				t.Errorf("want only %s, got %q", tt.want, ids)
			}
			noMail(t, srv)
		})
	}
}

func TestProbeFailures(t *testing.T) {
	ca := smtptest.NewCA(t)
	good := smtptest.ServerConfig(ca.Issue(t, smtptest.CertOptions{DNSNames: []string{"mx.example.com"}}))
	legacy := smtptest.ServerConfig(ca.Issue(t, smtptest.CertOptions{DNSNames: []string{"mx.example.com"}}))
	legacy.MinVersion, legacy.MaxVersion = tls.VersionTLS10, tls.VersionTLS11

	tests := []struct {
		name    string
		cfg     smtptest.Config
		role    Role
		opts    func(*Options)
		outcome Outcome
		stage   Stage
		ids     []string
		sent    []string
	}{
		{
			name: "554 greeting", cfg: smtptest.Config{Greeting: []string{"554 5.7.1 mx.example.com: your IP is on a blocklist"}},
			role: RoleSMTP, outcome: OutcomeRejected, stage: StageGreeting,
			ids: []string{"smtp.banner.refused"}, sent: []string{"QUIT"},
		},
		{
			name: "421 greeting", cfg: smtptest.Config{Greeting: []string{"421 4.3.2 try later"}},
			role: RoleSMTP, outcome: OutcomeDeferred, stage: StageGreeting,
			ids: []string{"smtp.banner.unavailable"}, sent: []string{"QUIT"},
		},
		{
			name: "accepts and never greets", cfg: smtptest.Config{Silent: true},
			role: RoleSMTP, opts: func(o *Options) { o.GreetingTimeout = 200 * time.Millisecond },
			outcome: OutcomeNoGreeting, stage: StageGreeting, ids: []string{"smtp.banner.timeout"}, sent: []string{},
		},
		{
			name: "endless line", cfg: smtptest.Config{EndlessLine: true},
			role: RoleSMTP, outcome: OutcomeProtocol, stage: StageGreeting,
			ids: []string{"smtp.protocol.error"}, sent: []string{},
		},
		{
			name: "slow greeting", cfg: smtptest.Config{GreetingDelay: 300 * time.Millisecond, TLS: good},
			role: RoleSMTP, opts: func(o *Options) { o.SlowGreeting = 100 * time.Millisecond },
			outcome: OutcomeOK, stage: StageDone, ids: []string{"smtp.banner.slow"},
			sent: []string{"EHLO probe.example.org", "STARTTLS", "EHLO probe.example.org", "QUIT"},
		},
		{
			name: "AUTH before TLS on 587", cfg: smtptest.Config{TLS: good, Extensions: []string{"PIPELINING", "AUTH PLAIN LOGIN CRAM-MD5"}},
			role: RoleSubmission, outcome: OutcomeOK, stage: StageDone, ids: []string{"smtp.auth.cleartext"},
			sent: []string{"EHLO probe.example.org", "STARTTLS", "EHLO probe.example.org", "QUIT"},
		},
		{
			name: "no STARTTLS, AUTH in cleartext on 587", cfg: smtptest.Config{Extensions: []string{"AUTH LOGIN"}},
			role: RoleSubmission, outcome: OutcomeOK, stage: StageDone,
			ids: []string{"smtp.auth.cleartext", "smtp.starttls.missing"}, sent: []string{"EHLO probe.example.org", "QUIT"},
		},
		{
			name: "no STARTTLS on MX", cfg: smtptest.Config{},
			role: RoleSMTP, outcome: OutcomeOK, stage: StageDone,
			ids: []string{"smtp.starttls.missing"}, sent: []string{"EHLO probe.example.org", "QUIT"},
		},
		{
			name: "STARTTLS answered 454", cfg: smtptest.Config{TLS: good, STARTTLSReply: "454 4.7.0 TLS not available due to local problem"},
			role: RoleSMTP, outcome: OutcomeOK, stage: StageDone,
			ids: []string{"smtp.starttls.failed"}, sent: []string{"EHLO probe.example.org", "STARTTLS", "QUIT"},
		},
		{
			name: "EHLO rejected, HELO works", cfg: smtptest.Config{RejectEHLO: true},
			role: RoleSMTP, outcome: OutcomeOK, stage: StageDone,
			ids: []string{"smtp.ehlo.rejected", "smtp.starttls.missing"}, sent: []string{"EHLO probe.example.org", "HELO probe.example.org", "QUIT"},
		},
		{
			name: "cleartext on 465", cfg: smtptest.Config{},
			role: RoleSubmissions, outcome: OutcomeNotTLS, stage: StageTLS,
			ids: []string{"smtp.465.not_tls"}, sent: []string{},
		},
		{
			name: "STARTTLS offered again inside TLS", cfg: smtptest.Config{TLS: good, AdvertiseSTARTTLSInTLS: true},
			role: RoleSMTP, outcome: OutcomeOK, stage: StageDone, ids: []string{"smtp.protocol.error"},
			sent: []string{"EHLO probe.example.org", "STARTTLS", "EHLO probe.example.org", "QUIT"},
		},
		{
			name: "cleartext injected after 220 to STARTTLS", cfg: smtptest.Config{TLS: good, InjectAfterSTARTTLS: "250-injected\r\n250 AUTH PLAIN"},
			role: RoleSMTP, outcome: OutcomeOK, stage: StageDone, ids: []string{"smtp.protocol.error"},
			sent: []string{"EHLO probe.example.org", "STARTTLS", "EHLO probe.example.org", "QUIT"},
		},
		{
			name: "TLS 1.1 only", cfg: smtptest.Config{TLS: legacy},
			role: RoleSMTP, outcome: OutcomeOK, stage: StageDone, ids: []string{"smtp.tls.legacy"},
			sent: []string{"EHLO probe.example.org", "STARTTLS", "EHLO probe.example.org", "QUIT"},
		},
		{
			name: "multi-line greeting sent slowly", cfg: smtptest.Config{TLS: good, GreetingPause: 150 * time.Millisecond,
				Greeting: []string{"220-mx.example.com ESMTP", "220-please wait", "220 mx.example.com ready"}},
			role: RoleSMTP, outcome: OutcomeOK, stage: StageDone,
			sent: []string{"EHLO probe.example.org", "STARTTLS", "EHLO probe.example.org", "QUIT"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.cfg.Hostname == "" {
				tt.cfg.Hostname = "mx.example.com"
			}
			srv := smtptest.Start(t, tt.cfg)
			opts := testOpts(ca)
			if tt.opts != nil {
				tt.opts(&opts)
			}
			p := probeOne(t, srv, "mx.example.com", tt.role, opts)
			if p.Outcome != tt.outcome || p.Stage != tt.stage {
				t.Fatalf("outcome %s at %s (%s %s), want %s at %s", p.Outcome, p.Stage, p.Error, p.TLSError, tt.outcome, tt.stage)
			}
			if ids := findingIDs(p, opts); !slices.Equal(ids, tt.ids) {
				t.Errorf("findings %q, want %q", ids, tt.ids)
			}
			if !slices.Equal(p.Sent, tt.sent) {
				t.Errorf("sent %q, want %q", p.Sent, tt.sent)
			}
			if srv.Pregreeted() {
				t.Error("the probe talked before the greeting was complete")
			}
			noMail(t, srv)
		})
	}
}

func TestProbeMultiLineGreeting(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Config{GreetingPause: 100 * time.Millisecond,
		Greeting: []string{"220-mx.example.com ESMTP", "220-no UCE", "220 ready"}})
	p := probeOne(t, srv, "mx.example.com", RoleSMTP, testOpts(nil))
	if p.Greeting == nil || p.Greeting.Code != 220 || !slices.Equal(p.Greeting.Lines, []string{"mx.example.com ESMTP", "no UCE", "ready"}) {
		t.Fatalf("greeting %+v", p.Greeting)
	}
	if srv.Pregreeted() {
		t.Error("EHLO sent before the last greeting line")
	}
	if cmds := srv.Commands(); len(cmds) == 0 || cmds[0].Line != "EHLO probe.example.org" {
		t.Errorf("commands %v", cmds)
	}
}

func TestProbeRefused(t *testing.T) {
	opts := testOpts(nil)
	p := probeAddr(t, context.Background(), smtptest.RefusedAddr(t), "mx.example.com", RoleSMTP, opts)
	if p.Outcome != OutcomeRefused || p.Stage != StageConnect || p.Connected() {
		t.Fatalf("outcome %s at %s: %s", p.Outcome, p.Stage, p.Error)
	}
	if ids := findingIDs(p, opts); !slices.Equal(ids, []string{"smtp.connect.refused"}) {
		t.Errorf("findings %q", ids)
	}
}

// When the caller's context ends, the probe stops at once and says where.
func TestProbeContextEnds(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Config{Silent: true})
	opts := testOpts(nil)
	opts.GreetingTimeout = time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	p := probeAddr(t, ctx, srv.Addr, "mx.example.com", RoleSMTP, opts)
	if p.Outcome != OutcomeUnfinished || p.Stage != StageGreeting {
		t.Fatalf("outcome %s at %s: %s", p.Outcome, p.Stage, p.Error)
	}
	if ids := findingIDs(p, opts); !slices.Equal(ids, []string{"smtp.probe.unfinished"}) {
		t.Errorf("findings %q", ids)
	}
}

func TestAddressLiteral(t *testing.T) {
	tests := []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 5}, "[192.0.2.1]"},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 5}, "[IPv6:2001:db8::1]"},
		{&net.TCPAddr{IP: net.ParseIP("::ffff:192.0.2.1"), Port: 5}, "[192.0.2.1]"},
	}
	for _, tt := range tests {
		if got := addressLiteral(tt.addr); got != tt.want {
			t.Errorf("%v: %s, want %s", tt.addr, got, tt.want)
		}
	}
}

// Without --helo the probe sends the address literal of its own end.
func TestProbeDefaultHELO(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Config{})
	opts := testOpts(nil)
	opts.HELO = ""
	p := probeOne(t, srv, "mx.example.com", RoleSMTP, opts)
	if p.HELO != "[127.0.0.1]" || srv.Commands()[0].Line != "EHLO [127.0.0.1]" {
		t.Errorf("HELO %q, commands %v", p.HELO, srv.Commands())
	}
}

func netipAddrPort(t *testing.T, addr string) netip.AddrPort {
	t.Helper()
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return ap
}

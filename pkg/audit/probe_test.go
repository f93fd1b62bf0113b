package audit

import (
	"context"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/testclock"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/smtptest"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/mailcheck/mailcheck/pkg/smtpprobe"
)

// routes sends the demo's MX addresses to loopback SMTP servers and
// refuses everything else; nothing leaves the machine.
type routes map[string]string

func (r routes) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if to, ok := r[addr]; ok {
		var d net.Dialer
		return d.DialContext(ctx, "tcp4", to)
	}
	return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
}

// The whole audit with probes on: STARTTLS on both MX hosts, a validated
// TLSA record that does not match mx1's certificate, mx2 with a
// self-signed one; the probe results reach the score and the checklist,
// and no server ever receives a mail command.
func TestRunWithProbes(t *testing.T) {
	ca := smtptest.NewCA(t)
	mx1 := smtptest.Start(t, smtptest.Config{Hostname: "mx1.shop.example",
		TLS: smtptest.ServerConfig(ca.Issue(t, smtptest.CertOptions{DNSNames: []string{"mx1.shop.example"}}))})
	mx2 := smtptest.Start(t, smtptest.Config{Hostname: "mx2.shop.example",
		TLS: smtptest.ServerConfig(smtptest.SelfSigned(t, smtptest.CertOptions{DNSNames: []string{"mx2.shop.example"}}))})
	srv := dnstest.Start(t, dnstest.ZoneFile(demoZone), dnstest.ZoneText("shop.example.",
		"_25._tcp.mx1 TLSA 3 1 1 "+strings.Repeat("ab", 32)+"\n"))
	srv.SetAuthentic("example.", true) // a validating resolver, a signed zone
	cache := resolver.NewCache(srv.Resolver(t))
	env := check.Env{Resolver: cache, Now: testclock.Func(), Dialer: routes{"192.0.2.25:25": mx1.Addr, "198.51.100.25:25": mx2.Addr}}
	rep := Run(context.Background(), env, dnsname.MustParse("shop.example"), Options{Probe: true, SMTP: smtpprobe.Options{
		HELO: "probe.example.org", Roots: ca.Pool, ConnectTimeout: 2 * time.Second, GreetingTimeout: 2 * time.Second, CommandTimeout: 2 * time.Second}})

	if len(rep.Environment) != 1 || rep.Environment[0].Check != "ports" {
		t.Fatalf("environment %+v", rep.Environment)
	}
	ids := map[string]bool{}
	var smtp *report.Section
	for i, s := range rep.Sections {
		for _, f := range s.Findings {
			ids[s.Check+" "+f.ID] = true
		}
		if s.Check == "smtp" {
			smtp = &rep.Sections[i]
		}
	}
	if smtp == nil {
		t.Fatal("no smtp section: the MX hosts' TLS belongs to the domain report")
	}
	if !ids["dane dane.tlsa.mismatch"] {
		t.Errorf("no TLSA mismatch for mx1: %v", ids)
	}
	if !ids["smtp smtp.cert.untrusted"] {
		t.Errorf("mx2's self-signed certificate not reported: %v", ids)
	}
	for _, r := range rep.Readiness {
		if strings.HasPrefix(r.Requirement.String(), "TLS for transmission") && r.Status != "pass" {
			t.Errorf("TLS row %q: both MX hosts offer STARTTLS", r.Status)
		}
	}
	if rep.Score == nil || len(rep.Score.Caps) == 0 {
		t.Errorf("the DANE mismatch fires a cap: %+v", rep.Score)
	}
	for _, s := range []*smtptest.Server{mx1, mx2} {
		if cmds := s.MailCommands(); len(cmds) > 0 {
			t.Errorf("mail commands sent: %v", cmds)
		}
		if s.Sessions() == 0 {
			t.Errorf("%s never probed", s.Addr)
		}
	}
}

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/golden"
	"github.com/mailcheck/mailcheck/internal/smtptest"
	"github.com/mailcheck/mailcheck/pkg/smtpprobe"
)

// portsZone holds shop.example with MX, SRV and IPv6 (documentation
// addresses, routed to loopback by portsNet).
const portsZone = "../../pkg/smtpprobe/testdata/ports.zone"

// portsNet routes the zone's documentation addresses to servers on
// 127.0.0.1: to a listening address, to nowhere (a DROP: the dial waits
// until its deadline), or to a connect error. Nothing leaves loopback; a
// dial without a route fails the test.
type portsNet struct {
	t      *testing.T
	routes map[string]any // string (127.0.0.1:port), "drop", or syscall.Errno
}

func (n *portsNet) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	switch r := n.routes[addr].(type) {
	case string:
		if r == "drop" {
			<-ctx.Done()
			return nil, &net.OpError{Op: "dial", Net: network, Err: ctx.Err()}
		}
		var d net.Dialer
		return d.DialContext(ctx, "tcp4", r)
	case syscall.Errno:
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", r)}
	}
	n.t.Errorf("dial without a route: %s %s", network, addr)
	return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("no route for %s", addr)}
}

// portsDNS serves portsZone on a loopback DNS server and returns its address.
func portsDNS(t *testing.T) string {
	return dnstest.Start(t, dnstest.ZoneFile(portsZone)).Addr
}

// runPortsCommand runs `mailcheck <args>` in-process with the ports command
// registered and the dialer given.
func runPortsCommand(t *testing.T, dialer *portsNet, args ...string) result {
	t.Helper()
	return runWith(t, func(f *Factory, _ *bytes.Buffer) { f.Dialer = dialer }, args...)
}

func TestNewPortsCmd(t *testing.T) {
	def := smtpprobe.DefaultPorts
	tests := []struct {
		args    []string
		host    string
		domain  string
		ports   []smtpprobe.Port
		helo    string
		refs    []string
		wantErr string
	}{
		{args: []string{"MX.Shop.Example."}, host: "mx.shop.example", ports: def},
		{args: []string{"192.0.2.1"}, host: "192.0.2.1", ports: def},
		{args: []string{"[2001:db8::25]"}, host: "2001:db8::25", ports: def},
		{args: []string{"--domain", "Shop.Example"}, domain: "shop.example", ports: def},
		{args: []string{"h.example", "--port", "2525"}, host: "h.example",
			ports: []smtpprobe.Port{{Number: 25, Role: "smtp"}, {Number: 587, Role: "submission"}, {Number: 465, Role: "submissions"}, {Number: 2525, Role: "smtp"}}},
		{args: []string{"h.example", "--port", "465/submission"}, host: "h.example",
			ports: []smtpprobe.Port{{Number: 25, Role: "smtp"}, {Number: 587, Role: "submission"}, {Number: 465, Role: "submission"}}},
		{args: []string{"h.example", "--no-default-ports", "--port", "40001", "--port", "40002/submissions"}, host: "h.example",
			ports: []smtpprobe.Port{{Number: 40001, Role: "smtp"}, {Number: 40002, Role: "submissions"}}},
		{args: []string{"h.example", "--helo", "Host.Example.Net"}, host: "h.example", ports: def, helo: "host.example.net"},
		{args: []string{"h.example", "--helo", "[192.0.2.7]"}, host: "h.example", ports: def, helo: "[192.0.2.7]"},
		{args: []string{"h.example", "--helo", "[IPv6:2001:db8::7]"}, host: "h.example", ports: def, helo: "[IPv6:2001:db8::7]"},
		{args: []string{"h.example", "--reference", "MX.Ref.Example", "--reference", "198.51.100.1"}, host: "h.example", ports: def,
			refs: []string{"mx.ref.example", "198.51.100.1"}},
		{args: []string{}, ports: def},
		{args: []string{"--no-reference"}, wantErr: "--no-reference takes a host or --domain"},
		{args: []string{"a.example", "b.example"}, wantErr: "at most one host"},
		{args: []string{"a.example", "--domain", "b.example"}, wantErr: "not both"},
		{args: []string{"--domain", "192.0.2.1"}, wantErr: "IP address"},
		{args: []string{"localhost"}, wantErr: "single label"},
		{args: []string{"a.example", "--port", "70000"}, wantErr: "--port"},
		{args: []string{"a.example", "--port", "25/imap"}, wantErr: "role must be"},
		{args: []string{"a.example", "--no-default-ports"}, wantErr: "needs at least one --port"},
		{args: []string{"a.example", "--helo", "localhost"}, wantErr: "--helo"},
		{args: []string{"a.example", "--helo", "192.0.2.7"}, wantErr: "[192.0.2.7]"},
		{args: []string{"a.example", "--helo", "[IPv6:192.0.2.7]"}, wantErr: "address literal"},
		{args: []string{"a.example", "--reference", "bad..name"}, wantErr: "--reference"},
		{args: []string{"a.example", "--connect-timeout", "0s"}, wantErr: "--connect-timeout"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, err := captureOptions(t, newPortsCmd, tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Host != tt.host || got.Domain.String() != tt.domain || !slices.Equal(got.Ports, tt.ports) ||
				got.HELO != tt.helo || !slices.Equal(got.References, tt.refs) || got.ConnectTimeout != 10*time.Second {
				t.Errorf("options %+v", *got)
			}
		})
	}
}

// A host named by address: STARTTLS on 25 with a self-signed certificate,
// 587 offering AUTH before TLS, nothing on 465. The JSON carries every
// probe, and no server received a mail command.
func TestRunPortsHostJSON(t *testing.T) {
	cert := smtptest.SelfSigned(t, smtptest.CertOptions{DNSNames: []string{"mx1.shop.example"}})
	mx := smtptest.Start(t, smtptest.Config{Hostname: "mx1.shop.example", TLS: smtptest.ServerConfig(cert)})
	sub := smtptest.Start(t, smtptest.Config{Hostname: "mx1.shop.example", Extensions: []string{"PIPELINING", "AUTH PLAIN LOGIN"}})
	dns := dnstest.Start(t, dnstest.ZoneFile(portsZone))
	dialer := &portsNet{t: t, routes: map[string]any{
		"192.0.2.10:25":  mx.Addr,
		"192.0.2.10:587": sub.Addr,
		"192.0.2.10:465": smtptest.RefusedAddr(t),
	}}
	r := runPortsCommand(t, dialer, "ports", "192.0.2.10", "--helo", "probe.example.org", "--format", "json",
		"--resolver", dns.ClientOptions().Server)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (a critical finding); stderr %q", r.code, r.stderr)
	}
	var doc struct {
		Command  string `json:"command"`
		Sections []struct {
			Check    string `json:"check"`
			Status   string `json:"status"`
			Findings []struct {
				ID       string `json:"id"`
				Severity string `json:"severity"`
			} `json:"findings"`
			Data json.RawMessage `json:"data"`
		} `json:"sections"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Command != "ports" || len(doc.Sections) != 2 || doc.Sections[0].Check != "ports" || doc.Sections[1].Check != "smtp" {
		t.Fatalf("document %+v", doc)
	}
	if doc.Sections[0].Status != "pass" || len(doc.Sections[0].Findings) != 0 {
		t.Errorf("environment %+v", doc.Sections[0])
	}
	var got []string
	for _, f := range doc.Sections[1].Findings {
		if !strings.HasPrefix(f.ID, "smtp.ext.") {
			got = append(got, f.ID+" "+f.Severity)
		}
	}
	// The certificate names mx1.shop.example, not the address dialled.
	want := []string{"smtp.starttls.missing critical", "smtp.auth.cleartext high", "smtp.cert.name_mismatch medium", "smtp.cert.untrusted low", "smtp.connect.refused info"}
	if !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
	var data smtpprobe.PortsData
	if err := json.Unmarshal(doc.Sections[0].Data, &data); err != nil {
		t.Fatal(err)
	}
	if len(data.Probes) != 3 || data.Probes[0].TLS == nil || !data.Probes[0].TLS.SelfSigned || data.Probes[2].Outcome != smtpprobe.OutcomeRefused {
		t.Errorf("probes %+v", data.Probes)
	}
	for _, s := range []*smtptest.Server{mx, sub} {
		if m := s.MailCommands(); len(m) > 0 {
			t.Errorf("mail commands sent: %q", m)
		}
		for _, c := range s.Commands() {
			if verb, _, _ := strings.Cut(c.Line, " "); !slices.Contains([]string{"EHLO", "STARTTLS", "QUIT"}, verb) {
				t.Errorf("unexpected command %q", c.Line)
			}
		}
	}
}

// --domain through the zone file: port 25 silent to both MX hosts (two
// providers) while 587 answers: the text report says this network blocks
// port 25, apart from what the servers do, with a host x port table.
func TestRunPortsDomainText(t *testing.T) {
	sub := smtptest.Start(t, smtptest.Config{Hostname: "smtp.shop.example", Extensions: []string{"PIPELINING", "SIZE 10240000", "AUTH PLAIN LOGIN"}})
	dialer := &portsNet{t: t, routes: map[string]any{
		"192.0.2.10:25":     "drop",
		"[2001:db8::10]:25": syscall.ENETUNREACH,
		"198.51.100.10:25":  "drop",
		"192.0.2.20:587":    sub.Addr,
		"192.0.2.20:465":    smtptest.RefusedAddr(t),
	}}
	dnsAddr := portsDNS(t)
	r := runPortsCommand(t, dialer, "ports", "--domain", "shop.example", "--resolver", dnsAddr, "--helo", "probe.example.org",
		"--connect-timeout", "300ms", "--fail-on", "none")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{"env.port25.blocked", "587/submission", "mx.backup.test", "timeout", "smtp.starttls.missing"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// The loopback DNS server's port changes with every run.
	golden.Assert(t, []byte(strings.ReplaceAll(r.stdout, dnsAddr, "127.0.0.1:53")))
	if m := sub.MailCommands(); len(m) > 0 {
		t.Errorf("mail commands sent: %q", m)
	}
}

// Every probe is in the report, each ended by its own stage bound (the
// connect gets half of --timeout), so the silent ports are reported as
// timeouts rather than cut off; with nothing decided the run is
// inconclusive (exit 3).
func TestRunPortsTimeout(t *testing.T) {
	dialer := &portsNet{t: t, routes: map[string]any{
		"192.0.2.10:25": "drop", "192.0.2.10:587": "drop", "192.0.2.10:465": "drop",
	}}
	r := runPortsCommand(t, dialer, "ports", "192.0.2.10", "--resolver", portsDNS(t), "--timeout", "300ms", "--format", "json")
	if r.code != ExitInconclusive {
		t.Fatalf("exit %d, want %d; stderr %q", r.code, ExitInconclusive, r.stderr)
	}
	_, data := decodePorts(t, r.stdout)
	if len(data.Probes) != 3 {
		t.Fatalf("%d probes reported", len(data.Probes))
	}
	for _, p := range data.Probes {
		if p.Outcome != smtpprobe.OutcomeTimeout || p.Stage != smtpprobe.StageConnect {
			t.Errorf("port %d: %s at %s", p.Port.Number, p.Outcome, p.Stage)
		}
	}
}

// No host given and the reference hosts cannot be looked up (the resolver
// refuses them): nothing was tried, so this network is unknown and the run
// inconclusive, not "Outbound SMTP · pass · 25 not reached" and exit 0.
func TestRunPortsReferencesUnresolved(t *testing.T) {
	dialer := &portsNet{t: t, routes: map[string]any{}}
	r := runPortsCommand(t, dialer, "ports", "--reference", "mx.gone.test", "--reference", "mx.other.test", "--resolver", portsDNS(t), "--format", "json")
	if r.code != ExitInconclusive {
		t.Fatalf("exit %d, want %d; stderr %q; %s", r.code, ExitInconclusive, r.stderr, r.stdout)
	}
	doc, _ := decodePorts(t, r.stdout)
	if s := doc.Sections[0]; s.Status != "unknown" {
		t.Errorf("%s: %s, want unknown", s.Check, s.Status)
	}
}

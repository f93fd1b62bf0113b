package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/smtptest"
)

// noNet is a world in which any connection fails the test: the dialer of
// the Factory and the dialers of its HTTP client's transport.
type noNet struct{ t *testing.T }

func (n noNet) DialContext(_ context.Context, network, addr string) (net.Conn, error) {
	n.t.Errorf("offline run dialed %s %s", network, addr)
	return nil, fmt.Errorf("noNet: %s %s", network, addr)
}

func (n noNet) install(f *Factory) {
	f.Dialer = n
	f.HTTPClient = &http.Client{Transport: &http.Transport{
		DialContext:    n.DialContext,
		DialTLSContext: n.DialContext,
		Proxy:          func(*http.Request) (*url.URL, error) { n.t.Errorf("offline run asked for a proxy"); return nil, nil },
	}}
}

// --zone opens no socket at all, whatever the command: what needs the
// network is skipped with the reason, never a deduction or a doubt.
func TestZoneOpensNoSocket(t *testing.T) {
	for _, args := range [][]string{
		{"domain", "shop.example"},
		{"mx", "shop.example"},
		{"ports", "--domain", "shop.example"},
		{"ports", "mx1.shop.example"},
		{"spf", "shop.example"},
		{"dkim", "shop.example"},
		{"dmarc", "shop.example"},
		{"dnsbl", "shop.example"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := runWith(t, func(f *Factory, _ *bytes.Buffer) { noNet{t}.install(f) },
				append(args, "--zone", mxGoodZone, "--format", "json", "--fail-on", "none")...)
			if r.code == ExitBadInput || strings.Contains(r.stderr, "internal error") {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			for _, bad := range []string{"mtasts.policy.unfetchable", "bimi.logo.unfetchable", "noNet"} {
				if strings.Contains(r.stdout, bad) {
					t.Errorf("offline output mentions %s", bad)
				}
			}
		})
	}
}

type statusDoc struct {
	Score *struct {
		Value      int `json:"value"`
		Categories []struct {
			Name       string `json:"name"`
			Deductions []struct {
				ID string `json:"id"`
			} `json:"deductions"`
		} `json:"categories"`
	} `json:"score"`
	Sections []struct {
		Check  string `json:"check"`
		Status string `json:"status"`
	} `json:"sections"`
	Environment []struct {
		Check  string `json:"check"`
		Status string `json:"status"`
	} `json:"environment"`
}

func (d statusDoc) status(check string) string {
	for _, s := range append(d.Sections, d.Environment...) {
		if s.Check == check {
			return s.Status
		}
	}
	return ""
}

// A correctly configured domain scores the same offline as online: the
// policy and logo that could not be fetched are skipped, not deducted.
func TestZoneLosesNoPoints(t *testing.T) {
	const good = "version: STSv1\r\nmode: enforce\r\nmx: *.shop.example\r\nmax_age: 1209600\r\n"
	srv, router, client := mxWorld(t, good)
	online := runMXCmd(t, router, client, "domain", "shop.example", "--resolver", srv.Addr, "--no-probe", "--format", "jsonl", "--fail-on", "none")
	offline := runWith(t, func(f *Factory, _ *bytes.Buffer) { noNet{t}.install(f) },
		"domain", "shop.example", "--zone", mxGoodZone, "--format", "jsonl", "--fail-on", "none")
	var on, off statusDoc
	if err := json.Unmarshal([]byte(online.stdout), &on); err != nil {
		t.Fatalf("%v: %s", err, online.stderr)
	}
	if err := json.Unmarshal([]byte(offline.stdout), &off); err != nil {
		t.Fatalf("%v: %s", err, offline.stderr)
	}
	if on.status("mtasts") != "pass" || off.status("mtasts") != "skipped" || off.status("bimi") != "skipped" || off.status("ports") != "skipped" {
		t.Errorf("mtasts online %s, offline %s; bimi offline %s; ports offline %s",
			on.status("mtasts"), off.status("mtasts"), off.status("bimi"), off.status("ports"))
	}
	if on.Score == nil || off.Score == nil {
		t.Fatalf("no score: online %s / offline %s", online.stderr, offline.stderr)
	}
	if off.Score.Value != on.Score.Value {
		t.Errorf("offline score %d, online %d: offline cost points", off.Score.Value, on.Score.Value)
	}
	for _, c := range off.Score.Categories {
		for _, d := range c.Deductions {
			if strings.HasPrefix(d.ID, "mtasts.") || strings.HasPrefix(d.ID, "bimi.") {
				t.Errorf("offline deduction %s", d.ID)
			}
		}
	}
}

// With --resolver, the HTTPS hosts (MTA-STS policy, BIMI logo) are looked up
// through that resolver and the dialer only ever sees addresses.
func TestResolverResolvesHTTPSHosts(t *testing.T) {
	const good = "version: STSv1\r\nmode: enforce\r\nmx: *.shop.example\r\nmax_age: 1209600\r\n"
	srv, router, client := mxWorld(t, good)
	r := runMXCmd(t, router, client, "mx", "shop.example", "--resolver", srv.Addr, "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, name := range []string{"mta-sts.shop.example.", "bimi.shop.example."} {
		if !asked(srv, name, dns.TypeA) {
			t.Errorf("%s A was not asked of --resolver", name)
		}
	}
	if router.Dials("192.0.2.30:443") != 1 || router.Dials("192.0.2.40:443") != 1 {
		t.Errorf("dials: policy %d, logo %d", router.Dials("192.0.2.30:443"), router.Dials("192.0.2.40:443"))
	}
}

// With --resolver, an SMTP host given by name is looked up through that
// resolver, and the dialer only ever sees its address.
func TestResolverResolvesSMTPHosts(t *testing.T) {
	mx := smtptest.Start(t, smtptest.Config{Hostname: "mx1.shop.example"})
	srv := dnstest.Start(t, dnstest.ZoneFile(portsZone))
	dialer := &portsNet{t: t, routes: map[string]any{
		"192.0.2.10:25":     mx.Addr,
		"[2001:db8::10]:25": "drop",
	}}
	r := runPortsCommand(t, dialer, "ports", "mx1.shop.example", "--no-default-ports", "--port", "25",
		"--resolver", srv.Addr, "--format", "json", "--fail-on", "none", "--timeout", "2s", "--connect-timeout", "300ms")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q\n%s", r.code, r.stderr, r.stdout)
	}
	if !asked(srv, "mx1.shop.example.", dns.TypeA) || !asked(srv, "mx1.shop.example.", dns.TypeAAAA) {
		t.Errorf("mx1.shop.example addresses not asked of --resolver: %v", srv.Log())
	}
}

func asked(srv *dnstest.Server, name string, qtype uint16) bool {
	for _, q := range srv.Log() {
		if strings.EqualFold(q.Name, name) && q.Type == qtype {
			return true
		}
	}
	return false
}

package cli

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/httpstest"
)

const mxGoodZone = "../../testdata/zones/mx-good.zone"

func TestNewCmdMX(t *testing.T) {
	tests := []struct {
		args    []string
		domain  string
		ips     []string
		wantErr string
	}{
		{args: []string{"shop.example"}, domain: "shop.example"},
		{args: []string{"Shop.Example.", "--ip", "192.0.2.1", "--ip", "2001:db8::1,[198.51.100.7]"}, domain: "shop.example", ips: []string{"192.0.2.1", "2001:db8::1", "198.51.100.7"}},
		{args: []string{"shop.example", "--ip", "::ffff:192.0.2.1"}, domain: "shop.example", ips: []string{"192.0.2.1"}},
		{args: []string{"shop.example", "--ip", "mail.shop.example"}, wantErr: "--ip"},
		{args: []string{"192.0.2.1"}, wantErr: "IP address"},
		{args: []string{"shop.example", "--bimi-selector", "a.b"}, wantErr: "--bimi-selector"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, err := captureOptions(t, newMXCmd, tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ips []string
			for _, a := range got.IPs {
				ips = append(ips, a.String())
			}
			if got.Domain.String() != tt.domain || !slices.Equal(ips, tt.ips) {
				t.Errorf("options %+v", got)
			}
		})
	}
}

// runMXCmd runs `mailcheck <args>` in-process like run(), with router as
// the world's only door (it routes the zone's addresses to loopback HTTPS
// servers and refuses every other) and client's TLS settings (the test CA).
func runMXCmd(t *testing.T, router *httpstest.Router, client *http.Client, args ...string) result {
	t.Helper()
	return runWith(t, func(f *Factory, _ *bytes.Buffer) { f.HTTPClient, f.Dialer = client, router }, args...)
}

type mxDoc struct {
	SchemaVersion int    `json:"schema_version"`
	Command       string `json:"command"`
	Sections      []struct {
		Check    string `json:"check"`
		Status   string `json:"status"`
		Findings []struct {
			ID       string `json:"id"`
			Severity string `json:"severity"`
		} `json:"findings"`
	} `json:"sections"`
}

func (d mxDoc) status() map[string]string {
	m := map[string]string{}
	for _, s := range d.Sections {
		m[s.Check] = s.Status
	}
	return m
}

func (d mxDoc) ids(check string) []string {
	var out []string
	for _, s := range d.Sections {
		if s.Check == check {
			for _, f := range s.Findings {
				out = append(out, f.ID)
			}
		}
	}
	return out
}

// mxWorld serves mx-good.zone on a loopback DNS server (zone signed) and the
// MTA-STS policy and BIMI logo of shop.example on a loopback HTTPS server
// with a certificate from a CA made here. The router knows the servers by
// the addresses the zone gives their names only: a name that reached the
// dialer unresolved would find no route.
func mxWorld(t *testing.T, policy string) (*dnstest.Server, *httpstest.Router, *http.Client) {
	srv := dnstest.Start(t, dnstest.ZoneFile(mxGoodZone),
		dnstest.ZoneFile("../../testdata/zones/mx-ptr.zone"),
		dnstest.ZoneText("example.", "@ TXT \"parent of the test domains\"\n"))
	srv.SetAuthentic("shop.example.", true)
	ca := httpstest.NewCA(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/mta-sts.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(policy))
	})
	mux.HandleFunc("/logo.svg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		_, _ = w.Write([]byte(`<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps"><title>Shop</title></svg>`))
	})
	router := httpstest.NewRouter()
	router.Route("192.0.2.30:443", httpstest.Serve(t, mux, ca.Valid(t, "mta-sts.shop.example")))
	router.Route("192.0.2.40:443", httpstest.Serve(t, mux, ca.Valid(t, "bimi.shop.example")))
	return srv, router, router.Client(ca)
}

func TestMXOverResolver(t *testing.T) {
	const good = "version: STSv1\r\nmode: enforce\r\nmx: *.shop.example\r\nmax_age: 1209600\r\n"
	const partial = "version: STSv1\r\nmode: enforce\r\nmx: mx1.shop.example\r\nmax_age: 1209600\r\n"
	tests := []struct {
		name   string
		policy string
		args   []string
		code   int
		status map[string]string
		ids    map[string][]string
	}{
		{
			name: "healthy", policy: good, code: 0,
			status: map[string]string{"mx": "pass", "rdns": "pass", "mtasts": "pass", "tlsrpt": "pass", "dnssec": "pass", "dane": "pass", "bimi": "pass"},
		},
		{
			name: "policy misses an MX: critical, exit 1", policy: partial, code: 1,
			status: map[string]string{"mtasts": "fail"},
			ids:    map[string][]string{"mtasts": {"mtasts.mx.uncovered"}},
		},
		{
			name: "a sending address without reverse DNS", policy: good, args: []string{"--ip", "198.51.100.1", "--fail-on", "high"}, code: 1,
			status: map[string]string{"rdns": "fail"},
			ids:    map[string][]string{"rdns": {"ptr.missing"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, router, client := mxWorld(t, tt.policy)
			r := runMXCmd(t, router, client, append([]string{"mx", "shop.example", "--resolver", srv.Addr, "--format", "json"}, tt.args...)...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", r.code, tt.code, r.stderr)
			}
			var doc mxDoc
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatalf("%v\n%s", err, r.stdout)
			}
			if doc.SchemaVersion != 1 || doc.Command != "mx" || len(doc.Sections) != 7 {
				t.Fatalf("document %+v", doc)
			}
			got := doc.status()
			for check, want := range tt.status {
				if got[check] != want {
					t.Errorf("%s: %s, want %s (findings %v)", check, got[check], want, doc.ids(check))
				}
			}
			for check, want := range tt.ids {
				if ids := doc.ids(check); !slices.Equal(ids, want) {
					t.Errorf("%s findings %v, want %v", check, ids, want)
				}
			}
		})
	}
}

// Offline, the policy and logo are not fetched: those parts are unknown,
// the rest is decided from the zone file, and nothing is dialed.
func TestMXOffline(t *testing.T) {
	router := httpstest.NewRouter()
	r := runMXCmd(t, router, router.Client(httpstest.NewCA(t)), "mx", "shop.example", "--zone", mxGoodZone, "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	var doc mxDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	st := doc.status()
	if st["mx"] != "pass" || st["mtasts"] != "skipped" || st["bimi"] != "skipped" || st["tlsrpt"] != "pass" {
		t.Errorf("statuses %v", st)
	}
	if n := router.Dials("mta-sts.shop.example:443"); n != 0 {
		t.Errorf("offline run dialed %d times", n)
	}
}

func TestMXText(t *testing.T) {
	srv, router, client := mxWorld(t, "version: STSv1\nmode: testing\nmx: mx1.shop.example\nmax_age: 3600\n")
	r := runMXCmd(t, router, client, "mx", "shop.example", "--resolver", srv.Addr, "--ip", netip.MustParseAddr("198.51.100.2").String())
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{"mtasts.mx.uncovered", "mtasts.mode.testing", "mtasts.max_age.short", "ptr.not_fcrdns", "mx2.shop.example"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text output lacks %q:\n%s", want, r.stdout)
		}
	}
}

// A resolver that fails everything: every section unknown, exit 3, and no
// "missing" verdict anywhere.
func TestMXServfailIsInconclusive(t *testing.T) {
	srv, router, client := mxWorld(t, "")
	for _, name := range []string{"shop.example.", "_mta-sts.shop.example.", "_smtp._tls.shop.example.", "default._bimi.shop.example.", "_dmarc.shop.example."} {
		srv.SetFault(name, 0, dnstest.ServFail)
	}
	r := runMXCmd(t, router, client, "mx", "shop.example", "--resolver", srv.Addr, "--format", "json")
	if r.code != ExitInconclusive {
		t.Errorf("exit %d, want 3; stderr %q\n%s", r.code, r.stderr, r.stdout)
	}
	if strings.Contains(r.stdout, "mx.missing") || strings.Contains(r.stdout, "mtasts.absent") || strings.Contains(r.stdout, "tlsrpt.absent") {
		t.Errorf("a failed lookup reported as missing:\n%s", r.stdout)
	}
}

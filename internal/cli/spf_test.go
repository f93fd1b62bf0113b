package cli

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
)

func TestNewSPFCmd(t *testing.T) {
	tests := []struct {
		args    []string
		want    SPFOptions
		wantErr string
	}{
		{args: []string{"shop.example"}, want: SPFOptions{}},
		{args: []string{"shop.example", "--ip", "192.0.2.1", "--sender", "a@bounce.shop.example", "--helo", "mx.shop.example"},
			want: SPFOptions{IP: netip.MustParseAddr("192.0.2.1"), Sender: "a@bounce.shop.example", HELO: "mx.shop.example"}},
		{args: []string{"shop.example", "--ip", "::ffff:192.0.2.1"}, want: SPFOptions{IP: netip.MustParseAddr("192.0.2.1")}},
		{args: []string{"shop.example", "--helo", "mx.shop.example"}, want: SPFOptions{HELO: "mx.shop.example"}},
		{args: []string{"shop.example", "--ip", "300.1.1.1"}, wantErr: "not an IPv4 or IPv6 address"},
		{args: []string{"shop.example", "--sender", "a@shop.example"}, wantErr: "--ip"},
		{args: []string{"shop.example", "--ip", "192.0.2.1", "--sender", "a@shop"}, wantErr: "--sender"},
		{args: []string{"192.0.2.1"}, wantErr: "IP address"},
		{args: []string{}, wantErr: "a domain name"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, err := captureOptions(t, newSPFCmd, tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.IP != tt.want.IP || got.Sender != tt.want.Sender || got.HELO != tt.want.HELO {
				t.Errorf("options %+v, want %+v", *got, tt.want)
			}
		})
	}
}

// runSPFCommand runs `mailcheck <args>` in-process with the spf command
// registered, against the loopback server, and returns the exit code and
// output.
func runSPFCommand(t *testing.T, srv *dnstest.Server, args ...string) (int, string, string) {
	t.Helper()
	r := runWith(t, func(f *Factory, _ *bytes.Buffer) {
	}, append(args, "--resolver", srv.Addr)...)
	return r.code, r.stdout, r.stderr
}

func TestRunSPF(t *testing.T) {
	// Each fixture has its own server: they all describe esp.test.
	servers := map[string]*dnstest.Server{}
	for _, z := range []string{"spf-good.zone", "spf-too-many-lookups.zone", "spf-broken.zone"} {
		servers[z] = dnstest.Start(t, dnstest.ZoneFile("../../testdata/zones/"+z))
	}
	tests := []struct {
		name     string
		zone     string
		args     []string
		code     int
		contains []string
	}{
		{"healthy", "spf-good.zone", []string{"spf", "good.example"}, ExitOK, []string{"include:_spf.esp.test"}},
		{"broken exits 1", "spf-too-many-lookups.zone", []string{"spf", "heavy.example"}, ExitGateFailed, []string{"spf.lookups.exceeded", "include:_spf.esp.test"}},
		{"warnings exit 0", "spf-broken.zone", []string{"spf", "ptr.broken.example"}, ExitOK, []string{"spf.ptr.used"}},
		{"--fail-on medium", "spf-broken.zone", []string{"spf", "ptr.broken.example", "--fail-on", "medium"}, ExitGateFailed, []string{"spf.ptr.used"}},
		{"--fail-on none", "spf-too-many-lookups.zone", []string{"spf", "heavy.example", "--fail-on", "none"}, ExitOK, nil},
		{"evaluation", "spf-good.zone", []string{"spf", "good.example", "--ip", "198.51.100.7", "--sender", "shop@good.example"}, ExitOK,
			[]string{"pass", "include:_spf.esp.test"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runSPFCommand(t, servers[tt.zone], tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, errOut)
			}
			for _, s := range tt.contains {
				if !strings.Contains(out+errOut, s) {
					t.Errorf("output lacks %q:\n%s\n%s", s, out, errOut)
				}
			}
		})
	}
}

func TestRunSPFJSON(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile("../../testdata/zones/spf-good.zone"))
	code, out, errOut := runSPFCommand(t, srv, "spf", "good.example", "--ip", "203.0.113.9", "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Sections []struct {
			Check string `json:"check"`
			Data  struct {
				DNSTerms   int `json:"dns_terms"`
				Evaluation struct {
					Result string `json:"result"`
					Term   string `json:"term"`
				} `json:"evaluation"`
				Tree struct {
					Children []struct {
						Domain string `json:"domain"`
						Cost   int    `json:"cost"`
					} `json:"children"`
				} `json:"tree"`
			} `json:"data"`
		} `json:"sections"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(doc.Sections) != 1 || doc.Sections[0].Check != "spf" {
		t.Fatalf("sections %+v", doc.Sections)
	}
	d := doc.Sections[0].Data
	if d.DNSTerms != 1 || d.Evaluation.Result != "softfail" || d.Evaluation.Term != "~all" ||
		len(d.Tree.Children) != 1 || d.Tree.Children[0].Domain != "_spf.esp.test" || d.Tree.Children[0].Cost != 1 {
		t.Errorf("data %+v", d)
	}
}

package cli

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/golden"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/dmarc"
)

func TestNewCmdDMARC(t *testing.T) {
	tests := []struct {
		args    []string
		domain  string
		require dmarc.Policy
	}{
		{[]string{"shop.example"}, "shop.example", ""},
		{[]string{"Shop.Example."}, "shop.example", ""},
		{[]string{"bücher.example"}, "xn--bcher-kva.example", ""},
		{[]string{"shop.example", "--require-policy", "Quarantine"}, "shop.example", dmarc.PolicyQuarantine},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, err := captureOptions(t, newDMARCCmd, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if got.Domain.String() != tt.domain || got.RequirePolicy != tt.require {
				t.Errorf("options %+v", got)
			}
		})
	}
}

// The README's demo: the bundled zone, offline.
func TestDMARCDemoZone(t *testing.T) {
	for _, format := range []string{"text", "json", "markdown"} {
		t.Run(format, func(t *testing.T) {
			r := run(t, "dmarc", "shop.example", "--zone", demoZone, "--format", format)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			golden.Assert(t, []byte(testclock.Normalize(r.stdout)))
		})
	}
}

func TestDMARCJSONSchema(t *testing.T) {
	r := run(t, "dmarc", "shop.example", "--zone", demoZone, "--format", "json")
	var doc struct {
		SchemaVersion int `json:"schema_version"`
		Sections      []struct {
			Check    string `json:"check"`
			Status   string `json:"status"`
			Findings []struct {
				ID       string `json:"id"`
				Severity string `json:"severity"`
				Fix      string `json:"fix"`
				Record   *struct{ Name, Type, Value string }
			} `json:"findings"`
			Data dmarc.Data `json:"data"`
		} `json:"sections"`
		DNS struct {
			Lookups, Distinct int
		} `json:"dns"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SchemaVersion != 1 || len(doc.Sections) != 1 || doc.Sections[0].Check != "dmarc" || doc.Sections[0].Status != "warn" {
		t.Fatalf("document %+v", doc)
	}
	d := doc.Sections[0].Data
	if d.EffectivePolicy != "none" || d.PolicyDomain != "shop.example" || len(d.Destinations) != 2 {
		t.Errorf("data %+v", d)
	}
	if strings.Contains(r.stdout, "\x1b") {
		t.Error("ANSI in JSON")
	}
}

func TestDMARCGates(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		why  string
	}{
		{"no requirement", nil, 0, ""},
		{"none is met", []string{"--require-policy", "none"}, 0, ""},
		{"quarantine is not", []string{"--require-policy", "quarantine"}, 1, "policy for shop.example is none"},
		{"fail-on medium", []string{"--fail-on", "medium"}, 1, "medium finding"},
		{"fail-on none", []string{"--fail-on", "none"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, append([]string{"dmarc", "shop.example", "--zone", demoZone, "--format", "json"}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d (stderr %q)", r.code, tt.code, r.stderr)
			}
			if !strings.HasPrefix(r.stdout, "{") {
				t.Error("the report is printed whatever the gate says")
			}
			if tt.why == "" && r.stderr != "" || tt.why != "" {
				if tt.why != "" {
					assertOneLineError(t, r, tt.why)
				} else {
					t.Errorf("stderr %q", r.stderr)
				}
			}
		})
	}
}

// Through a real DNS server on loopback, as CI checks a live zone.
func TestDMARCOverResolver(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile(demoZone))
	r := run(t, "dmarc", "shop.example", "--resolver", srv.Addr, "--format", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"effective_policy": "none"`) {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, `"resolver": "`+srv.Addr+`"`) {
		t.Error("the report does not say which resolver answered")
	}
	// The outside-zone names (_dmarc.example) are REFUSED by the server;
	// the policy is still decided from the domain's own record.
	r = run(t, "dmarc", "news.shop.example", "--resolver", srv.Addr, "--require-policy", "none")
	if r.code != 0 {
		t.Errorf("inherited policy: exit %d, %q", r.code, r.stderr)
	}
}

// A resolver that never answers must not hold the command past --timeout,
// and the run is inconclusive (exit 3), not a missing record.
func TestDMARCStalledResolver(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile(demoZone))
	srv.SetFault("_dmarc.shop.example.", 0, dnstest.Silence)
	srv.SetFault("shop.example.", 0, dnstest.Silence)
	start := time.Now()
	r := run(t, "dmarc", "shop.example", "--resolver", srv.Addr, "--timeout", "700ms")
	elapsed := time.Since(start)
	if r.code != ExitInconclusive {
		t.Errorf("exit %d, want 3; stderr %q", r.code, r.stderr)
	}
	if elapsed > 3*time.Second { // a bound on the deadline, not a speed test
		t.Errorf("took %v with --timeout 700ms", elapsed)
	}
	if !strings.Contains(r.stdout, "unknown") || strings.Contains(r.stdout, "dmarc.record.missing") {
		t.Errorf("a stalled lookup must be unknown, never missing:\n%s", r.stdout)
	}
	assertOneLineError(t, r, "inconclusive")
}

func TestDMARCServfailIsUnknown(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile(demoZone))
	srv.SetFault("_dmarc.shop.example.", 0, dnstest.ServFail)
	r := run(t, "dmarc", "shop.example", "--resolver", srv.Addr, "--format", "json")
	if r.code != ExitInconclusive || !strings.Contains(r.stdout, `"status": "unknown"`) || !strings.Contains(r.stdout, "dmarc.dns.error") {
		t.Errorf("exit %d\n%s", r.code, r.stdout)
	}
}

// docs/json.md shows the demo's JSON; it must not drift from the output.
func TestJSONDocExampleIsCurrent(t *testing.T) {
	doc, err := os.ReadFile("../../docs/json.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/TestDMARCDemoZone/json.golden")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "```json\n"+string(want)+"```") {
		t.Error("the example in docs/json.md differs from testdata/TestDMARCDemoZone/json.golden: paste the golden in")
	}
}

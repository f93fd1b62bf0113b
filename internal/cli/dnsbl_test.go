package cli

import (
	"context"
	"encoding/json"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/dnsbl"
)

// dnsblCatalog is the test catalog: lists under dnsbl.test, served from
// testdata/zones/dnsbl-*.zone.
var dnsblCatalog = filepath.Join("..", "..", "pkg", "dnsbl", "testdata", "lists-test.json")

func dnsblZones() []string {
	var out []string
	for _, z := range []string{"lists", "refusing", "bogus", "world", "dead", "shop"} {
		out = append(out, filepath.Join("..", "..", "testdata", "zones", "dnsbl-"+z+".zone"))
	}
	return out
}

func startDNSBLServer(t *testing.T) *dnstest.Server {
	t.Helper()
	var opts []dnstest.Option
	for _, z := range dnsblZones() {
		opts = append(opts, dnstest.ZoneFile(z))
	}
	return dnstest.Start(t, opts...)
}

func TestNewDNSBLCmd(t *testing.T) {
	tests := []struct {
		args        []string
		domain      string
		addrs       string
		lists       string
		catalog     string
		concurrency int
		wantErr     string
	}{
		{args: []string{"192.0.2.1"}, addrs: "192.0.2.1", concurrency: dnsbl.DefaultConcurrency},
		{args: []string{"192.0.2.1", "[2001:db8::1]", "::ffff:198.51.100.1"}, addrs: "192.0.2.1 2001:db8::1 198.51.100.1", concurrency: dnsbl.DefaultConcurrency},
		{args: []string{"Shop.Example."}, domain: "shop.example", concurrency: dnsbl.DefaultConcurrency},
		{args: []string{"192.0.2.1", "--list", "KEY.zen.dq.spamhaus.net", "--list", "rbl.example.net:ipv4,ipv6", "--concurrency", "4"},
			addrs: "192.0.2.1", lists: "KEY.zen.dq.spamhaus.net rbl.example.net:ipv4,ipv6", concurrency: 4},
		{args: []string{"192.0.2.1", "--lists", dnsblCatalog}, addrs: "192.0.2.1", catalog: "test-1", concurrency: dnsbl.DefaultConcurrency},
		{args: []string{}, wantErr: "IP addresses or a domain name"},
		{args: []string{"shop.example", "192.0.2.1"}, wantErr: "IP addresses or one domain name"},
		{args: []string{"a.example", "b.example"}, wantErr: "IP addresses or one domain name"},
		{args: []string{"shop"}, wantErr: "single label"},
		{args: []string{"fe80::1%eth0"}, wantErr: "zone"},
		{args: []string{"192.0.2.1", "--list", "not a zone"}, wantErr: "--list"},
		{args: []string{"192.0.2.1", "--list", "rbl.example.net:web"}, wantErr: "unknown kind"},
		{args: []string{"192.0.2.1", "--lists", "/nonexistent/lists.json"}, wantErr: "--lists"},
		{args: []string{"192.0.2.1", "--lists", demoZone}, wantErr: "invalid DNSBL catalog"},
		{args: []string{"192.0.2.1", "--concurrency", "0"}, wantErr: "--concurrency"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, err := captureOptions(t, newDNSBLCmd, tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				if exitCode(context.Background(), err) != ExitBadInput {
					t.Errorf("exit %d, want %d", exitCode(context.Background(), err), ExitBadInput)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var addrs []string
			for _, a := range got.Addrs {
				addrs = append(addrs, a.String())
			}
			catalog := ""
			if got.Catalog != nil {
				catalog = got.Catalog.Version
			}
			domain := ""
			if !got.Domain.IsZero() {
				domain = got.Domain.String()
			}
			if domain != tt.domain || strings.Join(addrs, " ") != tt.addrs || strings.Join(got.Lists, " ") != tt.lists ||
				catalog != tt.catalog || got.Concurrency != tt.concurrency {
				t.Errorf("options %+v", got)
			}
		})
	}
}

// runDNSBLCommand runs `mailcheck <args>` in-process with the dnsbl command
// registered, the way Run does, and returns the exit code and output.
func runDNSBLCommand(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	r := run(t, args...)
	return r.code, r.stdout, r.stderr
}

type dnsblDoc struct {
	SchemaVersion int `json:"schema_version"`
	Command       string
	Target        string
	Sections      []struct {
		Check    string `json:"check"`
		Status   string `json:"status"`
		Findings []struct {
			ID           string `json:"id"`
			Severity     string `json:"severity"`
			Inconclusive bool   `json:"inconclusive"`
		} `json:"findings"`
		Data dnsbl.Data `json:"data"`
	} `json:"sections"`
}

func TestRunDNSBL(t *testing.T) {
	srv := startDNSBLServer(t)
	base := []string{"--resolver", srv.Addr, "--lists", dnsblCatalog}
	tests := []struct {
		name     string
		args     []string
		code     int
		status   string
		ids      []string
		answers  int
		contains string // in the JSON
	}{
		{"listed address", []string{"dnsbl", "192.0.2.99"}, ExitGateFailed, "fail",
			[]string{"dnsbl.ip.listed.major", "dnsbl.ip.listed.minor", "dnsbl.ip.listed.minor"}, 3, `"meaning": "XBL: exploited host"`},
		{"clean address", []string{"dnsbl", "192.0.2.1"}, ExitOK, "pass", nil, 3, `"status": "clean"`},
		{"policy listing warns", []string{"dnsbl", "192.0.2.10", "--fail-on", "high"}, ExitOK, "warn", []string{"dnsbl.ip.listed.pbl"}, 3, `"code": "127.0.0.10"`},
		{"refusal is inconclusive, not listed", []string{"dnsbl", "192.0.2.1", "--list", "refusing.dnsbl.test"}, ExitInconclusive, "unknown",
			[]string{"dnsbl.query.refused"}, 4, `"verdict": "refused"`},
		{"bogus answers", []string{"dnsbl", "192.0.2.1", "--list", "bogus.dnsbl.test"}, ExitInconclusive, "unknown",
			[]string{"dnsbl.answer.bogus"}, 4, `"code": "198.51.100.7"`},
		{"list lists the world", []string{"dnsbl", "192.0.2.1", "--list", "world.dnsbl.test"}, ExitInconclusive, "unknown",
			[]string{"dnsbl.zone.unhealthy"}, 4, `"status": "unhealthy"`},
		{"defunct never queried", []string{"dnsbl", "192.0.2.1", "--list", "dnsbl.sorbs.net"}, ExitOK, "pass",
			[]string{"dnsbl.zone.defunct"}, 3, `"zone": "dnsbl.sorbs.net"`},
		// spam.example has no zone here: its MX and SPF lookups are REFUSED,
		// so the addresses are unknown, while the domain lists answer.
		{"domain", []string{"dnsbl", "spam.example"}, ExitGateFailed, "fail",
			[]string{"dnsbl.domain.listed", "dnsbl.domain.listed", "dnsbl.targets.unknown"}, 2, `"kind": "domain"`},
		{"domain with documentation addresses skipped", []string{"dnsbl", "shop.example"}, ExitOK, "pass", nil, 2, `"reason": "private (RFC 1918)"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runDNSBLCommand(t, append(append(tt.args, base...), "--format", "json")...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, stderr)
			}
			var doc dnsblDoc
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
				t.Fatalf("%v\n%s", err, stdout)
			}
			if doc.SchemaVersion != 1 || doc.Command != "dnsbl" || len(doc.Sections) != 1 || doc.Sections[0].Check != "dnsbl" {
				t.Fatalf("document %+v", doc)
			}
			sec := doc.Sections[0]
			var ids []string
			for _, f := range sec.Findings {
				ids = append(ids, f.ID)
			}
			if sec.Status != tt.status || strings.Join(ids, " ") != strings.Join(tt.ids, " ") {
				t.Errorf("status %s findings %v, want %s %v", sec.Status, ids, tt.status, tt.ids)
			}
			if len(sec.Data.Answers) != tt.answers {
				t.Errorf("%d answers, want %d", len(sec.Data.Answers), tt.answers)
			}
			for _, a := range sec.Data.Answers {
				if a.Verdict == "" || a.Status == "" || a.Query == "" {
					t.Errorf("answer without verdict/status/query: %+v", a)
				}
				if a.Verdict == dnsbl.Listed && (len(a.Codes) == 0 || a.Codes[0].Meaning.IsZero()) {
					t.Errorf("listing without code meaning: %+v", a)
				}
			}
			if !strings.Contains(stdout, tt.contains) {
				t.Errorf("JSON lacks %s", tt.contains)
			}
			if sec.Data.Resolver != srv.Addr || sec.Data.Catalog.Version != "test-1" {
				t.Errorf("resolver %q catalog %+v", sec.Data.Resolver, sec.Data.Catalog)
			}
		})
	}
	for _, q := range srv.Log() {
		if strings.Contains(q.Name, "sorbs") {
			t.Errorf("defunct zone queried: %s", q.Name)
		}
	}
}

func TestRunDNSBLText(t *testing.T) {
	srv := startDNSBLServer(t)
	code, stdout, stderr := runDNSBLCommand(t, "dnsbl", "192.0.2.99", "192.0.2.1", "--resolver", srv.Addr, "--lists", dnsblCatalog, "--list", "refusing.dnsbl.test", "--no-color")
	if code != ExitGateFailed {
		t.Fatalf("exit %d; stderr %q", code, stderr)
	}
	for _, want := range []string{"192.0.2.99", "major.dnsbl.test (XBL)", "refusing.dnsbl.test (refused)", "dnsbl.ip.listed.major", "dnsbl.query.refused"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("text output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "\x1b[") {
		t.Error("color with --no-color")
	}
}

// Offline from zone files, as in CI before a zone is deployed.
func TestRunDNSBLOffline(t *testing.T) {
	args := []string{"dnsbl", "192.0.2.99", "--lists", dnsblCatalog, "--format", "json"}
	for _, z := range dnsblZones() {
		args = append(args, "--zone", z)
	}
	code, stdout, stderr := runDNSBLCommand(t, args...)
	if code != ExitGateFailed || !strings.Contains(stdout, `"status": "listed"`) {
		t.Fatalf("exit %d; stderr %q\n%s", code, stderr, stdout)
	}
}

// A blocklist that never answers does not hold the command past its
// per-query bound, and a list that answered still counts.
func TestRunDNSBLSilentList(t *testing.T) {
	srv := startDNSBLServer(t)
	a := netip.MustParseAddr("192.0.2.1")
	for _, zone := range []string{"major", "minor", "info"} {
		z := zone + ".dnsbl.test"
		for _, name := range []string{dnsbl.AddrQueryName(a, z), dnsbl.AddrQueryName(dnsbl.TestListedIPv4, z), dnsbl.AddrQueryName(dnsbl.TestNotListedIPv4, z)} {
			srv.SetFault(name, 0, dnstest.Silence)
		}
	}
	code, stdout, _ := runDNSBLCommand(t, "dnsbl", "192.0.2.1", "--resolver", srv.Addr, "--lists", dnsblCatalog, "--timeout", "1500ms", "--format", "json")
	if code != ExitInconclusive {
		t.Fatalf("exit %d, want %d\n%s", code, ExitInconclusive, stdout)
	}
	if !strings.Contains(stdout, `"id": "dnsbl.query.failed"`) || strings.Contains(stdout, `"id": "dnsbl.query.refused"`) || strings.Contains(stdout, `"status": "listed"`) { // silence is no refusal (issue 11)
		t.Errorf("output:\n%s", stdout)
	}
}

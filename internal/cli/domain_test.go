package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/golden"
	"github.com/mailcheck/mailcheck/internal/iostreams"
	"github.com/mailcheck/mailcheck/internal/testclock"
)

func TestNewCmdDomain(t *testing.T) {
	got, err := captureOptions(t, newDomainCmd, []string{"a.example", "B.example", "--ip", "192.0.2.1,2001:db8::1", "--ip", "::ffff:192.0.2.2", "--selector", "s1", "--fail-under", "75", "--no-probe", "--concurrency", "8"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Domains) != 2 || got.Domains[1].String() != "b.example" || len(got.SendingIPs) != 3 || got.SendingIPs[2].String() != "192.0.2.2" ||
		got.FailUnder != 75 || !got.NoProbe || got.Concurrency != 8 || got.Selectors[0] != "s1" {
		t.Errorf("options %+v", got)
	}
}

func TestDomainBadInput(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"domain"}, "one or more domain names"},
		{[]string{"domain", "shop.example", "--ip", "300.1.1.1"}, "--ip"},
		{[]string{"domain", "shop.example", "--fail-under", "101"}, "--fail-under"},
		{[]string{"domain", "shop.example", "--concurrency", "0"}, "--concurrency"},
		{[]string{"domain", "--file", "testdata/nope.txt"}, "--file"},
		{[]string{"domain", "192.0.2.1"}, "IP address"},
	} {
		r := run(t, tt.args...)
		if r.code != ExitBadInput {
			t.Errorf("%v: exit %d", tt.args, r.code)
		}
		assertOneLineError(t, r, tt.want)
	}
}

// The demo: every check on the bundled zone, offline.
func TestDomainDemoZone(t *testing.T) {
	for _, format := range []string{"text", "markdown"} {
		t.Run(format, func(t *testing.T) {
			r := run(t, "domain", "shop.example", "--zone", demoZone, "--format", format, "--explain")
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			golden.Assert(t, []byte(testclock.Normalize(r.stdout)))
		})
	}
}

func TestDomainJSON(t *testing.T) {
	r := run(t, "domain", "shop.example", "--zone", demoZone, "--format", "json")
	var doc []struct {
		SchemaVersion int `json:"schema_version"`
		Score         struct {
			Value int    `json:"value"`
			Grade string `json:"grade"`
		} `json:"score"`
		TopFixes    []struct{ ID string } `json:"top_fixes"`
		Readiness   []struct{ Status string }
		Environment []struct{ Check, Status string }
		Sections    []struct{ Check string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("not a JSON array of reports: %v\n%s", err, r.stdout[:200])
	}
	d := doc[0]
	if len(doc) != 1 || d.SchemaVersion != 1 || d.Score.Grade == "" || len(d.TopFixes) != 5 || len(d.Readiness) != 18 || len(d.Sections) != 11 {
		t.Errorf("document %+v", d)
	}
	if len(d.Environment) != 1 || d.Environment[0].Status != "skipped" {
		t.Errorf("environment %+v: probes are skipped offline", d.Environment)
	}
}

func TestDomainGates(t *testing.T) {
	r := run(t, "domain", "shop.example", "--zone", demoZone, "--fail-under", "90", "--format", "jsonl")
	if r.code != ExitGateFailed {
		t.Fatalf("exit %d", r.code)
	}
	assertOneLineError(t, r, "under --fail-under 90")
	if r := run(t, "domain", "shop.example", "--zone", demoZone, "--fail-under", "10", "--format", "jsonl"); r.code != 0 {
		t.Errorf("--fail-under 10: exit %d %q", r.code, r.stderr)
	}
	if r := run(t, "domain", "shop.example", "--zone", demoZone, "--fail-on", "medium", "--format", "jsonl"); r.code != ExitGateFailed {
		t.Errorf("--fail-on medium: exit %d", r.code)
	}
}

// Many domains: input order kept, one line each in jsonl, a bad line in the
// file reported and skipped (exit 2), the rest still checked.
func TestDomainMany(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "domains.txt")
	content := "# merchants\nshop.example\n\nnews.shop.example  # a subdomain\nnot a domain\nreports.example\n"
	if err := os.WriteFile(list, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, "domain", "esp.example", "--file", list, "--zone", demoZone, "--format", "jsonl", "--concurrency", "2")
	if r.code != ExitBadInput {
		t.Errorf("exit %d, want 2 for the bad line", r.code)
	}
	if !strings.Contains(r.stderr, "line 5") || !strings.Contains(r.stderr, "not a domain") {
		t.Errorf("stderr %q should name the bad line", r.stderr)
	}
	var targets []string
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		var doc struct{ Target string }
		if err := json.Unmarshal(sc.Bytes(), &doc); err != nil {
			t.Fatalf("line is not JSON: %v", err)
		}
		targets = append(targets, doc.Target)
	}
	if strings.Join(targets, " ") != "esp.example shop.example news.shop.example reports.example" {
		t.Errorf("targets in order %v", targets)
	}
}

func TestDomainStdinAndSummary(t *testing.T) {
	ios, in, out, errOut := iostreams.Test()
	in.WriteString("shop.example\nreports.example\n")
	f := NewFactory(ios)
	f.ResolvConf = "/nonexistent"
	code := Run(context.Background(), []string{"domain", "--file", "-", "--zone", demoZone}, f)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	text := out.String()
	if !strings.Contains(text, "Summary of 2 domains") || strings.Index(text, "· shop.example") > strings.Index(text, "· reports.example") {
		t.Errorf("no summary, or out of order:\n%s", text[len(text)-600:])
	}
	if errOut.Len() != 0 {
		t.Errorf("progress written to a stderr that is not a terminal: %q", errOut)
	}
}

// Names that never answer make their checks unknown, never "missing", and
// do not hold the run past --timeout; the other checks keep their results.
func TestDomainPartlyStalledResolver(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile(demoZone))
	srv.SetFault("shop.example.", 0, dnstest.Silence)
	srv.SetFault("_dmarc.shop.example.", 0, dnstest.Silence)
	start := time.Now()
	r := run(t, "domain", "shop.example", "--resolver", srv.Addr, "--no-probe", "--timeout", "1500ms", "--format", "json")
	if time.Since(start) > 6*time.Second { // a bound on --timeout, not a speed test
		t.Errorf("took %v with --timeout 1.5s", time.Since(start))
	}
	var doc []struct {
		Sections []struct{ Check, Status string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, s := range doc[0].Sections {
		status[s.Check] = s.Status
	}
	if status["spf"] != "unknown" || status["dmarc"] != "unknown" || status["dkim"] == "unknown" {
		t.Errorf("statuses %v: spf and dmarc stalled, dkim did not", status)
	}
	if strings.Contains(r.stdout, "dmarc.record.missing") || strings.Contains(r.stdout, "spf.record.missing") {
		t.Error("a stalled lookup reported as a missing record")
	}
}

// A resolver that never answers anything: exit 3 within --timeout.
func TestDomainDeadResolver(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0") // bound, never read: silence
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	start := time.Now()
	r := run(t, "domain", "shop.example", "--resolver", pc.LocalAddr().String(), "--no-probe", "--timeout", "1s")
	if time.Since(start) > 6*time.Second {
		t.Errorf("took %v with --timeout 1s", time.Since(start))
	}
	if r.code != ExitInconclusive {
		t.Errorf("exit %d, want 3", r.code)
	}
	assertOneLineError(t, r, "inconclusive")
}

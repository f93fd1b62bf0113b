package cli

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/conformance"
	"github.com/mailcheck/mailcheck/pkg/reports"
)

func TestNewCmdReports(t *testing.T) {
	got, err := captureOptions(t, newReportsCmd, []string{"a.xml", "dir", "-", "--no-dns", "--format", "CSV"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Paths, ",") != "a.xml,dir,-" || !got.NoDNS || got.Format != "csv" {
		t.Errorf("options %+v", got)
	}
	if _, err := captureOptions(t, newReportsCmd, []string{"a.xml", "--format", "xml"}); err == nil {
		t.Error("--format xml accepted")
	}
	if _, err := captureOptions(t, newReportsCmd, []string{}); err == nil {
		t.Error("no path accepted")
	}
}

// reportXML is an aggregate report for shop.example dated the day before
// the suite clock.
func reportXML(id string, rows ...string) []byte {
	return langReport(id, "shop.example", "none", rows...)
}

func row(ip string, n int, dkim, spf, dkimD string) string {
	return fmt.Sprintf(`<record><row><source_ip>%s</source_ip><count>%d</count><policy_evaluated><dkim>%s</dkim><spf>%s</spf></policy_evaluated></row>
<identifiers><header_from>shop.example</header_from></identifiers><auth_results><dkim><domain>%s</domain><result>pass</result></dkim><spf><domain>shop.example</domain><result>%s</result></spf></auth_results></record>`, ip, n, dkim, spf, dkimD, spf)
}

func gzipped(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

// The whole conformance set through the command, as JSON: every report
// with its totals, the broken file named.
func TestReportsConformanceJSON(t *testing.T) {
	dir := filepath.Join(conformance.Dir(t), "dmarc-reports", "reports")
	r := run(t, "reports", dir, "--no-dns", "--format", "json")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	var doc struct {
		Command  string `json:"command"`
		Sections []struct {
			Check  string `json:"check"`
			Target string `json:"target"`
			Data   struct {
				Reports  []map[string]any  `json:"reports"`
				Problems []reports.Problem `json:"problems"`
			} `json:"data"`
		} `json:"sections"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	var raw any
	json.Unmarshal([]byte(r.stdout), &raw)
	if path := findNull(raw, "$"); path != "" {
		t.Errorf("null at %s", path)
	}
	kinds := map[string]int{}
	var problems []reports.Problem
	for _, s := range doc.Sections {
		if s.Check != "reports" {
			t.Errorf("section %s", s.Check)
		}
		problems = append(problems, s.Data.Problems...)
		for _, rep := range s.Data.Reports {
			kinds[rep["kind"].(string)]++
			for _, k := range []string{"kind", "org", "report_id", "domain"} {
				if _, ok := rep[k]; !ok {
					t.Errorf("report without %s: %v", k, rep)
				}
			}
			want := map[string][]string{"aggregate": {"messages", "dmarc_pass", "sources"}, "tlsrpt": {"successful", "failed"}}[rep["kind"].(string)]
			for _, k := range want {
				if _, ok := rep[k]; !ok {
					t.Errorf("%s report without %s", rep["kind"], k)
				}
			}
		}
	}
	if kinds["aggregate"] != 6 || kinds["tlsrpt"] != 2 || kinds["failure"] != 1 {
		t.Errorf("kinds %v", kinds)
	}
	if len(problems) != 1 || !strings.HasSuffix(problems[0].Source, "invalid_xml.xml") {
		t.Errorf("problems %v", problems)
	}
}

func TestReportsCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.xml.gz")
	os.WriteFile(path, gzipped(reportXML("1", row("192.0.2.10", 5, "pass", "pass", "shop.example"), row("203.0.113.9", 2, "fail", "fail", "evil.example"))), 0o644)
	r := run(t, "reports", path, "--no-dns", "--format", "csv")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || lines[0] != strings.Join(reports.CSVColumns, ",") {
		t.Fatalf("csv:\n%s", r.stdout)
	}
	if !strings.HasPrefix(lines[1], "shop.example,192.0.2.10,,your own server 192.0.2.10,passes SPF for shop.example,aligned,5,5,0,") ||
		!strings.HasPrefix(lines[2], "shop.example,203.0.113.9,,unknown 203.0.113.9,,unauthorized,2,0,2,") {
		t.Errorf("rows:\n%s", r.stdout)
	}
}

// Standard input, and an mbox of two report emails with one duplicate.
func TestReportsStdinAndMbox(t *testing.T) {
	x := reportXML("s1", row("192.0.2.10", 5, "pass", "pass", "shop.example"))
	r := runWith(t, func(f *Factory, in *bytes.Buffer) { in.Write(gzipped(x)) }, "reports", "-", "--no-dns", "--format", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"source": "-"`) || !strings.Contains(r.stdout, `"report_id": "s1"`) {
		t.Fatalf("exit %d stderr %q stdout %s", r.code, r.stderr, r.stdout)
	}
	msg := func(id string) string {
		return "From: noreply@rep.example\nSubject: Report\nMIME-Version: 1.0\nContent-Type: application/gzip; name=\"r.xml.gz\"\nContent-Transfer-Encoding: base64\n\n" +
			b64lines(gzipped(reportXML(id, row("192.0.2.10", 5, "pass", "pass", "shop.example")))) + "\n"
	}
	mbox := "From noreply@rep.example Mon Nov 23 10:00:00 2026\n" + msg("m1") + "\nFrom noreply@rep.example Mon Nov 23 11:00:00 2026\n" + msg("m2") +
		"\nFrom noreply@rep.example Mon Nov 23 12:00:00 2026\n" + msg("m1")
	path := filepath.Join(t.TempDir(), "inbox.mbox")
	os.WriteFile(path, []byte(mbox), 0o644)
	r = run(t, "reports", path, "--no-dns", "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	var doc struct {
		Sections []struct {
			Data reports.Data `json:"data"`
		} `json:"sections"`
	}
	json.Unmarshal([]byte(r.stdout), &doc)
	if len(doc.Sections) != 1 || len(doc.Sections[0].Data.Reports) != 2 || doc.Sections[0].Data.Duplicates != 1 || doc.Sections[0].Data.Messages != 10 {
		t.Errorf("data %+v", doc.Sections)
	}
}

func b64lines(b []byte) string {
	var out strings.Builder
	enc := []byte(base64.StdEncoding.EncodeToString(b))
	for len(enc) > 76 {
		out.Write(enc[:76])
		out.WriteByte('\n')
		enc = enc[76:]
	}
	out.Write(enc)
	return out.String()
}

func TestReportsBadInput(t *testing.T) {
	r := run(t, "reports", filepath.Join(t.TempDir(), "missing.xml"), "--no-dns")
	if r.code != 2 {
		t.Errorf("missing path: exit %d", r.code)
	}
	assertOneLineError(t, r, "missing.xml")

	path := filepath.Join(t.TempDir(), "letter.txt")
	os.WriteFile(path, []byte("hello, this is not a report\n"), 0o644)
	r = run(t, "reports", path, "--no-dns")
	if r.code != 2 || !strings.Contains(r.stdout, "reports.none") {
		t.Errorf("no report: exit %d, stdout %s", r.code, r.stdout)
	}
	assertOneLineError(t, r, "no DMARC or SMTP TLS report could be read")
}

// --zone answers the PTR and DMARC lookups offline: the verdict uses the
// published record, and names the services.
func TestReportsZone(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "shop.zone"), []byte(`$ORIGIN shop.example.
@       SOA ns.example. hostmaster.example. 1 3600 600 86400 300
_dmarc  TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@shop.example"
`), 0o644)
	os.WriteFile(filepath.Join(dir, "rev.zone"), []byte(`$ORIGIN 100.51.198.in-addr.arpa.
@       SOA ns.example. hostmaster.example. 1 3600 600 86400 300
20      PTR mail-ed1-f20.google.com.
`), 0o644)
	path := filepath.Join(dir, "r.xml")
	os.WriteFile(path, reportXML("z1", row("198.51.100.20", 500, "pass", "pass", "shop.example")), 0o644)
	r := run(t, "reports", path, "--zone", filepath.Join(dir, "shop.zone"), "--zone", filepath.Join(dir, "rev.zone"), "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{`"service": "Google Workspace"`, `"policy_from": "dns"`, `"next": "reject"`, `"value": "\"v=DMARC1; p=reject; rua=mailto:dmarc@shop.example\""`, `"id": "reports.policy.ready"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %s", want)
		}
	}
	for _, format := range []string{"text", "markdown", "jsonl"} {
		r := run(t, "reports", path, "--zone", filepath.Join(dir, "shop.zone"), "--format", format)
		if r.code != 0 || !strings.Contains(r.stdout, "reports.policy.ready") {
			t.Errorf("%s: exit %d, stderr %q", format, r.code, r.stderr)
		}
	}
}

// Without a resolver and without --no-dns: exit 3, and the line says how
// to read offline.
func TestReportsNoResolver(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.xml")
	os.WriteFile(path, reportXML("n1", row("192.0.2.10", 5, "pass", "pass", "shop.example")), 0o644)
	r := run(t, "reports", path)
	if r.code != 3 {
		t.Errorf("exit %d", r.code)
	}
	assertOneLineError(t, r, "--no-dns")
}

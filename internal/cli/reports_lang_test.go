package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/catalog"
	"github.com/mailcheck/mailcheck/internal/conformance"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// langReport is an aggregate report for domain at policy p, dated the day
// before the suite clock.
func langReport(id, domain, p string, rows ...string) []byte {
	end := testclock.Now().Add(-time.Hour)
	return []byte(fmt.Sprintf(`<?xml version="1.0"?>
<feedback><report_metadata><org_name>rep.example</org_name><report_id>%s</report_id>
<date_range><begin>%d</begin><end>%d</end></date_range></report_metadata>
<policy_published><domain>%s</domain><p>%s</p></policy_published>%s</feedback>`,
		id, end.Add(-24*time.Hour).Unix(), end.Unix(), domain, p, strings.Join(rows, "")))
}

// langRow is a record of a langReport: n messages from ip for domain, with
// the policy_evaluated dkim and spf results, signed with dkimD.
func langRow(ip string, n int, dkim, spf, domain, dkimD string) string {
	return fmt.Sprintf(`<record><row><source_ip>%s</source_ip><count>%d</count><policy_evaluated><dkim>%s</dkim><spf>%s</spf></policy_evaluated></row>
<identifiers><header_from>%s</header_from></identifiers><auth_results><dkim><domain>%s</domain><result>%s</result></dkim><spf><domain>%s</domain><result>%s</result></spf></auth_results></record>`,
		ip, n, dkim, spf, domain, dkimD, dkim, domain, spf)
}

// langSamples writes reports that make the command say most of what it
// can: failing, forwarded and unauthorized senders, a verdict of each kind,
// a duplicate, a repaired report and unreadable files; with the bundled
// conformance set beside them (TLS and failure reports, test mode, a stale
// domain, malformed XML).
func langSamples(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hold := langReport("h1", "shop.example", "none",
		row("192.0.2.10", 500, "pass", "pass", "shop.example"),
		row("198.51.100.30", 40, "fail", "fail", "sendinblue.com"),
		row("198.51.100.31", 1, "fail", "fail", "shop.example"),
		row("203.0.113.5", 10, "pass", "fail", "shop.example"),
		row("203.0.113.66", 7, "fail", "fail", "evil.example"))
	write("hold.xml", hold)
	write("hold-copy.xml", hold)
	write("ready.xml", langReport("r1", "ready.example", "quarantine", row("192.0.2.20", 300, "pass", "pass", "ready.example")))
	write("step.xml", append(langReport("s1", "step.example", "none", row("192.0.2.30", 1, "pass", "pass", "step.example")), "trailing junk"...))
	write("losing.xml", langReport("l1", "losing.example", "reject",
		langRow("192.0.2.40", 10, "pass", "pass", "losing.example", "losing.example"), langRow("192.0.2.41", 10, "fail", "fail", "losing.example", "losing.example")))
	write("enforced.xml", langReport("e1", "enforced.example", "reject", row("192.0.2.50", 10, "pass", "pass", "enforced.example")))
	write("spoofed.xml", langReport("u1", "spoofed.example", "none", row("203.0.113.99", 1, "fail", "fail", "evil.example")))
	write("notes.txt", []byte("hello, this is not a report\n"))
	write("empty.xml", []byte(" \n"))
	write("cut.xml.gz", gzipped(hold)[:60])
	return []string{dir, filepath.Join(conformance.Dir(t), "dmarc-reports", "reports")}
}

// reportsEnglish returns the words of the English catalog messages of
// `mailcheck reports` that French must not show (i18n.Fragments).
func reportsEnglish(t *testing.T) []string {
	t.Helper()
	out := i18n.Fragments("reports.", "hint.reports.")
	if len(out) < 100 {
		t.Fatalf("only %d English fragments: the catalog did not load", len(out))
	}
	return out
}

// reportsKey matches a catalog key of the command in output: a message
// the catalogs lack is shown as its key.
var reportsKey = regexp.MustCompile(`\b(?:hint\.)?reports(?:\.[a-z0-9_]+)+`)

// `mailcheck reports --lang fr` says everything in French: no English
// sentence of the command's catalog is left in text or Markdown, no key is
// shown, every message asked for has French, and the JSON report's findings
// are the registry's.
func TestReportsFrench(t *testing.T) {
	paths := langSamples(t)
	frags := reportsEnglish(t)
	for _, format := range []string{"text", "markdown"} {
		t.Run(format, func(t *testing.T) {
			r := run(t, append(append([]string{"reports"}, paths...), "--no-dns", "--lang", "fr", "--format", format)...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			out := r.stdout
			for _, want := range []string{"Rapports DMARC et TLS", "Fichiers de rapports", "passer à p=reject", "Sources d'envoi",
				"Activez la signature DKIM en d=shop.example dans Brevo", "votre propre serveur 192.0.2.10",
				"relais de transfert 203.0.113.5", "XML mal formé", "ce n'est pas un rapport DMARC ni SMTP TLS",
				"contenu parasite", "sortez p=reject du mode test", "perd du courrier"} {
				if !strings.Contains(out, want) {
					t.Errorf("no %q in the French output", want)
				}
			}
			flat := strings.Join(strings.Fields(out), " ") // the text renderer wraps lines
			for _, frag := range frags {
				if strings.Contains(flat, frag) {
					t.Errorf("English left: %q", frag)
				}
			}
			// And no English of any catalog (the renderer's words too).
			if left := i18n.EnglishIn(out); len(left) > 0 {
				t.Errorf("English of the catalogs left: %q", left)
			}
			for _, k := range reportsKey.FindAllString(out, -1) {
				if _, ok := catalog.Lookup(k); !ok {
					t.Errorf("message key shown: %s", k)
				}
			}
		})
	}
	var missing []string
	for _, k := range i18n.For(i18n.French).Missing() {
		if strings.HasPrefix(k, "reports.") || strings.HasPrefix(k, "hint.reports.") {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		t.Errorf("messages without French: %v", missing)
	}

	// CSV: the columns are stable names, the service and fix cells words.
	csv := run(t, append(append([]string{"reports"}, paths...), "--no-dns", "--lang", "fr", "--format", "csv")...).stdout
	if !strings.HasPrefix(csv, "domain,source_ip,ptr,service,") || !strings.Contains(csv, ",votre propre serveur 192.0.2.10,") ||
		!strings.Contains(csv, "Activez la signature DKIM en d=shop.example dans Brevo") || len(i18n.EnglishIn(csv)) > 0 {
		t.Errorf("CSV in French:\n%s", csv)
	}

	r := run(t, append(append([]string{"reports"}, paths...), "--no-dns", "--lang", "fr", "--format", "json")...)
	var rep report.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Lang != "fr" || len(rep.Sections) < 8 {
		t.Fatalf("lang %q, %d sections", rep.Lang, len(rep.Sections))
	}
	if errs := catalog.Validate(&rep); len(errs) > 0 {
		t.Errorf("catalog.Validate: %v", errs)
	}
	ids := map[string]bool{}
	for _, s := range rep.Sections {
		for _, f := range s.Findings {
			ids[f.ID+"/"+f.Variant] = true
		}
	}
	for _, id := range []string{"reports.source.failing/", "reports.source.unauthorized/", "reports.source.forwarded/",
		"reports.policy.ready/", "reports.policy.ready/step", "reports.policy.ready/testing", "reports.policy.hold/",
		"reports.policy.losing_mail/", "reports.policy.enforced/", "reports.policy.unknown/", "reports.duplicate/",
		"reports.file.unreadable/", "reports.file.recovered/", "reports.stale/", "reports.tls.failures/", "reports.failure.received/"} {
		if !ids[id] {
			t.Errorf("the samples do not show %s", id)
		}
	}
}

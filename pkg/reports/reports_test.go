package reports

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// rec is one record of a test report.
type rec struct {
	ip                 string
	count              int
	dkim, spf          string // policy_evaluated
	dkimD, dkimR       string // auth_results dkim
	spfD, spfR, reason string
}

// xmlReport writes an aggregate report for domain with p, dated the day
// ending daysAgo days before the suite clock.
func xmlReport(org, id, domain, p string, daysAgo int, recs ...rec) []byte {
	end := testclock.Now().Add(-time.Duration(daysAgo) * 24 * time.Hour)
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0"?>
<feedback>
 <report_metadata><org_name>%s</org_name><email>r@%s</email><report_id>%s</report_id>
  <date_range><begin>%d</begin><end>%d</end></date_range></report_metadata>
 <policy_published><domain>%s</domain><adkim>r</adkim><aspf>r</aspf><p>%s</p><sp>%s</sp></policy_published>
`, org, org, id, end.Add(-24*time.Hour).Unix(), end.Unix(), domain, p, p)
	for _, r := range recs {
		reason := ""
		if r.reason != "" {
			reason = "<reason><type>" + r.reason + "</type></reason>"
		}
		fmt.Fprintf(&b, ` <record><row><source_ip>%s</source_ip><count>%d</count>
  <policy_evaluated><disposition>none</disposition><dkim>%s</dkim><spf>%s</spf>%s</policy_evaluated></row>
  <identifiers><header_from>%s</header_from></identifiers>
  <auth_results>`, r.ip, r.count, r.dkim, r.spf, reason, domain)
		if r.dkimD != "" {
			fmt.Fprintf(&b, `<dkim><domain>%s</domain><result>%s</result></dkim>`, r.dkimD, r.dkimR)
		}
		fmt.Fprintf(&b, `<spf><domain>%s</domain><result>%s</result></spf></auth_results></record>
`, r.spfD, r.spfR)
	}
	b.WriteString("</feedback>\n")
	return []byte(b.String())
}

func gz(members ...[]byte) []byte {
	var out bytes.Buffer
	for _, m := range members {
		w := gzip.NewWriter(&out)
		w.Write(m)
		w.Close()
	}
	return out.Bytes()
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w := zip.NewWriter(&out)
	for name, data := range files {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

var simple = []rec{{ip: "192.0.2.10", count: 10, dkim: "pass", spf: "pass", dkimD: "shop.example", dkimR: "pass", spfD: "shop.example", spfR: "pass"},
	{ip: "203.0.113.66", count: 3, dkim: "fail", spf: "fail", spfD: "shop.example", spfR: "fail"}}

// one reads a single item and returns its only report.
func one(t *testing.T, data []byte) (*Report, []Problem) {
	t.Helper()
	c := NewCollector(Limits{})
	c.Add("item", data)
	rs := c.Reports()
	if len(rs) != 1 {
		t.Fatalf("%d reports, problems %v", len(rs), c.Problems())
	}
	return rs[0], c.Problems()
}

func TestBrokenButRecovered(t *testing.T) {
	good := xmlReport("rep.example", "r1", "shop.example", "none", 1, simple...)
	upper := bytes.ReplaceAll(bytes.ReplaceAll(good, []byte(">pass<"), []byte(">PASS<")), []byte(">fail<"), []byte(">Fail<"))
	half := len(good) / 2
	tests := []struct {
		name string
		data []byte
		note string // "" for no problem expected
	}{
		{"plain", good, ""},
		{"gzip", gz(good), ""},
		{"upper-case values", upper, "upper case"},
		{"junk around the feedback", append(append([]byte("garbage line\x00\x01<html>\n"), good...), "\n--boundary--\n<junk"...), "junk around"},
		{"concatenated gzip members", gz(good[:half], good[half:]), ""},
		{"trailing garbage after gzip", append(gz(good), "\x00\x00garbage-garbage"...), "bytes after the gzip data"},
		{"zip", zipOf(t, map[string][]byte{"r.xml": good}), ""},
		{"zip of gzip", zipOf(t, map[string][]byte{"r.xml.gz": gz(good)}), ""},
		{"bom and namespace prefix", append([]byte("\xef\xbb\xbf"), bytes.ReplaceAll(bytes.ReplaceAll(good, []byte("<feedback>"), []byte(`<d:feedback xmlns:d="urn:ietf:params:xml:ns:dmarc-2.0">`)), []byte("</feedback>"), []byte("</d:feedback>"))...), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, probs := one(t, tt.data)
			if *r.Messages != 13 || *r.DMARCPass != 10 || *r.Sources != 2 || r.Org != "rep.example" || r.Policy.P != "none" {
				t.Errorf("report %+v messages %d pass %d sources %d", r, *r.Messages, *r.DMARCPass, *r.Sources)
			}
			switch {
			case tt.note == "" && len(probs) != 0:
				t.Errorf("problems %v", probs)
			case tt.note != "" && (len(probs) != 1 || probs[0].Status != "recovered" || !strings.Contains(en(probs[0].Reason), tt.note)):
				t.Errorf("problems %v, want a recovered note %q", probs, tt.note)
			}
		})
	}
}

func TestUnreadable(t *testing.T) {
	good := xmlReport("rep.example", "r1", "shop.example", "none", 1, simple...)
	bomb := gz(make([]byte, 8<<20)) // 8 MiB of zeros: about 1000:1
	tests := []struct {
		name string
		data []byte
		lim  Limits
		want string
	}{
		{"gzip bomb by ratio", bomb, Limits{}, "compression ratio"},
		{"gzip over the size cap", gz(good), Limits{MaxBytes: 100}, "size limit"},
		{"zip bomb", zipOf(t, map[string][]byte{"r.xml": make([]byte, 8<<20)}), Limits{}, "compression ratio"},
		{"zip with too many entries", zipOf(t, func() map[string][]byte {
			m := map[string][]byte{}
			for i := range 70 {
				m[fmt.Sprintf("f%d.xml", i)] = good
			}
			return m
		}()), Limits{}, "more entries"},
		{"truncated gzip", gz(good)[:20], Limits{}, "gzip"},
		{"not a report", []byte("hello world\n"), Limits{}, "not a DMARC"},
		{"other XML", []byte("<html><body>hi</body></html>"), Limits{}, "without a <feedback>"},
		{"bad XML", []byte("<feedback><report_metadata><org_name>a</org_name></feedback>"), Limits{}, "does not match"},
		{"JSON that is not TLS-RPT", []byte(`{"a": 1}`), Limits{}, "not an SMTP TLS report"},
		{"empty", nil, Limits{}, "empty"},
		// 42.zip-style: zips of 16 zips, four levels, 1 MiB of zeros at
		// the bottom of each: refused at the first bomb, in one line.
		{"nested zip bomb", func() []byte {
			layer := zipOf(t, map[string][]byte{"0.xml": make([]byte, 1<<20)})
			for range 4 {
				m := map[string][]byte{}
				for i := range 16 {
					m[fmt.Sprintf("%d.zip", i)] = layer
				}
				layer = zipOf(t, m)
			}
			return layer
		}(), Limits{}, "the rest of this file was not read"},
		{"deep nesting", func() []byte {
			d := good
			for range 10 {
				d = gz(d)
			}
			return d
		}(), Limits{}, "nested deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCollector(tt.lim)
			c.Add("item", tt.data)
			probs := c.Problems()
			if len(c.Reports()) != 0 || len(probs) != 1 || probs[0].Status != "unreadable" || !strings.Contains(en(probs[0].Reason), tt.want) {
				t.Errorf("reports %d, problems %v, want unreadable %q", len(c.Reports()), probs, tt.want)
			}
		})
	}
}

// A reporter's email: a cover letter, an aggregate report as a base64 gzip
// attachment with a generic content type, a zip, a TLS report as
// application/tlsrpt+gzip, and one broken attachment that must not hide
// the others.
func TestMessageAttachments(t *testing.T) {
	a := xmlReport("rep.example", "a1", "shop.example", "none", 1, simple...)
	b := xmlReport("other.example", "b1", "shop.example", "none", 2, simple[:1]...)
	tls := []byte(`{"organization-name":"Rep","date-range":{"start-datetime":"2026-11-01T00:00:00Z","end-datetime":"2026-11-01T23:59:59Z"},"report-id":"t1","policies":[{"policy":{"policy-type":"sts","policy-domain":"shop.example"},"summary":{"total-successful-session-count":9,"total-failure-session-count":1},"failure-details":[{"result-type":"certificate-expired","failed-session-count":1}]}]}`)
	b64 := func(d []byte) string {
		s := base64.StdEncoding.EncodeToString(d)
		var out strings.Builder
		for len(s) > 76 {
			out.WriteString(s[:76] + "\r\n")
			s = s[76:]
		}
		return out.String() + s
	}
	msg := "From: DMARC <noreply@rep.example>\r\nTo: d@shop.example\r\nSubject: Report Domain: shop.example\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n" +
		"--XX\r\nContent-Type: text/plain\r\n\r\nThis is a DMARC aggregate report.\r\n" +
		"--XX\r\nContent-Type: application/octet-stream; name=\"a.xml.gz\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(gz(a)) + "\r\n" +
		"--XX\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename=\"b.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(zipOf(t, map[string][]byte{"b.xml": b})) + "\r\n" +
		"--XX\r\nContent-Type: application/tlsrpt+gzip; name=\"t.json.gz\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(gz(tls)) + "\r\n" +
		"--XX\r\nContent-Type: application/gzip; name=\"broken.xml.gz\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64([]byte("\x1f\x8bnot really")) + "\r\n" +
		"--XX--\r\n"
	c := NewCollector(Limits{})
	c.Add("mail.eml", []byte(msg))
	rs := c.Reports()
	if len(rs) != 3 {
		t.Fatalf("%d reports, problems %v", len(rs), c.Problems())
	}
	got := map[string]string{}
	for _, r := range rs {
		got[r.ReportID] = r.Source + " " + string(r.Kind)
	}
	want := map[string]string{"a1": "mail.eml#a.xml.gz aggregate", "b1": "mail.eml#b.zip!b.xml aggregate", "t1": "mail.eml#t.json.gz tlsrpt"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	probs := c.Problems()
	if len(probs) != 1 || probs[0].Source != "mail.eml#broken.xml.gz" || probs[0].Status != "unreadable" {
		t.Errorf("problems %v", probs)
	}
	// A message with nothing in it is named.
	c = NewCollector(Limits{})
	c.Add("letter.eml", []byte("From: a@b.example\r\nSubject: hi\r\n\r\nJust a letter.\r\n"))
	if p := c.Problems(); len(p) != 1 || !strings.Contains(en(p[0].Reason), "carries no") {
		t.Errorf("problems %v", p)
	}
}

func TestDuplicatesCountedOnce(t *testing.T) {
	a := xmlReport("rep.example", "a1", "shop.example", "none", 1, simple...)
	c := NewCollector(Limits{})
	c.Add("z.xml", a)
	c.Add("a.xml.gz", gz(a))
	c.Add("b.xml", xmlReport("rep.example", "a2", "shop.example", "none", 1, simple...))
	st := c.Stats()
	if st.Reports != 2 || st.Duplicates != 1 {
		t.Fatalf("stats %+v", st)
	}
	secs := sections(t, c, context.Background(), check.Env{Now: testclock.Func()}, Options{NoDNS: true})
	d := secs[0].Data.(*Data)
	if d.Messages != 26 || d.Duplicates != 1 || d.Reports[0].Source != "a.xml.gz" {
		t.Errorf("messages %d duplicates %d first source %s", d.Messages, d.Duplicates, d.Reports[0].Source)
	}
	if !hasFinding(secs[0], "reports.duplicate") {
		t.Error("no duplicate finding")
	}
}

// A reporter that reuses a report ID for another domain, or for another
// day, sent two reports, not one twice (seen from small providers that
// number reports by date).
func TestReusedReportIDNotDuplicate(t *testing.T) {
	c := NewCollector(Limits{})
	c.Add("a.xml", xmlReport("tiny-isp.example", "20261130", "shop.example", "none", 1, simple...))
	c.Add("b.xml", xmlReport("tiny-isp.example", "20261130", "other.example", "none", 1, simple...))
	c.Add("c.xml", xmlReport("tiny-isp.example", "20261130", "shop.example", "none", 2, simple...))
	c.Add("d.xml", xmlReport("tiny-isp.example", "20261130", "shop.example", "none", 1, simple...))
	if st := c.Stats(); st.Reports != 3 || st.Duplicates != 1 {
		t.Fatalf("stats %+v, want 3 reports and 1 duplicate", st)
	}
}

func hasFinding(s report.Section, id string) bool {
	for _, f := range s.Findings {
		if f.ID == id {
			return true
		}
	}
	return false
}

func finding(t *testing.T, s report.Section, id string) report.Finding {
	t.Helper()
	for _, f := range s.Findings {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("no %s among %v", id, s.Findings)
	return report.Finding{}
}

// The merchant's case, with reverse DNS and the DMARC record from a real
// DNS server on loopback.
const shopZone = `
$ORIGIN example.
@            SOA ns.example. hostmaster.example. 1 3600 600 86400 300
_dmarc.shop  TXT "v=DMARC1; p=none; rua=mailto:dmarc@shop.example"
`

const reverseZone = `
$ORIGIN in-addr.arpa.
@                      SOA ns.example. hostmaster.example. 1 3600 600 86400 300
10.2.0.192             PTR mail.shop.example.
20.100.51.198          PTR mail-ed1-f20.google.com.
30.100.51.198          PTR o30.sendinblue.com.
`

var merchant = []rec{
	{ip: "192.0.2.10", count: 100, dkim: "pass", spf: "pass", dkimD: "shop.example", dkimR: "pass", spfD: "shop.example", spfR: "pass"},
	{ip: "198.51.100.20", count: 500, dkim: "pass", spf: "pass", dkimD: "shop.example", dkimR: "pass", spfD: "shop.example", spfR: "pass"},
	{ip: "198.51.100.30", count: 40, dkim: "fail", spf: "fail", dkimD: "sendinblue.com", dkimR: "pass", spfD: "bounces.sendinblue.com", spfR: "pass"},
	{ip: "203.0.113.5", count: 10, dkim: "pass", spf: "fail", dkimD: "shop.example", dkimR: "pass", spfD: "shop.example", spfR: "fail"},
	{ip: "203.0.113.66", count: 7, dkim: "fail", spf: "fail", spfD: "shop.example", spfR: "fail"},
	{ip: "203.0.113.77", count: 3, dkim: "fail", spf: "fail", dkimD: "mcsv.net", dkimR: "pass", spfD: "mail133.mcsv.net", spfR: "pass"},
}

func TestMerchantVerdict(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("example.", shopZone), dnstest.ZoneText("in-addr.arpa.", reverseZone))
	env := check.Env{Resolver: srv.Resolver(t), Now: testclock.Func()}
	c := NewCollector(Limits{})
	c.Add("a.xml", xmlReport("google.com", "g1", "shop.example", "none", 1, merchant...))
	secs := sections(t, c, context.Background(), env, Options{})
	if len(secs) != 1 {
		t.Fatalf("%d sections", len(secs))
	}
	s := secs[0]
	d := s.Data.(*Data)
	classes := map[string]string{}
	for _, src := range d.Sources {
		classes[src.IP] = src.Service.String() + " / " + src.Class
	}
	want := map[string]string{
		"192.0.2.10":    "your own server 192.0.2.10 / aligned",
		"198.51.100.20": "Google Workspace / aligned",
		"198.51.100.30": "Brevo / failing",
		"203.0.113.5":   "forwarder 203.0.113.5 / forwarded",
		"203.0.113.66":  "unknown 203.0.113.66 / unauthorized",
		"203.0.113.77":  "Mailchimp / failing",
	}
	for ip, w := range want {
		if classes[ip] != w {
			t.Errorf("%s: %q, want %q", ip, classes[ip], w)
		}
	}
	var brevo ServiceGroup
	for _, g := range d.Services {
		if g.Name.String() == "Brevo" {
			brevo = g
		}
	}
	if !strings.Contains(brevo.Fix.String(), "DKIM signing with d=shop.example in Brevo") || !strings.Contains(brevo.Fix.String(), "d=sendinblue.com") {
		t.Errorf("Brevo fix %q", brevo.Fix.String())
	}
	v := d.Verdict
	// Legitimate: 100+500+40+10+3 = 653; failing: 40+3.
	if v.Legitimate != 653 || v.AtRisk != 43 || v.Unauthorized != 7 || v.Policy != "none" || v.PolicyFrom != "dns" || v.Ready || v.Next != "none" {
		t.Errorf("verdict %+v", v)
	}
	if f := finding(t, s, "reports.policy.hold"); !strings.Contains(f.Detail, "6.59%") {
		t.Errorf("hold: %s", f.Detail)
	}
	finding(t, s, "reports.source.failing")
	finding(t, s, "reports.source.unauthorized")
	finding(t, s, "reports.source.forwarded")
	if hasFinding(s, "reports.stale") {
		t.Error("a report of yesterday called stale")
	}

	// Once Brevo and Mailchimp sign with the domain, moving on is safe,
	// and the record is the published one with p changed.
	fixed := append([]rec(nil), merchant...)
	fixed[2].dkim, fixed[5].dkim = "pass", "pass"
	c = NewCollector(Limits{})
	c.Add("b.xml", xmlReport("google.com", "g2", "shop.example", "none", 1, fixed...))
	s = sections(t, c, context.Background(), env, Options{})[0]
	f := finding(t, s, "reports.policy.ready")
	if f.Record == nil || f.Record.Name != "_dmarc.shop.example" || f.Record.Value != `"v=DMARC1; p=quarantine; rua=mailto:dmarc@shop.example"` {
		t.Errorf("record %+v", f.Record)
	}
}

// The merchant's case in French: the facts are parameters, the words the
// French catalog's, with the decimal comma and no-break spaces.
func TestMerchantVerdictFrench(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("example.", shopZone), dnstest.ZoneText("in-addr.arpa.", reverseZone))
	env := check.Env{Resolver: srv.Resolver(t), Now: testclock.Func()}
	c := NewCollector(Limits{})
	c.Add("a.xml", xmlReport("google.com", "g1", "shop.example", "none", 1, merchant...))
	s := c.Sections(context.Background(), env, Options{})[0]
	hold := finding(t, s, "reports.policy.hold")
	if hold.Params["domain"] != "shop.example" || hold.Params["policy"] != "none" || hold.Detail != "" {
		t.Errorf("hold before wording: params %v, detail %q", hold.Params, hold.Detail)
	}
	loc := i18n.For(i18n.French)
	loc.LocalizeSection(&s)
	hold = finding(t, s, "reports.policy.hold")
	if !strings.Contains(hold.Detail, "restez en p=none") || !strings.Contains(hold.Detail, "43 (6,59\u00a0%) échouent à DMARC") {
		t.Errorf("hold: %s", hold.Detail)
	}
	if !strings.HasPrefix(s.Summary.String(), "660 messages de 6 sources dans 1 rapport agrégé") {
		t.Errorf("summary %s", s.Summary)
	}
	d := s.Data.(*Data)
	words := map[string]string{}
	for _, src := range d.Sources {
		words[src.IP] = src.Service.String() + " / " + src.MatchedBy.String()
	}
	if words["192.0.2.10"] != "votre propre serveur 192.0.2.10 / DNS inverse mail.shop.example" || words["203.0.113.5"] != "relais de transfert 203.0.113.5 / " {
		t.Errorf("sources %v", words)
	}
	for _, g := range d.Services {
		if g.Name.String() == "Brevo" && !strings.HasPrefix(g.Fix.String(), "Activez la signature DKIM en d=shop.example dans Brevo") {
			t.Errorf("Brevo fix %s", g.Fix)
		}
	}
	for _, m := range loc.Missing() {
		if strings.HasPrefix(m, "reports.") {
			t.Errorf("no French for %s", m)
		}
	}
}

// Offline, the record comes from policy_published, and the Brevo source
// is still recognized by its DKIM domain.
func TestOfflineRecord(t *testing.T) {
	c := NewCollector(Limits{})
	c.Add("a.xml", xmlReport("rep.example", "q1", "shop.example", "quarantine", 1, merchant[0], merchant[1]))
	s := sections(t, c, context.Background(), check.Env{Now: testclock.Func()}, Options{NoDNS: true})[0]
	f := finding(t, s, "reports.policy.ready")
	if f.Record == nil || f.Record.Value != `"v=DMARC1; p=reject"` || !strings.Contains(f.Fix, "rua=") {
		t.Errorf("record %+v fix %q", f.Record, f.Fix)
	}
	if s.Data.(*Data).Verdict.PolicyFrom != "reports" {
		t.Error("policy not from the reports")
	}
}

// "Recent" is relative to the clock: a report 40 days old is stale.
func TestStale(t *testing.T) {
	for _, tt := range []struct {
		days  int
		stale bool
	}{{1, false}, {29, false}, {40, true}} {
		c := NewCollector(Limits{})
		c.Add("a.xml", xmlReport("rep.example", "s", "shop.example", "none", tt.days, simple...))
		s := sections(t, c, context.Background(), check.Env{Now: testclock.Func()}, Options{NoDNS: true})[0]
		if hasFinding(s, "reports.stale") != tt.stale {
			t.Errorf("%d days: stale %v", tt.days, !tt.stale)
		}
	}
}

// PTR lookups are bounded in number and in flight, and a resolver that
// fails leaves the sources unnamed, never the run stopped.
func TestPTRBounded(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("in-addr.arpa.", reverseZone))
	srv.SetDelay(20 * time.Millisecond)
	var recs []rec
	for i := range 60 {
		recs = append(recs, rec{ip: fmt.Sprintf("198.18.0.%d", i+1), count: 60 - i, dkim: "pass", spf: "pass", spfD: "shop.example", spfR: "pass"})
	}
	c := NewCollector(Limits{})
	c.Add("a.xml", xmlReport("rep.example", "p", "shop.example", "none", 1, recs...))
	env := check.Env{Resolver: srv.Resolver(t), Now: testclock.Func()}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := sections(t, c, ctx, env, Options{Concurrency: 4, MaxPTR: 50})
	if q := srv.Queries(); q < 50 || q > 60 {
		t.Errorf("%d PTR queries, want 50 (the largest sources), plus the DMARC walk", q)
	}
	if p := srv.Peak(); p > 4+8 {
		t.Errorf("peak %d in flight", p)
	}
	if len(s[0].Data.(*Data).Sources) != 60 {
		t.Error("sources lost")
	}
}

func TestTLSFindings(t *testing.T) {
	c := NewCollector(Limits{})
	c.Add("t.json", []byte(`{"organization-name":"Rep","report-id":"x","policies":[{"policy":{"policy-type":"sts","policy-domain":"Shop.Example"},"summary":{"total-successful-session-count":90,"total-failure-session-count":10},"failure-details":[{"result-type":"certificate-expired","failed-session-count":7},{"result-type":"starttls-not-supported","failed-session-count":3}]}]}`))
	s := sections(t, c, context.Background(), check.Env{Now: testclock.Func()}, Options{NoDNS: true})[0]
	f := finding(t, s, "reports.tls.failures")
	if s.Target != "shop.example" || !strings.Contains(f.Detail, "10 of 100") || !strings.Contains(f.Detail, "certificate-expired 7, starttls-not-supported 3") {
		t.Errorf("target %s detail %s", s.Target, f.Detail)
	}
	if hasFinding(s, "reports.policy.unknown") {
		t.Error("a TLS report alone judged the DMARC policy")
	}
}

func TestAddError(t *testing.T) {
	c := NewCollector(Limits{})
	c.AddError("x.xml", errors.New("permission denied"))
	secs := sections(t, c, context.Background(), check.Env{Now: testclock.Func()}, Options{NoDNS: true})
	if len(secs) != 1 || !hasFinding(secs[0], "reports.none") || !hasFinding(secs[0], "reports.file.unreadable") {
		t.Errorf("sections %+v", secs)
	}
}

// Items read concurrently give the same sections as read in order: the
// command parses items on several goroutines.
func TestConcurrentAddDeterministic(t *testing.T) {
	var items [][]byte
	for i := range 60 {
		k := i % 20 // every report three times: duplicates too
		items = append(items, gz(xmlReport(fmt.Sprintf("rep%d.example", k%7), fmt.Sprint(k), "shop.example", "none", 1+k%5, merchant[k%len(merchant)], simple[k%2])))
	}
	render := func(concurrent bool) string {
		c := NewCollector(Limits{})
		var wg sync.WaitGroup
		for i, it := range items {
			if concurrent {
				wg.Add(1)
				go func() { defer wg.Done(); c.Add(fmt.Sprintf("f%02d", i), it) }()
			} else {
				c.Add(fmt.Sprintf("f%02d", i), it)
			}
		}
		wg.Wait()
		if st := c.Stats(); st.Reports != 20 || st.Duplicates != 40 {
			t.Fatalf("stats %+v", st)
		}
		b, err := json.Marshal(sections(t, c, context.Background(), check.Env{Now: testclock.Func()}, Options{NoDNS: true}))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if a, b := render(false), render(true); a != b {
		t.Error("concurrent reading changed the result")
	}
}

// Reports forwarded as attached messages, and a gzip labelled text/plain,
// are read; a record count too large to be true is counted as 0, and a
// report without its policy domain is filed under header_from.
func TestOddShapes(t *testing.T) {
	inner := "From: noreply@rep.example\r\nContent-Type: application/gzip; name=\"f.xml.gz\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(gz(xmlReport("rep.example", "fw1", "shop.example", "none", 1, simple...))) + "\r\n"
	msg := "From: me@shop.example\r\nSubject: Fwd: report\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n" +
		"--b\r\nContent-Type: message/rfc822\r\n\r\n" + inner +
		"--b\r\nContent-Type: text/plain; name=\"g.xml.gz\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(gz(xmlReport("rep.example", "tp1", "shop.example", "none", 1, simple...))) + "\r\n" +
		"--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: someone@else.example\r\nSubject: hi\r\n\r\nnot a report\r\n" +
		"--b--\r\n"
	c := NewCollector(Limits{})
	c.Add("fwd.eml", []byte(msg))
	if st := c.Stats(); st.Reports != 2 || st.Unreadable != 0 {
		t.Errorf("stats %+v, problems %v", st, c.Problems())
	}

	huge := bytes.Replace(xmlReport("rep.example", "h", "shop.example", "none", 1, simple...), []byte("<count>10</count>"), []byte("<count>99999999999999999</count>"), 1)
	r, probs := one(t, huge)
	if *r.Messages != 3 || len(probs) != 1 || !strings.Contains(en(probs[0].Reason), "counted as 0") {
		t.Errorf("messages %d, problems %v", *r.Messages, probs)
	}
	nodomain := bytes.Replace(xmlReport("rep.example", "n", "shop.example", "none", 1, simple...), []byte("<domain>shop.example</domain><adkim>"), []byte("<adkim>"), 1)
	r, probs = one(t, nodomain)
	if r.Domain != "shop.example" || len(probs) != 1 {
		t.Errorf("domain %q, problems %v", r.Domain, probs)
	}
}

// With DNS, the SPF fix is the published record with the include added
// before -all, and an include already there is not asked for again.
func TestSPFFix(t *testing.T) {
	zone := `
$ORIGIN example.
@     SOA ns.example. hostmaster.example. 1 3600 600 86400 300
shop  TXT "v=spf1 ip4:192.0.2.10 include:_spf.google.com -all"
`
	rev := `
$ORIGIN in-addr.arpa.
@                SOA ns.example. hostmaster.example. 1 3600 600 86400 300
21.100.51.198    PTR mail-ed1-f21.google.com.
31.100.51.198    PTR o31.brevo.com.
`
	s := dnsSection(t, zone, rev, xmlReport("rep.example", "s1", "shop.example", "none", 1,
		rec{ip: "198.51.100.21", count: 5, dkim: "pass", spf: "fail", dkimD: "shop.example", dkimR: "pass", spfD: "shop.example", spfR: "fail"},
		rec{ip: "198.51.100.22", count: 1, dkim: "fail", spf: "fail", dkimD: "gappssmtp.com", dkimR: "pass", spfD: "shop.example", spfR: "fail"},
		rec{ip: "198.51.100.31", count: 9, dkim: "pass", spf: "fail", dkimD: "shop.example", dkimR: "pass", spfD: "shop.example", spfR: "fail"},
		rec{ip: "198.51.100.32", count: 2, dkim: "fail", spf: "fail", dkimD: "brevo.com", dkimR: "pass", spfD: "shop.example", spfR: "fail"}))
	fixes := map[string]ServiceGroup{}
	for _, g := range s.Data.(*Data).Services {
		fixes[g.Name.String()] = g
	}
	if g := fixes["Google Workspace"]; !strings.Contains(g.Fix.String(), "already has include:_spf.google.com") || g.SPFRecord != "" {
		t.Errorf("Google: %+v", g)
	}
	if g := fixes["Brevo"]; !strings.Contains(g.Fix.String(), "add include:spf.brevo.com to the SPF record of shop.example") ||
		g.SPFRecord != "v=spf1 ip4:192.0.2.10 include:_spf.google.com include:spf.brevo.com -all" {
		t.Errorf("Brevo: %+v", g)
	}
	var rec *report.Record
	for _, f := range s.Findings {
		if f.ID == "reports.source.failing" && strings.HasPrefix(f.Detail, "Brevo") {
			rec = f.Record
		}
	}
	if rec == nil || rec.Name != "shop.example" || rec.Type != "TXT" {
		t.Errorf("record %+v", rec)
	}
}

// A report cut short keeps its complete records, with a note; one cut in
// its metadata is unreadable.
func TestTruncated(t *testing.T) {
	good := xmlReport("rep.example", "t1", "shop.example", "none", 1, simple...)
	cut := good[:bytes.LastIndex(good, []byte("<record>"))+20]
	r, probs := one(t, gz(cut))
	if *r.Messages != 10 || len(probs) != 1 || !strings.Contains(en(probs[0].Reason), "cut short") {
		t.Errorf("messages %d, problems %v", *r.Messages, probs)
	}
	c := NewCollector(Limits{})
	c.Add("x", good[:60])
	if p := c.Problems(); len(c.Reports()) != 0 || len(p) != 1 || p[0].Status != "unreadable" {
		t.Errorf("problems %v", p)
	}
}

func TestCleanText(t *testing.T) {
	x := bytes.Replace(xmlReport("rep.example", "c1", "shop.example", "none", 1, simple...), []byte("<org_name>rep.example"), []byte("<org_name>\x1b[31mred\xc2\x9b\xff"), 1)
	r, _ := one(t, x)
	if r.Org != "\uFFFD[31mred\uFFFD\uFFFD" {
		t.Errorf("org %q", r.Org)
	}
	for _, s := range []string{"plain", "été", "日本"} {
		if clean(s) != s {
			t.Errorf("clean(%q) = %q", s, clean(s))
		}
	}
	if got := truncate("ééé", 3); got != "é..." {
		t.Errorf("truncate %q", got)
	}
}

// Many failing own servers: ten findings, then one that sums the rest.
func TestFailingFindingsBounded(t *testing.T) {
	var recs []rec
	for i := range 15 {
		recs = append(recs, rec{ip: fmt.Sprintf("192.0.2.%d", i+1), count: 20 - i, dkim: "fail", spf: "pass", spfD: "shop.example", spfR: "pass"},
			rec{ip: fmt.Sprintf("192.0.2.%d", i+1), count: 1, dkim: "fail", spf: "fail", spfD: "shop.example", spfR: "fail"})
	}
	c := NewCollector(Limits{})
	c.Add("a.xml", xmlReport("rep.example", "f", "shop.example", "none", 1, recs...))
	s := sections(t, c, context.Background(), check.Env{Now: testclock.Func()}, Options{NoDNS: true})[0]
	n, last := 0, ""
	for _, f := range s.Findings {
		if f.ID == "reports.source.failing" {
			n++
			last = f.Detail
		}
	}
	if n != 11 || !strings.HasPrefix(last, "5 more legitimate senders of shop.example fail DMARC, 5 messages in all") {
		t.Errorf("%d findings, last %q", n, last)
	}
}

// A resolver that fails is said, and the sources are still classified.
func TestDNSIncomplete(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("example.", shopZone), dnstest.ZoneText("in-addr.arpa.", reverseZone))
	srv.SetFault("20.100.51.198.in-addr.arpa.", 0, dnstest.ServFail)
	srv.SetFault("_dmarc.shop.example.", 0, dnstest.ServFail)
	env := check.Env{Resolver: srv.Resolver(t), Now: testclock.Func()}
	c := NewCollector(Limits{})
	c.Add("a.xml", xmlReport("rep.example", "d", "shop.example", "none", 1, merchant...))
	s := sections(t, c, context.Background(), env, Options{})[0]
	f := finding(t, s, "reports.dns.incomplete")
	if !strings.Contains(f.Detail, "1 source") || !strings.Contains(f.Detail, "DMARC record could not be looked up") {
		t.Errorf("detail %s", f.Detail)
	}
	d := s.Data.(*Data)
	if d.Verdict.PolicyFrom != "reports" || d.Sources[0].Service.String() != "your own server 198.51.100.20" {
		t.Errorf("policy from %s, first source %+v", d.Verdict.PolicyFrom, d.Sources[0])
	}
}

// A policy in test mode (t=y) is taken out of it before a stricter p.
func TestTestingMode(t *testing.T) {
	zone := `
$ORIGIN example.
@            SOA ns.example. hostmaster.example. 1 3600 600 86400 300
_dmarc.shop  TXT "v=DMARC1; p=quarantine; t=y; rua=mailto:dmarc@shop.example"
`
	srv := dnstest.Start(t, dnstest.ZoneText("example.", zone))
	env := check.Env{Resolver: srv.Resolver(t), Now: testclock.Func()}
	c := NewCollector(Limits{})
	c.Add("a.xml", xmlReport("rep.example", "t", "shop.example", "quarantine", 1, merchant[0]))
	s := sections(t, c, context.Background(), env, Options{})[0]
	f := finding(t, s, "reports.policy.ready")
	if !strings.Contains(f.Detail, "out of test mode") || f.Record == nil || f.Record.Value != `"v=DMARC1; p=quarantine; rua=mailto:dmarc@shop.example"` {
		t.Errorf("detail %q record %+v", f.Detail, f.Record)
	}
}

// An archive of many entries that are not reports names ten and counts
// the rest, so one odd file cannot bury the report in lines.
func TestProblemsPerItemBounded(t *testing.T) {
	m := map[string][]byte{}
	for i := range 15 {
		m[fmt.Sprintf("note%02d.txt", i)] = []byte("not a report\n")
	}
	c := NewCollector(Limits{})
	c.Add("odd.zip", zipOf(t, m))
	probs := c.Problems()
	if len(probs) != maxProblemsPerItem+1 || !strings.Contains(en(probs[0].Reason), "5 more parts") && !strings.Contains(en(probs[len(probs)-1].Reason), "5 more parts") {
		t.Errorf("%d problems %v, want %d and a count of 5 more", len(probs), probs, maxProblemsPerItem+1)
	}
}

// The merchant of the issue: Google Workspace and Brevo set up, their own
// server whose DKIM key is broken (SPF soft-fails for it too), a
// forwarder, a spoofer, and someone else's Google account using the
// domain in From. Offline and with DNS, the own server's mail must count
// as legitimate mail at risk (else p=reject is called safe and its mail is
// lost), and the Google spoofer must not (else spoofing holds the policy
// back and asks for an include the domain already has).
func TestMerchantBrokenDKIMAndSharedServiceSpoofer(t *testing.T) {
	recs := []rec{
		{ip: "198.51.100.20", count: 500, dkim: "pass", spf: "pass", dkimD: "shop.example", dkimR: "pass", spfD: "shop.example", spfR: "pass"},
		{ip: "198.51.100.30", count: 300, dkim: "pass", spf: "fail", dkimD: "shop.example", dkimR: "pass", spfD: "sendibt3.com", spfR: "pass"},
		{ip: "192.0.2.10", count: 20, dkim: "fail", spf: "fail", dkimD: "shop.example", dkimR: "fail", spfD: "shop.example", spfR: "softfail"},
		{ip: "203.0.113.5", count: 10, dkim: "pass", spf: "fail", dkimD: "shop.example", dkimR: "pass", spfD: "shop.example", spfR: "fail", reason: "forwarded"},
		{ip: "198.51.100.21", count: 50, dkim: "fail", spf: "fail", dkimD: "gmail.com", dkimR: "pass", spfD: "attacker.example", spfR: "pass"},
		{ip: "203.0.113.66", count: 7, dkim: "fail", spf: "fail", spfD: "shop.example", spfR: "fail"},
	}
	rev := reverseZone + "21.100.51.198 PTR mail-sor-f21.google.com.\n5.113.0.203 PTR relay.example.\n"
	srv := dnstest.Start(t, dnstest.ZoneText("example.", shopZone), dnstest.ZoneText("in-addr.arpa.", rev))
	for _, mode := range []struct {
		name string
		env  check.Env
		opts Options
		want map[string]string
	}{
		{"offline", check.Env{Now: testclock.Func()}, Options{NoDNS: true}, map[string]string{
			"192.0.2.10":    "192.0.2.10, signing as d=shop.example / failing",
			"198.51.100.21": "unknown 198.51.100.21 / unauthorized",
		}},
		{"dns", check.Env{Resolver: srv.Resolver(t), Now: testclock.Func()}, Options{}, map[string]string{
			"192.0.2.10":    "your own server 192.0.2.10 / failing",
			"198.51.100.21": "unknown sender via Google Workspace / unauthorized",
			"198.51.100.20": "Google Workspace / aligned",
			"203.0.113.5":   "forwarder relay.example (203.0.113.5) / forwarded",
		}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			c := NewCollector(Limits{})
			c.Add("a.xml", xmlReport("google.com", "g1", "shop.example", "none", 1, recs...))
			s := sections(t, c, context.Background(), mode.env, mode.opts)[0]
			d := s.Data.(*Data)
			for _, src := range d.Sources {
				if w, ok := mode.want[src.IP]; ok && src.Service.String()+" / "+src.Class != w {
					t.Errorf("%s: %q, want %q", src.IP, src.Service.String()+" / "+src.Class, w)
				}
			}
			// Legitimate: 500+300+20+10; at risk: the own server's 20.
			v := d.Verdict
			if v.Legitimate != 830 || v.AtRisk != 20 || v.Unauthorized != 57 || v.Ready {
				t.Errorf("verdict %+v", v)
			}
			f := finding(t, s, "reports.source.failing")
			if !strings.Contains(f.Fix, "DKIM signatures with d=shop.example fail") {
				t.Errorf("fix %q", f.Fix)
			}
			if h := finding(t, s, "reports.policy.hold"); !strings.HasPrefix(h.Detail, "p=reject is not safe for shop.example today") || !strings.Contains(h.Detail, "20 of its 830 legitimate messages (2.41%)") {
				t.Errorf("hold: %s", h.Detail)
			}
		})
	}
}

// The share at risk is rounded up: 0.5049% of legitimate mail failing is
// over the bar and must not read "0.50%".
func TestAtRiskShareRoundedUp(t *testing.T) {
	c := NewCollector(Limits{})
	c.Add("a.xml", xmlReport("rep.example", "r1", "shop.example", "none", 1,
		rec{ip: "192.0.2.10", count: 9951, dkim: "pass", spf: "pass", dkimD: "shop.example", dkimR: "pass", spfD: "shop.example", spfR: "pass"},
		rec{ip: "192.0.2.10", count: 51, dkim: "fail", spf: "pass", dkimD: "shop.example", dkimR: "fail", spfD: "shop.example", spfR: "pass"},
		rec{ip: "192.0.2.11", count: 50, dkim: "fail", spf: "fail", dkimD: "shop.example", dkimR: "fail", spfD: "shop.example", spfR: "fail"}))
	v := sections(t, c, context.Background(), check.Env{Now: testclock.Func()}, Options{NoDNS: true})[0].Data.(*Data).Verdict
	// 50 of 10052 = 0.4974%: ready, shown 0.50%. One more failing would be
	// over; here the figure and the verdict must agree.
	if !v.Ready || v.AtRiskPercent != 0.5 {
		t.Errorf("verdict %+v", v)
	}
	c = NewCollector(Limits{})
	c.Add("b.xml", xmlReport("rep.example", "r2", "shop.example", "none", 1,
		rec{ip: "192.0.2.10", count: 10050, dkim: "pass", spf: "pass", dkimD: "shop.example", dkimR: "pass", spfD: "shop.example", spfR: "pass"},
		rec{ip: "192.0.2.11", count: 51, dkim: "fail", spf: "fail", dkimD: "shop.example", dkimR: "fail", spfD: "shop.example", spfR: "fail"}))
	v = sections(t, c, context.Background(), check.Env{Now: testclock.Func()}, Options{NoDNS: true})[0].Data.(*Data).Verdict
	// 51 of 10101 = 0.5049%: not ready, and shown as 0.51%, not 0.50%.
	if v.Ready || v.AtRiskPercent <= 0.5 {
		t.Errorf("verdict %+v", v)
	}
}

// A report larger than the limit is refused having allocated about the
// limit, not twice it (a doubling buffer) nor its whole size: read with
// a 4 MiB limit, a 16 MiB report (gzip'd 30:1, under the ratio) costs
// less than 2 x 4 MiB. The same holds at the default 64 MiB for a 200
// MB report (measured: 84 MB RSS for the command, 0.1 s).
func TestLargeReportRefusedWithinBounds(t *testing.T) {
	var recs []rec
	for i := range 80000 {
		recs = append(recs, rec{ip: fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255), count: 1, dkim: "pass", spf: "pass", dkimD: "shop.example", dkimR: "pass", spfD: "shop.example", spfR: "pass"})
	}
	big := xmlReport("big.example", "b1", "shop.example", "none", 1, recs...)
	if len(big) < 16<<20 {
		t.Fatalf("report of %d bytes, want 16 MiB or more", len(big))
	}
	data := gz(big)
	const limit = 4 << 20
	c := NewCollector(Limits{MaxBytes: limit})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c.Add("big.xml.gz", data)
	runtime.ReadMemStats(&after)
	if p := c.Problems(); len(p) != 1 || !strings.Contains(en(p[0].Reason), "size limit") {
		t.Fatalf("problems %v", p)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 2*limit {
		t.Errorf("refusing the report allocated %d bytes, want under %d", got, 2*limit)
	}
}

// Shapes real reporters send that the first reading missed, each found by
// comparing with an independent reading of generated reports: every one
// must give the report, with its totals (13 messages, 10 passing).
func TestReporterQuirks(t *testing.T) {
	a := xmlReport("Soci\xe9t\xe9 La Poste", "q1", "shop.example", "none", 1, simple...)
	utf16le := func(b []byte) []byte {
		out := []byte{0xff, 0xfe}
		for _, r := range string(b) {
			out = append(out, byte(r), byte(r>>8))
		}
		return out
	}
	latin1 := bytes.Replace(a, []byte(`<?xml version="1.0"?>`), []byte(`<?xml version="1.0" encoding="ISO-8859-1"?>`), 1)
	report := "From: d@rep.example\r\nSubject: Report\r\nMIME-Version: 1.0\r\nContent-Type: application/gzip; name=\"r.xml.gz\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(gz(a)) + "\r\n"
	tests := []struct {
		name, org string
		data      []byte
	}{
		// Some Exchange-based reporters write UTF-16 with a byte-order mark.
		{"UTF-16", "Soci\ufffdt\ufffd La Poste", utf16le(bytes.ToValidUTF8(a, []byte("\ufffd")))},
		// Declared ISO-8859-1, with Latin-1 bytes: the name reads right.
		{"ISO-8859-1", "Société La Poste", latin1},
		// A folder zipped on macOS carries __MACOSX/._ entries.
		{"macOS zip", "", zipOf(t, map[string][]byte{"reports/r.xml": a, "__MACOSX/reports/._r.xml": []byte("\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X")})},
		// A report email forwarded as an attachment, base64'd by webmail
		// (RFC 2046 §5.2.1 forbids it; it is sent).
		{"message/rfc822 in base64", "", []byte("From: me@shop.example\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"BB\"\r\n\r\n" +
			"--BB\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--BB\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			base64.StdEncoding.EncodeToString([]byte(report)) + "\r\n--BB--\r\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, probs := one(t, tt.data)
			if *r.Messages != 13 || *r.DMARCPass != 10 || *r.Sources != 2 || len(probs) != 0 {
				t.Errorf("messages %d pass %d sources %d problems %v", *r.Messages, *r.DMARCPass, *r.Sources, probs)
			}
			if tt.org != "" && r.Org != tt.org {
				t.Errorf("org %q, want %q", r.Org, tt.org)
			}
		})
	}
	// TLS-RPT mx-host as a list (RFC 8460 §4.4 shows a string; large
	// reporters send a list): the names are kept.
	r, _ := one(t, []byte(`{"organization-name":"Google Inc.","report-id":"t1","policies":[{"policy":{"policy-type":"sts","policy-domain":"shop.example","mx-host":["mx1.shop.example","mx2.shop.example"]},"summary":{"total-successful-session-count":5,"total-failure-session-count":0}}]}`))
	if r.TLSPolicies[0].MXHost != "mx1.shop.example mx2.shop.example" {
		t.Errorf("mx-host %q", r.TLSPolicies[0].MXHost)
	}
}

// Counts no receiver reports (negative, over 2^32, not a number) count as
// 0 with a note, so that no input can make the totals overflow.
func TestImpossibleCounts(t *testing.T) {
	a := xmlReport("rep.example", "c1", "shop.example", "none", 1,
		rec{ip: "192.0.2.10", count: 1000000, dkim: "pass", spf: "pass"},
		rec{ip: "192.0.2.11", count: 7, dkim: "fail", spf: "fail"})
	for _, bad := range []string{"-5", "4294967297", "99999999999999999999", "1e6"} {
		b := bytes.Replace(a, []byte("<count>7</count>"), []byte("<count>"+bad+"</count>"), 1)
		r, probs := one(t, b)
		if *r.Messages != 1000000 || *r.DMARCPass != 1000000 || len(probs) != 1 || !strings.Contains(en(probs[0].Reason), bad) {
			t.Errorf("count %s: messages %d pass %d problems %v", bad, *r.Messages, *r.DMARCPass, probs)
		}
	}
}

// The summary line says in words which policy is safe today, and does not
// tell a domain losing mail at p=quarantine to stay there.
func TestSummarySaysWhatIsSafe(t *testing.T) {
	good := rec{ip: "192.0.2.10", count: 1000, dkim: "pass", spf: "pass", dkimD: "shop.example", dkimR: "pass", spfD: "shop.example", spfR: "pass"}
	bad := rec{ip: "192.0.2.10", count: 100, dkim: "fail", spf: "pass", dkimD: "shop.example", dkimR: "fail", spfD: "shop.example", spfR: "pass"}
	bad.spf, bad.spfR = "fail", "fail"
	for _, tt := range []struct {
		p    string
		recs []rec
		want string
	}{
		{"none", []rec{good}, "p=quarantine is safe today (p=reject after it)"},
		{"quarantine", []rec{good}, "p=reject is safe today"},
		{"reject", []rec{good}, "at p=reject, and legitimate mail passes"},
		{"none", []rec{good, bad}, "p=reject is not safe yet: 9.1% of legitimate mail fails, stay at p=none"},
		{"quarantine", []rec{good, bad}, "is lost to p=quarantine now: fix the failing senders"},
	} {
		c := NewCollector(Limits{})
		c.Add("a.xml", xmlReport("rep.example", "s1", "shop.example", tt.p, 1, tt.recs...))
		s := sections(t, c, context.Background(), check.Env{Now: testclock.Func()}, Options{NoDNS: true})[0]
		if !strings.Contains(s.Summary.String(), tt.want) {
			t.Errorf("p=%s: summary %q, want %q", tt.p, s.Summary, tt.want)
		}
		if tt.p == "reject" && len(tt.recs) == 1 {
			finding(t, s, "reports.policy.enforced")
		}
	}
}

// A shared service's address carries the domain's mail and, record by
// record, other customers' using the domain in From (Microsoft 365 and
// Google addresses do): those records are unauthorized, in a group of
// their own, and the domain's own mail from the address is judged alone.
func TestSharedAddressSplitByRecord(t *testing.T) {
	s := dnsSection(t, shopZone, reverseZone, xmlReport("google.com", "g1", "shop.example", "none", 1,
		rec{ip: "198.51.100.20", count: 500, dkim: "pass", spf: "pass", dkimD: "shop.example", dkimR: "pass", spfD: "shop.example", spfR: "pass"},
		rec{ip: "198.51.100.20", count: 40, dkim: "fail", spf: "fail", dkimD: "attacker.example", dkimR: "pass", spfD: "attacker.example", spfR: "pass"},
		// Unconfigured Workspace mail of the domain's: the service's
		// default d= is the domain's, not another customer's.
		rec{ip: "198.51.100.20", count: 2, dkim: "fail", spf: "fail", dkimD: "shop-example.20230601.gappssmtp.com", dkimR: "pass", spfD: "shop.example", spfR: "softfail"}))
	d := s.Data.(*Data)
	if len(d.Sources) != 1 || d.Sources[0].Others != 40 || d.Sources[0].Class != ClassFailing {
		t.Fatalf("sources %+v", d.Sources)
	}
	groups := map[string]string{}
	for _, g := range d.Services {
		groups[g.Name.String()] = fmt.Sprintf("%s %d/%d", g.Class, g.Messages, g.DMARCPass)
	}
	if groups["Google Workspace"] != "failing 502/500" || groups["unknown sender via Google Workspace"] != "unauthorized 40/0" {
		t.Errorf("groups %v", groups)
	}
	if v := d.Verdict; v.Legitimate != 502 || v.AtRisk != 2 || v.Unauthorized != 40 || !v.Ready {
		t.Errorf("verdict %+v", v)
	}
	if f := finding(t, s, "reports.source.unauthorized"); !strings.Contains(f.Detail, "40 messages") {
		t.Errorf("unauthorized: %s", f.Detail)
	}
}

// sections returns the collector's sections worded in English, and fails
// the test on any message that is in no catalog.
func sections(t *testing.T, c *Collector, ctx context.Context, env check.Env, opts Options) []report.Section {
	t.Helper()
	secs := c.Sections(ctx, env, opts)
	loc := i18n.For(i18n.English)
	for i := range secs {
		loc.LocalizeSection(&secs[i])
	}
	if m := loc.Missing(); len(m) > 0 {
		t.Errorf("messages missing from the catalogs: %v", m)
	}
	return secs
}

// en words m in English.
func en(m report.Msg) string { return i18n.For(i18n.English).Text(m) }

// dnsSection reads one report with reverse DNS and the domain's records
// served from a loopback DNS server (zone for example., rev for
// in-addr.arpa.), and returns its domain's section.
func dnsSection(t *testing.T, zone, rev string, data []byte) report.Section {
	t.Helper()
	srv := dnstest.Start(t, dnstest.ZoneText("example.", zone), dnstest.ZoneText("in-addr.arpa.", rev))
	c := NewCollector(Limits{})
	c.Add("a.xml", data)
	return sections(t, c, context.Background(), check.Env{Resolver: srv.Resolver(t), Now: testclock.Func()}, Options{})[0]
}

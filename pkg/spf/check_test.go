package spf

import (
	"context"
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

func zonePath(name string) string { return "../../testdata/zones/" + name }

func ids(fs []report.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}

func findingOf(fs []report.Finding, id string) (report.Finding, bool) {
	for _, f := range fs {
		if f.ID == id {
			return f, true
		}
	}
	return report.Finding{}, false
}

func runCheck(t *testing.T, zone, domain string, opts Options) report.Section {
	t.Helper()
	srv := dnstest.Start(t, dnstest.ZoneFile(zonePath(zone)))
	env := check.Env{Resolver: srv.Resolver(t), Now: func() time.Time { return time.Unix(1700000000, 0) }}
	return Check(context.Background(), env, dnsname.MustParse(domain), opts)
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name, zone, domain  string
		opts                Options
		status              report.Status
		want                []string // finding IDs that must be present
		absent              []string // finding IDs that must not be
		terms, void4, void6 int
		eval                Result
	}{
		{name: "good", zone: "spf-good.zone", domain: "good.example", status: report.StatusPass,
			want: []string{"spf.all.softfail"}, absent: []string{"spf.lookups.near_limit", "spf.record.sender_id"}, terms: 1},
		{name: "good pass via include", zone: "spf-good.zone", domain: "good.example", status: report.StatusPass,
			opts: Options{IP: netip.MustParseAddr("198.51.100.7")}, want: []string{"spf.all.softfail"}, terms: 1, eval: Pass},
		{name: "good softfail", zone: "spf-good.zone", domain: "good.example", status: report.StatusPass,
			opts: Options{IP: netip.MustParseAddr("203.0.113.9"), HELO: "mail.good.example"}, terms: 1, eval: SoftFail,
			absent: []string{"spf.helo.missing"}},
		{name: "helo without spf", zone: "spf-good.zone", domain: "good.example", status: report.StatusWarn,
			opts: Options{HELO: "mx1.good.example"}, want: []string{"spf.helo.missing"}, terms: 1},
		{name: "too many lookups", zone: "spf-too-many-lookups.zone", domain: "heavy.example", status: report.StatusFail,
			opts: Options{IP: netip.MustParseAddr("203.0.113.77")}, want: []string{"spf.lookups.exceeded", "spf.void.exceeded"},
			terms: 12, void6: 3, eval: PermError},
		{name: "matched before the limit", zone: "spf-too-many-lookups.zone", domain: "heavy.example", status: report.StatusFail,
			opts: Options{IP: netip.MustParseAddr("192.0.2.1")}, want: []string{"spf.lookups.exceeded"}, terms: 12, void6: 3, eval: Pass},
		{name: "void lookups", zone: "spf-void.zone", domain: "void.example", status: report.StatusFail,
			want: []string{"spf.void.exceeded", "spf.a_or_mx.empty"}, terms: 4, void4: 3, void6: 4,
			opts: Options{IP: netip.MustParseAddr("192.0.2.200")}, eval: PermError},
		{name: "loop", zone: "spf-loop.zone", domain: "loop.example", status: report.StatusFail,
			want: []string{"spf.include.loop"}, terms: 3,
			opts: Options{IP: netip.MustParseAddr("203.0.113.1")}, eval: PermError},
		{name: "glued all, syntax error", zone: "spf-split-glued.zone", domain: "glued.example", status: report.StatusFail,
			want: []string{"spf.syntax.glued_all"}, absent: []string{"spf.syntax.invalid"}, terms: 0,
			opts: Options{IP: netip.MustParseAddr("192.0.2.1")}, eval: PermError},
		{name: "glued all, valid syntax", zone: "spf-split-glued.zone", domain: "sub.glued.example", status: report.StatusFail,
			want: []string{"spf.syntax.glued_all", "spf.all.missing", "spf.a_or_mx.empty"}, terms: 1, void4: 1, void6: 1},
		{name: "multiple records", zone: "spf-broken.zone", domain: "multi.broken.example", status: report.StatusFail,
			want: []string{"spf.record.multiple"}, absent: []string{"spf.record.missing"},
			opts: Options{IP: netip.MustParseAddr("192.0.2.1")}, eval: PermError},
		{name: "plus all", zone: "spf-broken.zone", domain: "plus.broken.example", status: report.StatusFail,
			want: []string{"spf.all.pass"}},
		{name: "include without record", zone: "spf-broken.zone", domain: "inc.broken.example", status: report.StatusFail,
			want: []string{"spf.include.no_record", "spf.terms.after_all", "spf.redirect.ignored"}, terms: 1,
			opts: Options{IP: netip.MustParseAddr("192.0.2.9")}, eval: PermError},
		{name: "redirect without record", zone: "spf-broken.zone", domain: "redir.broken.example", status: report.StatusFail,
			want: []string{"spf.redirect.no_record"}, absent: []string{"spf.all.missing"}, terms: 1},
		{name: "duplicate exp", zone: "spf-broken.zone", domain: "dup.broken.example", status: report.StatusFail,
			want: []string{"spf.modifier.duplicate"}},
		{name: "exp-only macro", zone: "spf-broken.zone", domain: "macro.broken.example", status: report.StatusFail,
			want: []string{"spf.macro.exp_only_letter"}, absent: []string{"spf.syntax.invalid"}},
		{name: "ptr and p macro", zone: "spf-broken.zone", domain: "ptr.broken.example", status: report.StatusWarn,
			want: []string{"spf.ptr.used", "spf.macro.p_used", "spf.ip.broad", "spf.all.neutral"}, terms: 2},
		{name: "no all, bad exp", zone: "spf-broken.zone", domain: "noall.broken.example", status: report.StatusWarn,
			want: []string{"spf.all.missing", "spf.exp.unresolvable"}},
		{name: "malformed version", zone: "spf-broken.zone", domain: "ver.broken.example", status: report.StatusFail,
			want: []string{"spf.record.missing", "spf.record.version_malformed", "spf.record.sender_id"}},
		{name: "type 99", zone: "spf-broken.zone", domain: "rr99.broken.example", status: report.StatusWarn,
			want: []string{"spf.record.spf_rrtype"}},
		{name: "too many MX", zone: "spf-broken.zone", domain: "mx.broken.example", status: report.StatusFail,
			want: []string{"spf.mx.too_many"}, terms: 1,
			opts: Options{IP: netip.MustParseAddr("192.0.2.1")}, eval: PermError},
		{name: "parked", zone: "spf-broken.zone", domain: "parked.broken.example", status: report.StatusWarn,
			want: []string{"spf.parked.not_strict"}},
		{name: "missing", zone: "spf-broken.zone", domain: "none.broken.example", status: report.StatusFail,
			want: []string{"spf.record.missing"},
			opts: Options{IP: netip.MustParseAddr("192.0.2.1")}, eval: None},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sec := runCheck(t, tt.zone, tt.domain, tt.opts)
			got := ids(sec.Findings)
			if sec.Status != tt.status {
				t.Errorf("status %s, want %s (findings %v)", sec.Status, tt.status, got)
			}
			for _, id := range tt.want {
				if !slices.Contains(got, id) {
					t.Errorf("missing finding %s; got %v", id, got)
				}
			}
			for _, id := range tt.absent {
				if slices.Contains(got, id) {
					t.Errorf("unexpected finding %s", id)
				}
			}
			d := sec.Data.(*Data)
			if d.DNSTerms != tt.terms || d.VoidIPv4 != tt.void4 || d.VoidIPv6 != tt.void6 {
				t.Errorf("terms %d void4 %d void6 %d, want %d %d %d", d.DNSTerms, d.VoidIPv4, d.VoidIPv6, tt.terms, tt.void4, tt.void6)
			}
			if tt.eval != "" {
				if d.Evaluation == nil {
					t.Fatal("no evaluation")
				}
				if d.Evaluation.Result != tt.eval {
					t.Errorf("evaluation %s (%s), want %s; trace %+v", d.Evaluation.Result, d.Evaluation.Problem, tt.eval, d.Evaluation.Trace)
				}
			} else if d.Evaluation != nil {
				t.Error("evaluation without an IP")
			}
			for _, lang := range i18n.Langs {
				loc := i18n.For(lang)
				words := sec
				words.Findings = slices.Clone(sec.Findings)
				loc.LocalizeSection(&words)
				for _, f := range words.Findings {
					if f.Detail == "" || f.Title == "" || strings.Contains(f.Detail, f.ID) {
						t.Errorf("%s %s: detail %q title %q", lang, f.ID, f.Detail, f.Title)
					}
				}
				if m := loc.Missing(); len(m) > 0 {
					t.Errorf("%s: missing messages %v", lang, m)
				}
			}
			if _, err := json.Marshal(sec); err != nil {
				t.Errorf("section does not marshal: %v", err)
			}
		})
	}
}

// The fix for an over-limit policy names the includes that cost most,
// heaviest first, and the tree carries each branch's cost.
func TestCheckLookupsFix(t *testing.T) {
	sec := runCheck(t, "spf-too-many-lookups.zone", "heavy.example", Options{})
	f, ok := findingOf(sec.Findings, "spf.lookups.exceeded")
	if !ok {
		t.Fatalf("no spf.lookups.exceeded in %v", ids(sec.Findings))
	}
	fr := f
	i18n.For(i18n.English).LocalizeFinding(&f)
	i18n.For(i18n.French).LocalizeFinding(&fr)
	if !strings.Contains(fr.Fix, "Les include les plus coûteux sont include:_spf.esp.test (6\u00a0termes)") &&
		!strings.Contains(fr.Fix, "Les include les plus coûteux sont include:_spf.esp.test (6 termes)") {
		t.Errorf("French fix: %q", fr.Fix)
	}
	esp := strings.Index(f.Fix, "include:_spf.esp.test (6 terms)")
	crm := strings.Index(f.Fix, "include:crm.test (4 terms)")
	if esp < 0 || crm < 0 || esp > crm {
		t.Errorf("fix does not name the heaviest includes in order: %q", f.Fix)
	}
	d := sec.Data.(*Data)
	costs := map[string]int{}
	var visit func(n *Node)
	visit = func(n *Node) {
		costs[n.Domain] = n.Cost
		for _, c := range n.Children {
			visit(c)
		}
	}
	visit(d.Tree)
	want := map[string]int{"heavy.example": 12, "_spf.esp.test": 6, "a._spf.esp.test": 3, "d._spf.esp.test": 2,
		"e._spf.esp.test": 1, "crm.test": 4, "mail.crm.test": 2}
	for dom, c := range want {
		if costs[dom] != c {
			t.Errorf("cost of %s = %d, want %d", dom, costs[dom], c)
		}
	}
	if len(sec.Display.Trees) != 1 || len(sec.Display.Trees[0].Children) != 2 {
		t.Errorf("display tree: %+v", sec.Display.Trees)
	}
}

// Findings that a record can fix carry the exact record to publish.
func TestCheckSuggestedRecords(t *testing.T) {
	tests := []struct{ domain, id, value string }{
		{"plus.broken.example", "spf.all.pass", `"v=spf1 ip4:0.0.0.0/0 ~all"`},
		{"ptr.broken.example", "spf.all.neutral", `"v=spf1 ptr exists:%{p}.ok.broken.example ip4:10.0.0.0/8 ~all"`},
		{"parked.broken.example", "spf.parked.not_strict", `"v=spf1 -all"`},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			sec := runCheck(t, "spf-broken.zone", tt.domain, Options{})
			var vals []string
			for _, f := range sec.Findings {
				if f.ID == tt.id && f.Record != nil {
					vals = append(vals, f.Record.Value)
				}
			}
			if !slices.Contains(vals, tt.value) {
				t.Errorf("%s records %q, want %q", tt.id, vals, tt.value)
			}
		})
	}
}

// A DNS failure is inconclusive: the section is unknown, never fail.
func TestCheckTempError(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile(zonePath("spf-good.zone")))
	srv.SetFault("_spf.esp.test.", 0, dnstest.ServFail)
	env := check.Env{Resolver: srv.Resolver(t)}
	sec := Check(context.Background(), env, dnsname.MustParse("good.example"), Options{IP: netip.MustParseAddr("203.0.113.9")})
	f, ok := findingOf(sec.Findings, "spf.dns.temperror")
	if !ok || !f.Inconclusive {
		t.Fatalf("no inconclusive spf.dns.temperror: %v", ids(sec.Findings))
	}
	if sec.Status != report.StatusUnknown {
		t.Errorf("status %s, want unknown", sec.Status)
	}
	if ev := sec.Data.(*Data).Evaluation; ev == nil || ev.Result != TempError {
		t.Errorf("evaluation %+v, want temperror", ev)
	}
}

// Every (name, type) is asked once however often the tree names it, and a
// TXT record's strings are read as raw octets.
func TestWalkQueriesOnce(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("dup.example.", `
@ 300 IN SOA ns.dup.example. h.dup.example. 1 3600 600 86400 300
@ 300 IN TXT "v=spf1 include:x.dup.example include:y.dup.example -all"
x 300 IN TXT "v=spf1 include:z.dup.example ~all"
y 300 IN TXT "v=spf1 include:z.dup.example ~all"
z 300 IN TXT "v=spf1 a ip4:192.0.2.1 ~all"
z 300 IN A 192.0.2.2
`))
	r := srv.Resolver(t)
	sec := Check(context.Background(), check.Env{Resolver: r}, dnsname.MustParse("dup.example"), Options{})
	d := sec.Data.(*Data)
	if d.DNSTerms != 6 {
		t.Errorf("terms %d, want 6 (z is evaluated twice)", d.DNSTerms)
	}
	// TXT dup, x, y, z; A and AAAA z; SPF and MX dup.
	if got := srv.Queries(); got != 8 {
		t.Errorf("%d queries, want 8 (one per distinct name and type): %v", got, srv.Log())
	}
}

func TestTXTOctets(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("raw.example.", `
@ 300 IN SOA ns.raw.example. h.raw.example. 1 3600 600 86400 300
@ 300 IN TXT "v=spf1 a:\"q\".raw.example -all"
`))
	txts, _, err := resolver.LookupTXT(context.Background(), srv.Resolver(t), "raw.example")
	if err != nil || len(txts) != 1 {
		t.Fatalf("%v %v", txts, err)
	}
	if got, want := txtText(txts[0]), `v=spf1 a:"q".raw.example -all`; got != want {
		t.Errorf("txtText = %q, want %q", got, want)
	}
}

// One include cycle reached along two paths (c → d → e → d and c → e →
// d → e) is one problem: one finding.
func TestLoopReportedOnce(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("loop.example.", `
$ORIGIN loop.example.
@ TXT "v=spf1 include:d.loop.example include:e.loop.example -all"
d TXT "v=spf1 include:e.loop.example -all"
e TXT "v=spf1 include:d.loop.example -all"
self TXT "v=spf1 include:self.loop.example redirect=self.loop.example"
`))
	env := check.Env{Resolver: srv.Resolver(t)}
	for domain, want := range map[string]int{"loop.example": 1, "self.loop.example": 1} {
		sec := Check(context.Background(), env, dnsname.MustParse(domain), Options{IP: netip.MustParseAddr("192.0.2.1")})
		n := 0
		for _, f := range sec.Findings {
			if f.ID == "spf.include.loop" {
				n++
			}
		}
		if n != want {
			t.Errorf("%s: %d loop findings, want %d: %v", domain, n, want, ids(sec.Findings))
		}
	}
}

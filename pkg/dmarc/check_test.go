package dmarc_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/catalog"
	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// head is the start of every scenario zone: the zone example. with a mail
// domain that accepts reports, and a third-party reporting service.
const head = `
$ORIGIN example.
@                 SOA ns.example. hostmaster.example. 1 3600 600 86400 300
shop              MX  10 mx.shop
mx.shop           A   192.0.2.25
reports           MX  10 mx.reports
mx.reports        A   192.0.2.26
`

func TestCheck(t *testing.T) {
	tests := []struct {
		name     string
		zone     string
		domain   string
		status   report.Status
		policy   dmarc.Policy // effective policy; "" for none found
		source   string
		findings []string
	}{
		{
			name:   "strong policy, authorized external reports",
			zone:   `_dmarc.shop TXT "v=DMARC1; p=reject; np=reject; rua=mailto:d@shop.example,mailto:x@reports.example"` + "\n" + `shop.example._report._dmarc.reports TXT "v=DMARC1"`,
			domain: "shop.example", status: report.StatusPass, policy: dmarc.PolicyReject, source: "p",
		},
		{
			name:   "missing everywhere",
			zone:   "",
			domain: "shop.example", status: report.StatusFail,
			findings: []string{"dmarc.record.missing"},
		},
		{
			name:   "policy none with unauthorized external reports",
			zone:   `_dmarc.shop TXT "v=DMARC1; p=none; rua=mailto:x@reports.example"`,
			domain: "shop.example", status: report.StatusWarn, policy: dmarc.PolicyNone, source: "p",
			findings: []string{"dmarc.np.missing", "dmarc.policy.none", "dmarc.rua.unauthorized"},
		},
		{
			name:   "wildcard authorization counts",
			zone:   `_dmarc.shop TXT "v=DMARC1; p=reject; rua=mailto:x@reports.example"` + "\n" + `*._report._dmarc.reports TXT "v=DMARC1"`,
			domain: "shop.example", status: report.StatusPass, policy: dmarc.PolicyReject, source: "p",
		},
		{
			name:   "two records",
			zone:   `_dmarc.shop TXT "v=DMARC1; p=reject"` + "\n" + `_dmarc.shop TXT "v=DMARC1; p=none"`,
			domain: "shop.example", status: report.StatusFail,
			findings: []string{"dmarc.record.multiple"},
		},
		{
			name:   "lower-case version is not a record",
			zone:   `_dmarc.shop TXT "v=dmarc1; p=reject"`,
			domain: "shop.example", status: report.StatusFail,
			findings: []string{"dmarc.version.invalid"},
		},
		{
			name:   "leading space",
			zone:   `_dmarc.shop TXT " v=DMARC1; p=reject"`,
			domain: "shop.example", status: report.StatusFail,
			findings: []string{"dmarc.record.leading_space"},
		},
		{
			name: "spf record and other text at _dmarc, record at apex",
			zone: `_dmarc.shop TXT "v=spf1 -all"` + "\n" + `_dmarc.shop TXT "hello"` + "\n" + `_dmarc.shop TXT "v=DMARC1; p=reject; np=reject; rua=mailto:d@shop.example"` +
				"\n" + `shop TXT "v=DMARC1; p=reject"`,
			domain: "shop.example", status: report.StatusFail, policy: dmarc.PolicyReject, source: "p",
			findings: []string{"dmarc.record.at_apex", "dmarc.record.spf_found", "dmarc.record.unrelated_txt"},
		},
		{
			name:   "malformed tag list",
			zone:   `_dmarc.shop TXT "v=DMARC1; p=reject; bogus"`,
			domain: "shop.example", status: report.StatusFail,
			findings: []string{"dmarc.syntax.invalid"},
		},
		{
			name:   "duplicate tag",
			zone:   `_dmarc.shop TXT "v=DMARC1; p=reject; p=none"`,
			domain: "shop.example", status: report.StatusFail,
			findings: []string{"dmarc.syntax.invalid"},
		},
		{
			name:   "invalid p falls back to none",
			zone:   `_dmarc.shop TXT "v=DMARC1; p=block; rua=mailto:d@shop.example"`,
			domain: "shop.example", status: report.StatusFail, policy: dmarc.PolicyNone, source: "p",
			findings: []string{"dmarc.np.missing", "dmarc.p.invalid", "dmarc.policy.none"},
		},
		{
			name:   "everything RFC 7489 and lax",
			zone:   `_dmarc.shop TXT "v=DMARC1; rua=mailto:d@shop.example!10m; pct=20; ri=3600; sp=none; adkim=s; fo=0:1; foo=bar; t=y"`,
			domain: "shop.example", status: report.StatusWarn, policy: dmarc.PolicyNone, source: "p",
			findings: []string{"dmarc.align.strict", "dmarc.fo.no_ruf", "dmarc.fo.redundant", "dmarc.np.missing", "dmarc.p.missing",
				"dmarc.pct.partial", "dmarc.policy.none", "dmarc.t.testing", "dmarc.tag.removed", "dmarc.tag.unknown", "dmarc.uri.size_suffix"},
		},
		{
			name:   "p not second, sp weaker, no rua",
			zone:   `_dmarc.shop TXT "v=DMARC1; sp=none; p=reject; np=reject"`,
			domain: "shop.example", status: report.StatusWarn, policy: dmarc.PolicyReject, source: "p",
			findings: []string{"dmarc.p.not_second", "dmarc.rua.missing", "dmarc.sp.weaker"},
		},
		{
			name:   "bad report URI",
			zone:   `_dmarc.shop TXT "v=DMARC1; p=reject; np=reject; rua=dmarc@shop.example"`,
			domain: "shop.example", status: report.StatusFail, policy: dmarc.PolicyReject, source: "p",
			findings: []string{"dmarc.rua.invalid"},
		},
		{
			name: "too many destinations, one domain gone, one with null MX",
			zone: `_dmarc.shop TXT "v=DMARC1; p=reject; np=reject; rua=mailto:a@shop.example,mailto:b@shop.example,mailto:c@shop.example; ruf=mailto:f@gone.shop.example,mailto:n@null.shop.example"` +
				"\n" + `null.shop MX 0 .`,
			domain: "shop.example", status: report.StatusWarn, policy: dmarc.PolicyReject, source: "p",
			findings: []string{"dmarc.rua.no_mx", "dmarc.rua.no_mx", "dmarc.rua.too_many"},
		},
		{
			name:   "inherited by an existing subdomain: sp applies",
			zone:   `_dmarc.shop TXT "v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:d@shop.example"` + "\n" + `news.shop A 192.0.2.80`,
			domain: "news.shop.example", status: report.StatusWarn, policy: dmarc.PolicyQuarantine, source: "sp",
			findings: []string{"dmarc.inherited", "dmarc.sp.weaker"},
		},
		{
			name:   "inherited by a non-existent subdomain: np applies",
			zone:   `_dmarc.shop TXT "v=DMARC1; p=reject; sp=quarantine; np=none; rua=mailto:d@shop.example"`,
			domain: "ghost.shop.example", status: report.StatusWarn, policy: dmarc.PolicyNone, source: "np",
			findings: []string{"dmarc.inherited", "dmarc.policy.none", "dmarc.sp.weaker"},
		},
		{
			// RFC 7489 §6.6.3 as RFC 9989 extends it to np: an invalid np
			// with a valid rua is none for non-existent subdomains, not the
			// p=reject it would fall back to if absent.
			name:   "invalid np: none for a non-existent subdomain",
			zone:   `_dmarc.shop TXT "v=DMARC1; p=reject; np=rejekt; rua=mailto:d@shop.example"`,
			domain: "ghost.shop.example", status: report.StatusFail, policy: dmarc.PolicyNone, source: "np",
			findings: []string{"dmarc.inherited", "dmarc.policy.none", "dmarc.syntax.invalid"},
		},
		{
			// No valid p and no rua: receivers apply no DMARC (RFC 7489
			// §6.6.3), so there is no effective policy at all.
			name:   "no p and no rua: no policy applies",
			zone:   `_dmarc.shop TXT "v=DMARC1; adkim=s"`,
			domain: "shop.example", status: report.StatusFail,
			findings: []string{"dmarc.align.strict", "dmarc.np.missing", "dmarc.record.no_policy", "dmarc.rua.missing"},
		},
		{
			name:   "invalid p and no rua: no policy applies",
			zone:   `_dmarc.shop TXT "v=DMARC1; p=rejekt"`,
			domain: "shop.example", status: report.StatusFail,
			findings: []string{"dmarc.np.missing", "dmarc.record.no_policy", "dmarc.rua.missing"},
		},
		{
			name:   "psd record at the TLD",
			zone:   `_dmarc TXT "v=DMARC1; p=reject; psd=y; rua=mailto:d@reports.example"` + "\n" + `example._report._dmarc.reports TXT "v=DMARC1"`,
			domain: "shop.example", status: report.StatusPass, policy: dmarc.PolicyReject, source: "p",
			findings: []string{"dmarc.inherited"},
		},
		{
			name:   "parked domain not rejecting",
			zone:   `shop TXT "v=spf1 -all"` + "\n" + `_dmarc.shop TXT "v=DMARC1; p=quarantine; np=reject; rua=mailto:d@shop.example"`,
			domain: "shop.example", status: report.StatusWarn, policy: dmarc.PolicyQuarantine, source: "p",
			findings: []string{"dmarc.parked.not_reject"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := dnstest.Start(t, dnstest.ZoneText("example.", head+tt.zone+"\n"))
			sec := dmarc.Check(context.Background(), check.Env{Resolver: srv.Resolver(t)}, dnsname.MustParse(tt.domain), dmarc.Options{})
			var ids []string
			for _, f := range sec.Findings {
				ids = append(ids, f.ID)
			}
			checkWords(t, sec)
			sort.Strings(ids)
			want := append([]string(nil), tt.findings...)
			sort.Strings(want)
			ids = slices.DeleteFunc(ids, func(id string) bool { return id == "dmarc.orgdomain.differs" })
			if strings.Join(ids, " ") != strings.Join(want, " ") {
				t.Errorf("findings\n got  %v\n want %v", ids, want)
			}
			if sec.Status != tt.status {
				t.Errorf("status %s, want %s", sec.Status, tt.status)
			}
			data := sec.Data.(*dmarc.Data)
			if data.EffectivePolicy != tt.policy || data.EffectivePolicySource != tt.source {
				t.Errorf("effective policy %q from %q, want %q from %q", data.EffectivePolicy, data.EffectivePolicySource, tt.policy, tt.source)
			}
		})
	}
}

// The records a fix proposes must themselves be valid DMARC records.
func TestFixRecordsParse(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("example.", head+`_dmarc.shop TXT "v=DMARC1; sp=none; rua=mailto:d@shop.example!10m; pct=20; p=none"`+"\n"))
	sec := dmarc.Check(context.Background(), check.Env{Resolver: srv.Resolver(t)}, dnsname.MustParse("shop.example"), dmarc.Options{})
	n := 0
	for _, f := range sec.Findings {
		if f.Record == nil || !strings.HasPrefix(f.Record.Name, "_dmarc.") {
			continue
		}
		n++
		rr, err := dns.NewRR(f.Record.String())
		if err != nil {
			t.Fatalf("%s: record %q is not a zone-file line: %v", f.ID, f.Record, err)
		}
		text := strings.Join(rr.(*dns.TXT).Txt, "")
		rec, err := dmarc.Parse(text)
		if err != nil || !rec.Valid() {
			t.Errorf("%s: proposed record %q does not parse cleanly: %v %v", f.ID, text, err, rec)
		}
	}
	if n < 3 {
		t.Errorf("only %d findings proposed a record", n)
	}
}

func TestCheckUnknownWhenDNSFails(t *testing.T) {
	t.Parallel()
	srv := dnstest.Start(t, dnstest.ZoneText("example.", head+`_dmarc TXT "v=DMARC1; p=reject; psd=y"`+"\n"))
	srv.SetFault("_dmarc.shop.example.", 0, dnstest.ServFail)
	srv.SetFault("_dmarc.news.shop.example.", 0, dnstest.Silence)
	opts := srv.ClientOptions()
	opts.Timeout = 100 * time.Millisecond
	opts.Retries = -1
	c, _ := resolver.NewClient(opts)
	env := check.Env{Resolver: c}
	for _, domain := range []string{"shop.example", "news.shop.example"} {
		sec := dmarc.Check(context.Background(), env, dnsname.MustParse(domain), dmarc.Options{})
		if sec.Status != report.StatusUnknown {
			t.Errorf("%s: status %s, want unknown", domain, sec.Status)
		}
		if len(sec.Findings) != 1 || sec.Findings[0].ID != "dmarc.dns.error" || !sec.Findings[0].Inconclusive {
			t.Errorf("%s: findings %+v", domain, sec.Findings)
		}
	}
	// A SERVFAIL at a parent that the domain's owner controls (at or
	// below the organizational domain) leaves the policy unknown: the
	// record there would apply.
	srv.SetFault("_dmarc.shop.example.", 0, dnstest.ServFail)
	srv.SetFault("_dmarc.news.shop.example.", 0, dnstest.Fault{})
	sec := dmarc.Check(context.Background(), env, dnsname.MustParse("news.shop.example"), dmarc.Options{})
	if sec.Status != report.StatusUnknown {
		t.Errorf("organizational domain failing: status %s, want unknown; %+v", sec.Status, sec.Findings)
	}
}

// A query that fails above the organizational domain, at the public suffix
// (_dmarc.example), can only hide a public-suffix operator's psd=y policy:
// the domain's own record is missing, and that is reported.
func TestCheckMissingWhenPublicSuffixFails(t *testing.T) {
	t.Parallel()
	for _, fault := range []dnstest.Fault{dnstest.Refused, dnstest.ServFail} {
		srv := dnstest.Start(t, dnstest.ZoneText("example.", head))
		srv.SetFault("_dmarc.example.", 0, fault)
		env := check.Env{Resolver: srv.Resolver(t)}
		for _, domain := range []string{"shop.example", "news.shop.example"} {
			sec := dmarc.Check(context.Background(), env, dnsname.MustParse(domain), dmarc.Options{})
			if sec.Status != report.StatusFail {
				t.Errorf("%s: status %s, want fail; %+v", domain, sec.Status, sec.Findings)
			}
			ids := findingIDs(sec)
			if !slices.Contains(ids, "dmarc.record.missing") || !slices.Contains(ids, "dmarc.psd.unchecked") || slices.Contains(ids, "dmarc.dns.error") {
				t.Errorf("%s: findings %v", domain, ids)
			}
		}
	}
}

func TestWalkQueriesAtMostEight(t *testing.T) {
	t.Parallel()
	srv := dnstest.Start(t, dnstest.ZoneText("example.", head))
	d := dnsname.MustParse("a.b.c.d.e.f.g.h.i.j.shop.example")
	disc := dmarc.Discover(context.Background(), srv.Resolver(t), d)
	if len(disc.Steps) != 8 {
		t.Fatalf("%d steps, want 8", len(disc.Steps))
	}
	var got []string
	for _, s := range disc.Steps {
		got = append(got, s.Domain)
	}
	// 12 labels: the name itself, then straight to its rightmost 7
	// labels, then one label fewer at a time down to the TLD.
	want := []string{"a.b.c.d.e.f.g.h.i.j.shop.example", "f.g.h.i.j.shop.example",
		"g.h.i.j.shop.example", "h.i.j.shop.example", "i.j.shop.example", "j.shop.example", "shop.example", "example"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("walk\n got  %v\n want %v", got, want)
	}
	if q := srv.Queries(); q != 8 {
		t.Errorf("%d queries, want 8", q)
	}
}

func TestOrganizationalDomain(t *testing.T) {
	t.Parallel()
	zone := head + `
_dmarc             TXT "v=DMARC1; p=reject; psd=y"
_dmarc.shop        TXT "v=DMARC1; p=reject"
_dmarc.corp        TXT "v=DMARC1; p=reject; psd=n"
_dmarc.x.corp      TXT "v=DMARC1; p=reject"
`
	srv := dnstest.Start(t, dnstest.ZoneText("example.", zone))
	r := srv.Resolver(t)
	for domain, want := range map[string]string{
		"a.b.shop.example": "shop.example", // one below the psd=y record
		"shop.example":     "shop.example",
		"y.x.corp.example": "corp.example", // psd=n stops the walk
		"other.example":    "other.example",
	} {
		if got := dmarc.Discover(context.Background(), r, dnsname.MustParse(domain)).OrgDomain; got != want {
			t.Errorf("%s: org domain %q, want %q", domain, got, want)
		}
	}
}

func findingIDs(sec report.Section) []string {
	var ids []string
	for _, f := range sec.Findings {
		ids = append(ids, f.ID)
	}
	return ids
}

// checkWords words the section in both languages: every finding has a
// title, a detail and a fix, no message key is left, and the findings
// match the registry (IDs, variants, severities).
func checkWords(t *testing.T, sec report.Section) {
	t.Helper()
	if errs := catalog.Validate(&report.Report{Sections: []report.Section{sec}}); len(errs) > 0 {
		t.Errorf("catalog: %v", errs)
	}
	for _, lang := range i18n.Langs {
		loc := i18n.For(lang)
		words := sec
		words.Findings = slices.Clone(sec.Findings)
		loc.LocalizeSection(&words)
		for _, f := range words.Findings {
			if f.Title == "" || (f.Detail == "" && !f.Inconclusive) || f.Fix == "" || strings.Contains(f.Detail+f.Fix, f.ID+".") {
				t.Errorf("%s %s: title, detail and fix must all be set: %+v", lang, f.ID, f)
			}
		}
		if s := words.Summary.String(); s == "" || strings.HasPrefix(s, "dmarc.") {
			t.Errorf("%s summary %q", lang, words.Summary)
		}
		if m := loc.Missing(); len(m) > 0 {
			t.Errorf("%s: missing messages %v", lang, m)
		}
	}
}

// TestFrench: a record with a bad tag value reads in French, the problem
// worded from its kind and the record's own text left as it is.
func TestFrench(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("example.", head+`_dmarc.shop TXT "v=DMARC1; p=none; adkim=x; rua=mailto:d@shop.example"`+"\n"))
	sec := dmarc.Check(context.Background(), check.Env{Resolver: srv.Resolver(t)}, dnsname.MustParse("shop.example"), dmarc.Options{})
	i18n.For(i18n.French).LocalizeSection(&sec)
	var details []string
	for _, f := range sec.Findings {
		details = append(details, f.Detail)
	}
	all := strings.Join(details, "\n")
	for _, want := range []string{
		"adkim=x\u00a0: «\u00a0x\u00a0» n'est ni r (relâché) ni s (strict).",
		"La politique qui s'applique à shop.example est none",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q in\n%s", want, all)
		}
	}
	if want := "Politique none pour shop.example (p, sur _dmarc.shop.example)."; sec.Summary.String() != want {
		t.Errorf("summary %q, want %q", sec.Summary, want)
	}
}

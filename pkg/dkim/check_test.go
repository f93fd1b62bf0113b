package dkim

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/testclock"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

const zonesDir = "../../testdata/zones/"

var fixedNow = testclock.Now()

func envFor(t testing.TB, srv *dnstest.Server) check.Env {
	return envForResolver(srv.Resolver(t))
}

func envForResolver(r resolver.Resolver) check.Env {
	return check.Env{Resolver: r, Now: func() time.Time { return fixedNow }}
}

func ids(fs []report.Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.ID)
	}
	sort.Strings(out)
	return out
}

func findingByID(fs []report.Finding, id string) (report.Finding, bool) {
	for _, f := range fs {
		if f.ID == id {
			return f, true
		}
	}
	return report.Finding{}, false
}

func selectorData(t *testing.T, sec report.Section, sel string) SelectorData {
	t.Helper()
	d := sec.Data.(*Data)
	for _, s := range d.Selectors {
		if s.Selector == sel {
			return s
		}
	}
	t.Fatalf("selector %q not in data: %+v", sel, d.Selectors)
	return SelectorData{}
}

func TestCheckZones(t *testing.T) {
	tests := []struct {
		name      string
		zone      string
		domain    string
		selectors []string
		want      []string // finding IDs, sorted
		status    report.Status
		verify    func(t *testing.T, sec report.Section)
	}{
		{
			name: "good, guessed", zone: "dkim-good.zone", domain: "good.example",
			want: []string{}, status: report.StatusPass,
			verify: func(t *testing.T, sec report.Section) {
				s := selectorData(t, sec, "google")
				if s.Source != SourceGuessed || len(s.Records) != 1 || s.Records[0].Bits != 2048 || s.Records[0].KeyType != "rsa" || !s.Records[0].Usable {
					t.Errorf("google: %+v", s)
				}
				if got := len(sec.Data.(*Data).Selectors); got != 1 {
					t.Errorf("%d selectors in data, want only the one found", got)
				}
			},
		},
		{
			name: "good, given", zone: "dkim-good.zone", domain: "good.example", selectors: []string{"google", "ed", "legacy"},
			want: []string{}, status: report.StatusPass,
			verify: func(t *testing.T, sec report.Section) {
				if r := selectorData(t, sec, "ed").Records[0]; r.KeyType != "ed25519" || r.Bits != 256 || r.Format != FormatRaw {
					t.Errorf("ed: %+v", r)
				}
				if r := selectorData(t, sec, "legacy").Records[0]; r.Format != FormatPKCS1 || r.Bits != 2048 || !r.Usable {
					t.Errorf("legacy: %+v", r)
				}
				if d := sec.Data.(*Data); len(d.Probed) != 0 {
					t.Errorf("probed %v although selectors were given", d.Probed)
				}
			},
		},
		{
			// A CNAME chain plus a 2048-bit key passes 512 octets, as with
			// Microsoft 365's long target names: a true (low) finding.
			name: "delegated by CNAME, guessed", zone: "dkim-delegated.zone", domain: "shop.example",
			want: []string{"dkim.key.dns_size"}, status: report.StatusWarn,
			verify: func(t *testing.T, sec report.Section) {
				s := selectorData(t, sec, "selector1")
				if !reflect.DeepEqual(s.CNAMEs, []string{"selector1-shop-example._domainkey.esp.test."}) {
					t.Errorf("CNAMEs = %v", s.CNAMEs)
				}
				if s.Records[0].Bits != 2048 || !reflect.DeepEqual(s.Providers, []string{"Microsoft 365"}) {
					t.Errorf("selector1: %+v", s)
				}
			},
		},
		{
			name: "delegated, dangling CNAME given", zone: "dkim-delegated.zone", domain: "shop.example", selectors: []string{"selector1", "selector2"},
			want: []string{"dkim.key.dns_size", "dkim.key.missing"}, status: report.StatusFail,
			verify: func(t *testing.T, sec report.Section) {
				if s := selectorData(t, sec, "selector2"); s.Outcome != "nxdomain" || len(s.CNAMEs) != 1 {
					t.Errorf("selector2: %+v", s)
				}
			},
		},
		{
			name: "weak and huge keys", zone: "dkim-weak.zone", domain: "weak.example", selectors: []string{"old", "ancient", "huge"},
			want:   []string{"dkim.key.dns_size", "dkim.key.rsa_1024", "dkim.key.rsa_gt_4096", "dkim.key.rsa_lt_1024"},
			status: report.StatusFail,
			verify: func(t *testing.T, sec report.Section) {
				for sel, bits := range map[string]int{"old": 1024, "ancient": 512, "huge": 8192} {
					if r := selectorData(t, sec, sel).Records[0]; r.Bits != bits {
						t.Errorf("%s: %d bits, want %d", sel, r.Bits, bits)
					}
				}
				if r := selectorData(t, sec, "ancient").Records[0]; r.Usable {
					t.Error("a 512-bit key is marked usable")
				}
				if s := selectorData(t, sec, "huge"); s.Size <= 512 {
					t.Errorf("huge answer size %d", s.Size)
				}
			},
		},
		{
			name: "revoked after rotation", zone: "dkim-revoked.zone", domain: "rotated.revoked.example", selectors: []string{"2023", "2024"},
			want: []string{"dkim.key.revoked"}, status: report.StatusPass,
			verify: func(t *testing.T, sec report.Section) {
				f, _ := findingByID(sec.Findings, "dkim.key.revoked")
				i18n.For(i18n.English).LocalizeFinding(&f)
				if f.Severity != report.Info || f.Variant != "rotated" || !strings.Contains(f.Detail, "2024") {
					t.Errorf("revoked with a live key: %+v", f)
				}
			},
		},
		{
			name: "only key revoked", zone: "dkim-revoked.zone", domain: "dead.revoked.example", selectors: []string{"s1"},
			want: []string{"dkim.key.revoked"}, status: report.StatusWarn,
			verify: func(t *testing.T, sec report.Section) {
				f, _ := findingByID(sec.Findings, "dkim.key.revoked")
				if f.Severity != report.Medium {
					t.Errorf("severity %s", f.Severity)
				}
				if r := selectorData(t, sec, "s1").Records[0]; !r.Revoked || r.Usable {
					t.Errorf("%+v", r)
				}
			},
		},
		{name: "syntax", zone: "dkim-malformed.zone", domain: "broken.example", selectors: []string{"syntax"}, want: []string{"dkim.record.syntax"}, status: report.StatusFail},
		{name: "duplicate tag", zone: "dkim-malformed.zone", domain: "broken.example", selectors: []string{"dup"}, want: []string{"dkim.record.syntax"}, status: report.StatusFail},
		{
			name: "v not first", zone: "dkim-malformed.zone", domain: "broken.example", selectors: []string{"vlate"}, want: []string{"dkim.record.version"}, status: report.StatusFail,
			verify: func(t *testing.T, sec report.Section) {
				f, _ := findingByID(sec.Findings, "dkim.record.version")
				if f.Record == nil || !strings.HasPrefix(f.Record.Value, `"v=DKIM1; k=rsa; p=MII`) || f.Record.Name != "vlate._domainkey.broken.example" {
					t.Errorf("fix record: %+v", f.Record)
				}
			},
		},
		{name: "v wrong", zone: "dkim-malformed.zone", domain: "broken.example", selectors: []string{"vbad"}, want: []string{"dkim.record.version"}, status: report.StatusFail},
		{name: "bad base64", zone: "dkim-malformed.zone", domain: "broken.example", selectors: []string{"base64"}, want: []string{"dkim.key.unparseable"}, status: report.StatusFail},
		{name: "ed25519 in SPKI", zone: "dkim-malformed.zone", domain: "broken.example", selectors: []string{"edspki"}, want: []string{"dkim.key.unparseable"}, status: report.StatusFail},
		{name: "unknown k=", zone: "dkim-malformed.zone", domain: "broken.example", selectors: []string{"ktype"}, want: []string{"dkim.key.type_unknown"}, status: report.StatusFail},
		{
			name: "sha1 only", zone: "dkim-malformed.zone", domain: "broken.example", selectors: []string{"sha1"}, want: []string{"dkim.key.sha1_only"}, status: report.StatusFail,
			verify: func(t *testing.T, sec report.Section) {
				f, _ := findingByID(sec.Findings, "dkim.key.sha1_only")
				if f.Record == nil || !strings.Contains(f.Record.Value, "h=sha256") {
					t.Errorf("fix record: %+v", f.Record)
				}
			},
		},
		{name: "service not email", zone: "dkim-malformed.zone", domain: "broken.example", selectors: []string{"chat"}, want: []string{"dkim.key.service"}, status: report.StatusFail},
		{
			name: "testing flag", zone: "dkim-malformed.zone", domain: "broken.example", selectors: []string{"test"}, want: []string{"dkim.key.testing"}, status: report.StatusWarn,
			verify: func(t *testing.T, sec report.Section) {
				f, _ := findingByID(sec.Findings, "dkim.key.testing")
				if f.Record == nil || strings.Contains(f.Record.Value, "t=") {
					t.Errorf("fix record keeps t=: %+v", f.Record)
				}
			},
		},
		{
			name: "two records", zone: "dkim-malformed.zone", domain: "broken.example", selectors: []string{"twice"},
			want: []string{"dkim.key.revoked", "dkim.record.multiple"}, status: report.StatusFail,
			verify: func(t *testing.T, sec report.Section) {
				for _, r := range selectorData(t, sec, "twice").Records {
					if r.Usable {
						t.Errorf("a key among several records is marked usable: %+v", r)
					}
				}
				// The live key beside it does not count as another live
				// selector, so the revocation keeps its medium severity.
				if f, _ := findingByID(sec.Findings, "dkim.key.revoked"); f.Severity != report.Medium {
					t.Errorf("revoked severity %s", f.Severity)
				}
			},
		},
		{
			name: "nothing under guesses, wildcard TXT", zone: "dkim-none.zone", domain: "none.example",
			want: []string{"dkim.selector.unverified"}, status: report.StatusUnknown,
			verify: func(t *testing.T, sec report.Section) {
				d := sec.Data.(*Data)
				if len(d.Selectors) != 0 || len(d.Probed) != len(KnownSelectors) {
					t.Errorf("selectors %v, probed %d", d.Selectors, len(d.Probed))
				}
			},
		},
		{name: "ed25519 only", zone: "dkim-edonly.zone", domain: "edonly.example", want: []string{"dkim.key.ed25519_only"}, status: report.StatusWarn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dnstest.Start(t, dnstest.ZoneFile(zonesDir+tt.zone))
			sec := Check(context.Background(), envFor(t, srv), dnsname.MustParse(tt.domain), Options{Selectors: tt.selectors})
			if got := ids(sec.Findings); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("findings %v, want %v", got, tt.want)
				for _, f := range sec.Findings {
					t.Logf("  %s: %s", f.ID, f.Detail)
				}
			}
			if sec.Status != tt.status {
				t.Errorf("status %s, want %s", sec.Status, tt.status)
			}
			if sec.Check != "dkim" || sec.Target != tt.domain || sec.Summary.String() == "" {
				t.Errorf("section header: %q %q %q", sec.Check, sec.Target, sec.Summary)
			}
			if _, err := json.Marshal(sec); err != nil {
				t.Errorf("section does not marshal: %v", err)
			}
			if tt.verify != nil {
				tt.verify(t, sec)
			}
		})
	}
}

func TestCheckProbesEachGuessOnce(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile(zonesDir+"dkim-good.zone"))
	Check(context.Background(), envFor(t, srv), dnsname.MustParse("good.example"), Options{})
	seen := map[string]int{}
	for _, q := range srv.Log() {
		if q.Type != dns.TypeTXT {
			t.Errorf("unexpected query type %d for %s", q.Type, q.Name)
		}
		seen[q.Name]++
	}
	if len(seen) != len(KnownSelectors) {
		t.Errorf("%d names queried, want %d", len(seen), len(KnownSelectors))
	}
	for _, k := range KnownSelectors {
		if n := seen[k.Selector+"._domainkey.good.example."]; n != 1 {
			t.Errorf("%s queried %d times", k.Selector, n)
		}
	}
}

func TestCheckDNSFailuresAreUnknown(t *testing.T) {
	tests := []struct {
		name  string
		fault dnstest.Fault
	}{
		{"servfail", dnstest.ServFail},
		{"refused", dnstest.Refused},
		{"timeout", dnstest.Silence},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dnstest.Start(t, dnstest.ZoneFile(zonesDir+"dkim-good.zone"))
			srv.SetFault("google._domainkey.good.example.", dns.TypeTXT, tt.fault)
			sec := Check(context.Background(), envFor(t, srv), dnsname.MustParse("good.example"), Options{Selectors: []string{"google"}})
			if got := ids(sec.Findings); !reflect.DeepEqual(got, []string{"dkim.dns.temperror"}) {
				t.Fatalf("findings %v", got)
			}
			if sec.Status != report.StatusUnknown {
				t.Errorf("status %s, want unknown", sec.Status)
			}
			if s := selectorData(t, sec, "google"); s.Outcome != "error" || s.Error == "" {
				t.Errorf("%+v", s)
			}
		})
	}
}

func TestCheckTruncatedAnswerUsesTCP(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile(zonesDir+"dkim-good.zone"))
	srv.SetFault("google._domainkey.good.example.", dns.TypeTXT, dnstest.Truncate)
	sec := Check(context.Background(), envFor(t, srv), dnsname.MustParse("good.example"), Options{Selectors: []string{"google"}})
	if len(sec.Findings) != 0 || sec.Status != report.StatusPass {
		t.Fatalf("status %s findings %v", sec.Status, ids(sec.Findings))
	}
	tcp := false
	for _, q := range srv.Log() {
		tcp = tcp || q.Proto == "tcp"
	}
	if !tcp {
		t.Error("no TCP retry after a truncated answer")
	}
}

func TestCheckCanceledContext(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile(zonesDir+"dkim-good.zone"))
	srv.SetDelay(2 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sec := Check(ctx, envFor(t, srv), dnsname.MustParse("good.example"), Options{})
	if sec.Status != report.StatusUnknown {
		t.Errorf("status %s with a canceled context, want unknown (%v)", sec.Status, ids(sec.Findings))
	}
}

func TestCheckInvalidSelectorIsAFinding(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile(zonesDir+"dkim-good.zone"))
	sec := Check(context.Background(), envFor(t, srv), dnsname.MustParse("good.example"), Options{Selectors: []string{"bad selector"}})
	if got := ids(sec.Findings); !reflect.DeepEqual(got, []string{"dkim.record.syntax"}) {
		t.Errorf("findings %v", got)
	}
	if srv.Queries() != 0 {
		t.Errorf("%d queries sent for an invalid selector", srv.Queries())
	}
}

// inflight wraps a resolver and records the most lookups running at once.
type inflight struct {
	resolver.Resolver
	mu       sync.Mutex
	now, max int
}

func (r *inflight) Lookup(ctx context.Context, name string, qtype uint16) (resolver.Answer, error) {
	r.mu.Lock()
	r.now++
	r.max = max(r.max, r.now)
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.now--
		r.mu.Unlock()
	}()
	return r.Resolver.Lookup(ctx, name, qtype)
}

// The guess list is probed concurrently, never more than the limit at once.
func TestCheckConcurrencyLimit(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile(zonesDir+"dkim-good.zone"))
	srv.SetDelay(20 * time.Millisecond) // keeps lookups overlapping
	for _, limit := range []int{0, 3} {
		want := limit
		if want == 0 {
			want = DefaultConcurrency
		}
		r := &inflight{Resolver: srv.Resolver(t)}
		sec := Check(context.Background(), envForResolver(r), dnsname.MustParse("good.example"), Options{Concurrency: limit})
		if sec.Status != report.StatusPass {
			t.Fatalf("status %s %v", sec.Status, ids(sec.Findings))
		}
		if r.max > want || r.max < 2 {
			t.Errorf("limit %d: at most %d lookups at once, want 2..%d", limit, r.max, want)
		}
	}
}

func TestCheckGivenSelectorUnderWildcard(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile(zonesDir+"dkim-none.zone"))
	sec := Check(context.Background(), envFor(t, srv), dnsname.MustParse("none.example"), Options{Selectors: []string{"s1"}})
	if got := ids(sec.Findings); !reflect.DeepEqual(got, []string{"dkim.key.missing"}) {
		t.Fatalf("findings %v", got)
	}
	i18n.For(i18n.English).LocalizeSection(&sec)
	if f := sec.Findings[0]; f.Variant != "not_key" || !strings.Contains(f.Detail, "v=spf1 -all") || !strings.Contains(f.Detail, "wildcard") {
		t.Errorf("detail %q", f.Detail)
	}
	if r := selectorData(t, sec, "s1").Records; len(r) != 1 || r[0].Usable || r[0].Problem.IsZero() {
		t.Errorf("records %+v", r)
	}
}

func TestCheckDanglingCNAMEDetail(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile(zonesDir+"dkim-delegated.zone"))
	sec := Check(context.Background(), envFor(t, srv), dnsname.MustParse("shop.example"), Options{Selectors: []string{"selector2"}})
	fr := sec
	fr.Findings = slices.Clone(sec.Findings)
	i18n.For(i18n.English).LocalizeSection(&sec)
	f, ok := findingByID(sec.Findings, "dkim.key.missing")
	if !ok || !strings.Contains(f.Detail, "selector2-shop-example._domainkey.esp.test.") {
		t.Errorf("finding %+v", f)
	}
	// The same finding in French: the alias clause is in the sentence, and
	// nothing is left untranslated.
	loc := i18n.For(i18n.French)
	loc.LocalizeSection(&fr)
	f, _ = findingByID(fr.Findings, "dkim.key.missing")
	if !strings.Contains(f.Detail, "C'est un alias de selector2-shop-example._domainkey.esp.test.") || !strings.HasPrefix(f.Fix, "Publiez") {
		t.Errorf("French finding %+v", f)
	}
	if m := loc.Missing(); len(m) > 0 {
		t.Errorf("missing French: %v", m)
	}
}

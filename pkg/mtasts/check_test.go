package mtasts

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/testclock"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/httpstest"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
)

const zoneHead = "$TTL 300\n@ IN MX 10 mx1.shop.example.\n@ IN MX 20 mx2.shop.example.\n"

const goodPolicy = "version: STSv1\r\nmode: enforce\r\nmx: mx1.shop.example\r\nmx: *.shop.example\r\nmax_age: 604800\r\n"

func textPolicy(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/mta-sts.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(body))
	}
}

func TestCheck(t *testing.T) {
	ca := httpstest.NewCA(t)
	now := testclock.Now()
	mxs := []string{"mx1.shop.example.", "mx2.shop.example."}
	tests := []struct {
		name    string
		zone    string
		handler http.Handler
		cert    func() []string // names on the server certificate; nil: mta-sts.shop.example
		expired bool
		opts    Options
		noHTTP  bool
		fault   string // name given SERVFAIL for TXT
		want    []string
		status  report.Status
		check   func(t *testing.T, s report.Section)
		fr      string // a French sentence the French report holds
	}{
		{
			name: "enforce covering every MX", zone: `_mta-sts IN TXT "v=STSv1; id=20260101T0000"`,
			handler: textPolicy(goodPolicy), opts: Options{MXHosts: mxs, MXKnown: true},
			want: nil, status: report.StatusPass,
			check: func(t *testing.T, s report.Section) {
				d := s.Data.(*Data)
				if d.ID != "20260101T0000" || d.Policy == nil || d.Policy.Mode != ModeEnforce || d.Fetch.Status != 200 {
					t.Errorf("data = %+v", d)
				}
			},
		},
		{
			name: "record through a CNAME", zone: "_mta-sts IN CNAME sts.provider.example.\n",
			handler: textPolicy(goodPolicy), opts: Options{MXHosts: mxs, MXKnown: true},
			want: nil, status: report.StatusPass,
		},
		{
			name: "no record", zone: `@ IN TXT "v=spf1 -all"`,
			want: []string{"mtasts.absent"}, status: report.StatusWarn,
			check: func(t *testing.T, s report.Section) {
				if r := s.Findings[0].Record; r == nil || r.Name != "_mta-sts.shop.example" || !strings.Contains(r.Value, "v=STSv1; id=") {
					t.Errorf("record to publish = %+v", r)
				}
			},
		},
		{
			name: "two records", zone: "_mta-sts IN TXT \"v=STSv1; id=1\"\n_mta-sts IN TXT \"v=STSv1; id=2\"\n",
			want: []string{"mtasts.record.invalid"}, status: report.StatusFail,
		},
		{
			name: "bad id", zone: `_mta-sts IN TXT "v=STSv1; id=2026-01-01"`,
			want: []string{"mtasts.record.invalid"}, status: report.StatusFail,
		},
		{
			name: "SERVFAIL is unknown, not absent", zone: `_mta-sts IN TXT "v=STSv1; id=1"`, fault: "_mta-sts.shop.example.",
			want: []string{"mtasts.dns.temperror"}, status: report.StatusUnknown,
		},
		{
			name: "offline: no HTTP client", zone: `_mta-sts IN TXT "v=STSv1; id=1"`, noHTTP: true,
			want: []string{"mtasts.policy.skipped"}, status: report.StatusSkipped,
		},
		{
			name: "enforce missing an MX, stale pattern", zone: `_mta-sts IN TXT "v=STSv1; id=1"`,
			handler: textPolicy("version: STSv1\nmode: enforce\nmx: mx1.shop.example\nmx: old.shop.example\nmax_age: 604800\n"),
			opts:    Options{MXHosts: mxs, MXKnown: true},
			want:    []string{"mtasts.mx.stale", "mtasts.mx.uncovered"}, status: report.StatusFail,
			fr: "Le serveur MX mx2.shop.example ne correspond à aucun motif mx de la politique (mx1.shop.example, old.shop.example). Les expéditeurs qui l'appliquent ne lui remettront pas de courrier.",
			check: func(t *testing.T, s report.Section) {
				for _, f := range s.Findings {
					if f.ID == "mtasts.mx.uncovered" && (f.Severity != report.Critical || !strings.Contains(f.Detail, "mx2.shop.example")) {
						t.Errorf("uncovered = %+v", f)
					}
				}
			},
		},
		{
			name: "testing mode missing an MX is medium", zone: `_mta-sts IN TXT "v=STSv1; id=1"`,
			handler: textPolicy("version: STSv1\nmode: testing\nmx: mx1.shop.example\nmax_age: 604800\n"),
			opts:    Options{MXHosts: mxs, MXKnown: true},
			want:    []string{"mtasts.mode.testing", "mtasts.mx.uncovered"}, status: report.StatusWarn,
			check: func(t *testing.T, s report.Section) {
				for _, f := range s.Findings {
					if f.ID == "mtasts.mx.uncovered" && f.Severity != report.Medium {
						t.Errorf("uncovered severity = %s, want medium", f.Severity)
					}
				}
			},
		},
		{
			name: "MX unknown: coverage not judged", zone: `_mta-sts IN TXT "v=STSv1; id=1"`,
			handler: textPolicy("version: STSv1\nmode: enforce\nmx: elsewhere.example\nmax_age: 604800\n"),
			want:    nil, status: report.StatusPass,
		},
		{
			name: "short max_age", zone: `_mta-sts IN TXT "v=STSv1; id=1"`,
			handler: textPolicy("version: STSv1\nmode: enforce\nmx: *.shop.example\nmax_age: 3600\n"),
			opts:    Options{MXHosts: mxs, MXKnown: true},
			want:    []string{"mtasts.max_age.short"}, status: report.StatusWarn,
		},
		{
			name: "syntax errors", zone: `_mta-sts IN TXT "v=STSv1; id=1"`,
			handler: textPolicy("version: STSv1\nmode: enforced\nmax_age: 604800\n"),
			want:    []string{"mtasts.policy.syntax"}, status: report.StatusFail,
		},
		{
			name: "wrong content type", zone: `_mta-sts IN TXT "v=STSv1; id=1"`,
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				_, _ = w.Write([]byte(goodPolicy))
			}),
			opts: Options{MXHosts: mxs, MXKnown: true},
			want: []string{"mtasts.policy.content_type"}, status: report.StatusWarn,
		},
		{
			name: "404", zone: `_mta-sts IN TXT "v=STSv1; id=1"`,
			handler: http.NotFoundHandler(),
			want:    []string{"mtasts.policy.unfetchable"}, status: report.StatusFail,
		},
		{
			name: "redirect not followed", zone: `_mta-sts IN TXT "v=STSv1; id=1"`,
			handler: http.RedirectHandler("https://www.shop.example/mta-sts.txt", http.StatusMovedPermanently),
			want:    []string{"mtasts.policy.unfetchable"}, status: report.StatusFail,
			check: func(t *testing.T, s report.Section) {
				if d := s.Data.(*Data); d.Fetch.Location != "https://www.shop.example/mta-sts.txt" {
					t.Errorf("location = %q", d.Fetch.Location)
				}
			},
		},
		{
			name: "certificate for another name", zone: `_mta-sts IN TXT "v=STSv1; id=1"`,
			handler: textPolicy(goodPolicy), cert: func() []string { return []string{"www.shop.example"} },
			want: []string{"mtasts.policy.unfetchable"}, status: report.StatusFail,
			check: func(t *testing.T, s report.Section) {
				if s.Findings[0].Variant != "certificate" || !strings.Contains(s.Findings[0].Detail, "certificate") {
					t.Errorf("detail = %q", s.Findings[0].Detail)
				}
			},
		},
		{
			name: "expired certificate", zone: `_mta-sts IN TXT "v=STSv1; id=1"`,
			handler: textPolicy(goodPolicy), expired: true,
			want: []string{"mtasts.policy.unfetchable"}, status: report.StatusFail,
		},
		{
			name: "larger than 64 KiB", zone: `_mta-sts IN TXT "v=STSv1; id=1"`,
			handler: textPolicy(goodPolicy + strings.Repeat("x: y\n", MaxPolicySize/5+1)),
			want:    []string{"mtasts.policy.unfetchable"}, status: report.StatusFail,
		},
		{
			name: "slow server", zone: `_mta-sts IN TXT "v=STSv1; id=1"`,
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-time.After(5 * time.Second):
				case <-r.Context().Done():
				}
			}),
			opts: Options{FetchTimeout: 200 * time.Millisecond},
			want: []string{"mtasts.policy.timeout"}, status: report.StatusUnknown,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dnstest.Start(t,
				dnstest.ZoneText("shop.example.", zoneHead+tt.zone+"\n"),
				dnstest.ZoneText("provider.example.", `sts IN TXT "v=STSv1; id=20260101T0000"`+"\n"))
			if tt.fault != "" {
				srv.SetFault(tt.fault, 16, dnstest.ServFail)
			}
			env := check.Env{Resolver: srv.Resolver(t), Now: func() time.Time { return now }}
			router := httpstest.NewRouter()
			if !tt.noHTTP {
				names := []string{"mta-sts.shop.example"}
				if tt.cert != nil {
					names = tt.cert()
				}
				cert := ca.Valid(t, names...)
				if tt.expired {
					cert = ca.Issue(t, names, now.Add(-48*time.Hour), now.Add(-time.Hour))
				}
				h := tt.handler
				if h == nil {
					h = http.NotFoundHandler()
				}
				router.Route("mta-sts.shop.example:443", httpstest.Serve(t, h, cert))
				env.HTTPClient = router.Client(ca)
			}
			sec := Check(context.Background(), env, dnsname.MustParse("shop.example"), tt.opts)
			// Every case reads in French with no message missing, and is
			// then asserted on its English words.
			fr := sec
			fr.Findings = slices.Clone(sec.Findings)
			loc := i18n.For(i18n.French)
			loc.LocalizeSection(&fr)
			if m := loc.Missing(); len(m) > 0 {
				t.Errorf("missing French: %v", m)
			}
			if tt.fr != "" && !slices.ContainsFunc(fr.Findings, func(f report.Finding) bool { return f.Detail == tt.fr }) {
				t.Errorf("no French finding says %q: %+v", tt.fr, fr.Findings)
			}
			i18n.For(i18n.English).LocalizeSection(&sec)
			var ids []string
			for _, f := range sec.Findings {
				ids = append(ids, f.ID)
			}
			slices.Sort(ids)
			if !slices.Equal(ids, tt.want) {
				t.Errorf("findings = %v, want %v", ids, tt.want)
				for _, f := range sec.Findings {
					t.Logf("  %s: %s", f.ID, f.Detail)
				}
			}
			if sec.Status != tt.status {
				t.Errorf("status = %s, want %s", sec.Status, tt.status)
			}
			if router.Dials("www.shop.example:443") != 0 {
				t.Error("a redirect was followed")
			}
			if tt.check != nil && len(sec.Findings) == len(tt.want) {
				tt.check(t, sec)
			}
		})
	}
}

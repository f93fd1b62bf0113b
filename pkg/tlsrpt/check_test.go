package tlsrpt

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/miekg/dns"
)

// Each subdomain of shop.example is one case.
const zone = `
@                 MX   10 mx.shop.example.
mx                A    192.0.2.1
_smtp._tls.good   TXT  "v=TLSRPTv1; " "rua=mailto:tls@shop.example,https://r.shop.example/tlsrpt"
_smtp._tls.two    TXT  "v=TLSRPTv1; rua=mailto:a@shop.example"
_smtp._tls.two    TXT  "v=TLSRPTv1; rua=mailto:b@shop.example"
_smtp._tls.norua  TXT  "v=TLSRPTv1;"
_smtp._tls.http   TXT  "v=TLSRPTv1; rua=http://r.shop.example/"
_smtp._tls.other  TXT  "google-site-verification=abc"
_smtp._tls.parked TXT  "v=TLSRPTv1; rua=mailto:tls@parked.shop.example"
parked            MX   0 .
_smtp._tls.ghost  TXT  "v=TLSRPTv1; rua=mailto:tls@ghost.nowhere.shop.example"
_smtp._tls.fail   TXT  "v=TLSRPTv1; rua=mailto:tls@shop.example"
_smtp._tls.alias  CNAME tlsrpt.provider.shop.example.
tlsrpt.provider   TXT  "v=TLSRPTv1; rua=mailto:tls@shop.example"
`

func TestCheck(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("shop.example.", zone))
	srv.SetFault("_smtp._tls.fail.shop.example.", dns.TypeTXT, dnstest.ServFail)
	env := check.Env{Resolver: srv.Resolver(t)}
	tests := []struct {
		domain string
		opts   Options
		want   []string
		sev    report.Severity
		status report.Status
	}{
		{"good.shop.example", Options{}, nil, "", report.StatusPass},
		{"alias.shop.example", Options{}, nil, "", report.StatusPass},
		{"none.shop.example", Options{}, []string{"tlsrpt.absent"}, report.Low, report.StatusWarn},
		{"other.shop.example", Options{TransportPolicy: true}, []string{"tlsrpt.absent"}, report.Medium, report.StatusWarn},
		{"two.shop.example", Options{}, []string{"tlsrpt.invalid"}, report.Medium, report.StatusWarn},
		{"norua.shop.example", Options{}, []string{"tlsrpt.invalid"}, report.Medium, report.StatusWarn},
		{"http.shop.example", Options{}, []string{"tlsrpt.invalid"}, report.Medium, report.StatusWarn},
		{"parked.shop.example", Options{}, []string{"tlsrpt.rua.undeliverable"}, report.Medium, report.StatusWarn},
		{"ghost.shop.example", Options{}, []string{"tlsrpt.rua.undeliverable"}, report.Medium, report.StatusWarn},
		{"fail.shop.example", Options{}, []string{"tlsrpt.dns.temperror"}, "", report.StatusUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			sec := Check(context.Background(), env, dnsname.MustParse(tt.domain), tt.opts)
			var ids []string
			for _, f := range sec.Findings {
				ids = append(ids, f.ID)
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("findings = %v, want %v", ids, tt.want)
				for _, f := range sec.Findings {
					t.Logf("  %s: %s", f.ID, f.Detail)
				}
			}
			if tt.sev != "" && len(sec.Findings) > 0 && sec.Findings[0].Severity != tt.sev {
				t.Errorf("severity = %s, want %s", sec.Findings[0].Severity, tt.sev)
			}
			if sec.Status != tt.status {
				t.Errorf("status = %s, want %s", sec.Status, tt.status)
			}
		})
	}
	sec := Check(context.Background(), env, dnsname.MustParse("good.shop.example"), Options{})
	if d := sec.Data.(*Data); !slices.Equal(d.RUA, []string{"mailto:tls@shop.example", "https://r.shop.example/tlsrpt"}) {
		t.Errorf("rua = %v (split strings must join without spaces)", d.RUA)
	}
}

// The words are the catalogs': each case's variant and parameters, and the
// same report in French, with no message missing.
func TestCheckWords(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("shop.example.", zone))
	env := check.Env{Resolver: srv.Resolver(t)}
	tests := []struct {
		domain, variant, en, fr string
	}{
		{"parked.shop.example", "null_mx",
			"mailto:tls@parked.shop.example: parked.shop.example has a null MX (accepts no mail); reports sent there bounce.",
			"mailto:tls@parked.shop.example\u00a0: parked.shop.example a un MX nul (il n'accepte aucun courrier)\u202f; les rapports envoyés à cette adresse ne peuvent pas être remis."},
		{"ghost.shop.example", "nxdomain", "ghost.nowhere.shop.example does not exist", "ghost.nowhere.shop.example n'existe pas"},
		{"http.shop.example", "", `rua URI must be mailto: with an address or https: with a host, not "http://r.shop.example/"`,
			"une URI de rua doit être mailto: avec une adresse ou https: avec un hôte, et non «\u00a0http://r.shop.example/\u00a0»"},
		{"norua.shop.example", "", "the rua field is missing", "il manque le champ rua"},
	}
	for _, tt := range tests {
		sec := Check(context.Background(), env, dnsname.MustParse(tt.domain), Options{})
		if len(sec.Findings) != 1 || sec.Findings[0].Variant != tt.variant {
			t.Fatalf("%s: %+v", tt.domain, sec.Findings)
		}
		fr := sec
		fr.Findings = slices.Clone(sec.Findings)
		loc := i18n.For(i18n.French)
		loc.LocalizeSection(&fr)
		i18n.For(i18n.English).LocalizeSection(&sec)
		if !strings.Contains(sec.Findings[0].Detail, tt.en) {
			t.Errorf("%s: English %q", tt.domain, sec.Findings[0].Detail)
		}
		if !strings.Contains(fr.Findings[0].Detail, tt.fr) {
			t.Errorf("%s: French %q", tt.domain, fr.Findings[0].Detail)
		}
		if m := loc.Missing(); len(m) > 0 {
			t.Errorf("%s: missing French %v", tt.domain, m)
		}
	}
	// RaiseForTransportPolicy declares the variant, it does not patch words.
	sec := Check(context.Background(), env, dnsname.MustParse("none.shop.example"), Options{})
	RaiseForTransportPolicy(&sec)
	if f := sec.Findings[0]; f.Variant != "transport_policy" || f.Severity != report.Medium || f.Record == nil {
		t.Errorf("raised: %+v", f)
	}
}

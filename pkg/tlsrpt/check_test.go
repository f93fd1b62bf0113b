package tlsrpt

import (
	"context"
	"slices"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
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

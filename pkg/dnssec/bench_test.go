package dnssec

import (
	"context"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// BenchmarkCheck: one domain and one MX zone, both signed, through the
// validating stand-in on loopback; a fresh cache per run, as per domain in
// mailcheck. Reports the upstream queries per check.
//
//	go test ./pkg/dnssec -run - -bench Check -benchtime 200x
func BenchmarkCheck(b *testing.B) {
	opts, anchors := dnstest.Hierarchy(b,
		dnstest.Child{Origin: "shop.example.", Text: shopText, Sign: &dnstest.SignOptions{}},
		dnstest.Child{Origin: "mail.example.", Text: mailText, Sign: &dnstest.SignOptions{}})
	v := dnstest.StartValidating(b, dnstest.ValidatingOptions{Anchors: anchors}, opts...)
	c := v.Resolver(b)
	d := dnsname.MustParse("shop.example")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		env := check.Env{Resolver: resolver.NewCache(c), Now: testclock.Func()}
		if sec := Check(context.Background(), env, d, Options{MXHosts: []string{"mx1.shop.example", "mx.mail.example"}}); sec.Status != "pass" {
			b.Fatalf("status %s", sec.Status)
		}
	}
	b.ReportMetric(float64(c.Queries())/float64(b.N), "queries/op")
}

// BenchmarkCheckPlain: the same zones from a plain loopback server (no
// validation), so the figure is mostly the check and the client.
func BenchmarkCheckPlain(b *testing.B) {
	opts, _ := dnstest.Hierarchy(b,
		dnstest.Child{Origin: "shop.example.", Text: shopText, Sign: &dnstest.SignOptions{}},
		dnstest.Child{Origin: "mail.example.", Text: mailText, Sign: &dnstest.SignOptions{}})
	srv := dnstest.Start(b, opts...)
	c := srv.Resolver(b)
	d := dnsname.MustParse("shop.example")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		env := check.Env{Resolver: resolver.NewCache(c), Now: testclock.Func()}
		Check(context.Background(), env, d, Options{MXHosts: []string{"mx1.shop.example", "mx.mail.example"}})
	}
	b.ReportMetric(float64(c.Queries())/float64(b.N), "queries/op")
}

package dkim

import (
	"context"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

func BenchmarkParseKeyRecord(b *testing.B) {
	spki, _ := fakeRSA(b, 2048)
	rec := "v=DKIM1; k=rsa; h=sha256; s=email; t=s; p=" + spki
	b.ReportAllocs()
	for b.Loop() {
		r, err := ParseKeyRecord(rec)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := DecodeKey(r.KeyType, r.PublicKey); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckGuessed probes the whole guess list against the loopback
// server, through a per-run cache as the CLI does.
func BenchmarkCheckGuessed(b *testing.B) {
	srv := dnstest.Start(b, dnstest.ZoneFile(zonesDir+"dkim-good.zone"))
	client := srv.Resolver(b)
	d := dnsname.MustParse("good.example")
	for b.Loop() {
		env := envForResolver(resolver.NewCache(client))
		sec := Check(context.Background(), env, d, Options{})
		if len(sec.Findings) != 0 {
			b.Fatalf("findings %v", ids(sec.Findings))
		}
	}
}

// BenchmarkVerifyMessage verifies a message with an RSA 2048 and an
// Ed25519 signature.
func BenchmarkVerifyMessage(b *testing.B) {
	srv := dnstest.Start(b, shopZone(b)...)
	raw := sign(b, baseMessage, signer{"shop.example", "ed", true, oversigned}, signer{"shop.example", "rsa", false, oversigned})
	client := srv.Resolver(b)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		m, err := ParseMessage([]byte(raw))
		if err != nil {
			b.Fatal(err)
		}
		sec := Check(context.Background(), envForResolver(resolver.NewCache(client)), dnsname.Domain{}, Options{Message: m})
		if len(sec.Findings) != 0 {
			b.Fatalf("findings %v", ids(sec.Findings))
		}
	}
}

package message

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// BenchmarkCheck runs every re-check on an ARC-sealed list message
// (DKIM, two RSA-2048 verifications for ARC, SPF, DMARC, reverse DNS)
// against loopback DNS behind the per-run cache, as the command does.
func BenchmarkCheck(b *testing.B) {
	env := world(b)
	client := env.Resolver
	signed := signDKIM(b, original(""))
	footer := strings.TrimSuffix(received("mail.shop.example", "192.0.2.10", "lists.list.example", "ESMTPS", sent())+signed, "\r\n") + "\r\n--\r\nfooter\r\n"
	raw := "Return-Path: <l@list.example>\r\n" + received("lists.list.example", "198.51.100.7", "mx.receiver.example", "ESMTPS", sent().Add(time.Minute)) +
		seal(b, footer, 1, "spf=pass; dkim=pass", "none")
	m, err := Parse([]byte(raw))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		env.Resolver = resolver.NewCache(client)
		Check(context.Background(), env, m, Options{})
	}
}

func BenchmarkParseReceived(b *testing.B) {
	v := "from mail.shop.example (mail.shop.example [192.0.2.10])\r\n\tby mx.receiver.example (Postfix) with ESMTPS id 4NXq2 for <c@receiver.example>;\r\n\tSun, 1 Nov 2026 12:00:02 +0000 (UTC)"
	b.ReportAllocs()
	for b.Loop() {
		ParseReceived(1, v)
	}
}

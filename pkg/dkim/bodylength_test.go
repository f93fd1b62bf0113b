package dkim

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/check"
)

// signSimpleL signs head+body with simple/simple canonicalization and
// l=len(body), computed by hand from RFC 6376 §3.4.1, §3.4.3 and §3.7 (no
// code of this package), so the verifier is checked against the RFC.
func signSimpleL(t *testing.T, k *rsa.PrivateKey, head, body string) string {
	t.Helper()
	bh := sha256.Sum256([]byte(body)) // body ends in one CRLF: simple keeps it
	sig := fmt.Sprintf("DKIM-Signature: v=1; a=rsa-sha256; c=simple/simple; d=shop.example; s=rsa;\r\n\th=from:to:subject; l=%d; bh=%s;\r\n\tb=", len(body), base64.StdEncoding.EncodeToString(bh[:]))
	h := sha256.Sum256([]byte(head + sig)) // head: the three signed fields, in h= order
	b, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, h[:])
	if err != nil {
		t.Fatal(err)
	}
	return sig + base64.StdEncoding.EncodeToString(b) + "\r\n" + head + "\r\n" + body
}

// A signature with l= verifies over its first l body octets (RFC 6376
// §6.1.3), so a footer a list appends does not break it; the warning
// stays. A body cut short of l= fails.
func TestBodyLengthVerifiedOverItsOctets(t *testing.T) {
	k, _ := keys(t)
	srv := dnstest.Start(t, shopZone(t)...)
	env := check.Env{Resolver: srv.Resolver(t), Now: testclock.Func()}
	head := "From: Shop <news@shop.example>\r\nTo: customer@example.net\r\nSubject: Your order\r\n"
	body := "Hello,\r\n\r\nyour parcel is on its way.\r\n"
	signed := signSimpleL(t, k, head, body)
	for _, tc := range []struct {
		name, raw, want string
	}{
		{"as signed", signed, ResultPass},
		{"footer appended", signed + "--\r\nYou are subscribed to shop-news.\r\n", ResultPass},
		{"signed part changed", signed[:len(signed)-len(body)] + "Hello,\r\n\r\nyour parcel is on its wax.\r\n", ResultFail},
		{"cut short", signed[:len(signed)-len(body)] + "Hello,\r\n", ResultFail},
	} {
		md, fs, err := VerifyRawAt(context.Background(), env, []byte(tc.raw), testclock.Now(), false)
		if err != nil {
			t.Fatal(err)
		}
		if got := md.Signatures[0].Result; got != tc.want {
			t.Errorf("%s: %s (%s %s), want %s", tc.name, got, md.Signatures[0].Reason, md.Signatures[0].Error, tc.want)
		}
		if got := ids(fs); len(got) == 0 || got[0] != "dkim.sig.body_length" {
			t.Errorf("%s: findings %v, want dkim.sig.body_length first", tc.name, got)
		}
	}
}

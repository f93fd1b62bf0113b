package dkim_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dkim"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// A key record is a tag-list (RFC 6376 §3.6.1); ParseKeyRecord reads it
// and DecodeKey turns p= into a public key. Errors are typed: errors.Is
// tells the kind, ProblemMsg words it for a report.
func ExampleParseKeyRecord() {
	rec, err := dkim.ParseKeyRecord("v=DKIM1; k=ed25519; t=y; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	if err != nil {
		panic(err)
	}
	key, err := dkim.DecodeKey(rec.KeyType, rec.PublicKey)
	fmt.Println(rec.EffectiveKeyType(), rec.Testing(), rec.ForEmail(), key.Bits, err)

	_, err = dkim.ParseKeyRecord("k=rsa; v=DKIM1; p=MIIB")
	var e *dkim.Error
	fmt.Println(errors.Is(err, dkim.ErrVersion), errors.As(err, &e) && e.Code == "version_position", err)
	// Output:
	// ed25519 true true 256 <nil>
	// true true dkim: bad key record version: v= is tag 2, it must be first
}

// VerifyRawAt verifies a message's signatures as a receiver would have at a
// given time: x= is judged at that time, never at the wall clock. Here the
// message is signed in the example with an Ed25519 key (RFC 8463), whose
// record is served from zone text, offline.
func ExampleVerifyRawAt() {
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)) // a fixed key, for the example only
	pub := base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))
	r, err := resolver.ZoneText("shop.example.", `
@ IN SOA ns.shop.example. hostmaster.shop.example. 1 3600 600 86400 300
ed._domainkey IN TXT "v=DKIM1; k=ed25519; p=`+pub+`"
`)
	if err != nil {
		panic(err)
	}

	signed := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	msg := "From: Shop <news@shop.example>\r\nTo: ann@example.net\r\nSubject: March offers\r\n\r\nHello Ann.\r\n"
	raw := sign(priv, msg, signed, signed.Add(7*24*time.Hour))

	env := check.Env{Resolver: r}
	for _, at := range []time.Time{signed.Add(time.Minute), signed.Add(30 * 24 * time.Hour)} {
		md, findings, err := dkim.VerifyRawAt(context.Background(), env, []byte(raw), at, false)
		if err != nil {
			panic(err)
		}
		s := md.Signatures[0]
		fmt.Println(at.Format(time.DateOnly), s.Domain, s.Selector, s.Algorithm, s.Result, s.Reason, s.AlignedStrict, len(findings))
	}
	// Output:
	// 2026-03-01 shop.example ed ed25519-sha256 pass  true 0
	// 2026-03-31 shop.example ed ed25519-sha256 neutral signature expired (x=) true 1
}

// sign adds a DKIM-Signature (ed25519-sha256, relaxed/relaxed, From
// oversigned) with the given t= and x=, from the package's canonicalization
// primitives (RFC 6376 §3.4, §3.7; RFC 8463 §3: Ed25519 signs the SHA-256
// hash of the header data).
func sign(priv ed25519.PrivateKey, msg string, t, x time.Time) string {
	fields, body, err := dkim.SplitMessage([]byte(msg))
	if err != nil {
		panic(err)
	}
	bh := base64.StdEncoding.EncodeToString(dkim.BodyHash(dkim.Relaxed, body, -1))
	h := []string{"from", "from", "to", "subject"}
	sig := fmt.Sprintf("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=shop.example; s=ed;\r\n t=%d; x=%d; h=from:from:to:subject; bh=%s;\r\n b=", t.Unix(), x.Unix(), bh)
	data := dkim.HeaderData(dkim.Relaxed, fields, h, dkim.Field{Name: "DKIM-Signature", Raw: sig + "\r\n"})
	sum := sha256.Sum256(data)
	return sig + base64.StdEncoding.EncodeToString(ed25519.Sign(priv, sum[:])) + "\r\n" + msg
}

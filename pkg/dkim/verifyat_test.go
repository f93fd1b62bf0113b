package dkim

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/check"
)

// signExpiring signs msg with t= a day before expires and x=expires.
// go-msgauth's signer cannot be used: it sets t= from the wall clock.
// The signature is checked by go-msgauth itself when x= is still ahead
// of the wall clock (TestSignExpiringIsValid), so this signer is not
// only checked by the code under test.
func signExpiring(t *testing.T, msg string, expires time.Time) string {
	t.Helper()
	k, _ := keys(t)
	fields, body, err := SplitMessage([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	bh := base64.StdEncoding.EncodeToString(BodyHash(Relaxed, body, -1))
	sig := fmt.Sprintf("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=shop.example; s=rsa;\r\n t=%d; x=%d; h=from:to:subject; bh=%s;\r\n b=",
		expires.Add(-24*time.Hour).Unix(), expires.Unix(), bh)
	data := HeaderData(Relaxed, fields, []string{"from", "to", "subject"}, Field{Name: "DKIM-Signature", Raw: sig + "\r\n"})
	sum := sha256.Sum256(data)
	b, err := rsa.SignPKCS1v15(nil, k, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return sig + base64.StdEncoding.EncodeToString(b) + "\r\n" + msg
}

func TestSignExpiringIsValid(t *testing.T) {
	srv := dnstest.Start(t, shopZone(t)...)
	// The real clock, on purpose: go-msgauth compares x= with it.
	raw := signExpiring(t, "From: a@shop.example\r\nTo: b@example.net\r\nSubject: s\r\n\r\nbody\r\n", time.Now().Add(time.Hour))
	r := srv.Resolver(t)
	v, err := verifyRaw(context.Background(), r, []byte(raw), nil)
	if err != nil || len(v) != 1 || v[0].Err != nil {
		t.Fatalf("go-msgauth: %v %v", err, v)
	}
}

// x= is judged at the time given (the time the message was received),
// never at the wall clock: a signature that expired after it arrived still
// passes, one that had expired when it arrived does not. The x= of the
// first cases lies before the real clock whatever testclock says, so the
// path where go-msgauth refuses by the wall clock is the one exercised.
func TestVerifyAtJudgesExpiryAtTheGivenTime(t *testing.T) {
	srv := dnstest.Start(t, shopZone(t)...)
	env := check.Env{Resolver: srv.Resolver(t), Now: testclock.Func()}
	wallPast := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC) // before any run of this suite
	future := testclock.Now().Add(30 * 24 * time.Hour)
	msg := "From: Shop <news@shop.example>\r\nTo: c@example.net\r\nSubject: hi\r\n\r\nHello.\r\n"
	tests := []struct {
		name    string
		expires time.Time
		at      time.Time
		tamper  bool
		result  string
		reason  string
	}{
		{"expired since, valid on arrival", wallPast, wallPast.Add(-time.Hour), false, ResultPass, ""},
		{"expired since, body changed", wallPast, wallPast.Add(-time.Hour), true, ResultFail, reasonBodyHash},
		{"expired on arrival", wallPast, wallPast.Add(time.Hour), false, ResultNeutral, reasonExpired},
		{"not yet expired, judged later than x", future, future.Add(time.Minute), false, ResultNeutral, reasonExpired},
		{"not expired", future, testclock.Now(), false, ResultPass, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := signExpiring(t, msg, tt.expires)
			if tt.tamper {
				raw = strings.Replace(raw, "Hello.", "Hello!", 1)
			}
			m, err := ParseMessage([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			md, _ := VerifyAt(context.Background(), env, m, tt.at)
			sd := md.Signatures[0]
			if sd.Result != tt.result || sd.Reason != tt.reason {
				t.Errorf("%s (%s; %s), want %s (%s)", sd.Result, sd.Reason, sd.Error, tt.result, tt.reason)
			}
			if !md.VerifiedAt.Equal(tt.at) || md.VerifiedAtSource != AtGiven {
				t.Errorf("verified at %v (%s)", md.VerifiedAt, md.VerifiedAtSource)
			}
		})
	}
}

// Check (dkim --message) judges x= at the top-most Received date.
func TestCheckJudgesExpiryAtReceivedDate(t *testing.T) {
	srv := dnstest.Start(t, shopZone(t)...)
	env := check.Env{Resolver: srv.Resolver(t), Now: testclock.Func()}
	x := testclock.Now().Add(-30 * 24 * time.Hour)
	msg := "From: Shop <news@shop.example>\r\nTo: c@example.net\r\nSubject: hi\r\n\r\nHello.\r\n"
	for _, tc := range []struct {
		received time.Time
		want     string
	}{{x.Add(-time.Hour), ResultPass}, {x.Add(time.Hour), ResultNeutral}} {
		raw := "Received: from a.example by mx.example.net; " + tc.received.Format(time.RFC1123Z) + "\r\n" + signExpiring(t, msg, x)
		m, err := ParseMessage([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		sec := Check(context.Background(), env, m.FromDomain, Options{Message: m})
		md := sec.Data.(*Data).Message
		if got := md.Signatures[0].Result; got != tc.want {
			t.Errorf("received %v: %s, want %s", tc.received, got, tc.want)
		}
		if md.VerifiedAtSource != AtReceived || !md.VerifiedAt.Equal(tc.received) {
			t.Errorf("verified at %v (%s)", md.VerifiedAt, md.VerifiedAtSource)
		}
	}
}

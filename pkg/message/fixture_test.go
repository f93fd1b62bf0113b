package message

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	msgdkim "github.com/emersion/go-msgauth/dkim"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dkim"
	"github.com/mailcheck/mailcheck/pkg/report"
)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

func key(t testing.TB) *rsa.PrivateKey {
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	return testKey
}

func keyTXT(t testing.TB) string {
	der, err := x509.MarshalPKIXPublicKey(&key(t).PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return report.TXTValue("v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der))
}

// world serves shop.example (the sender: SPF for 192.0.2.10, DKIM key s1,
// DMARC p=reject), list.example (a mailing list at 198.51.100.7 that
// seals ARC with key arc1) and reverse DNS for both addresses.
func world(t testing.TB) check.Env {
	k := keyTXT(t)
	srv := dnstest.Start(t,
		dnstest.ZoneText("shop.example.", `
@ IN SOA ns.shop.example. h.shop.example. 1 3600 600 86400 300
@ IN NS ns
@ IN TXT "v=spf1 ip4:192.0.2.10 -all"
@ IN MX 10 mail
mail IN A 192.0.2.10
s1._domainkey IN TXT `+k+`
_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:d@shop.example"
`),
		dnstest.ZoneText("list.example.", `
@ IN SOA ns.list.example. h.list.example. 1 3600 600 86400 300
@ IN NS ns
@ IN TXT "v=spf1 ip4:198.51.100.7 -all"
lists IN A 198.51.100.7
arc1._domainkey IN TXT `+k+`
_dmarc IN TXT "v=DMARC1; p=none"
`),
		dnstest.ZoneText("2.0.192.in-addr.arpa.", `
@ IN SOA ns.shop.example. h.shop.example. 1 3600 600 86400 300
10 IN PTR mail.shop.example.
`),
		dnstest.ZoneText("100.51.198.in-addr.arpa.", `
@ IN SOA ns.list.example. h.list.example. 1 3600 600 86400 300
7 IN PTR unrelated.list.example.
`),
	)
	return check.Env{Resolver: srv.Resolver(t), Now: testclock.Func()}
}

// sent is the time the test messages were sent: a day before the suite's
// clock, so Received dates and signatures follow MAILCHECK_TEST_NOW.
func sent() time.Time { return testclock.Now().Add(-24 * time.Hour).Truncate(time.Second) }

func rfc5322(t time.Time) string { return t.Format("Mon, 2 Jan 2006 15:04:05 -0700") }

func original(extra string) string {
	return "From: Shop <news@shop.example>\r\n" +
		"To: customer@receiver.example\r\n" +
		"Subject: Your order\r\n" +
		"Date: " + rfc5322(sent()) + "\r\n" +
		"Message-ID: <42@shop.example>\r\n" + extra +
		"\r\n" +
		"Hello,\r\nyour parcel is on its way.\r\n"
}

// signDKIM signs with go-msgauth (an implementation independent of ours).
func signDKIM(t testing.TB, msg string, headers ...string) string {
	t.Helper()
	if headers == nil {
		headers = []string{"From", "To", "Subject", "Date", "Message-ID"}
	}
	var out bytes.Buffer
	err := msgdkim.Sign(&out, strings.NewReader(msg), &msgdkim.SignOptions{
		Domain: "shop.example", Selector: "s1", Signer: key(t),
		HeaderCanonicalization: msgdkim.CanonicalizationRelaxed,
		BodyCanonicalization:   msgdkim.CanonicalizationRelaxed,
		HeaderKeys:             headers,
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// signWith builds "Name: tags b=<sig>" over data made by build.
func signWith(t testing.TB, name, tags string, build func(self dkim.Field) []byte) string {
	self := dkim.Field{Name: name, Raw: name + ": " + tags + " b=\r\n"}
	sum := sha256.Sum256(build(self))
	b, err := rsa.SignPKCS1v15(nil, key(t), crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return name + ": " + tags + " b=" + base64.StdEncoding.EncodeToString(b) + "\r\n"
}

// seal adds ARC set i (RFC 8617 §5.1) for list.example on top of msg.
func seal(t testing.TB, msg string, i int, results, cv string) string {
	t.Helper()
	fields, body, err := dkim.SplitMessage([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	aar := fmt.Sprintf("ARC-Authentication-Results: i=%d; lists.list.example; %s\r\n", i, results)
	bh := base64.StdEncoding.EncodeToString(dkim.BodyHash(dkim.Relaxed, body, -1))
	ts := sent().Unix()
	ams := signWith(t, "ARC-Message-Signature", fmt.Sprintf("i=%d; a=rsa-sha256; c=relaxed/relaxed; d=list.example; s=arc1; t=%d; h=from:to:subject:date:message-id; bh=%s;", i, ts, bh),
		func(self dkim.Field) []byte {
			return dkim.HeaderData(dkim.Relaxed, fields, []string{"from", "to", "subject", "date", "message-id"}, self)
		})
	// The seal covers every earlier set, in instance order, then this one.
	var prior []string
	for n := 1; n < i; n++ {
		for _, name := range []string{"ARC-Authentication-Results", "ARC-Message-Signature", "ARC-Seal"} {
			for _, f := range fields {
				if strings.EqualFold(f.Name, name) && strings.Contains(strings.ReplaceAll(f.Raw, " ", ""), fmt.Sprintf("i=%d;", n)) {
					prior = append(prior, dkim.CanonHeader(dkim.Relaxed, f.Raw))
				}
			}
		}
	}
	as := signWith(t, "ARC-Seal", fmt.Sprintf("i=%d; a=rsa-sha256; cv=%s; d=list.example; s=arc1; t=%d;", i, cv, ts),
		func(self dkim.Field) []byte {
			var b bytes.Buffer
			for _, p := range prior {
				b.WriteString(p)
			}
			b.WriteString(dkim.CanonHeader(dkim.Relaxed, aar))
			b.WriteString(dkim.CanonHeader(dkim.Relaxed, ams))
			b.WriteString(strings.TrimSuffix(dkim.CanonHeader(dkim.Relaxed, dkim.WithoutB(self.Raw)), "\r\n"))
			return b.Bytes()
		})
	return as + ams + aar + msg
}

func received(from, ip, by, with string, at time.Time) string {
	return fmt.Sprintf("Received: from %s (%s [%s])\r\n\tby %s with %s id X1\r\n\tfor <customer@receiver.example>; %s\r\n", from, from, ip, by, with, rfc5322(at))
}

func run(t *testing.T, env check.Env, raw string, opts Options) map[string]report.Section {
	t.Helper()
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]report.Section{}
	for _, s := range Check(context.Background(), env, m, opts) {
		out[s.Check] = s
	}
	frenchWords(t, Check(context.Background(), env, m, opts))
	return out
}

// catalogKey matches a message key of this package left in words.
var catalogKey = regexp.MustCompile(`\bmessage\.(?:summary|label|value|col|table|detail|req|cause|reason|status|applies|at|source|boundary\.(?:method|evidence)|dkim\.reason|dmarc\.action|arc\.(?:earlier|explains)|normalized|unchecked)\b`)

// frenchWords words every section in French and fails on a message of
// this package the French catalog lacks, or a key left in the words.
func frenchWords(t *testing.T, secs []report.Section) {
	t.Helper()
	l := i18n.For(i18n.French)
	for i := range secs {
		s := &secs[i]
		l.LocalizeSection(s)
		words := []string{s.Title, s.Summary.String()}
		for _, f := range s.Findings {
			if strings.HasPrefix(f.ID, "message.") && (f.Title == "" || f.Detail == "") {
				t.Errorf("%s: %s has no French words", s.Check, f.ID)
			}
			words = append(words, f.Title, f.Detail, f.Fix)
		}
		for _, fa := range s.Display.Facts {
			words = append(words, fa.Label.String(), fa.Value.String())
		}
		for _, tb := range s.Display.Tables {
			words = append(words, tb.Title.String())
			words = append(words, report.Strings(tb.Columns)...)
			for _, r := range tb.Rows {
				words = append(words, report.Strings(r)...)
			}
		}
		if b, err := json.Marshal(s.Data); err == nil {
			words = append(words, string(b))
		}
		if k := catalogKey.FindString(strings.Join(words, "\n")); k != "" {
			t.Errorf("%s: key %s left in the words", s.Check, k)
		}
	}
	for _, k := range l.Missing() {
		if strings.HasPrefix(k, "message.") || strings.HasPrefix(k, "authres.") {
			t.Errorf("French catalog lacks %s", k)
		}
	}
}

func verdicts(secs map[string]report.Section) Verdicts {
	return secs["message"].Data.(*Data).Verdicts
}

func ids(s report.Section) []string {
	var out []string
	for _, f := range s.Findings {
		out = append(out, f.ID)
	}
	return out
}

func splitForSign(t *testing.T, msg string) ([]dkim.Field, []byte, error) {
	f, b, err := dkim.SplitMessage([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	return f, b, nil
}

func bodyHash(body []byte) string {
	return base64.StdEncoding.EncodeToString(dkim.BodyHash(dkim.Relaxed, body, -1))
}

func unix(t time.Time) string { return fmt.Sprint(t.Unix()) }

func headerData(fields []dkim.Field, names ...string) func(dkim.Field) []byte {
	return func(self dkim.Field) []byte { return dkim.HeaderData(dkim.Relaxed, fields, names, self) }
}

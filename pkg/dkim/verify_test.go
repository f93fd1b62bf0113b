package dkim

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	msgdkim "github.com/emersion/go-msgauth/dkim"
	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// Keys are made here, in the test, never read from disk.
var testKeys struct {
	once sync.Once
	rsa  *rsa.PrivateKey
	ed   crypto.Signer
}

func keys(t testing.TB) (*rsa.PrivateKey, crypto.Signer) {
	t.Helper()
	testKeys.once.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		testKeys.rsa = k
		_, priv := ed25519Key(t)
		testKeys.ed = priv
	})
	return testKeys.rsa, testKeys.ed
}

// txtRecord formats a key record as zone-file TXT data in 255-octet strings.
func txtRecord(s string) string { return report.TXTValue(s) }

func rsaRecord(t testing.TB, k *rsa.PrivateKey) string {
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
}

func edRecord(s crypto.Signer) string {
	return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(s.Public().(ed25519.PublicKey))
}

// shopZone publishes the test keys: rsa and ed at shop.example, rsa at the
// subdomain mail.shop.example, and at esp.test (a third party), plus a
// revoked selector.
func shopZone(t testing.TB) []dnstest.Option {
	k, ed := keys(t)
	rsaTXT := txtRecord(rsaRecord(t, k))
	return []dnstest.Option{
		dnstest.ZoneText("shop.example.", `
rsa._domainkey       IN TXT `+rsaTXT+`
ed._domainkey        IN TXT `+txtRecord(edRecord(ed))+`
old._domainkey       IN TXT "v=DKIM1; k=rsa; p="
strict._domainkey    IN TXT `+txtRecord(strings.Replace(rsaRecord(t, k), "k=rsa;", "k=rsa; t=s;", 1))+`
rsa._domainkey.mail  IN TXT `+rsaTXT+`
`),
		dnstest.ZoneText("esp.test.", `
esp._domainkey IN TXT `+rsaTXT+`
`),
	}
}

const baseMessage = "From: Shop <news@shop.example>\r\n" +
	"To: customer@example.net\r\n" +
	"Subject: Your order has shipped\r\n" +
	"Date: Sun, 01 Nov 2026 12:00:00 +0000\r\n" +
	"Message-ID: <1@shop.example>\r\n" +
	"\r\n" +
	"Hello,\r\n\r\nyour parcel is on its way.\r\n"

type signer struct {
	domain, selector string
	ed               bool
	headers          []string
}

// sign signs msg with go-msgauth's signer (an implementation independent
// of this package) once per signer, outermost last.
func sign(t testing.TB, msg string, signers ...signer) string {
	t.Helper()
	k, ed := keys(t)
	for _, s := range signers {
		var key crypto.Signer = k
		if s.ed {
			key = ed
		}
		opts := &msgdkim.SignOptions{
			Domain: s.domain, Selector: s.selector, Signer: key,
			HeaderCanonicalization: msgdkim.CanonicalizationRelaxed,
			BodyCanonicalization:   msgdkim.CanonicalizationRelaxed,
			HeaderKeys:             s.headers,
		}
		var out bytes.Buffer
		if err := msgdkim.Sign(&out, strings.NewReader(msg), opts); err != nil {
			t.Fatalf("sign: %v", err)
		}
		msg = out.String()
	}
	return msg
}

var oversigned = []string{"From", "From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post"}

// forged prepends a DKIM-Signature that go-msgauth rejects before any
// cryptography (sha1, From unsigned, l=), so no real signature is needed.
func forged(msg, tags string) string {
	return "DKIM-Signature: v=1; d=shop.example; s=rsa; c=relaxed/relaxed; bh=AAAA; b=AAAA; " + tags + "\r\n" + msg
}

func verifyCheck(t *testing.T, srv *dnstest.Server, raw string, target string) report.Section {
	t.Helper()
	m, err := ParseMessage([]byte(raw))
	if err != nil {
		t.Fatalf("ParseMessage: %v", err)
	}
	var d dnsname.Domain
	if target != "" {
		d = dnsname.MustParse(target)
	}
	return Check(context.Background(), envFor(t, srv), d, Options{Message: m})
}

func TestVerifyMessage(t *testing.T) {
	withUnsub := strings.Replace(baseMessage, "Message-ID:", "List-Unsubscribe: <https://shop.example/u/1>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nMessage-ID:", 1)
	tests := []struct {
		name    string
		raw     func(t *testing.T) string
		want    []string
		status  report.Status
		results []string
		verify  func(t *testing.T, md *MessageData)
	}{
		{
			name: "rsa and ed25519, aligned, oversigned, unsubscribe signed",
			raw: func(t *testing.T) string {
				return sign(t, withUnsub, signer{"shop.example", "ed", true, oversigned}, signer{"shop.example", "rsa", false, oversigned})
			},
			want: []string{}, status: report.StatusPass, results: []string{"pass", "pass"},
			verify: func(t *testing.T, md *MessageData) {
				s := md.Signatures[0]
				if s.Domain != "shop.example" || s.Selector != "rsa" || s.Algorithm != "rsa-sha256" || s.Canonicalization != "relaxed/relaxed" {
					t.Errorf("top signature: %+v", s)
				}
				if !s.AlignedStrict || !s.AlignedRelaxed || !s.FromSigned || !s.FromOversigned || s.BodyHashOK == nil || !*s.BodyHashOK || s.BodyHash == "" {
					t.Errorf("top signature flags: %+v", s)
				}
				if md.Signatures[1].Algorithm != "ed25519-sha256" || !reflect.DeepEqual(md.Signatures[1].SignedHeaders, []string{"From", "From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post"}) {
					t.Errorf("second signature: %+v", md.Signatures[1])
				}
				if md.FromDomain != "shop.example" || !md.ListUnsubscribe || !md.ListUnsubscribePost {
					t.Errorf("message data: %+v", md)
				}
			},
		},
		{
			name: "subdomain signer is relaxed-aligned only",
			raw: func(t *testing.T) string {
				return sign(t, baseMessage, signer{"mail.shop.example", "rsa", false, oversigned})
			},
			want: []string{}, status: report.StatusPass, results: []string{"pass"},
			verify: func(t *testing.T, md *MessageData) {
				if s := md.Signatures[0]; s.AlignedStrict || !s.AlignedRelaxed {
					t.Errorf("alignment strict=%v relaxed=%v", s.AlignedStrict, s.AlignedRelaxed)
				}
			},
		},
		{
			name: "third-party signer only",
			raw:  func(t *testing.T) string { return sign(t, baseMessage, signer{"esp.test", "esp", false, oversigned}) },
			want: []string{"dkim.sig.unaligned"}, status: report.StatusWarn, results: []string{"pass"},
		},
		{
			name: "From signed once",
			raw: func(t *testing.T) string {
				return sign(t, baseMessage, signer{"shop.example", "rsa", false, []string{"From", "To", "Subject"}})
			},
			want: []string{"dkim.sig.from_not_oversigned"}, status: report.StatusWarn, results: []string{"pass"},
		},
		{
			name: "body changed after signing",
			raw: func(t *testing.T) string {
				return strings.Replace(sign(t, baseMessage, signer{"shop.example", "rsa", false, oversigned}), "on its way", "on its way. PS: click here", 1)
			},
			want: []string{"dkim.sig.invalid"}, status: report.StatusFail, results: []string{"fail"},
			verify: func(t *testing.T, md *MessageData) {
				if s := md.Signatures[0]; s.Reason != reasonBodyHash || s.BodyHashOK == nil || *s.BodyHashOK {
					t.Errorf("%+v", s)
				}
			},
		},
		{
			name: "subject changed after signing",
			raw: func(t *testing.T) string {
				return strings.Replace(sign(t, baseMessage, signer{"shop.example", "ed", true, oversigned}), "has shipped", "was cancelled", 1)
			},
			// Signed with Ed25519 alone, so that key is the only one seen.
			want: []string{"dkim.key.ed25519_only", "dkim.sig.invalid"}, status: report.StatusFail, results: []string{"fail"},
			verify: func(t *testing.T, md *MessageData) {
				if s := md.Signatures[0]; s.Reason != reasonSignature || s.BodyHashOK == nil || !*s.BodyHashOK {
					t.Errorf("%+v", s)
				}
			},
		},
		{
			name: "unsigned",
			raw:  func(t *testing.T) string { return baseMessage },
			want: []string{"dkim.sig.missing"}, status: report.StatusFail, results: []string{},
		},
		{
			name: "revoked key",
			raw: func(t *testing.T) string {
				return sign(t, baseMessage, signer{"shop.example", "old", false, oversigned})
			},
			want: []string{"dkim.key.revoked", "dkim.sig.invalid"}, status: report.StatusFail, results: []string{"permerror"},
			verify: func(t *testing.T, md *MessageData) {
				if md.Signatures[0].Reason != reasonRevoked {
					t.Errorf("reason %q", md.Signatures[0].Reason)
				}
			},
		},
		{
			name: "no key published",
			raw: func(t *testing.T) string {
				return sign(t, baseMessage, signer{"shop.example", "gone", false, oversigned})
			},
			want: []string{"dkim.sig.invalid"}, status: report.StatusFail, results: []string{"permerror"},
			verify: func(t *testing.T, md *MessageData) {
				if md.Signatures[0].Reason != reasonNoKey {
					t.Errorf("reason %q", md.Signatures[0].Reason)
				}
			},
		},
		{
			name: "rsa-sha1",
			raw:  func(t *testing.T) string { return forged(baseMessage, "a=rsa-sha1; h=from:from:to") },
			want: []string{"dkim.sig.sha1"}, status: report.StatusFail, results: []string{"permerror"},
		},
		{
			name: "From not signed",
			raw:  func(t *testing.T) string { return forged(baseMessage, "a=rsa-sha256; h=to:subject") },
			want: []string{"dkim.sig.from_unsigned"}, status: report.StatusFail, results: []string{"permerror"},
		},
		{
			name: "body length limit",
			raw:  func(t *testing.T) string { return forged(baseMessage, "a=rsa-sha256; h=from:from:to; l=12") },
			// A forged b=: it fails, and now says so (l= is verified,
			// not refused, so it no longer stands for the failure).
			want: []string{"dkim.sig.body_length", "dkim.sig.invalid"}, status: report.StatusFail, results: []string{"fail"},
			verify: func(t *testing.T, md *MessageData) {
				if l := md.Signatures[0].BodyLength; l == nil || *l != 12 {
					t.Errorf("l = %v", l)
				}
			},
		},
		{
			name: "unsubscribe not signed",
			raw: func(t *testing.T) string {
				return sign(t, withUnsub, signer{"shop.example", "rsa", false, []string{"From", "From", "To", "Subject"}})
			},
			want: []string{"dkim.sig.list_unsub_unsigned"}, status: report.StatusWarn, results: []string{"pass"},
		},
		{
			name: "unix line endings",
			raw: func(t *testing.T) string {
				return strings.ReplaceAll(sign(t, baseMessage, signer{"shop.example", "rsa", false, oversigned}), "\r\n", "\n")
			},
			want: []string{}, status: report.StatusPass, results: []string{"pass"},
			verify: func(t *testing.T, md *MessageData) {
				if len(md.Normalized) != 1 {
					t.Errorf("normalized %v", md.Normalized)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dnstest.Start(t, shopZone(t)...)
			sec := verifyCheck(t, srv, tt.raw(t), "")
			if got := ids(sec.Findings); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("findings %v, want %v", got, tt.want)
				for _, f := range sec.Findings {
					t.Logf("  %s: %s", f.ID, f.Detail)
				}
			}
			if sec.Status != tt.status {
				t.Errorf("status %s, want %s", sec.Status, tt.status)
			}
			if sec.Target != "shop.example" {
				t.Errorf("target %q, want the From domain", sec.Target)
			}
			md := sec.Data.(*Data).Message
			results := []string{}
			for _, s := range md.Signatures {
				results = append(results, s.Result)
			}
			if !reflect.DeepEqual(results, tt.results) {
				t.Errorf("results %v, want %v", results, tt.results)
				for _, s := range md.Signatures {
					t.Logf("  %d %s %s: %s", s.Index, s.Domain, s.Selector, s.Error)
				}
			}
			if tt.verify != nil {
				tt.verify(t, md)
			}
		})
	}
}

func TestVerifyTemperror(t *testing.T) {
	srv := dnstest.Start(t, shopZone(t)...)
	srv.SetFault("rsa._domainkey.shop.example.", dns.TypeTXT, dnstest.ServFail)
	sec := verifyCheck(t, srv, sign(t, baseMessage, signer{"shop.example", "rsa", false, oversigned}), "shop.example")
	if got := ids(sec.Findings); !reflect.DeepEqual(got, []string{"dkim.dns.temperror"}) {
		t.Errorf("findings %v", got)
	}
	if sec.Status != report.StatusUnknown {
		t.Errorf("status %s", sec.Status)
	}
	if r := sec.Data.(*Data).Message.Signatures[0].Result; r != ResultTemperror {
		t.Errorf("result %s", r)
	}
}

// TestVerifyQueriesEachKeyOnce: the check looks up the message's selectors
// itself (to judge the keys) and hands those answers to the verifier.
func TestVerifyQueriesEachKeyOnce(t *testing.T) {
	srv := dnstest.Start(t, shopZone(t)...)
	raw := sign(t, baseMessage, signer{"shop.example", "ed", true, oversigned}, signer{"shop.example", "rsa", false, oversigned}, signer{"esp.test", "esp", false, oversigned})
	sec := verifyCheck(t, srv, raw, "")
	if sec.Status != report.StatusPass {
		t.Fatalf("status %s: %v", sec.Status, ids(sec.Findings))
	}
	count := map[string]int{}
	for _, q := range srv.Log() {
		if q.Proto == "udp" {
			count[q.Name]++
		}
	}
	want := map[string]int{"rsa._domainkey.shop.example.": 1, "ed._domainkey.shop.example.": 1, "esp._domainkey.esp.test.": 1}
	if !reflect.DeepEqual(count, want) {
		t.Errorf("queries %v, want %v", count, want)
	}
}

func TestParseMessageErrors(t *testing.T) {
	tests := []struct {
		name, raw string
	}{
		{"empty", ""},
		{"blank", "\r\n\r\n"},
		{"no From", "To: a@example.net\r\nSubject: x\r\n\r\nbody\r\n"},
		{"two From", "From: a@shop.example\r\nFrom: b@evil.example\r\n\r\nbody\r\n"},
		{"continuation first", " folded\r\nFrom: a@shop.example\r\n\r\n"},
		{"not a field", "From: a@shop.example\r\nthis is not a header\r\n\r\n"},
		{"From without domain", "From: undisclosed-recipients:;\r\n\r\n"},
		{"From domain invalid", "From: a@-bad..example\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMessage([]byte(tt.raw))
			if !errors.Is(err, ErrBadMessage) {
				t.Errorf("error = %v, want ErrBadMessage", err)
			}
		})
	}
}

type repeatReader struct{ n int64 }

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = 'a'
	}
	r.n -= int64(len(p))
	return len(p), nil
}

func TestReadMessageBounded(t *testing.T) {
	_, err := ReadMessage(&repeatReader{n: MaxMessageSize + 10})
	if !errors.Is(err, ErrBadMessage) || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("error = %v", err)
	}
}

func TestParseMessageRepairs(t *testing.T) {
	tests := []struct {
		name, raw  string
		from       string
		normalized int
	}{
		{"plain", "From: Joe <joe@Shop.Example>\r\nSubject: x\r\n\r\nbody\r\n", "joe@Shop.Example", 0},
		{"mbox line", "From joe@shop.example Sun Nov  1 12:00:00 2026\r\nFrom: joe@shop.example\r\n\r\nbody\r\n", "joe@shop.example", 1},
		{"lf", "From: joe@shop.example\nSubject: x\n\nbody\n", "joe@shop.example", 1},
		{"no body", "From: joe@shop.example\r\nSubject: x\r\n", "joe@shop.example", 1},
		{"group syntax fallback", "From: \"Joe, the \\\"boss\\\"\" <joe@shop.example>\r\n\r\n", "joe@shop.example", 0},
		{"obsolete unparseable", "From: Joe <joe@shop.example> (comment [x\r\n\r\n", "joe@shop.example", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMessage([]byte(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			if m.From != tt.from || m.FromDomain.String() != "shop.example" || len(m.Normalized) != tt.normalized {
				t.Errorf("from %q domain %q normalized %v", m.From, m.FromDomain, m.Normalized)
			}
		})
	}
}

// go-msgauth does not enforce the key's t=s flag; the check does (RFC 6376
// §3.6.1): a signature whose i= is in a subdomain of d= fails with such a
// key and passes with an ordinary one.
func TestVerifyStrictIdentityFlag(t *testing.T) {
	k, _ := keys(t)
	srv := dnstest.Start(t, shopZone(t)...)
	for _, tt := range []struct {
		selector, identity, result string
	}{
		{"strict", "news@mail.shop.example", ResultPermerror},
		{"strict", "news@shop.example", ResultPass},
		{"rsa", "news@mail.shop.example", ResultPass},
	} {
		t.Run(tt.selector+" "+tt.identity, func(t *testing.T) {
			var out bytes.Buffer
			err := msgdkim.Sign(&out, strings.NewReader(baseMessage), &msgdkim.SignOptions{
				Domain: "shop.example", Selector: tt.selector, Identifier: tt.identity, Signer: k,
				HeaderKeys: oversigned,
			})
			if err != nil {
				t.Fatal(err)
			}
			sec := verifyCheck(t, srv, out.String(), "")
			sd := sec.Data.(*Data).Message.Signatures[0]
			if sd.Result != tt.result || sd.Identity != tt.identity {
				t.Fatalf("result %s (%s), identity %q; want %s", sd.Result, sd.Error, sd.Identity, tt.result)
			}
			if tt.result == ResultPermerror {
				if sd.Reason != reasonStrictIdentity || !reflect.DeepEqual(ids(sec.Findings), []string{"dkim.sig.invalid"}) {
					t.Errorf("reason %q findings %v", sd.Reason, ids(sec.Findings))
				}
			}
		})
	}
}

func TestExpiryNotAfterSigning(t *testing.T) {
	at := func(sec int64) *time.Time { v := time.Unix(sec, 0).UTC(); return &v }
	tests := []struct {
		signed, expires *time.Time
		want            string
	}{
		{at(2000), at(1000), ResultNeutral},
		{at(2000), at(2000), ResultNeutral},
		{at(2000), at(3000), ResultPass},
		{nil, at(1000), ResultPass},
		{at(2000), nil, ResultPass},
	}
	for _, tt := range tests {
		sd := SignatureData{Result: ResultPass, Domain: "shop.example", Selector: "rsa", Signed: tt.signed, Expires: tt.expires}
		applyRulesGoMsgauthSkips(&sd, newMemo(nil))
		if sd.Result != tt.want {
			t.Errorf("t=%v x=%v: %s, want %s", tt.signed, tt.expires, sd.Result, tt.want)
		}
		if tt.want == ResultNeutral && sd.Reason != reasonExpiryBeforeSigning {
			t.Errorf("reason %q", sd.Reason)
		}
	}
}

// Messages signed by dkimpy, an independent implementation (fixtures in
// testdata/messages, keys in testdata/zones/dkim-dkimpy.zone): relaxed and
// simple canonicalization, h= written with spaces around the colons, a file
// saved with LF line endings, and Ed25519.
func TestVerifyIndependentSigner(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile(zonesDir+"dkim-dkimpy.zone"))
	tests := []struct {
		file, algorithm, canon string
		oversigned             bool
		want                   []string
	}{
		{"dkim-dkimpy-relaxed.eml", "rsa-sha256", "relaxed/relaxed", true, []string{}},
		{"dkim-dkimpy-simple.eml", "rsa-sha256", "simple/simple", false, []string{"dkim.sig.from_not_oversigned"}},
		{"dkim-dkimpy-lf.eml", "rsa-sha256", "relaxed/simple", false, []string{"dkim.sig.from_not_oversigned"}},
		{"dkim-dkimpy-ed25519.eml", "ed25519-sha256", "relaxed/simple", false, []string{"dkim.key.ed25519_only", "dkim.sig.from_not_oversigned"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open("../../testdata/messages/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			m, err := ReadMessage(f)
			if err != nil {
				t.Fatal(err)
			}
			sec := Check(context.Background(), envFor(t, srv), dnsname.Domain{}, Options{Message: m})
			md := sec.Data.(*Data).Message
			if len(md.Signatures) != 1 {
				t.Fatalf("%d signatures", len(md.Signatures))
			}
			s := md.Signatures[0]
			if s.Result != ResultPass || s.Algorithm != tt.algorithm || s.Canonicalization != tt.canon || s.FromOversigned != tt.oversigned || !s.AlignedStrict {
				t.Errorf("signature %+v", s)
			}
			if !coversAll(s.SignedHeaders, []string{"from", "list-unsubscribe", "list-unsubscribe-post"}) {
				t.Errorf("signed headers %q", s.SignedHeaders)
			}
			if got := ids(sec.Findings); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("findings %v, want %v", got, tt.want)
			}
		})
	}
}

// A message with very many signatures costs a bounded number of lookups.
func TestVerifyManySignaturesBounded(t *testing.T) {
	srv := dnstest.Start(t, shopZone(t)...)
	raw := baseMessage
	for i := 0; i < 40; i++ {
		raw = "DKIM-Signature: v=1; a=rsa-sha256; d=shop.example; s=sel" + strconv.Itoa(i) + "; h=from:from; bh=AAAA; b=AAAA\r\n" + raw
	}
	sec := verifyCheck(t, srv, raw, "")
	md := sec.Data.(*Data).Message
	if len(md.Signatures) != maxSignatures || md.Unverified != 40-maxSignatures {
		t.Errorf("%d verified, %d unverified", len(md.Signatures), md.Unverified)
	}
	if q := srv.Queries(); q > maxSignatures {
		t.Errorf("%d queries for %d signatures, want at most %d", q, 40, maxSignatures)
	}
}

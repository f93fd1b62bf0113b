// Command mailauthcmp runs `mailcheck message`'s re-checks and
// postalsys/mailauth's authenticate() (the reference) on the same
// messages, client address, HELO and envelope sender, over the same
// loopback DNS server (internal/dnstest), and prints where they agree.
// Messages are signed and sealed by mailauth itself (an implementation
// independent of ours), then mutated as lists, forwarders and forgers do.
//
// mailauth is not a dependency of this repository: install it outside,
//
//	mkdir /tmp/ma && cd /tmp/ma && npm install mailauth
//	NODE_PATH=/tmp/ma/node_modules go run ./internal/tools/mailauthcmp
//
// It exits 1 when a result differs and the difference is not one of the
// documented readings in knownDifferences.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	msgdkim "github.com/emersion/go-msgauth/dkim"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/message"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

type step struct {
	Op       string   `json:"op"`
	Domain   string   `json:"domain,omitempty"`
	Selector string   `json:"selector,omitempty"`
	Key      string   `json:"key,omitempty"`
	Algo     string   `json:"algo,omitempty"`
	Canon    string   `json:"canon,omitempty"`
	Headers  string   `json:"headers,omitempty"`
	Time     int64    `json:"time,omitempty"`
	Expires  int64    `json:"expires,omitempty"`
	MaxLen   *int     `json:"maxlen,omitempty"`
	Results  string   `json:"results,omitempty"`
	CV       string   `json:"cv,omitempty"`
	Text     string   `json:"text,omitempty"`
	From     string   `json:"from,omitempty"`
	To       string   `json:"to,omitempty"`
	Extra    []string `json:"-"`
}

type testCase struct {
	Name   string `json:"name"`
	In     string `json:"in"`
	Out    string `json:"out"`
	IP     string `json:"ip"`
	HELO   string `json:"helo"`
	Sender string `json:"sender"`
	Steps  []step `json:"steps"`
	body   string
	// goSign signs body with go-msgauth before mailauth's steps, for
	// signatures mailauth's signer cannot make (oversigned or absent h=
	// names, i=).
	goSign *msgdkim.SignOptions
}

type refResult struct {
	Name string `json:"name"`
	SPF  string `json:"spf"`
	DKIM []struct {
		Domain, Selector, Result, Comment string
	} `json:"dkim"`
	DMARC      string `json:"dmarc"`
	ARC        string `json:"arc"`
	ARCComment string `json:"arc_comment"`
}

// bodyHashReading: a body hash mismatch is fail here (RFC 6376 §6.1.3:
// PERMFAIL "body hash did not verify"; RFC 8601 §2.7.1 fail: "failed the
// verification test(s)"), neutral at mailauth (as Gmail writes it).
const bodyHashReading = "body hash mismatch: fail here (RFC 6376 §6.1.3 PERMFAIL, RFC 8601 §2.7.1), neutral at mailauth and Gmail"

// knownDifferences are results where mailcheck deliberately reads the
// RFCs otherwise than mailauth 4.x: "case/method" -> the reading.
var knownDifferences = map[string]string{
	"expired-since/dkim":          "x= is judged at the boundary's Received date (the time the receiver judged it); mailauth's authenticate() judges it now and reports neutral (expired)",
	"expired-since/dmarc":         "follows from the DKIM reading above",
	"headers-only/dkim":           "without a body mailcheck verifies b= over the signed header fields and reports neutral; mailauth reports none",
	"headers-only/dmarc":          "follows from the DKIM reading above: undecided (neutral) rather than fail",
	"headers-only/arc":            "without a body the AMS body hash is not compared and a chain that otherwise validates is neutral; mailauth reports fail",
	"two-from/dmarc":              twoFromReading,
	"oversigned-from-added/dmarc": twoFromReading,
	"revoked-key/dkim":            "an empty p= is permerror here (RFC 6376 §6.1.2 PERMFAIL \"key revoked\"; RFC 8601 §2.7.1 permerror: unrecoverable, a later attempt is unlikely to succeed, the counterpart of temperror's \"temporary inability to retrieve a public key\"); mailauth reports neutral",
	"missing-key/dkim":            "no key record is permerror here (RFC 6376 §6.1.2 PERMFAIL \"no key for signature\"; RFC 8601 §2.7.1 permerror, as for a revoked key); mailauth reports neutral",
	"key-t-s-subdomain-i/dkim":    "the key has t=s and i= is in a subdomain of d=: permerror here (RFC 6376 §3.6.1: the i= domain MUST NOT be a subdomain of d=); mailauth does not check t=s and passes",
	"utf8-headers/dkim":           "a relaxed-signed Subject with \"à\" (UTF-8 C3 A0): mailauth's relaxed canonicalization takes the octet 0xA0 for white space and signs and verifies a changed field; RFC 6376 §3.4.2 compresses WSP only (SP and HTAB, RFC 5234), so the signature does not verify here (the same message without 0xA0, utf8-headers-no-a0, agrees)",
}

// twoFromReading: DMARC of a message with two From fields.
const twoFromReading = "a message with two From fields is permerror here (RFC 9989 §4.4 and RFC 7489 §6.6.1 need exactly one author domain; RFC 5322 §3.6 allows one From; RFC 7489 §11.2 permerror); mailauth gives no DMARC result"

func main() {
	node := flag.String("node", "node", "node binary")
	keep := flag.Bool("keep", false, "keep the generated messages and keys")
	flag.Parse()
	if err := run(*node, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "mailauthcmp:", err)
		os.Exit(1)
	}
}

func run(node string, keep bool) error {
	dir, err := os.MkdirTemp("", "mailauthcmp")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(dir)
	} else {
		fmt.Println("files in", dir)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	edPub, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	rsaPEM := filepath.Join(dir, "rsa.pem")
	edPEM := filepath.Join(dir, "ed.pem")
	if err := writeKey(rsaPEM, rsaKey); err != nil {
		return err
	}
	if err := writeKey(edPEM, edKey); err != nil {
		return err
	}
	der, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	rsaTXT := report.TXTValue("v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der))
	edTXT := report.TXTValue("v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(edPub))

	zoneText := `
@ IN SOA ns.example. h.example. 1 3600 600 86400 300
shop.example. IN TXT "v=spf1 ip4:192.0.2.10 -all"
shop.example. IN MX 10 mail.shop.example.
mail.shop.example. IN A 192.0.2.10
mail.shop.example. IN TXT "v=spf1 a -all"
news.shop.example. IN A 192.0.2.11
s1._domainkey.shop.example. IN TXT ` + rsaTXT + `
ed1._domainkey.shop.example. IN TXT ` + edTXT + `
old._domainkey.shop.example. IN TXT "v=DKIM1; k=rsa; p="
_dmarc.shop.example. IN TXT "v=DMARC1; p=reject; sp=quarantine"
list.example. IN TXT "v=spf1 ip4:198.51.100.7 -all"
arc1._domainkey.list.example. IN TXT ` + rsaTXT + `
_dmarc.list.example. IN TXT "v=DMARC1; p=none"
fwd.example. IN TXT "v=spf1 ip4:198.51.100.8 -all"
arc1._domainkey.fwd.example. IN TXT ` + rsaTXT + `
soft.example. IN TXT "v=spf1 ip4:192.0.2.20 ~all"
_dmarc.soft.example. IN TXT "v=DMARC1; p=quarantine"
nodmarc.example. IN TXT "v=spf1 ip4:192.0.2.30 -all"
evil.example. IN TXT "v=spf1 ip4:203.0.113.66 ip6:2001:db8:66::/48 -all"
e1._domainkey.evil.example. IN TXT ` + rsaTXT + `
strict.example. IN TXT "v=spf1 ip4:192.0.2.10 -all"
s1._domainkey.strict.example. IN TXT ` + rsaTXT + `
_dmarc.strict.example. IN TXT "v=DMARC1; p=reject; aspf=s; adkim=s"
ty._domainkey.shop.example. IN TXT ` + strings.Replace(rsaTXT, "k=rsa;", "k=rsa; t=y;", 1) + `
ts._domainkey.shop.example. IN TXT ` + strings.Replace(rsaTXT, "k=rsa;", "k=rsa; t=s;", 1) + `
sub.shop.example. IN A 192.0.2.12
deep.sub.shop.example. IN A 192.0.2.12
arc1._domainkey.google.example. IN TXT ` + rsaTXT + `
google.example. IN TXT "v=spf1 ip4:209.85.220.41 -all"
arc1._domainkey.microsoft.example. IN TXT ` + rsaTXT + `
microsoft.example. IN TXT "v=spf1 ip4:40.107.1.1 -all"
psl.example. IN TXT "v=spf1 ip4:192.0.2.40 -all"
_dmarc.psl.example. IN TXT "v=DMARC1; p=reject; sp=none; np=quarantine"
`
	if keep {
		if err := os.WriteFile(filepath.Join(dir, "example.zone"), []byte("$ORIGIN example.\n$TTL 300\n"+zoneText), 0o600); err != nil {
			return err
		}
	}
	srv, err := dnstest.Serve(dnstest.ZoneText("example.", zoneText))
	if err != nil {
		return err
	}
	defer srv.Close()

	now := time.Now().Truncate(time.Second)
	t0 := now.Add(-2 * time.Hour)
	date := t0.Format(time.RFC1123Z)
	baseBody := func(from, extra, body string) string {
		return "From: Shop <" + from + ">\r\nTo: customer@receiver.example\r\nSubject: Your order 42\r\nDate: " + date +
			"\r\nMessage-ID: <" + fmt.Sprint(time.Now().UnixNano()) + "@shop.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n" + extra +
			"\r\n" + body
	}
	base := func(from, extra string) string {
		return baseBody(from, extra, "Hello,\r\n\r\nyour parcel is on its way.  \r\n\r\n")
	}
	rcv := func(ip, helo string, at time.Time) string {
		return fmt.Sprintf("Received: from %s (%s [%s])\r\n\tby mx.receiver.example with ESMTPS id A1\r\n\tfor <customer@receiver.example>; %s\r\n", helo, helo, ip, at.Format(time.RFC1123Z))
	}
	sign := func(d, s, key, algo, canon string) step {
		return step{Op: "sign", Domain: d, Selector: s, Key: key, Algo: algo, Canon: canon, Time: t0.Unix()}
	}
	rsaShop := sign("shop.example", "s1", rsaPEM, "rsa-sha256", "relaxed/relaxed")
	listSeal := step{Op: "seal", Domain: "list.example", Selector: "arc1", Key: rsaPEM, CV: "none", Time: t0.Add(time.Minute).Unix(),
		Results: "lists.list.example; spf=pass smtp.mailfrom=bounce@shop.example; dkim=pass header.d=shop.example; dmarc=pass header.from=shop.example"}
	footer := step{Op: "append", Text: "--\r\nYou are subscribed to shop-news.\r\n"}
	subjectTag := step{Op: "replace", From: "Subject: Your order 42", To: "Subject: [shop-news] Your order 42"}
	expired := rsaShop
	expired.Time, expired.Expires = now.Add(-10*24*time.Hour).Unix(), now.Add(-5*24*time.Hour).Unix()
	expiredOnArrival := rsaShop
	expiredOnArrival.Time, expiredOnArrival.Expires = t0.Add(-2*time.Hour).Unix(), t0.Add(-time.Hour).Unix()

	direct := func(name, from string, steps ...step) testCase {
		return testCase{Name: name, IP: "192.0.2.10", HELO: "mail.shop.example", Sender: "bounce@shop.example", body: base(from, ""),
			Steps: append(steps, step{Op: "prepend", Text: rcv("192.0.2.10", "mail.shop.example", t0.Add(2*time.Second))})}
	}
	cases := []testCase{
		direct("rsa-relaxed", "news@shop.example", rsaShop),
		direct("rsa-simple", "news@shop.example", sign("shop.example", "s1", rsaPEM, "rsa-sha256", "simple/simple")),
		direct("ed25519", "news@shop.example", sign("shop.example", "ed1", edPEM, "ed25519-sha256", "relaxed/relaxed")),
		direct("rsa-and-ed25519", "news@shop.example", rsaShop, sign("shop.example", "ed1", edPEM, "ed25519-sha256", "relaxed/simple")),
		direct("body-tampered", "news@shop.example", rsaShop, step{Op: "replace", From: "parcel", To: "parce1"}),
		direct("header-tampered", "news@shop.example", rsaShop, step{Op: "replace", From: "Your order 42", To: "Your order 43"}),
		direct("subdomain-from", "news@news.shop.example", rsaShop),
		direct("missing-key", "news@shop.example", sign("shop.example", "gone", rsaPEM, "rsa-sha256", "relaxed/relaxed")),
		direct("revoked-key", "news@shop.example", sign("shop.example", "old", rsaPEM, "rsa-sha256", "relaxed/relaxed")),
		direct("strict-aligned", "news@strict.example", sign("strict.example", "s1", rsaPEM, "rsa-sha256", "relaxed/relaxed")),
		{Name: "expired-since", IP: "192.0.2.10", HELO: "mail.shop.example", Sender: "bounce@shop.example", body: base("news@shop.example", ""),
			Steps: []step{expired, {Op: "prepend", Text: rcv("192.0.2.10", "mail.shop.example", now.Add(-9*24*time.Hour))}}},
		direct("expired-on-arrival", "news@shop.example", expiredOnArrival),
		{Name: "forged", IP: "203.0.113.66", HELO: "evil.example", Sender: "bounce@shop.example", body: base("ceo@shop.example", ""),
			Steps: []step{{Op: "prepend", Text: rcv("203.0.113.66", "evil.example", t0)}}},
		{Name: "forwarded", IP: "198.51.100.8", HELO: "mx.fwd.example", Sender: "bounce@shop.example", body: base("news@shop.example", ""),
			Steps: []step{rsaShop, {Op: "prepend", Text: rcv("198.51.100.8", "mx.fwd.example", t0.Add(time.Minute))}}},
		{Name: "list-arc", IP: "198.51.100.7", HELO: "lists.list.example", Sender: "shop-news-bounces@list.example", body: base("news@shop.example", "List-Id: <shop-news.list.example>\r\n"),
			Steps: []step{rsaShop, subjectTag, footer, listSeal, {Op: "prepend", Text: rcv("198.51.100.7", "lists.list.example", t0.Add(2*time.Minute))}}},
		{Name: "list-then-forward-arc", IP: "198.51.100.8", HELO: "mx.fwd.example", Sender: "shop-news-bounces@list.example", body: base("news@shop.example", ""),
			Steps: []step{rsaShop, footer, listSeal,
				{Op: "seal", Domain: "fwd.example", Selector: "arc1", Key: rsaPEM, CV: "pass", Time: t0.Add(3 * time.Minute).Unix(), Results: "mx.fwd.example; spf=pass smtp.mailfrom=shop-news-bounces@list.example; arc=pass"},
				{Op: "prepend", Text: rcv("198.51.100.8", "mx.fwd.example", t0.Add(4*time.Minute))}}},
		{Name: "arc-broken", IP: "198.51.100.7", HELO: "lists.list.example", Sender: "shop-news-bounces@list.example", body: base("news@shop.example", ""),
			Steps: []step{rsaShop, footer, listSeal, {Op: "replace", From: "lists.list.example; spf=pass", To: "lists.list.example; spf=fail"}}},
		{Name: "arc-body-changed-after-seal", IP: "198.51.100.7", HELO: "lists.list.example", Sender: "shop-news-bounces@list.example", body: base("news@shop.example", ""),
			Steps: []step{rsaShop, footer, listSeal, {Op: "append", Text: "tracking pixel\r\n"}}},
		{Name: "softfail", IP: "203.0.113.66", HELO: "x.example", Sender: "a@soft.example", body: base("a@soft.example", ""), Steps: []step{{Op: "prepend", Text: rcv("203.0.113.66", "x.example", t0)}}},
		{Name: "no-dmarc", IP: "192.0.2.30", HELO: "mail.nodmarc.example", Sender: "a@nodmarc.example", body: base("a@nodmarc.example", ""), Steps: []step{{Op: "prepend", Text: rcv("192.0.2.30", "mail.nodmarc.example", t0)}}},
		{Name: "null-sender", IP: "192.0.2.10", HELO: "mail.shop.example", Sender: "", body: base("mailer-daemon@shop.example", ""), Steps: []step{rsaShop, {Op: "prepend", Text: rcv("192.0.2.10", "mail.shop.example", t0)}}},
		{Name: "two-from", IP: "192.0.2.10", HELO: "mail.shop.example", Sender: "bounce@shop.example", body: base("news@shop.example", ""),
			Steps: []step{rsaShop, {Op: "prepend", Text: "From: other@soft.example\r\n"}}},
		{Name: "forged-signed-unaligned", IP: "203.0.113.66", HELO: "mx.evil.example", Sender: "x@evil.example", body: base("ceo@shop.example", ""),
			Steps: []step{sign("evil.example", "e1", rsaPEM, "rsa-sha256", "relaxed/relaxed"), {Op: "prepend", Text: rcv("203.0.113.66", "mx.evil.example", t0)}}},
		{Name: "ipv6-client", IP: "2001:db8:66::25", HELO: "mx6.evil.example", Sender: "x@evil.example", body: base("x@evil.example", ""),
			Steps: []step{{Op: "prepend", Text: rcv("2001:db8:66::25", "mx6.evil.example", t0)}}},
		direct("from-changed-after-signing", "news@shop.example", rsaShop, step{Op: "replace", From: "From: Shop <news@shop.example>", To: "From: Shop <billing@shop.example>"}),
		direct("one-good-one-bad", "news@shop.example", sign("shop.example", "ed1", edPEM, "ed25519-sha256", "relaxed/relaxed"), step{Op: "replace", From: "parcel", To: "parce1"}, rsaShop),
		{Name: "headers-only", IP: "192.0.2.10", HELO: "mail.shop.example", Sender: "bounce@shop.example", body: base("news@shop.example", ""),
			Steps: []step{rsaShop, footer, listSeal, {Op: "headers_only"}}},
	}
	cases = append(cases, widened(t0, rsaPEM, base, baseBody, rcv, sign, rsaShop, listSeal, footer, subjectTag, rsaKey)...)
	for i := range cases {
		c := &cases[i]
		c.In = filepath.Join(dir, c.Name+".in.eml")
		c.Out = filepath.Join(dir, c.Name+".eml")
		if c.goSign != nil {
			var out bytes.Buffer
			if err := msgdkim.Sign(&out, strings.NewReader(c.body), c.goSign); err != nil {
				return fmt.Errorf("%s: %w", c.Name, err)
			}
			c.body = out.String()
		}
		if err := os.WriteFile(c.In, []byte(c.body), 0o600); err != nil {
			return err
		}
	}
	js, err := json.Marshal(cases)
	if err != nil {
		return err
	}
	_, self, _, _ := runtime.Caller(0)
	cmd := exec.Command(node, filepath.Join(filepath.Dir(self), "cmp.js"), srv.Addr)
	cmd.Stdin = bytes.NewReader(js)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	refs := map[string]refResult{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r refResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return err
		}
		refs[r.Name] = r
	}

	client, err := resolver.NewClient(srv.ClientOptions())
	if err != nil {
		return err
	}
	env := check.Env{Resolver: resolver.NewCache(client), Now: time.Now}
	total, agree, known, unexplained := 0, 0, 0, 0
	fmt.Printf("%-28s %-8s %-22s %-22s %s\n", "case", "method", "mailcheck", "mailauth", "")
	for _, c := range cases {
		raw, err := os.ReadFile(c.Out)
		if err != nil {
			return err
		}
		m, err := message.Parse(raw)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
		secs := message.Check(context.Background(), env, m, message.Options{IP: c.IP, HELO: c.HELO, Sender: c.Sender, SenderSet: true})
		v := secs[0].Data.(*message.Data).Verdicts
		ref := refs[c.Name]
		cmp := func(method, ours, theirs, note string) {
			total++
			mark := "agree"
			switch {
			case ours == theirs:
				agree++
			case strings.HasPrefix(ours, "fail ") && strings.HasPrefix(theirs, "neutral ") && note == "body hash did not verify":
				known++
				mark = "known: " + bodyHashReading
			case knownDifferences[c.Name+"/"+strings.SplitN(method, "#", 2)[0]] != "":
				known++
				mark = "known: " + knownDifferences[c.Name+"/"+strings.SplitN(method, "#", 2)[0]]
			default:
				unexplained++
				mark = "DIFFERS " + note
			}
			fmt.Printf("%-28s %-8s %-22s %-22s %s\n", c.Name, method, ours, theirs, mark)
		}
		cmp("spf", v.SPF, ref.SPF, "")
		if len(v.DKIM) == 0 && len(ref.DKIM) == 1 && ref.DKIM[0].Result == "none" {
			// Unsigned: an empty list here, one "none" result there.
			cmp("dkim", "none", "none", "")
			ref.DKIM = nil
		}
		n := max(len(v.DKIM), len(ref.DKIM))
		for i := 0; i < n; i++ {
			ours, theirs, note := "-", "-", ""
			if i < len(v.DKIM) {
				ours = v.DKIM[i].Result + " " + v.DKIM[i].Selector
			}
			if i < len(ref.DKIM) {
				theirs = ref.DKIM[i].Result + " " + ref.DKIM[i].Selector
				note = ref.DKIM[i].Comment
			}
			cmp(fmt.Sprintf("dkim#%d", i+1), ours, theirs, note)
		}
		cmp("dmarc", v.DMARC, ref.DMARC, "")
		cmp("arc", v.ARC, ref.ARC, ref.ARCComment)
	}
	fmt.Printf("\n%d results: %d agree, %d differ as documented, %d differ unexplained\n", total, agree, known, unexplained)

	// Second pass: each message with mailauth's Authentication-Results on
	// top, checked from its headers alone (boundary, client and sender
	// from the Received and Return-Path fields, no overrides): the
	// receiver's results must parse, and every difference must be one of
	// the readings above.
	fmt.Println()
	attributed, diffs := 0, 0
	for _, c := range cases {
		raw, err := os.ReadFile(c.Out + ".ar")
		if err != nil {
			return err
		}
		if c.Sender != "" {
			raw = append([]byte("Return-Path: <"+c.Sender+">\r\n"), raw...)
		}
		m, err := message.Parse(raw)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
		secs := message.Check(context.Background(), env, m, message.Options{})
		d := secs[0].Data.(*message.Data)
		rd := secs[2].Data.(*message.ReceiverData)
		if rd.AuthServID == "mx.receiver.example" {
			attributed++
		}
		for _, df := range d.Differences {
			diffs++
			fmt.Printf("%-28s receiver %s=%s, re-check %s: %s\n", c.Name, df.Method, df.Receiver, df.Recheck, df.Cause)
		}
	}
	fmt.Printf("\n%d messages with mailauth's Authentication-Results: %d attributed to the receiver, %d differences reported\n", len(cases), attributed, diffs)
	if unexplained > 0 {
		return fmt.Errorf("%d unexplained differences", unexplained)
	}
	return nil
}

func writeKey(path string, key any) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}

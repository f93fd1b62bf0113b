package main

import (
	"crypto"
	"crypto/rsa"
	"fmt"
	"strings"
	"time"

	msgdkim "github.com/emersion/go-msgauth/dkim"
)

// widened are messages as they really arrive: relayed through Google,
// Microsoft 365, Mailman 3 and Google Groups with ARC, forwarded with SRS,
// signed in the ways real signers differ (l=, oversigning, absent h=
// names, empty bodies, UTF-8 and long folded fields, key flags), and ARC
// chains that break in the middle or in their structure.
func widened(t0 time.Time, rsaPEM string, base func(from, extra string) string, baseBody func(from, extra, body string) string,
	rcv func(ip, helo string, at time.Time) string, sign func(d, s, key, algo, canon string) step,
	rsaShop, listSeal, footer, subjectTag step, rsaKey *rsa.PrivateKey) []testCase {
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	sealBy := func(domain, results, cv string, min int) step {
		return step{Op: "seal", Domain: domain, Selector: "arc1", Key: rsaPEM, CV: cv, Time: at(min).Unix(), Results: results}
	}
	direct := func(name, msg string, steps ...step) testCase {
		return testCase{Name: name, IP: "192.0.2.10", HELO: "mail.shop.example", Sender: "bounce@shop.example", body: msg,
			Steps: append(steps, step{Op: "prepend", Text: rcv("192.0.2.10", "mail.shop.example", t0.Add(2*time.Second))})}
	}
	goSign := func(canon msgdkim.Canonicalization, id string, sel string, headers ...string) *msgdkim.SignOptions {
		return &msgdkim.SignOptions{Domain: "shop.example", Selector: sel, Identifier: id, Signer: crypto.Signer(rsaKey),
			HeaderCanonicalization: canon, BodyCanonicalization: canon, HeaderKeys: headers, Expiration: time.Time{}}
	}
	lenStep := func(n int) step { s := rsaShop; s.MaxLen = &n; return s }
	googleSeal := func(i, min int) step {
		return sealBy("google.example", fmt.Sprintf("mx.google.example; dkim=pass header.i=@shop.example header.s=s1; spf=pass smtp.mailfrom=bounce@shop.example; dmarc=pass header.from=shop.example; arc=%s", map[bool]string{true: "none", false: "pass"}[i == 1]), map[bool]string{true: "none", false: "pass"}[i == 1], min)
	}
	long := "X-Campaign: " + strings.Repeat("segment-0123456789 ", 60)
	long = strings.TrimSpace(long)
	var folded strings.Builder
	for i, w := range strings.Fields(long) {
		if i > 0 {
			if folded.Len()%70 > 55 {
				folded.WriteString("\r\n\t")
			} else {
				folded.WriteString(" ")
			}
		}
		folded.WriteString(w)
	}
	srsSender := "SRS0=HhXy=TT=shop.example=bounce@fwd.example"
	mailman := []step{rsaShop, subjectTag,
		{Op: "replace", From: "From: Shop <news@shop.example>", To: "From: Shop via Shop-news <shop-news@list.example>\r\nReply-To: Shop <news@shop.example>"},
		{Op: "replace", From: "Content-Type: text/plain\r\n", To: "Content-Type: text/plain\r\nList-Id: <shop-news.list.example>\r\nList-Unsubscribe: <https://list.example/u>, <mailto:shop-news-leave@list.example>\r\nList-Post: <mailto:shop-news@list.example>\r\n"},
		{Op: "append", Text: "_______________________________________________\r\nShop-news mailing list -- shop-news@list.example\r\nTo unsubscribe send an email to shop-news-leave@list.example\r\n"},
		sealBy("list.example", "lists.list.example; dkim=pass header.d=shop.example header.s=s1; spf=pass smtp.mailfrom=bounce@shop.example; dmarc=pass header.from=shop.example", "none", 1),
		{Op: "prepend", Text: rcv("198.51.100.7", "lists.list.example", at(2))}}
	return []testCase{
		// Gmail-received with three Google ARC sets (Groups, forwarding).
		{Name: "google-arc-i3", IP: "209.85.220.41", HELO: "mail-sor-f41.google.example", Sender: "bounce@shop.example", body: base("news@shop.example", ""),
			Steps: []step{rsaShop, googleSeal(1, 1), footer, googleSeal(2, 2), googleSeal(3, 3), {Op: "prepend", Text: rcv("209.85.220.41", "mail-sor-f41.google.example", at(4))}}},
		// Microsoft 365 relay: its AAR claims arc=pass of the set below.
		{Name: "m365-arc-relay", IP: "40.107.1.1", HELO: "eur01.outbound.protection.microsoft.example", Sender: "bounce@shop.example", body: base("news@shop.example", ""),
			Steps: []step{rsaShop, listSeal, subjectTag,
				sealBy("microsoft.example", "mx.microsoft.example; spf=fail (sender ip is 198.51.100.7) smtp.mailfrom=shop.example; dkim=fail (body hash did not verify) header.d=shop.example; dmarc=fail action=none header.from=shop.example; arc=pass (0 oda=1 ltdi=1 spf=[1,1,smtp.mailfrom=shop.example] dkim=[1,1,header.d=shop.example] dmarc=[1,1,header.from=shop.example])", "pass", 2),
				{Op: "prepend", Text: rcv("40.107.1.1", "eur01.outbound.protection.microsoft.example", at(3))}}},
		// Mailman 3 with DMARC mitigation: subject tag, footer, From munged.
		{Name: "mailman3-munged", IP: "198.51.100.7", HELO: "lists.list.example", Sender: "shop-news-bounces@list.example", body: base("news@shop.example", ""), Steps: mailman},
		// Google Groups: ARC by google.example, list footer, SPF of Google.
		{Name: "google-groups", IP: "209.85.220.41", HELO: "mail-sor-f41.google.example", Sender: "shop-news+bncBD@googlegroups.example", body: base("news@shop.example", "List-Id: <shop-news.googlegroups.example>\r\n"),
			Steps: []step{rsaShop, footer, googleSeal(1, 1), {Op: "prepend", Text: rcv("209.85.220.41", "mail-sor-f41.google.example", at(2))}}},
		// A forwarder rewriting the envelope sender with SRS.
		{Name: "srs-forwarder", IP: "198.51.100.8", HELO: "mx.fwd.example", Sender: srsSender, body: base("news@shop.example", ""),
			Steps: []step{rsaShop, {Op: "prepend", Text: "Return-Path: <" + srsSender + ">\r\n" + rcv("198.51.100.8", "mx.fwd.example", at(1))}}},
		// Canonicalization against white space changed in transit.
		direct("relaxed-whitespace", base("news@shop.example", ""), rsaShop,
			step{Op: "replace", From: "Subject: Your order 42", To: "Subject:   Your  order\r\n 42"}, step{Op: "replace", From: "your parcel is", To: "your \tparcel  is"}),
		direct("simple-header-whitespace", base("news@shop.example", ""), sign("shop.example", "s1", rsaPEM, "rsa-sha256", "simple/simple"),
			step{Op: "replace", From: "Subject: Your order 42", To: "Subject:  Your order 42"}),
		direct("simple-body-whitespace", base("news@shop.example", ""), sign("shop.example", "s1", rsaPEM, "rsa-sha256", "simple/simple"),
			step{Op: "replace", From: "your parcel is", To: "your  parcel is"}),
		direct("simple-trailing-blank-lines", base("news@shop.example", ""), sign("shop.example", "s1", rsaPEM, "rsa-sha256", "simple/simple"),
			step{Op: "append", Text: "\r\n\r\n"}),
		// l= with a footer appended after the signed octets, and l= with
		// the signed part changed.
		direct("l-footer", base("news@shop.example", ""), lenStep(20), footer),
		direct("l-signed-part-changed", base("news@shop.example", ""), lenStep(20), step{Op: "replace", From: "Hello,", To: "Hallo,"}),
		// Bodies: empty, only CRLF.
		direct("empty-body", baseBody("news@shop.example", "", ""), rsaShop),
		direct("crlf-only-body", baseBody("news@shop.example", "", "\r\n\r\n\r\n"), rsaShop),
		direct("empty-body-simple", baseBody("news@shop.example", "", ""), sign("shop.example", "s1", rsaPEM, "rsa-sha256", "simple/simple")),
		// Signatures from go-msgauth: oversigned From, h= naming absent
		// fields, then a From added in transit.
		{Name: "oversigned", IP: "192.0.2.10", HELO: "mail.shop.example", Sender: "bounce@shop.example", body: base("news@shop.example", ""),
			goSign: goSign(msgdkim.CanonicalizationRelaxed, "", "s1", "From", "From", "To", "Subject", "Subject", "Date"),
			Steps:  []step{{Op: "prepend", Text: rcv("192.0.2.10", "mail.shop.example", t0.Add(2*time.Second))}}},
		{Name: "oversigned-from-added", IP: "192.0.2.10", HELO: "mail.shop.example", Sender: "bounce@shop.example", body: base("news@shop.example", ""),
			goSign: goSign(msgdkim.CanonicalizationRelaxed, "", "s1", "From", "From", "To", "Subject", "Date"),
			Steps:  []step{{Op: "replace", From: "To: customer", To: "From: ceo@shop.example\r\nTo: customer"}, {Op: "prepend", Text: rcv("192.0.2.10", "mail.shop.example", t0.Add(2*time.Second))}}},
		{Name: "h-absent-fields", IP: "192.0.2.10", HELO: "mail.shop.example", Sender: "bounce@shop.example", body: base("news@shop.example", ""),
			goSign: goSign(msgdkim.CanonicalizationRelaxed, "", "s1", "From", "To", "Subject", "Reply-To", "Cc", "List-Unsubscribe", "In-Reply-To"),
			Steps:  []step{{Op: "prepend", Text: rcv("192.0.2.10", "mail.shop.example", t0.Add(2*time.Second))}}},
		{Name: "h-absent-field-added", IP: "192.0.2.10", HELO: "mail.shop.example", Sender: "bounce@shop.example", body: base("news@shop.example", ""),
			goSign: goSign(msgdkim.CanonicalizationRelaxed, "", "s1", "From", "To", "Subject", "Reply-To"),
			Steps:  []step{{Op: "replace", From: "To: customer", To: "Reply-To: phish@evil.example\r\nTo: customer"}, {Op: "prepend", Text: rcv("192.0.2.10", "mail.shop.example", t0.Add(2*time.Second))}}},
		// Key flags: t=y (testing), t=s with i= in a subdomain and exact.
		direct("key-testing-t-y", base("news@shop.example", ""), sign("shop.example", "ty", rsaPEM, "rsa-sha256", "relaxed/relaxed")),
		{Name: "key-t-s-subdomain-i", IP: "192.0.2.10", HELO: "mail.shop.example", Sender: "bounce@shop.example", body: base("news@shop.example", ""),
			goSign: goSign(msgdkim.CanonicalizationRelaxed, "news@sub.shop.example", "ts", "From", "To", "Subject"),
			Steps:  []step{{Op: "prepend", Text: rcv("192.0.2.10", "mail.shop.example", t0.Add(2*time.Second))}}},
		{Name: "key-t-s-exact-i", IP: "192.0.2.10", HELO: "mail.shop.example", Sender: "bounce@shop.example", body: base("news@shop.example", ""),
			goSign: goSign(msgdkim.CanonicalizationRelaxed, "news@shop.example", "ts", "From", "To", "Subject"),
			Steps:  []step{{Op: "prepend", Text: rcv("192.0.2.10", "mail.shop.example", t0.Add(2*time.Second))}}},
		// RFC 6532 UTF-8 header fields, and a very long folded field.
		direct("utf8-headers", strings.Replace(strings.Replace(base("news@shop.example", ""), "From: Shop <", "From: Boutique Été ☕ <", 1), "Subject: Your order 42", "Subject: Votre commande 42 — déjà expédiée", 1),
			rsaShop),
		// The same without the octet 0xA0 (in "à", C3 A0), which
		// mailauth's relaxed canonicalization takes for white space.
		direct("utf8-headers-no-a0", strings.Replace(strings.Replace(base("news@shop.example", ""), "From: Shop <", "From: Boutique Été ☕ <", 1), "Subject: Your order 42", "Subject: Votre commande 42 — expédiée", 1),
			rsaShop),
		direct("utf8-headers-simple", strings.Replace(base("news@shop.example", ""), "Subject: Your order 42", "Subject: Заказ 42 отправлен", 1), sign("shop.example", "s1", rsaPEM, "rsa-sha256", "simple/simple")),
		direct("long-folded-field", base("news@shop.example", folded.String()+"\r\n"), step{Op: "sign", Domain: "shop.example", Selector: "s1", Key: rsaPEM, Algo: "rsa-sha256", Canon: "relaxed/relaxed", Time: t0.Unix(), Headers: "from:to:subject:date:x-campaign"}),
		// DMARC for subdomains: sp= for an existing one, np= for one that
		// does not exist, p= at a deep name below the organizational domain.
		{Name: "dmarc-sp-subdomain", IP: "203.0.113.66", HELO: "x.example", Sender: "a@sub.psl.example", body: base("a@sub.psl.example", ""),
			Steps: []step{{Op: "prepend", Text: rcv("203.0.113.66", "x.example", t0)}}},
		{Name: "dmarc-np-nonexistent", IP: "203.0.113.66", HELO: "x.example", Sender: "a@nosuch.psl.example", body: base("a@nosuch.psl.example", ""),
			Steps: []step{{Op: "prepend", Text: rcv("203.0.113.66", "x.example", t0)}}},
		direct("dmarc-deep-subdomain-aligned", base("news@deep.sub.shop.example", ""), rsaShop),
		// ARC chains: a middle AMS broken by a later change (the chain
		// still passes, RFC 8617 §5.2 checks only the newest AMS), cv=fail
		// sealed on, an instance gap, i=51.
		{Name: "arc-middle-ams-broken", IP: "209.85.220.41", HELO: "mail-sor-f41.google.example", Sender: "bounce@shop.example", body: base("news@shop.example", ""),
			Steps: []step{rsaShop, listSeal, footer, sealBy("fwd.example", "mx.fwd.example; arc=pass", "pass", 2), {Op: "append", Text: "tracked\r\n"}, googleSeal(3, 3),
				{Op: "prepend", Text: rcv("209.85.220.41", "mail-sor-f41.google.example", at(4))}}},
		{Name: "arc-cv-fail-sealed-on", IP: "198.51.100.8", HELO: "mx.fwd.example", Sender: "bounce@shop.example", body: base("news@shop.example", ""),
			Steps: []step{rsaShop, listSeal, {Op: "replace", From: "lists.list.example; spf=pass", To: "lists.list.example; spf=fail"},
				sealBy("fwd.example", "mx.fwd.example; arc=fail", "fail", 2), {Op: "prepend", Text: rcv("198.51.100.8", "mx.fwd.example", at(3))}}},
		{Name: "arc-instance-gap", IP: "198.51.100.8", HELO: "mx.fwd.example", Sender: "bounce@shop.example", body: base("news@shop.example", ""),
			Steps: []step{rsaShop, listSeal, sealBy("fwd.example", "mx.fwd.example; arc=pass", "pass", 2), {Op: "replace_all", From: "i=2;", To: "i=3;"},
				{Op: "prepend", Text: rcv("198.51.100.8", "mx.fwd.example", at(3))}}},
		{Name: "arc-i51", IP: "198.51.100.7", HELO: "lists.list.example", Sender: "bounce@shop.example", body: base("news@shop.example", ""),
			Steps: []step{rsaShop, listSeal, {Op: "replace_all", From: "i=1;", To: "i=51;"}, {Op: "prepend", Text: rcv("198.51.100.7", "lists.list.example", at(2))}}},
	}
}

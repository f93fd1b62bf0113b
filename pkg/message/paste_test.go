package message

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// delivered is a signed message as the receiver stored it: its own
// Authentication-Results and Received field on top.
func delivered(t *testing.T) string {
	signed := signDKIM(t, original(""))
	return "Delivered-To: customer@receiver.example\r\n" +
		"Received: by 2002:a05:6a10:1234:b0:55::5 with SMTP id x1;\r\n        " + rfc5322(sent().Add(3*time.Second)) + "\r\n" +
		"Return-Path: <bounce@shop.example>\r\n" +
		"Received: from mail.shop.example (mail.shop.example. [192.0.2.10])\r\n        by mx.receiver.example with ESMTPS id y2\r\n        for <customer@receiver.example>; " + rfc5322(sent().Add(2*time.Second)) + "\r\n" +
		"Authentication-Results: mx.receiver.example;\r\n       dkim=pass header.i=@shop.example header.s=s1;\r\n       spf=pass smtp.mailfrom=bounce@shop.example;\r\n       dmarc=pass (p=REJECT) header.from=shop.example\r\n" +
		signed
}

// Headers and messages as real mail clients let users copy them: each
// parses to the same fields, with the boundary and the verdicts right.
func TestPastedFromMailClients(t *testing.T) {
	env := world(t)
	full := delivered(t)
	head, _, _ := strings.Cut(full, "\r\n\r\n")
	head += "\r\n"
	lf := func(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }
	unfolded := regexp.MustCompile(`\r\n[ \t]+`).ReplaceAllString(head, " ")
	lostFolding := regexp.MustCompile(`\r\n[ \t]+`).ReplaceAllString(head, "\r\n")
	gmailSummary := "Original Message\n" +
		"Message ID\t<42@shop.example>\n" +
		"Created at:\tMon, Nov 30, 2026 at 12:00 PM (Delivered after 2 seconds)\n" +
		"From:\tShop <news@shop.example>\n" +
		"To:\tcustomer@receiver.example\n" +
		"Subject:\tYour order\n" +
		"SPF:\tPASS with IP 192.0.2.10 Learn more\n" +
		"DKIM:\t'PASS' with domain shop.example Learn more\n" +
		"DMARC:\t'PASS' Learn more\n" +
		"Download original\tCopy to clipboard\t\n\n"
	_, fromOn, _ := strings.Cut(gmailSummary, "Created at:")
	_, fromOn, _ = strings.Cut(fromOn, "\n")
	quote := func(s, prefix string) string {
		lines := strings.Split(lf(s), "\n")
		for i := range lines {
			lines[i] = prefix + lines[i]
		}
		return strings.Join(lines, "\n")
	}
	for _, tc := range []struct {
		name, raw   string
		headersOnly bool
	}{
		{"gmail show original", gmailSummary + lf(full), false},
		{"gmail show original, copied from the From line", fromOn + lf(full), false},
		{"gmail show original, headers only", gmailSummary + lf(head), true},
		{"outlook desktop internet headers", head, true},
		{"outlook desktop, unfolded lines", unfolded, true},
		{"outlook on the web, folding lost", lf(lostFolding), true},
		{"apple mail raw source", lf(full), false},
		{"thunderbird view source", "From - Mon Nov 30 12:00:05 2026\nX-Mozilla-Status: 0001\nX-Mozilla-Status2: 00000000\n" + lf(full), false},
		{"indented by the paste", quote(head, "    "), true},
		{"quoted in a reply", "On Mon, Support wrote:\n" + quote(head, "> "), true},
		{"quoted without a space", quote(full, ">"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			secs := run(t, env, tc.raw, Options{})
			d := secs["message"].Data.(*Data)
			if d.Boundary.Method != BoundaryAuthServID || d.Boundary.IP != "192.0.2.10" || d.Boundary.HELO != "mail.shop.example" {
				t.Errorf("boundary %+v (normalized %v)", d.Boundary, d.Normalized)
			}
			if d.HeadersOnly != tc.headersOnly {
				t.Errorf("headers only %v", d.HeadersOnly)
			}
			want := "shop.example/s1=pass"
			if tc.headersOnly {
				want = "shop.example/s1=neutral"
			}
			if v := d.Verdicts; v.SPF != "pass" || v.DMARC != "pass" || !slices.Equal(dkimResults(v), []string{want}) {
				t.Errorf("verdicts %+v (normalized %v)", v, d.Normalized)
			}
			if d.From != "Shop <news@shop.example>" || d.Subject != "Your order" {
				t.Errorf("from %q subject %q", d.From, d.Subject)
			}
			if rd := secs["message.receiver"].Data.(*ReceiverData); rd.AuthServID != "mx.receiver.example" {
				t.Errorf("receiver %q", rd.AuthServID)
			}
		})
	}
}

// A message whose body is empty (or only CRLF) looks like a header section
// alone; when its signature's body hash matches, it is a whole message.
func TestEmptyBodyIsNotHeadersOnly(t *testing.T) {
	env := world(t)
	for _, body := range []string{"", "\r\n\r\n"} {
		msg := strings.Replace(original(""), "Hello,\r\nyour parcel is on its way.\r\n", body, 1)
		raw := received("mail.shop.example", "192.0.2.10", "mx.receiver.example", "ESMTPS", sent().Add(time.Minute)) + "Return-Path: <bounce@shop.example>\r\n" + signDKIM(t, msg)
		secs := run(t, env, raw, Options{})
		d := secs["message"].Data.(*Data)
		if d.HeadersOnly || slices.Contains(ids(secs["message"]), HeadersOnly.ID) || !slices.Equal(dkimResults(d.Verdicts), []string{"shop.example/s1=pass"}) {
			t.Errorf("body %q: headers only %v, findings %v, verdicts %+v", body, d.HeadersOnly, ids(secs["message"]), d.Verdicts)
		}
	}
}

// Microsoft 365 as Outlook's "View message details" shows it: internal
// hops from public IPv6 addresses above the one from the sender, an
// Authentication-Results field without authserv-id.
func TestMicrosoft365InternalHops(t *testing.T) {
	env := world(t)
	d := func(s int) string { return rfc5322(sent().Add(time.Duration(s) * time.Second)) }
	raw := "Received: from DB9PR04MB5678.eurprd04.prod.outlook.com (2603:10a6:10:2c3::8)\r\n by AS8PR04MB1111.eurprd04.prod.outlook.com with HTTPS; " + d(5) + "\r\n" +
		"Received: from AM6PR04CA0001.eurprd04.prod.outlook.com (2603:10a6:20b:1::14)\r\n by DB9PR04MB5678.eurprd04.prod.outlook.com (2603:10a6:10:2c3::8) with Microsoft SMTP\r\n Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n 15.20.8207.18; " + d(4) + "\r\n" +
		"Authentication-Results: spf=pass (sender IP is 192.0.2.10)\r\n smtp.mailfrom=shop.example; dkim=pass (signature was verified)\r\n header.d=shop.example;dmarc=pass action=none\r\n header.from=shop.example;compauth=pass reason=100\r\n" +
		"Received-SPF: Pass (protection.outlook.com: domain of shop.example designates\r\n 192.0.2.10 as permitted sender) receiver=protection.outlook.com;\r\n client-ip=192.0.2.10; helo=mail.shop.example; pr=C\r\n" +
		"Received: from mail.shop.example (192.0.2.10) by\r\n AM4PEPF00027A5F.mail.protection.outlook.com (10.167.16.1) with Microsoft SMTP\r\n Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.8207.12 via\r\n Frontend Transport; " + d(3) + "\r\n" +
		"Return-Path: bounce@shop.example\r\n" + signDKIM(t, original(""))
	secs := run(t, env, raw, Options{})
	dd := secs["message"].Data.(*Data)
	if dd.Boundary.IP != "192.0.2.10" || dd.Boundary.Hop != 3 || dd.Boundary.Receiver != "outlook.com" {
		t.Errorf("boundary %+v", dd.Boundary)
	}
	if v := dd.Verdicts; v.SPF != "pass" || v.DMARC != "pass" || len(dd.Differences) != 0 {
		t.Errorf("verdicts %+v differences %+v", v, dd.Differences)
	}
}

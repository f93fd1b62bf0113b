package message

import (
	"testing"
	"time"
)

func TestParseReceived(t *testing.T) {
	tests := []struct {
		name, in                         string
		from, rdns, ip, by, with, id, fo string
		tls                              *bool
		date                             string
	}{
		{"Postfix", "from mail.shop.example (mail.shop.example [192.0.2.10])\r\n\tby mx.receiver.example (Postfix) with ESMTPS id 4NXq2 for <c@receiver.example>;\r\n\tSun, 1 Nov 2026 12:00:02 +0000 (UTC)",
			"mail.shop.example", "mail.shop.example", "192.0.2.10", "mx.receiver.example", "ESMTPS", "4NXq2", "c@receiver.example", ptr(true), "2026-11-01T12:00:02Z"},
		{"Gmail", "from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])\r\n        by mx.google.com with SMTPS id a1sor;\r\n        Mon, 02 Nov 2026 01:02:03 -0800 (PST)",
			"mail-sor-f41.google.com", "mail-sor-f41.google.com", "209.85.220.41", "mx.google.com", "SMTPS", "a1sor", "", ptr(true), "2026-11-02T09:02:03Z"},
		{"Exim with helo and TLS comment", "from [198.51.100.3] (helo=laptop.local)\r\n\tby smtp.example.net with esmtpsa  (TLS1.3) tls TLS_AES_256_GCM_SHA384\r\n\t(Exim 4.96) (envelope-from <a@example.net>) id 1qX; Tue, 03 Nov 2026 10:00:00 +0100",
			"laptop.local", "", "198.51.100.3", "smtp.example.net", "esmtpsa", "1qX", "", ptr(true), "2026-11-03T09:00:00Z"},
		{"IPv6 literal, plain ESMTP", "from out.example.org (out.example.org [IPv6:2001:db8::25]) by in.example.net with ESMTP id Q; Wed, 4 Nov 2026 08:00:00 +0000",
			"out.example.org", "out.example.org", "2001:db8::25", "in.example.net", "ESMTP", "Q", "", ptr(false), "2026-11-04T08:00:00Z"},
		{"local, HTTP, no from", "by 10.157.14.6 with HTTP; Tue, 3 Jan 2017 12:22:54 -0800 (PST)",
			"", "", "", "10.157.14.6", "HTTP", "", "", nil, "2017-01-03T20:22:54Z"},
		{"Microsoft", "from AM0PR01MB1234.eurprd01.prod.exchangelabs.com (2603:10a6:208:1::1) by AM0PR01MB5678.eurprd01.prod.exchangelabs.com with HTTPS; Thu, 5 Nov 2026 07:00:00 +0000",
			"AM0PR01MB1234.eurprd01.prod.exchangelabs.com", "", "2603:10a6:208:1::1", "AM0PR01MB5678.eurprd01.prod.exchangelabs.com", "HTTPS", "", "", nil, "2026-11-05T07:00:00Z"},
		{"qmail", "from unknown (HELO mail.example.com) (198.51.100.9)\r\n  by mx.example.net with SMTP; 6 Nov 2026 10:00:00 -0000",
			"mail.example.com", "", "198.51.100.9", "mx.example.net", "SMTP", "", "", ptr(false), "2026-11-06T10:00:00Z"},
		{"garbage", "((( unbalanced ; not a date", "", "", "", "", "", "", "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := ParseReceived(1, tt.in)
			if h.From != tt.from || h.FromRDNS != tt.rdns || h.FromIP != tt.ip || h.By != tt.by || h.With != tt.with || h.ID != tt.id || h.For != tt.fo {
				t.Errorf("got from=%q rdns=%q ip=%q by=%q with=%q id=%q for=%q", h.From, h.FromRDNS, h.FromIP, h.By, h.With, h.ID, h.For)
			}
			if (h.TLS == nil) != (tt.tls == nil) || (h.TLS != nil && *h.TLS != *tt.tls) {
				t.Errorf("tls %v, want %v", h.TLS, tt.tls)
			}
			got := ""
			if h.Date != nil {
				got = h.Date.Format(time.RFC3339)
			}
			if got != tt.date {
				t.Errorf("date %q, want %q", got, tt.date)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// Properties: no panic, bounded work, and what is reported is well formed.
func FuzzParseReceived(f *testing.F) {
	for _, s := range []string{
		"from a (b [192.0.2.1]) by c with ESMTPS id d for <e@f>; Sun, 1 Nov 2026 12:00:02 +0000",
		"from [IPv6:2001:db8::1] by x; bad date", "(((", "from", "; ;;", "by (a (b) c) with",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h := ParseReceived(1, s)
		if len(h.Comments) > 16 {
			t.Fatalf("%d comments", len(h.Comments))
		}
		if h.Date != nil && h.Date.Location() != time.UTC {
			t.Fatal("date not UTC")
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"From: a@b.example\n\nbody", "X: y", "From a\nX: y\n", ": x\n",
		"On Mon, A wrote:\n> Received: from a by b; x\n> From: a@b.example\n>\n> body\n", "    Received: x\n      y\n    From: a\n",
		"Message ID\t<1@a>\nFrom:\tA <a@a.example>\nSPF:\tPASS with IP 192.0.2.1\nDownload original\n\nDelivered-To: x\nFrom: a\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			return
		}
		if len(m.Fields) == 0 {
			t.Fatal("no fields without an error")
		}
		ParsePath(m)
		parseResults(m)
	})
}

package bounce

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/conformance"
	"github.com/mailcheck/mailcheck/internal/i18n"
)

// postfixDSN builds a Postfix-style DSN for one recipient with the given
// reply, the original sent from shop.example through 198.51.100.7.
func postfixDSN(rcpt, status, reply string) string {
	return `From: MAILER-DAEMON@mx.shop.example (Mail Delivery System)
To: news@shop.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="X"

--X
Content-Type: text/plain

<` + rcpt + `>: host mx.remote.example[203.0.113.5] said: ` + reply + ` (in reply to RCPT TO command)

--X
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.shop.example

Final-Recipient: rfc822; ` + rcpt + `
Action: failed
Status: ` + status + `
Remote-MTA: dns; mx.remote.example
Diagnostic-Code: smtp; ` + reply + `

--X
Content-Type: text/rfc822-headers

Received: from mx.shop.example (mx.shop.example [198.51.100.7]) by mx.remote.example
From: Shop <news@shop.example>
To: ` + rcpt + `
Subject: Your order
Message-ID: <o1@shop.example>

--X--
`
}

// TestProviderCodes: the codes providers really send are explained, and
// the next step names the command built from the bounce's facts.
func TestProviderCodes(t *testing.T) {
	tests := []struct {
		name, status, reply    string
		reason, provider, code string
		command                string
	}{
		{"gmail 5.7.26", "5.7.26", "550-5.7.26 This mail is unauthenticated, which poses a security risk to the sender and Gmail users", "authfailure", "Gmail", "550 5.7.26", "mailcheck dmarc shop.example"},
		{"gmail 5.7.26 envelope", "5.7.26", "550-5.7.26 The MAIL FROM domain [bounce.mailer.example] has an SPF record with a hard fail policy (-all) but it fails to pass SPF checks with the ip: [198.51.100.7]", "authfailure", "Gmail", "550 5.7.26", "mailcheck spf bounce.mailer.example"},
		{"gmail 5.7.25", "5.7.25", "550-5.7.25 The IP address sending this message does not have a PTR record setup", "requireptr", "Gmail", "550 5.7.25", "mailcheck mx shop.example --ip 198.51.100.7"},
		{"gmail 4.7.28", "4.7.28", "421-4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address", "speeding", "Gmail", "421 4.7.28", "mailcheck dnsbl 198.51.100.7"},
		{"microsoft S3150", "5.7.1", "550 5.7.1 Unfortunately, messages from [198.51.100.7] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150)", "blocked", "Microsoft", "S3150", "mailcheck dnsbl 198.51.100.7"},
		{"microsoft S3140", "5.7.1", "550 5.7.1 Unfortunately, messages from [198.51.100.7] weren't sent. (S3140)", "blocked", "Microsoft", "S3140", "mailcheck dnsbl 198.51.100.7"},
		{"outlook 5.7.515", "5.7.515", "550 5.7.515 Access denied, sending domain shop.example does not meet the required authentication level", "authfailure", "Microsoft", "550 5.7.515", "mailcheck spf shop.example"},
		{"yahoo TSS04", "4.7.0", "421 4.7.0 [TSS04] Messages from 198.51.100.7 temporarily deferred due to unexpected volume or user complaints", "speeding", "Yahoo", "TSS04", "mailcheck dnsbl 198.51.100.7"},
		{"orange OFR_506", "5.2.0", "550 5.2.0 Mail rejete. Mail rejected. ofr_506 [506]", "spamdetected", "Orange", "OFR_506", "mailcheck dmarc shop.example"},
		{"orange OFR_416", "5.1.1", "550 5.1.1 Adresse d au moins un destinataire invalide. Invalid recipient. OFR_416 [416]", "userunknown", "Orange", "OFR_416", ""},
		{"orange OFR006_102", "4.0.0", "550 mwinf5c04 ME Adresse IP source bloquee pour incident de spam. Client host blocked for spamming issues. OFR006_102 Ref", "blocked", "Orange", "OFR006_102", "mailcheck dnsbl 198.51.100.7"},
		{"orange OFR004_104", "4.0.0", "421 mwinf5c10 ME Trop de connexions, veuillez verifier votre configuration. Too many connections, slow down. OFR004_104 [104]", "toomanyconn", "Orange", "OFR004_104", "mailcheck dnsbl 198.51.100.7"},
		{"la poste LPN007_517", "5.7.1", "550 5.7.1 Service refuse. Veuillez essayer plus tard. service refused, please try later. LPN007_517", "authfailure", "La Poste", "LPN007_517", "mailcheck dmarc shop.example"},
		{"la poste LPN007_405", "4.1.8", "450 4.1.8 <news@shop.example>: Sender address rejected: Emetteur invalide / Invalid Sender LPN007_405", "rejected", "La Poste", "LPN007_405", "mailcheck spf shop.example"},
		{"sfr SFR_IN_101", "4.7.1", "450 4.7.1 Service refused due to bad behavior - Too many spam messages SFR_IN_101", "blocked", "SFR", "SFR_IN_101", "mailcheck dnsbl 198.51.100.7"},
		{"sfr SFR_IN_105", "4.7.1", "450 4.7.1 Service refused due to bad behavior SFR_IN_105", "speeding", "SFR", "SFR_IN_105", "mailcheck dnsbl 198.51.100.7"},
		{"free spam detected", "5.0.0", "550 spam detected (mx1.free.fr)", "spamdetected", "Free", "550 spam detected", "mailcheck dmarc shop.example"},
		{"null MX", "5.1.10", "556 5.1.10 Recipient address has null MX", "notaccept", "", "", "mailcheck mx remote.example"},
		{"unknown user", "5.1.1", "550 5.1.1 <a@remote.example>: Recipient address rejected: User unknown in virtual mailbox table", "userunknown", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Analyze([]byte(postfixDSN("a@remote.example", tt.status, tt.reply)))
			if len(res.Recipients) != 1 {
				t.Fatalf("recipients: %+v", res.Recipients)
			}
			r := res.Recipients[0]
			if r.Reason != tt.reason || r.Provider != tt.provider || r.ProviderCode != tt.code {
				t.Errorf("reason %s, provider %q %q; want %s, %q %q", r.Reason, r.Provider, r.ProviderCode, tt.reason, tt.provider, tt.code)
			}
			var cmds []string
			for _, c := range r.Checks {
				cmds = append(cmds, i18n.For(i18n.English).Text(c.Command))
			}
			if tt.command != "" && !strings.Contains(strings.Join(cmds, ";"), tt.command) {
				t.Errorf("commands %q, want %q among them", cmds, tt.command)
			}
			if tt.command == "" && len(cmds) != 0 {
				t.Errorf("commands %q, want none", cmds)
			}
			if r.Explanation.Key == "" || r.NextStep.Key == "" {
				t.Errorf("no explanation or next step: %+v", r)
			}
		})
	}
}

// TestKinds: auto-replies, feedback reports and plain messages are told
// apart from bounces.
func TestKinds(t *testing.T) {
	tests := []struct {
		name, msg string
		kind      Kind
		reason    string
	}{
		{"RFC 3834 auto-reply", "From: Bob <bob@client.example>\nTo: news@shop.example\nSubject: Out of office\nAuto-Submitted: auto-replied\n\nI am away until Monday.\n", KindAutoReply, "vacation"},
		{"ARF report", "From: fbl@isp.example\nTo: abuse@shop.example\nSubject: FW: report\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report; boundary=\"f\"\n\n--f\nContent-Type: text/plain\n\nA complaint.\n--f\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: FBL/1.0\nVersion: 1\nSource-IP: 198.51.100.7\nOriginal-Rcpt-To: bob@isp.example\n\n--f--\n", KindFeedback, "feedback"},
		{"plain message", "From: a@shop.example\nTo: b@client.example\nSubject: hello\n\nSee you.\n", KindNone, ""},
		{"delay DSN", "From: MAILER-DAEMON@mx.shop.example\nSubject: Delayed Mail (still being retried)\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"d\"\n\n--d\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.shop.example\n\nFinal-Recipient: rfc822; b@client.example\nAction: delayed\nStatus: 4.4.1\nDiagnostic-Code: X-Postfix; connect to mx.client.example[203.0.113.9]:25: Connection timed out\nWill-Retry-Until: Fri, 1 Jan 2027 00:00:00 +0000\n\n--d--\n", KindBounce, "expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Analyze([]byte(tt.msg))
			if res.Kind != tt.kind {
				t.Fatalf("kind %s, want %s", res.Kind, tt.kind)
			}
			if tt.reason != "" && (len(res.Recipients) == 0 || res.Recipients[0].Reason != tt.reason) {
				t.Errorf("recipients %+v, want reason %s", res.Recipients, tt.reason)
			}
		})
	}
	res := Analyze([]byte(tt2delay))
	if r := res.Recipients[0]; r.Responsible != RespNobody || r.Bounce != Soft {
		t.Errorf("a delay: responsible %s, bounce %s; want nobody, soft", r.Responsible, r.Bounce)
	}
}

const tt2delay = "From: MAILER-DAEMON@mx.shop.example\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"d\"\n\n--d\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; b@client.example\nAction: delayed\nStatus: 4.4.1\n\n--d--\n"

// TestLineEndingsAndPasting: a corpus message read with CRLF line ends
// gives the same verdicts as with LF; its body alone (headers lost in a
// paste) still names the same first recipient for plain-text formats.
func TestLineEndingsAndPasting(t *testing.T) {
	names, err := filepath.Glob(filepath.Join(conformance.Path(t, "bounce", "messages"), "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	same, pasted, pastedSame := 0, 0, 0
	for i, n := range names {
		if raceEnabled && i%4 != 0 {
			continue // a quarter of the corpus under the race detector
		}
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		lf := Analyze(data)
		crlf := Analyze(bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n")))
		if verdicts(lf) != verdicts(crlf) {
			t.Errorf("%s: LF %s, CRLF %s", filepath.Base(n), verdicts(lf), verdicts(crlf))
		} else {
			same++
		}
		if lf.Format == "text" && len(lf.Recipients) > 0 {
			_, body, _ := readHeader(data)
			p := Analyze(body)
			pasted++
			if len(p.Recipients) > 0 && p.Recipients[0].Address == lf.Recipients[0].Address {
				pastedSame++
			}
		}
	}
	t.Logf("CRLF: %d messages give the same verdicts (of %d); pasted bodies: %d of %d plain-text bounces name the same first recipient", same, len(names), pastedSame, pasted)
	if pasted == 0 || pastedSame*10 < pasted*7 {
		t.Errorf("pasted bodies: only %d of %d keep their first recipient", pastedSame, pasted)
	}
}

func verdicts(r *Result) string {
	var b strings.Builder
	b.WriteString(string(r.Kind))
	for _, x := range r.Recipients {
		b.WriteString(" " + x.Address + "/" + x.Status + "/" + x.Reason)
	}
	return b.String()
}

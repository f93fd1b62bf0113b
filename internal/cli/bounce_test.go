package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/testclock"
)

// gmailBounce is a Postfix DSN for a message from shop.example that Gmail
// refused with 550 5.7.26, its dates taken from the suite clock.
func gmailBounce() string {
	date := testclock.Now().UTC().Format(time.RFC1123Z)
	return strings.ReplaceAll(`From: MAILER-DAEMON@mx1.shop.example (Mail Delivery System)
To: news@shop.example
Subject: Undelivered Mail Returned to Sender
Date: DATE
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain

This is the mail system at host mx1.shop.example.

<client@gmail.example>: host gmail-smtp-in.l.google.example[192.0.2.80] said:
    550-5.7.26 Unauthenticated email from shop.example is not accepted due to
    domain's DMARC policy. (in reply to end of DATA command)

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx1.shop.example
Arrival-Date: DATE

Final-Recipient: rfc822; client@gmail.example
Original-Recipient: rfc822;client@gmail.example
Action: failed
Status: 5.7.26
Remote-MTA: dns; gmail-smtp-in.l.google.example
Diagnostic-Code: smtp; 550-5.7.26 Unauthenticated email from shop.example is
    not accepted due to domain's DMARC policy.

--B1
Content-Type: text/rfc822-headers

Received: from web1.shop.example (web1.shop.example [198.51.100.25])
	by mx1.shop.example (Postfix) with ESMTP id 4ABC; DATE
From: Shop <news@shop.example>
To: client@gmail.example
Subject: Your order
Message-ID: <order-1@shop.example>

--B1--
`, "DATE", date)
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type bounceJSON struct {
	Sections []struct {
		Check    string `json:"check"`
		Status   string `json:"status"`
		Findings []struct {
			ID  string `json:"id"`
			Fix string `json:"fix"`
		} `json:"findings"`
		Data struct {
			Source     string `json:"source"`
			Kind       string `json:"kind"`
			Recipients []struct {
				Address     string `json:"address"`
				Action      string `json:"action"`
				Status      string `json:"status"`
				ReplyCode   string `json:"reply_code"`
				Reason      string `json:"reason"`
				Bounce      string `json:"bounce"`
				Responsible string `json:"responsible"`
				Diagnostic  string `json:"diagnostic"`
				RemoteMTA   string `json:"remote_mta"`
			} `json:"recipients"`
			Original *struct {
				From      string `json:"from"`
				MessageID string `json:"message_id"`
				SendingIP string `json:"sending_ip"`
			} `json:"original"`
		} `json:"data"`
	} `json:"sections"`
}

func decodeBounce(t *testing.T, out string) bounceJSON {
	t.Helper()
	var doc bounceJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return doc
}

func TestBounceJSON(t *testing.T) {
	p := writeFile(t, "ndr.eml", gmailBounce())
	r := run(t, "bounce", p, "--format", "json", "--fail-on", "none")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	doc := decodeBounce(t, r.stdout)
	if len(doc.Sections) != 1 || doc.Sections[0].Check != "bounce" {
		t.Fatalf("sections: %+v", doc.Sections)
	}
	s := doc.Sections[0]
	if len(s.Data.Recipients) != 1 {
		t.Fatalf("recipients: %+v", s.Data.Recipients)
	}
	rc := s.Data.Recipients[0]
	if rc.Address != "client@gmail.example" || rc.Action != "failed" || rc.Status != "5.7.26" || rc.ReplyCode != "550" ||
		rc.Reason != "authfailure" || rc.Bounce != "soft" || rc.Responsible != "sender" || rc.RemoteMTA != "gmail-smtp-in.l.google.example" || rc.Diagnostic == "" {
		t.Errorf("recipient: %+v", rc)
	}
	if s.Data.Original == nil || s.Data.Original.MessageID != "<order-1@shop.example>" || s.Data.Original.SendingIP != "198.51.100.25" {
		t.Errorf("original: %+v", s.Data.Original)
	}
	if len(s.Findings) != 1 || s.Findings[0].ID != "bounce.sender.auth" || !strings.Contains(s.Findings[0].Fix, "mailcheck dmarc shop.example") {
		t.Errorf("findings: %+v", s.Findings)
	}
}

func TestBounceFailOn(t *testing.T) {
	p := writeFile(t, "ndr.eml", gmailBounce())
	if r := run(t, "bounce", p, "--fail-on", "high"); r.code != ExitGateFailed {
		t.Errorf("--fail-on high: exit %d, want 1", r.code)
	}
	if r := run(t, "bounce", p); r.code != ExitOK {
		t.Errorf("default --fail-on critical: exit %d, want 0: %s", r.code, r.stderr)
	}
}

// TestBounceCheckZone: --check runs the suggested checks on --zone files
// and puts their sections after the bounce's.
func TestBounceCheckZone(t *testing.T) {
	p := writeFile(t, "ndr.eml", gmailBounce())
	r := run(t, "bounce", p, "--check", "--zone", demoZone, "--format", "json", "--fail-on", "none")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	doc := decodeBounce(t, r.stdout)
	var checks []string
	for _, s := range doc.Sections {
		checks = append(checks, s.Check)
	}
	if got := strings.Join(checks, ","); got != "bounce,dmarc,spf,dkim" {
		t.Errorf("sections %s, want bounce,dmarc,spf,dkim", got)
	}
}

func TestBounceNotAReport(t *testing.T) {
	msg := "From: a@shop.example\r\nTo: b@client.example\r\nSubject: hello\r\n\r\nSee you tomorrow.\r\n"
	r := run(t, "bounce", writeFile(t, "hello.eml", msg), "--format", "json")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	doc := decodeBounce(t, r.stdout)
	f := doc.Sections[0].Findings
	if len(f) != 1 || f[0].ID != "bounce.not_report" || !strings.Contains(f[0].Fix, "mailcheck message") {
		t.Errorf("findings: %+v", f)
	}
	if st := doc.Sections[0].Status; st != "skipped" {
		t.Errorf("status %q; a message that is no report was not judged, so it cannot pass: want skipped", st)
	}
}

func TestBounceStdinPasted(t *testing.T) {
	// What a support agent pastes: the body of a Postfix bounce, no header.
	pasted := "This is the mail system at host mx1.shop.example.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n<nobody@client.example>: host mx.client.example[203.0.113.9] said: 550 5.1.1\n    <nobody@client.example>: Recipient address rejected: User unknown in local\n    recipient table (in reply to RCPT TO command)\n"
	r := runWith(t, func(f *Factory, in *bytes.Buffer) { in.WriteString(pasted) }, "bounce", "-", "--format", "json")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	rc := decodeBounce(t, r.stdout).Sections[0].Data.Recipients
	if len(rc) != 1 || rc[0].Address != "nobody@client.example" || rc[0].Reason != "userunknown" || rc[0].Bounce != "hard" || rc[0].Status != "5.1.1" {
		t.Errorf("recipients: %+v", rc)
	}
}

func TestBounceMbox(t *testing.T) {
	b := gmailBounce()
	mbox := "From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n" + b + "\nFrom MAILER-DAEMON Thu Jan  1 00:00:01 2026\n" + b
	r := run(t, "bounce", writeFile(t, "b.mbox", mbox), "--format", "json", "--fail-on", "none")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	doc := decodeBounce(t, r.stdout)
	if len(doc.Sections) != 2 || !strings.HasSuffix(doc.Sections[1].Data.Source, ":2") {
		t.Fatalf("want 2 sections, the second from message 2: %+v", doc.Sections)
	}
}

func TestBounceUnreadable(t *testing.T) {
	r := run(t, "bounce", filepath.Join(t.TempDir(), "missing.eml"))
	if r.code != ExitBadInput || !strings.Contains(r.stderr, "missing.eml") {
		t.Errorf("exit %d, stderr %q: want 2 naming the file", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "goroutine") {
		t.Error("stack trace on stderr")
	}
	r = runWith(t, func(f *Factory, in *bytes.Buffer) { in.WriteString(" \n") }, "bounce", "-")
	if r.code != ExitBadInput || !strings.Contains(r.stderr, "empty") {
		t.Errorf("empty stdin: exit %d, stderr %q; want 2 saying it is empty", r.code, r.stderr)
	}
	// One good file and one too large: the report, then exit 2.
	good := writeFile(t, "ndr.eml", gmailBounce())
	big := writeFile(t, "big.eml", strings.Repeat("x", 4096))
	r = run(t, "bounce", good, big, "--max-size", "3000", "--format", "json", "--fail-on", "none")
	if r.code != ExitBadInput || !strings.Contains(r.stderr, "big.eml") {
		t.Errorf("exit %d, stderr %q: want 2 naming big.eml", r.code, r.stderr)
	}
	if doc := decodeBounce(t, r.stdout); len(doc.Sections) != 2 {
		t.Errorf("want both inputs reported, got %d sections", len(doc.Sections))
	}
}

func TestNewCmdBounce(t *testing.T) {
	got, err := captureOptions(t, newBounceCmd, []string{"a.eml", "-", "--check", "--max-size", "1000"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Paths, ",") != "a.eml,-" || !got.Check || got.Limits.MaxItemBytes != 1000 {
		t.Errorf("options: %+v", got)
	}
	if _, err := captureOptions(t, newBounceCmd, nil); err == nil {
		t.Error("no argument: want a usage error")
	}
	if _, err := captureOptions(t, newBounceCmd, []string{"a.eml", "--max-size", "0"}); err == nil {
		t.Error("--max-size 0: want an error")
	}
}

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

const messageZone = "../../testdata/zones/message-shop.zone"

// directMessage writes the shop's unsigned message, received from its own
// address a day before the suite's clock, and returns its path.
func directMessage(t *testing.T) string {
	t.Helper()
	sent := testclock.Now().Add(-24 * time.Hour)
	date := func(d time.Duration) string { return sent.Add(d).Format(time.RFC1123Z) }
	msg := "Return-Path: <bounce@shop.example>\n" +
		"Received: from mail.shop.example (mail.shop.example [192.0.2.10])\n\tby mx1.receiver.example (Postfix) with ESMTPS id 4711\n\tfor <c@receiver.example>; " + date(2*time.Second) + "\n" +
		"Authentication-Results: mx1.receiver.example; spf=pass smtp.mailfrom=bounce@shop.example;\n\tdkim=none; dmarc=pass header.from=shop.example\n" +
		"From: Shop <news@shop.example>\nTo: c@receiver.example\nSubject: Your order\nDate: " + date(0) + "\nMessage-ID: <1@shop.example>\n\nHello.\n"
	path := filepath.Join(t.TempDir(), "direct.eml")
	if err := os.WriteFile(path, []byte(msg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMessageCommand(t *testing.T) {
	r := run(t, "message", directMessage(t), "--zone", messageZone, "--format", "json")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s %s", r.code, r.stderr, r.stdout)
	}
	var rep struct {
		Command  string `json:"command"`
		Sections []struct {
			Check string          `json:"check"`
			Data  json.RawMessage `json:"data"`
		} `json:"sections"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	var checks []string
	var verdicts struct {
		Verdicts struct {
			SPF   string `json:"spf"`
			DKIM  []any  `json:"dkim"`
			DMARC string `json:"dmarc"`
			ARC   string `json:"arc"`
		} `json:"verdicts"`
		Differences []any `json:"differences"`
	}
	for _, s := range rep.Sections {
		checks = append(checks, s.Check)
		if s.Check == "message" {
			if err := json.Unmarshal(s.Data, &verdicts); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := strings.Join(checks, " "); got != "message message.path message.receiver message.spf message.dkim message.dmarc message.arc message.checklist" {
		t.Errorf("sections %s", got)
	}
	v := verdicts.Verdicts
	if v.SPF != "pass" || v.DMARC != "pass" || v.ARC != "none" || v.DKIM == nil || len(v.DKIM) != 0 || len(verdicts.Differences) != 0 {
		t.Errorf("verdicts %+v differences %v", v, verdicts.Differences)
	}
}

// --ip moves the client: SPF fails, DMARC fails (p=reject), and both
// differ from the receiver's record; the text output says why.
func TestMessageOverrides(t *testing.T) {
	r := run(t, "message", directMessage(t), "--zone", messageZone, "--ip", "203.0.113.5", "--fail-on", "high")
	if r.code != ExitGateFailed {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"message.spf.fail", "message.dmarc.fail", "message.recheck.differs", "203.0.113.5"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestMessageHeadersFromStdin(t *testing.T) {
	b, err := os.ReadFile(directMessage(t))
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(b), "\n\n")
	r := runWith(t, func(f *Factory, in *bytes.Buffer) { in.WriteString(head + "\n") }, "message", "-", "--zone", messageZone, "--format", "json")
	if r.code != ExitOK || !strings.Contains(r.stdout, `"headers_only": true`) || !strings.Contains(r.stdout, "message.input.headers_only") {
		t.Errorf("exit %d: %s", r.code, r.stdout)
	}
}

func TestMessageBadInput(t *testing.T) {
	dir := t.TempDir()
	notMail := dir + "/x.txt"
	if err := os.WriteFile(notMail, []byte("hello world\nthis is not mail\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"message", notMail},
		{"message", dir},
		{"message", dir + "/missing.eml"},
		{"message", directMessage(t), "--ip", "nope"},
		{"message", directMessage(t), "--at", "yesterday"},
		{"message", directMessage(t), "--sender", "a@-bad-"},
		{"message"},
	} {
		r := run(t, append(args, "--zone", messageZone)...)
		if r.code != ExitBadInput || strings.Contains(r.stderr, "goroutine") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 2 {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

func TestMessageOptions(t *testing.T) {
	o, err := captureOptions(t, newMessageCmd, []string{"m.eml", "--receiver", "Gmail.com", "--ip", "[2001:db8::1]", "--sender", "<>", "--helo", "h.example", "--at", "Sun, 1 Nov 2026 12:00:00 +0100"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Path != "m.eml" || o.Receiver.String() != "gmail.com" || o.IP != "2001:db8::1" || !o.SenderSet || o.Sender != "" || o.HELO != "h.example" ||
		!o.At.Equal(time.Date(2026, 11, 1, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("%+v", o)
	}
}

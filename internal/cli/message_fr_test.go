package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/catalog"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// troubledMessage is a message with most of what `mailcheck message` can
// say: bulk mail without List-Unsubscribe, two Date fields, a hop without
// TLS, an Authentication-Results field forged below the boundary, one of
// another authserv-id, and a Received-SPF field that cannot be read.
func troubledMessage(t *testing.T) string {
	t.Helper()
	sent := testclock.Now().Add(-24 * time.Hour)
	date := func(d time.Duration) string { return sent.Add(d).Format(time.RFC1123Z) }
	msg := "Return-Path: <bounce@shop.example>\n" +
		"Received-SPF: hello world\n" +
		"Authentication-Results: mx1.receiver.example; spf=pass smtp.mailfrom=bounce@shop.example;\n\tdkim=none; dmarc=pass header.from=shop.example\n" +
		"Received: from mail.shop.example (mail.shop.example [192.0.2.10])\n\tby mx1.receiver.example (Postfix) with SMTP id 4711\n\tfor <c@receiver.example>; " + date(2*time.Second) + "\n" +
		"Authentication-Results: relay.example; spf=pass smtp.mailfrom=bounce@shop.example\n" +
		"Received: from app.shop.example (app.shop.example [198.51.100.7])\n\tby mail.shop.example (Postfix) with ESMTPS id 17\n\tfor <c@receiver.example>; " + date(time.Second) + "\n" +
		"Authentication-Results: mx1.receiver.example; dkim=pass header.d=shop.example; dmarc=pass\n" +
		"From: Shop <news@shop.example>\nTo: c@receiver.example\nSubject: Sale\nPrecedence: bulk\n" +
		"Date: " + date(0) + "\nDate: " + date(0) + "\nMessage-ID: <2@shop.example>\n\nHello.\n"
	path := filepath.Join(t.TempDir(), "troubled.eml")
	if err := os.WriteFile(path, []byte(msg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// headersOf writes the header section of the message at path alone.
func headersOf(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(b), "\n\n")
	out := filepath.Join(t.TempDir(), "headers.txt")
	if err := os.WriteFile(out, []byte(head+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// keyShown matches a catalog key of this command in output: a finding ID
// (shown on purpose) is looked up and allowed.
var keyShown = regexp.MustCompile(`\b(?:message|authres|hint)\.[a-z0-9_.-]*[a-z0-9_]`)

// `mailcheck message --lang fr` on the bundled samples says everything in
// French: no English sentence of the catalogs in the text or Markdown
// output (i18n.EnglishIn), no message key, nothing the localizer missed,
// and findings that match their declarations.
func TestMessageFrench(t *testing.T) {
	direct, troubled := directMessage(t), troubledMessage(t)
	runs := [][]string{
		{direct, "--zone", messageZone},
		{direct, "--zone", messageZone, "--ip", "203.0.113.5", "--sender", "<>", "--helo", "relay.example"},
		{troubled, "--zone", messageZone},
		{headersOf(t, troubled), "--zone", messageZone},
		{headersOf(t, direct), "--zone", messageZone, "--receiver", "receiver.example"},
	}
	samples, _ := filepath.Glob("../../testdata/messages/*.eml")
	if len(samples) == 0 {
		t.Fatal("no bundled messages")
	}
	for _, s := range samples {
		runs = append(runs, []string{s, "--zone", "../../testdata/zones/dkim-dkimpy.zone"})
	}
	for _, args := range runs {
		for _, format := range []string{"text", "markdown"} {
			r := run(t, append(append([]string{"message"}, args...), "--lang", "fr", "--format", format)...)
			if r.code == ExitBadInput || r.stdout == "" {
				t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
			}
			for _, e := range i18n.EnglishIn(r.stdout) {
				t.Errorf("%v (%s): English %q in:\n%s", args, format, e, r.stdout)
			}
			for _, k := range keyShown.FindAllString(r.stdout, -1) {
				if _, isID := catalog.Lookup(k); !isID {
					t.Errorf("%v (%s): message key %s shown", args, format, k)
				}
			}
		}
		r := run(t, append(append([]string{"message"}, args...), "--lang", "fr", "--format", "json")...)
		var rep report.Report
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if rep.Lang != "fr" {
			t.Errorf("%v: lang %q", args, rep.Lang)
		}
		if p := catalog.Validate(&rep); len(p) > 0 {
			t.Errorf("%v: %v", args, p)
		}
	}
	for _, k := range i18n.For(i18n.French).Missing() {
		t.Errorf("French catalog lacks %s", k)
	}
}

// Bad input gets its one line in French too.
func TestMessageBadInputFrench(t *testing.T) {
	dir := t.TempDir()
	notMail := filepath.Join(dir, "x.txt")
	if err := os.WriteFile(notMail, []byte("hello world\nthis is not mail\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	direct := directMessage(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{notMail}, "n'est pas un champ d'en-tête"},
		{[]string{dir}, "est un répertoire"},
		{[]string{filepath.Join(dir, "missing.eml")}, "fichier introuvable"},
		{[]string{direct, "--ip", "nope"}, "n'est pas une adresse IPv4 ou IPv6"},
		{[]string{direct, "--at", "yesterday"}, "n'est pas une date"},
		{[]string{direct, "--sender", "a@-bad-"}, "doit être un nom de domaine"},
		{[]string{direct, "--helo", "-bad-"}, "n'est pas un nom d'hôte"},
	} {
		r := run(t, append(append([]string{"message"}, c.args...), "--zone", messageZone, "--lang", "fr")...)
		if r.code != ExitBadInput || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 2 {
			t.Errorf("%v: exit %d, stderr %q", c.args, r.code, r.stderr)
		}
		if e := i18n.EnglishIn(r.stderr); len(e) > 0 {
			t.Errorf("%v: English %q in %q", c.args, e, r.stderr)
		}
		if k := keyShown.FindString(r.stderr); k != "" {
			t.Errorf("%v: key %s in %q", c.args, k, r.stderr)
		}
	}
}

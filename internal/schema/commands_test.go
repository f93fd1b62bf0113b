package schema

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/conformance"
	"github.com/mailcheck/mailcheck/internal/testclock"
)

// qaZones are zones written apart from testdata/zones, each with several
// problems at once (internal/schema/testdata/qa): parked domains (right,
// with a leftover MX, forced with --parked), a DMARC record and an SPF
// record with every problem, IDN names, records near and over the size
// limits.
func qaZones(t *testing.T) map[string]string {
	t.Helper()
	zones, _ := filepath.Glob("testdata/qa/*.zone")
	if len(zones) == 0 {
		t.Fatal("no zone in testdata/qa")
	}
	out := map[string]string{}
	for _, z := range zones {
		out[z] = zoneApex(t, z)
	}
	return out
}

// TestEveryCommandOnQAZones: every DNS command's --format json and every
// --format jsonl line on every QA zone validate against the command's
// published schema; mailcheck domain with --parked and with --details too.
func TestEveryCommandOnQAZones(t *testing.T) {
	for z, apex := range qaZones(t) {
		for _, command := range []string{"domain", "spf", "dkim", "dmarc", "mx", "dnsbl"} {
			s := compile(t, command)
			args := []string{command, apex, "--zone", z}
			what := command + " " + apex
			validate(t, s, what+" json", mailcheck(t, append(args, "--format", "json")...))
			validateLines(t, command, what+" jsonl", mailcheck(t, append(args, "--format", "jsonl")...))
		}
		validate(t, compile(t, "domain"), "domain --parked "+apex,
			mailcheck(t, "domain", apex, "--zone", z, "--parked", "--format", "json"))
	}
}

// validateLines checks each jsonl line as one report of the command.
func validateLines(t *testing.T, command, what string, out []byte) {
	t.Helper()
	s := compile(t, command)
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 16<<20)
	n := 0
	for sc.Scan() {
		line := sc.Bytes()
		if Commands[command].Many {
			line = append(append([]byte("["), line...), ']')
		}
		validate(t, s, what, line)
		n++
	}
	if n == 0 {
		t.Errorf("%s: no line", what)
	}
}

// TestDomainFileMatchesSchema: mailcheck domain --file over every QA zone
// at once writes one array (json) or one line per domain (jsonl), the
// shape docs/json.md documents for many domains.
func TestDomainFileMatchesSchema(t *testing.T) {
	var list, zoneArgs []string
	for z, apex := range qaZones(t) {
		list = append(list, apex)
		zoneArgs = append(zoneArgs, "--zone", z)
	}
	file := filepath.Join(t.TempDir(), "domains.txt")
	if err := os.WriteFile(file, []byte(strings.Join(list, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"domain", "--file", file, "--no-probe"}, zoneArgs...)
	validate(t, compile(t, "domain"), "domain --file json", mailcheck(t, append(args, "--format", "json")...))
	out := mailcheck(t, append(args, "--format", "jsonl")...)
	validateLines(t, "domain", "domain --file jsonl", out)
	if got := bytes.Count(out, []byte("\n")); got != len(list) {
		t.Errorf("domain --file jsonl: %d lines for %d domains", got, len(list))
	}
}

// TestReportsMessagePortsMatchSchema: the commands that read files (reports,
// message, bounce) or
// probe from this machine, on the public samples and offline.
func TestFileAndPortsCommandsMatchSchema(t *testing.T) {
	reportsDir := filepath.Join(conformance.Dir(t), "dmarc-reports", "reports")
	s := compile(t, "reports")
	validate(t, s, "reports json", mailcheck(t, "reports", reportsDir, "--no-dns", "--format", "json"))
	validateLines(t, "reports", "reports jsonl", mailcheck(t, "reports", reportsDir, "--no-dns", "--format", "jsonl"))

	msgs, _ := filepath.Glob("../../testdata/messages/*.eml")
	msgs = append(msgs, directMessage(t))
	ms := compile(t, "message")
	for _, m := range msgs {
		validate(t, ms, "message "+filepath.Base(m), mailcheck(t, "message", m, "--zone", "../../testdata/zones/message-shop.zone", "--format", "json"))
	}
	validateLines(t, "message", "message jsonl", mailcheck(t, "message", msgs[len(msgs)-1], "--zone", "../../testdata/zones/message-shop.zone", "--format", "jsonl"))

	bounces := filepath.Join(conformance.Dir(t), "bounce", "messages")
	bs := compile(t, "bounce")
	validate(t, bs, "bounce json", mailcheck(t, "bounce", bounces, "--format", "json"))
	validateLines(t, "bounce", "bounce jsonl", mailcheck(t, "bounce", bounces, "--format", "jsonl"))

	ps := compile(t, "ports")
	for _, args := range [][]string{
		{"ports", "mx1.shop.example", "--zone", demoZone},
		{"ports", "--domain", "shop.example", "--zone", demoZone},
	} {
		validate(t, ps, strings.Join(args, " "), mailcheck(t, append(args, "--format", "json")...))
		validateLines(t, "ports", strings.Join(args, " ")+" jsonl", mailcheck(t, append(args, "--format", "jsonl")...))
	}
}

// directMessage writes a message through shop.example, dated by the suite clock.
func directMessage(t *testing.T) string {
	t.Helper()
	sent := testclock.Now().Add(-24 * time.Hour)
	msg := "Return-Path: <bounce@shop.example>\n" +
		"Received: from mail.shop.example (mail.shop.example [192.0.2.10])\n\tby mx1.receiver.example (Postfix) with ESMTPS id 4711\n\tfor <c@receiver.example>; " + sent.Add(2*time.Second).Format(time.RFC1123Z) + "\n" +
		"Authentication-Results: mx1.receiver.example; spf=pass smtp.mailfrom=bounce@shop.example;\n\tdkim=none; dmarc=pass header.from=shop.example\n" +
		"From: Shop <news@shop.example>\nTo: c@receiver.example\nSubject: Your order\nDate: " + sent.Format(time.RFC1123Z) + "\nMessage-ID: <1@shop.example>\n\nHello.\n"
	path := filepath.Join(t.TempDir(), "direct.eml")
	if err := os.WriteFile(path, []byte(msg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

package bounce

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mailcheck/mailcheck/internal/conformance"
	"github.com/mailcheck/mailcheck/internal/i18n"
)

// seedCorpus adds a spread of the corpus messages (one per format family)
// and hand-made damaged inputs as fuzz seeds.
func seedCorpus(f *testing.F) {
	dir := conformance.Path(f, "bounce", "messages")
	names, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil || len(names) == 0 {
		f.Fatalf("no corpus messages in %s: %v", dir, err)
	}
	seen := map[string]bool{}
	for _, n := range names {
		family := strings.TrimRight(strings.TrimSuffix(filepath.Base(n), ".eml"), "0123456789-")
		if seen[family] {
			continue
		}
		seen[family] = true
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2]) // truncated mid-message
	}
	for _, s := range []string{
		"", "\n\n\n", "From: x\n", "Content-Type: multipart/report; boundary=\"a\"\n\n--a\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; a@b.example\nStatus: 5.1.1\n",
		"Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=a\n\n--a\n",
		"Content-Type: message/rfc822\n\nContent-Type: message/rfc822\n\nContent-Type: message/rfc822\n\n",
		"Content-Transfer-Encoding: base64\n\n!!!!====",
		"<a@b.example>: host x[1.2.3.4] said: 550 5.1.1 unknown\n",
		`{"notificationType":"Bounce","bounce":{"bouncedRecipients":[{"emailAddress":"a@b.example","status":"5.1.1"}]}}`,
	} {
		f.Add([]byte(s))
	}
}

// checkResult asserts what every Result must satisfy whatever the input.
func checkResult(t *testing.T, res *Result) {
	t.Helper()
	if res == nil || res.Recipients == nil {
		t.Fatal("nil result or recipients")
	}
	if res.Kind == KindNone && len(res.Recipients) != 0 {
		t.Fatalf("kind none with %d recipients", len(res.Recipients))
	}
	for _, r := range res.Recipients {
		en := i18n.For(i18n.English)
		for _, s := range []string{r.Address, r.Diagnostic, r.Status, r.Reason, r.RemoteMTA, en.Text(r.Explanation), en.Text(r.NextStep)} {
			if !utf8.ValidString(s) || strings.ContainsAny(s, "\r\n") {
				t.Fatalf("field not one line of valid UTF-8: %q", s)
			}
		}
		if r.Reason == "" || (r.Bounce != Hard && r.Bounce != Soft && r.Bounce != None) || r.Responsible == "" {
			t.Fatalf("unclassified recipient: %+v", r)
		}
		if !slices.Contains(reasons, r.Reason) {
			t.Fatalf("reason %q outside the vocabulary", r.Reason)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res); err != nil || bytes.Contains(buf.Bytes(), []byte(`\u00`)) || bytes.Contains(buf.Bytes(), []byte(`\u2028`)) {
		t.Fatalf("a control character escaped the package (or %v): %s", err, buf.Bytes())
	}
	sec := Section("fuzz", res)
	if len(sec.Findings) == 0 {
		t.Fatal("a section without findings")
	}
}

// FuzzAnalyze: any bytes give a classified result, never a panic.
func FuzzAnalyze(f *testing.F) {
	seedCorpus(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		checkResult(t, Analyze(data))
	})
}

// FuzzMIME: the MIME walk stays within its part and depth bounds.
func FuzzMIME(f *testing.F) {
	seedCorpus(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		w := &walker{}
		e := w.parseEntity(data, 0)
		if w.parts > maxParts+maxDepth+1 {
			t.Fatalf("%d parts, bound %d", w.parts, maxParts)
		}
		var depth func(*entity, int) int
		depth = func(e *entity, d int) int {
			m := d
			for _, c := range e.parts {
				m = max(m, depth(c, d+1))
			}
			return m
		}
		if d := depth(e, 0); d > maxDepth+1 {
			t.Fatalf("depth %d, bound %d", d, maxDepth)
		}
	})
}

// FuzzDSN: the RFC 3464 field reader keeps only recipients with an address.
func FuzzDSN(f *testing.F) {
	f.Add("Reporting-MTA: dns; a.example\n\nFinal-Recipient: rfc822; a@b.example\nAction: failed\nStatus: 5.1.1\n")
	f.Add("Original-Recipient: rfc822;x@y.example\nFinal-Recipient: rfc822; x@y.example\nAction: delayed\nStatus: 4.4.7\nDiagnostic-Code: smtp; 451\n  folded\n")
	f.Add("Action: failed\nStatus: 5.0.0\n\nFinal-Recipient: ;\n")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<16 {
			return
		}
		_, recs := parseDSN(s)
		for _, r := range recs {
			if r.Address == "" {
				t.Fatalf("recipient without an address: %+v", r)
			}
		}
	})
}

// FuzzText: the plain-text recipient finder returns distinct addresses.
func FuzzText(f *testing.F) {
	f.Add("<a@b.example>: host x said: 550 no\n")
	f.Add("  a@b.example\n    SMTP error from remote mail server after RCPT TO:<a@b.example>:\n    550 unknown\n")
	f.Add("550 5.1.1 <a@b.example>... User unknown\n<a@b.example>... again\n")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<16 {
			return
		}
		seen := map[string]bool{}
		for _, b := range textRecipients(s, nil) {
			if seen[b.addr] || !strings.Contains(b.addr, "@") {
				t.Fatalf("bad or repeated address %q", b.addr)
			}
			seen[b.addr] = true
		}
	})
}

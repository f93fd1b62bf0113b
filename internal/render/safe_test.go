package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/muesli/termenv"
)

func TestSafeString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"v=DMARC1; p=reject", "v=DMARC1; p=reject"},
		{"münchen.example ✓", "münchen.example ✓"},
		{"\x1b[2J\x1b[H", `\x1b[2J\x1b[H`},
		{"a\rb\nc\td", `a\x0db\x0ac\x09d`},
		{"nul\x00del\x7f", `nul\x00del\x7f`},
		{"c1 \u009b2J", `c1 \x9b2J`}, // CSI as one C1 character
		{"bidi \u202egnp.exe", `bidi \u202egnp.exe`},
		{"isolate \u2066x\u2069", `isolate \u2066x\u2069`},
		{"zero\u200bwidth\ufeff", `zero\u200bwidth\ufeff`},
		{"line\u2028sep", `line\u2028sep`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
	}
	for _, tt := range tests {
		if got := SafeString(tt.in); got != tt.want {
			t.Errorf("SafeString(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := safeString("a\nb\x1b", true); got != "a\nb\\x1b" {
		t.Errorf("keepNewlines: %q", got)
	}
}

// hostile is a report in which every string a check can fill carries a
// terminal escape, a line forgery or a bidi override.
func hostile() *report.Report {
	evil := "\x1b[2J\x1b[1A\r✓ DMARC · pass\u202e\u009b"
	rep := sample()
	rep.Target = "shop.example" + evil
	rep.Score = &report.Score{Value: 50, Grade: "D", Cap: &report.Cap{Limit: 50, Reason: report.Lit("cap" + evil)}}
	rep.TopFixes = []report.TopFix{{Check: "dmarc", ID: "dmarc.policy.none", Title: report.Lit("t" + evil), Fix: report.Lit("f" + evil)}}
	rep.Readiness = []report.Readiness{{Requirement: report.Lit("r" + evil), Applies: report.Lit("all senders"), Status: "fail", Detail: report.Lit("d" + evil)}}
	s := &rep.Sections[0]
	s.Target = "mail.shop.example" + evil
	s.Summary = report.Lit(s.Summary.String() + evil)
	s.Display.Facts[0].Value = report.Lit(s.Display.Facts[0].Value.String() + evil)
	s.Display.Tables[0].Rows[0][0] = report.Lit(s.Display.Tables[0].Rows[0][0].String() + evil)
	s.Display.Trees[0].Children[0].Label = report.Lit(s.Display.Trees[0].Children[0].Label.String() + evil)
	s.Display.Trees[0].Children[0].Note = report.Lit(s.Display.Trees[0].Children[0].Note.String() + evil)
	s.Findings[0].Detail += evil
	s.Findings[0].Fix += evil
	s.Findings[0].Record.Value += evil
	rep.Environment = []report.Section{{Check: "outbound", Title: "Outbound SMTP", Status: report.StatusPass, Summary: report.Lit("banner" + evil),
		Findings: []report.Finding{{ID: "x.y", Severity: report.Info, Title: "t", Detail: "220 mx" + evil}}}}
	return rep
}

// assertTerminalSafe fails on any byte or character that acts on a
// terminal: everything below space but the newline, DEL, C1, format
// characters.
func assertTerminalSafe(t *testing.T, name, out string) {
	t.Helper()
	for i, r := range out {
		if r == '\n' {
			continue
		}
		if unsafeRune(r) || r == '\uFFFD' {
			t.Errorf("%s: unsafe %U at byte %d: %q", name, r, i, out[max(0, i-20):min(len(out), i+20)])
			return
		}
	}
	if !strings.Contains(out, `\x1b[2J`) {
		t.Errorf("%s: the escape is not shown escaped:\n%s", name, out)
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimLeft(l, " "), "✓ DMARC · pass") {
			t.Errorf("%s: a forged line: %q", name, l)
		}
	}
}

func TestRenderersEscapeNetworkText(t *testing.T) {
	rep := hostile()
	for _, profile := range []termenv.Profile{termenv.Ascii, termenv.TrueColor} {
		var b bytes.Buffer
		if err := Text(&b, rep, TextOptions{Width: 100, Profile: profile}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if profile == termenv.TrueColor {
			// Our own styling is the only escape allowed: strip SGR
			// sequences (ESC [ digits ; m) and check what is left.
			out = stripSGR(out)
		}
		assertTerminalSafe(t, "text "+profile.Name(), out)
	}
	var md bytes.Buffer
	if err := Markdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	assertTerminalSafe(t, "markdown", md.String())

	// JSON stays exact, and the renderers left the report untouched.
	var js bytes.Buffer
	if err := JSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	var back report.Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Sections[0].Findings[0].Detail != hostile().Sections[0].Findings[0].Detail {
		t.Errorf("JSON changed the text: %q", back.Sections[0].Findings[0].Detail)
	}
	if rep.Target != hostile().Target || rep.Sections[0].Display.Trees[0].Children[0].Label.String() != hostile().Sections[0].Display.Trees[0].Children[0].Label.String() {
		t.Error("a renderer modified the caller's report")
	}
}

// stripSGR removes Select Graphic Rendition sequences, the only escapes
// lipgloss writes for colour and bold.
func stripSGR(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';') {
				j++
			}
			if j < len(s) && s[j] == 'm' {
				i = j
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestSafeReportKeepsEverythingElse(t *testing.T) {
	rep := sample()
	got := safeReport(rep)
	a, _ := json.Marshal(rep)
	b, _ := json.Marshal(got)
	if !bytes.Equal(a, b) {
		t.Errorf("a clean report changed:\n%s\n%s", a, b)
	}
	if got.Sections[0].Data == nil || !got.GeneratedAt.Equal(rep.GeneratedAt) {
		t.Error("data or time lost")
	}
	if got.Sections[1].Findings != nil {
		t.Error("a nil slice became non-nil")
	}
}

// A character reference in network text ("&#x2713;" renders as a check
// mark) must print as written in Markdown.
func TestMarkdownCharacterReferences(t *testing.T) {
	if got := mdText("&#x2713; pass &amp;"); got != "&amp;#x2713; pass &amp;amp;" {
		t.Errorf("mdText = %q", got)
	}
}

// BenchmarkSafeReport: the cost of the sanitized copy for a report of ten
// sections like sample()'s (go test -bench SafeReport ./internal/render).
func BenchmarkSafeReport(b *testing.B) {
	rep := sample()
	for range 4 {
		rep.Sections = append(rep.Sections, rep.Sections...)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = safeReport(rep)
	}
}

// A Fix keeps its lines, but in Markdown no line of it can start a heading,
// a list or a quote.
func TestMarkdownFixLinesStayInTheParagraph(t *testing.T) {
	rep := sample()
	rep.Sections[0].Findings[0].Fix = "Serve this file:\n# ✓ all good\n- item\n> quote\nversion: STSv1"
	var md bytes.Buffer
	if err := Markdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(l, "# ✓") || strings.HasPrefix(l, "- item") || strings.HasPrefix(l, "> quote") {
			t.Errorf("markup at the start of a line: %q", l)
		}
	}
	if !strings.Contains(md.String(), "\n    version: STSv1") {
		t.Errorf("the Fix lost its lines:\n%s", md.String())
	}
	var text bytes.Buffer
	if err := Text(&text, rep, TextOptions{Profile: termenv.Ascii}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "\n    version: STSv1\n") {
		t.Errorf("text lost the Fix's lines:\n%s", text.String())
	}
}

package render

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/golden"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/muesli/termenv"
)

// sample is a hand-built report that exercises every part of the layout:
// facts, a table, a tree, findings of each kind, a record to publish.
func sample() *report.Report {
	return &report.Report{
		SchemaVersion: report.SchemaVersion,
		Tool:          report.Tool{Name: "mailcheck", Version: "1.2.3"},
		Command:       "dmarc",
		Target:        "shop.example",
		GeneratedAt:   time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC),
		DNS:           &report.DNSStats{Resolver: "127.0.0.1:53", Lookups: 9, Distinct: 7, Queries: 7},
		Sections: []report.Section{
			{
				Check:   "dmarc",
				Title:   "DMARC",
				Target:  "shop.example",
				Status:  report.StatusWarn,
				Summary: report.Lit("Policy none at _dmarc.shop.example: receivers only monitor, spoofed mail is delivered."),
				Data:    map[string]any{"policy": "none"},
				Display: report.Display{
					Facts: []report.Fact{
						{Label: report.Lit("record"), Value: report.Lit("v=DMARC1; p=none; rua=mailto:dmarc@reports.example")},
						{Label: report.Lit("policy"), Value: report.Lit("none (p, at _dmarc.shop.example)")},
					},
					Tables: []report.Table{{
						Title:   report.Lit("Report destinations"),
						Columns: report.Lits("URI", "authorized", "MX"),
						Rows:    [][]report.Msg{report.Lits("mailto:dmarc@reports.example", "no", "yes")},
					}},
					Trees: []report.Node{{Label: report.Lit("shop.example"), Note: report.Lit("(1)"), Children: []report.Node{
						{Label: report.Lit("_spf.provider.example"), Note: report.Lit("(3)"), Children: []report.Node{{Label: report.Lit("a.provider.example")}}},
						{Label: report.Lit("mx"), Note: report.Lit("(1)")},
					}}},
				},
				Findings: []report.Finding{
					{
						ID: "dmarc.policy.none", Severity: report.Medium, Title: "Policy is none: monitoring only",
						Detail: "With p=none receivers deliver mail that fails DMARC as if there were no policy; anyone can send as shop.example. Gmail, Yahoo and Outlook accept it for bulk senders, but it protects nothing.",
						Fix:    "Once your aggregate reports show every legitimate sender passing, move to quarantine, then reject.",
						Record: &report.Record{Name: "_dmarc.shop.example", Type: "TXT", Value: `"v=DMARC1; p=quarantine; rua=mailto:dmarc@reports.example"`},
						Refs:   []string{"RFC 9989 §4.7"},
					},
					{ID: "dmarc.dns.error", Severity: report.Info, Inconclusive: true, Title: "Could not look up a report destination", Detail: "TXT shop.example._report._dmarc.reports.example.: SERVFAIL"},
					{ID: "dmarc.align.strict", Severity: report.Info, Title: "Strict DKIM alignment"},
				},
			},
			{Check: "other", Title: "Other", Status: report.StatusPass, Summary: report.Lit("Nothing to say."), Findings: nil},
		},
	}
}

func TestText(t *testing.T) {
	for _, tt := range []struct {
		name    string
		width   int
		profile termenv.Profile
	}{
		{"plain80", 80, termenv.Ascii},
		{"plain50", 50, termenv.Ascii},
		{"truecolor", 80, termenv.TrueColor},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Text(&b, sample(), TextOptions{Width: tt.width, Profile: tt.profile}); err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, b.Bytes())
			if tt.profile == termenv.Ascii && strings.Contains(b.String(), "\x1b[") {
				t.Error("escape codes in plain output")
			}
			if tt.profile == termenv.TrueColor && !strings.Contains(b.String(), "\x1b[") {
				t.Error("no escape codes in color output")
			}
			for i, l := range strings.Split(b.String(), "\n") {
				if w := len([]rune(l)); tt.profile == termenv.Ascii && w > tt.width && !strings.Contains(l, "IN TXT") && !strings.Contains(l, "v=DMARC1") {
					t.Errorf("line %d is %d columns, over %d: %q", i+1, w, tt.width, l)
				}
			}
		})
	}
}

func TestJSON(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, sample()); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, b.Bytes())
	if strings.Contains(b.String(), "\x1b") {
		t.Error("ANSI in JSON")
	}
	// The document decodes back into the model with no unknown field.
	dec := json.NewDecoder(&b)
	dec.DisallowUnknownFields()
	var back report.Report
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	if back.SchemaVersion != 1 || len(back.Sections) != 2 || back.Sections[1].Findings == nil {
		t.Errorf("round trip lost data: %+v", back)
	}
}

func TestMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, sample()); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, b.Bytes())
}

func TestWrap(t *testing.T) {
	got := wrap("aaa bbb ccc averyveryverylongword d", 8)
	want := []string{"aaa bbb", "ccc", "averyveryverylongword", "d"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrap = %q, want %q", got, want)
	}
}

func TestMarkdownEscapes(t *testing.T) {
	if got := mdCell("a|b*c_d"); got != `a\|b\*c\_d` {
		t.Errorf("mdCell = %q", got)
	}
	if got := mdCode("a`b"); got != "``a`b``" {
		t.Errorf("mdCode = %q", got)
	}
}

// TestThemeReadsOnAnyBackground: the theme uses only colors that terminal
// themes tune for their own background (the first eight ANSI colors) and
// faint, never black, white or bright black (30, 37, 90, 97: invisible on
// one theme or the other), nor a 256-color or 24-bit value a theme cannot
// adjust; and every status and severity has a glyph, so nothing is told
// by color alone.
func TestThemeReadsOnAnyBackground(t *testing.T) {
	for _, prof := range []termenv.Profile{termenv.ANSI, termenv.ANSI256, termenv.TrueColor} {
		var b bytes.Buffer
		rep := sample()
		if err := Text(&b, rep, TextOptions{Width: 80, Profile: prof, Details: true}); err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`\x1b\[([0-9;]*)m`).FindAllStringSubmatch(b.String(), -1) {
			for _, p := range strings.Split(m[1], ";") {
				switch p {
				case "", "0", "1", "2", "3", "31", "32", "33", "34", "35", "36":
				default:
					t.Errorf("profile %v: SGR parameter %q in %q", prof, p, m[0])
				}
			}
		}
	}
	for _, s := range []report.Status{report.StatusPass, report.StatusWarn, report.StatusFail, report.StatusUnknown, report.StatusSkipped} {
		if statusGlyph(s) == "" {
			t.Errorf("status %s has no glyph", s)
		}
	}
}

// A check line's summary is cut at a word, never inside a parenthesis or
// right after a semicolon.
func TestTruncateReadsWhole(t *testing.T) {
	for _, c := range []struct {
		in   string
		w    int
		want string
	}{
		{"Policy none for shop.example (p, at _dmarc.shop.example).", 36, "Policy none for shop.example…"},
		{"2 of 10 DNS-querying terms in the worst case; void lookups 0", 48, "2 of 10 DNS-querying terms in the worst case…"},
		{"2 MX host(s): mx1.shop.example, mx2.shop.example", 36, "2 MX host(s): mx1.shop.example,…"},
		{"short", 10, "short"},
		{"averyveryverylongword", 8, "averyve…"},
	} {
		if got := truncate(c.in, c.w); got != c.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
	}
}

package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/muesli/termenv"
)

// An IDN report: the header names the domain once, in Unicode with its
// A-label; no section header repeats the xn-- form.
func TestIDNHeaders(t *testing.T) {
	rep := &report.Report{Command: "domain", Target: "bücher.example", Sections: []report.Section{
		{Check: "dmarc", Title: "DMARC", Target: "bücher.example", Status: report.StatusPass},
		{Check: "spf", Title: "SPF", Target: "xn--bcher-kva.example", Status: report.StatusPass},
		{Check: "mx", Title: "MX", Target: "XN--BCHER-KVA.EXAMPLE.", Status: report.StatusPass},
		{Check: "rdns", Title: "Reverse DNS", Target: "mail.xn--mnchen-3ya.example", Status: report.StatusPass},
		{Check: "ports", Title: "Ports", Target: "192.0.2.1", Status: report.StatusPass},
	}}
	var text, md bytes.Buffer
	if err := Text(&text, rep, TextOptions{Profile: termenv.Ascii}); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	if !strings.HasPrefix(out, "mailcheck domain · bücher.example (xn--bcher-kva.example)\n") {
		t.Errorf("title:\n%s", out)
	}
	if strings.Count(out, "xn--bcher-kva") != 1 {
		t.Errorf("the A-label is repeated:\n%s", out)
	}
	for _, want := range []string{"✓ Reverse DNS · pass · mail.münchen.example", "· 192.0.2.1"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q:\n%s", want, out)
		}
	}
	if !strings.HasPrefix(md.String(), "# mailcheck domain: bücher.example (xn--bcher-kva.example)") || strings.Contains(md.String(), "xn--mnchen") {
		t.Errorf("markdown:\n%s", md.String())
	}
	if rep.Sections[1].Target != "xn--bcher-kva.example" {
		t.Error("the caller's report was changed")
	}
}

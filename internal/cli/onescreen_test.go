package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/mailcheck/mailcheck/internal/golden"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// TestDomainOneScreen: the default text report of mailcheck domain is one
// screen (about 40 lines at 80 columns), at 40, 80 and 120 columns every
// record to publish is on one line, whole, and no other line is wider than
// the screen; --details prints every finding.
func TestDomainOneScreen(t *testing.T) {
	args := []string{"domain", "shop.example", "--zone", demoZone}
	var reps []report.Report
	if err := json.Unmarshal([]byte(run(t, append(args, "--format", "json")...).stdout), &reps); err != nil || len(reps) != 1 {
		t.Fatalf("json: %v", err)
	}
	var records []string
	for _, f := range reps[0].TopFixes {
		if f.Record != nil {
			records = append(records, f.Record.String())
		}
		if f.Later != nil {
			records = append(records, f.Later.Record.String())
		}
	}
	if len(records) < 3 {
		t.Fatalf("the demo should have records to publish: %+v", reps[0].TopFixes)
	}
	for _, width := range []int{40, 80, 120} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			wide := func(f *Factory, _ *bytes.Buffer) { f.IO.SetWidth(width) }
			r := runWith(t, wide, args...)
			golden.Assert(t, []byte(r.stdout))
			lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
			if width == 80 && len(lines) > 45 {
				t.Errorf("%d lines at 80 columns, want about 40", len(lines))
			}
			for _, rec := range records {
				if !hasLine(lines, rec) {
					t.Errorf("record %q is not whole on one line", rec)
				}
			}
			for _, l := range lines {
				if lipgloss.Width(l) > width && !containsAny(l, records) {
					t.Errorf("line wider than %d and not a record: %q", width, l)
				}
			}
			// The default screen names no finding it does not show a fix for.
			if strings.Contains(r.stdout, "spf.all.softfail") {
				t.Error("the one screen lists every finding")
			}
			d := runWith(t, wide, append(args, "--details")...)
			for _, s := range reps[0].Sections {
				for _, f := range s.Findings {
					if !strings.Contains(d.stdout, f.ID) {
						t.Errorf("--details does not show %s", f.ID)
					}
					if f.Record != nil && !hasLine(strings.Split(d.stdout, "\n"), f.Record.String()) {
						t.Errorf("--details breaks the record of %s", f.ID)
					}
				}
			}
			if v := runWith(t, wide, append(args, "-v")...); v.stdout != d.stdout {
				t.Error("-v differs from --details")
			}
		})
	}
}

// TestDomainMarkdownDetails: the Markdown report is the summary, then the
// full report in a collapsible block.
func TestDomainMarkdownDetails(t *testing.T) {
	md := run(t, "domain", "shop.example", "--zone", demoZone, "--format", "markdown").stdout
	open, close := strings.Index(md, "<details>"), strings.Index(md, "</details>")
	fixes, table := strings.Index(md, "Fix first"), strings.Index(md, "| Check | Status |")
	if fixes < 0 || table < 0 || open < table || close < open || strings.Count(md, "<details>") != 1 {
		t.Fatalf("layout: fixes %d, table %d, details %d-%d", fixes, table, open, close)
	}
	if !strings.Contains(md[open:], "spf.all.softfail") || strings.Contains(md[:open], "spf.all.softfail") {
		t.Error("the findings without a top fix belong in the details only")
	}
	// GitHub renders Markdown inside <details> only after a blank line.
	if !strings.Contains(md, "</summary>\n\n") {
		t.Error("no blank line after <summary>")
	}
	// Other commands have no summary to fold.
	if strings.Contains(run(t, "dmarc", "shop.example", "--zone", demoZone, "--format", "markdown").stdout, "<details>") {
		t.Error("mailcheck dmarc folds its report")
	}
}

func hasLine(lines []string, s string) bool {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

func containsAny(l string, subs []string) bool {
	for _, s := range subs {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

func TestDomainParkedFlag(t *testing.T) {
	zone := "../../testdata/zones/parked-not-yet.zone"
	r := run(t, "domain", "retired.example", "--zone", zone, "--parked")
	if r.code != ExitOK || !strings.Contains(r.stdout, "retired.example. IN MX 0 .") {
		t.Errorf("--parked: exit %d\n%s", r.code, r.stdout)
	}
	if r := run(t, "domain", "retired.example", "--zone", zone); strings.Contains(r.stdout, "audit.parked") {
		t.Error("parked findings without --parked")
	}
}

// TestEveryFixThatNamesARecordHasOne: on every test zone, a finding whose
// fix says to publish "this record" carries the record.
func TestEveryFixThatNamesARecordHasOne(t *testing.T) {
	zones, _ := filepath.Glob("../../testdata/zones/*.zone")
	for _, z := range zones {
		data, err := os.ReadFile(z)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^\$ORIGIN\s+(\S+?)\.?\s*$`).FindSubmatch(data)
		if m == nil {
			continue
		}
		r := run(t, "domain", string(m[1]), "--zone", z, "--format", "json", "--fail-on", "none")
		var reps []report.Report
		if err := json.Unmarshal([]byte(r.stdout), &reps); err != nil {
			t.Fatalf("%s: %v", z, err)
		}
		for _, rep := range reps {
			for _, s := range append(rep.Sections, rep.Environment...) {
				for _, f := range s.Findings {
					if strings.Contains(strings.ToLower(f.Fix), "this record") && f.Record == nil {
						t.Errorf("%s: %s says %q without the record", filepath.Base(z), f.ID, f.Fix)
					}
				}
			}
		}
	}
}

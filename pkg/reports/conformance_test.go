package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/mailcheck/mailcheck/internal/conformance"
)

// expected is one entry of dmarc-reports/expected.json (see the suite's
// README): one per report found in a file.
type expected struct {
	Kind       string `json:"kind"`
	Org        string `json:"org"`
	ReportID   string `json:"report_id"`
	Domain     string `json:"domain"`
	P          string `json:"p"`
	Messages   *int64 `json:"messages"`
	DMARCPass  *int64 `json:"dmarc_pass"`
	Sources    *int   `json:"sources"`
	Successful *int64 `json:"successful"`
	Failed     *int64 `json:"failed"`
	Error      string `json:"error"`
}

// TestConformanceReports reads every file of the parsedmarc sample set and
// compares each report with the expected totals; a file expected to be
// unreadable must be named as such, with a reason.
func TestConformanceReports(t *testing.T) {
	dir := filepath.Join(conformance.Dir(t), "dmarc-reports")
	raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string][]expected
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	files, err := os.ReadDir(filepath.Join(dir, "reports"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Errorf("%d files, %d expected entries", len(files), len(want))
	}
	for _, f := range files {
		t.Run(f.Name(), func(t *testing.T) {
			exp, ok := want[f.Name()]
			if !ok {
				t.Fatal("no expected entry")
			}
			data, err := os.ReadFile(filepath.Join(dir, "reports", f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			c := NewCollector(Limits{})
			c.Add(f.Name(), data)
			got := c.Reports()
			var errs []Problem
			for _, p := range c.Problems() {
				if p.Status == "unreadable" {
					errs = append(errs, p)
				}
			}
			if exp[0].Kind == "error" {
				if len(got) != 0 || len(errs) != 1 || errs[0].Reason.IsZero() {
					t.Fatalf("want one unreadable file, got %d reports, problems %v", len(got), errs)
				}
				t.Logf("unreadable: %s", errs[0])
				return
			}
			if len(errs) != 0 {
				t.Errorf("problems: %v", errs)
			}
			if len(got) != len(exp) {
				t.Fatalf("%d reports, want %d", len(got), len(exp))
			}
			sort.Slice(exp, func(i, j int) bool { return exp[i].ReportID < exp[j].ReportID })
			for i, e := range exp {
				compare(t, got[i], e)
			}
		})
	}
}

func compare(t *testing.T, r *Report, e expected) {
	t.Helper()
	if string(r.Kind) != e.Kind {
		t.Errorf("kind %s, want %s", r.Kind, e.Kind)
	}
	if e.Org != "" && r.Org != e.Org {
		t.Errorf("org %q, want %q", r.Org, e.Org)
	}
	if e.ReportID != "" && r.ReportID != e.ReportID {
		t.Errorf("report_id %q, want %q", r.ReportID, e.ReportID)
	}
	if e.Domain != "" && r.Domain != e.Domain {
		t.Errorf("domain %q, want %q", r.Domain, e.Domain)
	}
	if e.P != "" && (r.Policy == nil || r.Policy.P != e.P) {
		t.Errorf("policy %+v, want p=%s", r.Policy, e.P)
	}
	eq := func(name string, got, want *int64) {
		if want != nil && (got == nil || *got != *want) {
			t.Errorf("%s %v, want %d", name, deref(got), *want)
		}
	}
	eq("messages", r.Messages, e.Messages)
	eq("dmarc_pass", r.DMARCPass, e.DMARCPass)
	eq("successful", r.Successful, e.Successful)
	eq("failed", r.Failed, e.Failed)
	if e.Sources != nil && (r.Sources == nil || *r.Sources != *e.Sources) {
		t.Errorf("sources %v, want %d", r.Sources, *e.Sources)
	}
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

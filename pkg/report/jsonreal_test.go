package report_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/audit"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// TestTypedJSONOnRealReports: the domain report of every origin of every
// test zone (the repository's, the schema tests' QA zones and the
// benchmark workload's), plain and parked, unworded and worded in each
// language, as the typed encoder and as encoding/json write it.
func TestTypedJSONOnRealReports(t *testing.T) {
	zones, _ := filepath.Glob("../../testdata/zones/*.zone")
	qa, _ := filepath.Glob("../../internal/schema/testdata/qa/*.zone")
	if len(zones) < 10 || len(qa) == 0 {
		t.Fatalf("test zones not found: %d, %d", len(zones), len(qa))
	}
	type run struct {
		files  []string
		apexes []string
	}
	var runs []run
	origin := regexp.MustCompile(`(?m)^\$ORIGIN\s+(\S+)`)
	for _, z := range append(zones, qa...) {
		text, err := os.ReadFile(z)
		if err != nil {
			t.Fatal(err)
		}
		// Each $ORIGIN's name (the domains the zone is about, and
		// their neighbours), or the file's name.
		names := []string{strings.TrimSuffix(filepath.Base(z), ".zone")}
		for _, m := range origin.FindAllSubmatch(text, -1) {
			names = append(names, string(m[1]))
		}
		runs = append(runs, run{[]string{z}, names})
	}
	bench, _ := filepath.Glob("../audit/testdata/bench/*.zone")
	runs = append(runs, run{bench, []string{"d0000.bench.example"}})
	n := 0
	for _, r := range runs {
		z, err := resolver.LoadZones(r.files...)
		if err != nil {
			t.Fatal(err)
		}
		for _, apex := range r.apexes {
			d, err := dnsname.Parse(strings.TrimSuffix(apex, "."))
			if err != nil {
				continue // a single label: no domain to check
			}
			for _, parked := range []bool{false, true} {
				for _, lang := range append([]i18n.Lang{""}, i18n.Langs...) {
					env := check.Env{Resolver: resolver.NewCache(z), Now: testclock.Func()}
					rep := audit.Run(context.Background(), env, d, audit.Options{ProbeReason: audit.ProbeOffline, Parked: parked})
					if len(rep.Sections) < 5 {
						t.Fatalf("%s: %d sections", apex, len(rep.Sections))
					}
					rep.Command, rep.Tool, rep.GeneratedAt = "domain", report.Tool{Name: "mailcheck", Version: "test"}, testclock.Now()
					rep.DNS = &report.DNSStats{Resolver: resolver.ZoneFiles, Lookups: 3}
					if lang != "" {
						i18n.For(lang).LocalizeData(rep)
						rep.Lang = string(lang)
					}
					sameJSON(t, apex+" "+string(lang), *rep)
					n++
				}
			}
		}
	}
	if n < 6*len(zones) {
		t.Errorf("only %d reports for %d zones", n, len(zones))
	}
}

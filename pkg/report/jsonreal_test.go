package report_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
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

// TestTypedJSONOnRealReports: the domain report of every test zone (the
// repository's, the schema tests' QA zones and the benchmark workload's),
// unworded and worded in each language, as the typed encoder and as
// encoding/json write it.
func TestTypedJSONOnRealReports(t *testing.T) {
	zones, _ := filepath.Glob("../../testdata/zones/*.zone")
	qa, _ := filepath.Glob("../../internal/schema/testdata/qa/*.zone")
	if len(zones) < 10 || len(qa) == 0 {
		t.Fatalf("test zones not found: %d, %d", len(zones), len(qa))
	}
	runs := map[string][]string{}
	for _, z := range append(zones, qa...) {
		runs[zoneApex(t, z)+" "+filepath.Base(z)] = []string{z}
	}
	bench, _ := filepath.Glob("../audit/testdata/bench/*.zone")
	runs["d0000.bench.example bench"] = bench
	for name, files := range runs {
		z, err := resolver.LoadZones(files...)
		if err != nil {
			t.Fatal(err)
		}
		apex, _, _ := strings.Cut(name, " ")
		d, err := dnsname.Parse(apex)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		env := check.Env{Resolver: resolver.NewCache(z), Now: testclock.Func()}
		for _, parked := range []bool{false, true} {
			rep := audit.Run(context.Background(), env, d, audit.Options{ProbeReason: audit.ProbeOffline, Parked: parked})
			if len(rep.Sections) < 5 {
				t.Fatalf("%s: %d sections", name, len(rep.Sections))
			}
			rep.Command, rep.Tool, rep.GeneratedAt = "domain", report.Tool{Name: "mailcheck", Version: "test"}, testclock.Now()
			rep.DNS = &report.DNSStats{Resolver: resolver.ZoneFiles, Lookups: 3}
			sameJSON(t, name+" unworded", *rep)
			for _, lang := range i18n.Langs {
				c := deepCopyValue(reflect.ValueOf(rep)).Interface().(*report.Report)
				i18n.For(lang).LocalizeData(c)
				c.Lang = string(lang)
				sameJSON(t, name+" "+string(lang), *c)
			}
		}
	}
}

// zoneApex reads the $ORIGIN of a zone file.
func zoneApex(t *testing.T, path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(?m)^\$ORIGIN\s+(\S+?)\.?\s*$`).FindSubmatch(data); m != nil {
		return string(m[1])
	}
	return strings.TrimSuffix(filepath.Base(path), ".zone")
}

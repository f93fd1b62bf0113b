package audit

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/internal/render"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// check.Env.NoDisplay leaves every section's Display empty and changes
// nothing JSON carries: each sample zone's report is the same JSON, in
// both languages, with and without it.
func TestNoDisplaySameJSON(t *testing.T) {
	zones, _ := filepath.Glob("../../testdata/zones/*.zone")
	zones = append(zones, "testdata/bench/bench.example.zone")
	if len(zones) < 20 {
		t.Fatalf("%d sample zones", len(zones))
	}
	displayed := 0
	for _, path := range zones {
		origin := zoneOrigin(t, path)
		if origin == "" {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			srv := dnstest.Start(t, dnstest.ZoneFile(path))
			d := dnsname.MustParse(origin)
			if strings.HasSuffix(path, "bench.example.zone") {
				d = dnsname.MustParse("d0000.bench.example")
			}
			run := func(noDisplay bool) *report.Report {
				env := check.Env{Resolver: resolver.NewCache(srv.Resolver(t)), Now: testclock.Func(), NoDisplay: noDisplay}
				rep := Run(context.Background(), env, d, Options{ProbeReason: ProbeDisabled})
				rep.GeneratedAt = testclock.Now()
				return rep
			}
			with, without := run(false), run(true)
			for _, s := range without.Sections {
				if s.Display.Facts != nil || s.Display.Tables != nil || s.Display.Trees != nil {
					t.Errorf("%s: a Display with NoDisplay", s.Check)
				}
			}
			for _, s := range with.Sections {
				if s.Display.Facts != nil || s.Display.Tables != nil || s.Display.Trees != nil {
					displayed++
				}
			}
			for _, lang := range i18n.Langs {
				a, b := with, without
				if lang != i18n.Langs[len(i18n.Langs)-1] {
					a, b = deepCopy(with), deepCopy(without)
				}
				i18n.For(lang).LocalizeData(a)
				i18n.For(lang).LocalizeData(b)
				var ja, jb bytes.Buffer
				if err := render.JSONLine(&ja, a); err != nil {
					t.Fatal(err)
				}
				if err := render.JSONLine(&jb, b); err != nil {
					t.Fatal(err)
				}
				if a, b := untimed(ja.Bytes()), untimed(jb.Bytes()); !bytes.Equal(a, b) {
					i := 0
					for i < min(len(a), len(b)) && a[i] == b[i] {
						i++
					}
					t.Errorf("%s: JSON differs with NoDisplay at byte %d:\n%s\n%s", lang, i, a[max(0, i-200):min(len(a), i+200)], b[max(0, i-200):min(len(b), i+200)])
				}
			}
		})
	}
	if displayed < 100 {
		t.Errorf("only %d sections had a Display without NoDisplay", displayed)
	}
}

var elapsed = regexp.MustCompile(`"elapsed_ms":[0-9]+`)

// untimed is a JSON line without its timings.
func untimed(b []byte) []byte { return elapsed.ReplaceAll(b, []byte(`"elapsed_ms":0`)) }

// zoneOrigin is the $ORIGIN of a zone file, without its dot.
func zoneOrigin(t *testing.T, path string) string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if o, ok := strings.CutPrefix(sc.Text(), "$ORIGIN "); ok {
			return strings.TrimSuffix(strings.TrimSpace(o), ".")
		}
	}
	return ""
}

package audit

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"sync"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/internal/render"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/mailcheck/mailcheck/pkg/score"
)

// The benchmarks below measure what a bulk run (issue 15: `domain --file
// --format jsonl`) spends on each report once its checks have answered:
// the score, fixes and readiness (finishing), the wording of the JSON
// (LocalizeData) and the JSON line itself, on the report of one domain of
// the generated workload (testdata/bench: `benchdomain gen -n 1`).

// benchReport is d0000.bench.example's report as Run returns it: scored and
// finished, not worded.
func benchReport(b *testing.B) *report.Report {
	b.Helper()
	rep := runBenchDomain(b)
	rep.Command, rep.Tool = "domain", report.Tool{Name: "mailcheck", Version: "bench"}
	rep.GeneratedAt = testclock.Now()
	if rep.Score == nil || len(rep.Sections) < 10 {
		b.Fatalf("unexpected bench report: %d sections, score %v", len(rep.Sections), rep.Score)
	}
	return rep
}

// runBenchDomain audits d0000.bench.example against its zones, served on
// loopback.
func runBenchDomain(t testing.TB) *report.Report {
	srv := dnstest.Start(t,
		dnstest.ZoneFile("testdata/bench/bench.example.zone"),
		dnstest.ZoneFile("testdata/bench/18.198.in-addr.arpa.zone"),
		dnstest.ZoneFile("testdata/bench/example.zone"),
		dnstest.ZoneFile("testdata/bench/dnsbl.zone"),
	)
	env := check.Env{Resolver: resolver.NewCache(srv.Resolver(t)), Now: testclock.Func()}
	return Run(context.Background(), env, dnsname.MustParse("d0000.bench.example"), Options{ProbeReason: ProbeDisabled})
}

// BenchmarkFinish: the score, the fixes and the readiness rows of a report
// (what Run does after its checks).
func BenchmarkFinish(b *testing.B) {
	rep := benchReport(b)
	b.ReportAllocs()
	for b.Loop() {
		r := report.Report{Target: rep.Target, Sections: rep.Sections}
		if s, ok := score.Compute(r.Sections); ok {
			r.Score = &s
		}
		finish(&r, false)
		r.Readiness = Readiness(r.Sections)
	}
}

// BenchmarkLocalizeData: the wording of a report for JSON, in English and
// in French. Each iteration words a fresh deep copy (made with the timer
// stopped, in batches).
func BenchmarkLocalizeData(b *testing.B) {
	rep := benchReport(b)
	for _, lang := range i18n.Langs {
		b.Run(string(lang), func(b *testing.B) {
			l := i18n.For(lang)
			checkCopy(b, l, rep) // and templates parsed, caches warm
			benchCopies(b, rep, func(r *report.Report) { l.LocalizeData(r) })
		})
	}
}

// BenchmarkJSONLine: one worded report as a JSON line.
func BenchmarkJSONLine(b *testing.B) {
	rep := benchReport(b)
	i18n.For(i18n.English).LocalizeData(rep)
	b.ReportAllocs()
	for b.Loop() {
		if err := render.JSONLine(io.Discard, rep); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReportTail: finishing, wording and JSON together, the part of a
// bulk run's per-domain cost after the checks.
func BenchmarkReportTail(b *testing.B) {
	rep := benchReport(b)
	unfinished := *rep
	unfinished.Score, unfinished.TopFixes, unfinished.Readiness = nil, nil, nil
	l := i18n.For(i18n.English)
	benchCopies(b, &unfinished, func(r *report.Report) {
		if s, ok := score.Compute(r.Sections); ok {
			r.Score = &s
		}
		finish(r, false)
		r.Readiness = Readiness(r.Sections)
		l.LocalizeData(r)
		if err := render.JSONLine(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	})
}

// checkCopy fails the benchmark unless a worded deep copy writes the same
// JSON as the report worded itself, and leaves the report unworded.
func checkCopy(b *testing.B, l *i18n.Localizer, rep *report.Report) {
	var before, copied, own bytes.Buffer
	_ = render.JSONLine(&before, rep)
	c := deepCopy(rep)
	l.LocalizeData(c)
	_ = render.JSONLine(&copied, c)
	var again bytes.Buffer
	_ = render.JSONLine(&again, rep)
	if !bytes.Equal(before.Bytes(), again.Bytes()) {
		b.Fatal("wording the copy changed the report")
	}
	o := deepCopy(rep)
	l.LocalizeData(o)
	_ = render.JSONLine(&own, o)
	if !bytes.Equal(copied.Bytes(), own.Bytes()) || bytes.Equal(copied.Bytes(), before.Bytes()) {
		b.Fatal("the copies are not worded alike")
	}
}

// benchCopies runs fn b.N times, each on its own deep copy of rep.
func benchCopies(b *testing.B, rep *report.Report, fn func(*report.Report)) {
	const batch = 64
	b.ReportAllocs()
	b.StopTimer()
	for done := 0; done < b.N; {
		n := min(batch, b.N-done)
		copies := make([]*report.Report, n)
		for i := range copies {
			copies[i] = deepCopy(rep)
		}
		b.StartTimer()
		for _, r := range copies {
			fn(r)
		}
		b.StopTimer()
		done += n
	}
}

// deepCopy copies a report down to everything the localizer may write:
// exported pointers, slices, maps and interfaces, sharing preserved.
func deepCopy(rep *report.Report) *report.Report {
	c := copier{seen: map[reflect.Value]reflect.Value{}}
	return c.copy(reflect.ValueOf(rep)).Interface().(*report.Report)
}

type copier struct {
	seen map[reflect.Value]reflect.Value
}

func (c *copier) copy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		if p, ok := c.seen[v]; ok {
			return p
		}
		p := reflect.New(v.Type().Elem())
		c.seen[v] = p
		p.Elem().Set(c.copy(v.Elem()))
		return p
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(c.copy(v.Elem()))
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			s.Index(i).Set(c.copy(v.Index(i)))
		}
		return s
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		m := reflect.MakeMapWithSize(v.Type(), v.Len())
		iter := v.MapRange()
		for iter.Next() {
			m.SetMapIndex(iter.Key(), c.copy(iter.Value()))
		}
		return m
	case reflect.Array:
		a := reflect.New(v.Type()).Elem()
		for i := range v.Len() {
			a.Index(i).Set(c.copy(v.Index(i)))
		}
		return a
	case reflect.Struct:
		s := reflect.New(v.Type()).Elem()
		s.Set(v) // unexported fields as they are
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				s.Field(i).Set(c.copy(v.Field(i)))
			}
		}
		return s
	}
	return v
}

// Reports worded at once, in both languages, word as one worded alone
// (the localizers' tables and compiled templates are shared; go test
// -race checks them).
func TestConcurrentWording(t *testing.T) {
	rep := runBenchDomain(t)
	const n = 8
	out := make([][]byte, 2*n)
	var wg sync.WaitGroup
	for i := range out {
		lang := i18n.Langs[i%2]
		c := deepCopy(rep)
		wg.Go(func() {
			i18n.For(lang).LocalizeData(c)
			var b bytes.Buffer
			if err := render.JSONLine(&b, c); err != nil {
				t.Error(err)
			}
			out[i] = b.Bytes()
		})
	}
	wg.Wait()
	for i := 2; i < len(out); i++ {
		if !bytes.Equal(out[i], out[i%2]) {
			t.Errorf("report %d (%s) worded differently at once", i, i18n.Langs[i%2])
		}
	}
	if bytes.Equal(out[0], out[1]) {
		t.Error("English and French alike")
	}
}

// BenchmarkDomainOffline is one domain of a bulk offline run (`domain
// --file --zone --format jsonl`, benchdomain bulk -offline) from end to
// end: every check against the zone files through a per-domain cache, the
// score and the rest, the wording and the JSON line. Its allocs/op is the
// per-domain figure of the run without the resolver's network path.
func BenchmarkDomainOffline(b *testing.B) {
	z, err := resolver.LoadZones("testdata/bench/bench.example.zone", "testdata/bench/18.198.in-addr.arpa.zone",
		"testdata/bench/example.zone", "testdata/bench/dnsbl.zone")
	if err != nil {
		b.Fatal(err)
	}
	d := dnsname.MustParse("d0000.bench.example")
	l := i18n.For(i18n.English)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		env := check.Env{Resolver: resolver.NewCache(z), Now: testclock.Func(), NoDisplay: true} // as the CLI's JSON formats
		rep := Run(context.Background(), env, d, Options{ProbeReason: ProbeOffline})
		rep.Command, rep.Tool, rep.GeneratedAt = "domain", report.Tool{Name: "mailcheck", Version: "bench"}, testclock.Now()
		l.LocalizeData(rep)
		buf.Reset()
		if err := render.JSONLine(&buf, rep); err != nil {
			b.Fatal(err)
		}
	}
}

package reports

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/check"
)

// genAggregate writes one aggregate report of n records, as large
// reporters do (one record per source and result set, auth_results
// filled), dated in the day before the suite clock.
func genAggregate(rng *rand.Rand, id, n int) []byte {
	var b bytes.Buffer
	end := testclock.Now().Truncate(24 * time.Hour)
	begin := end.Add(-24 * time.Hour)
	domain := fmt.Sprintf("shop%d.example", id%3)
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8" ?>
<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">
  <version>1.0</version>
  <report_metadata>
    <org_name>reporter%d.example</org_name>
    <email>noreply-dmarc@reporter%d.example</email>
    <report_id>%d-%d</report_id>
    <date_range><begin>%d</begin><end>%d</end></date_range>
  </report_metadata>
  <policy_published>
    <domain>%s</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct>
  </policy_published>
`, id%50, id%50, id, rng.Int64(), begin.Unix(), end.Unix(), domain)
	results := []string{"pass", "fail"}
	for i := 0; i < n; i++ {
		ip := fmt.Sprintf("198.51.%d.%d", rng.IntN(4), rng.IntN(250)+1)
		dk, sp := results[rng.IntN(2)], results[rng.IntN(2)]
		fmt.Fprintf(&b, `  <record>
    <row>
      <source_ip>%s</source_ip>
      <count>%d</count>
      <policy_evaluated><disposition>none</disposition><dkim>%s</dkim><spf>%s</spf></policy_evaluated>
    </row>
    <identifiers><envelope_from>%s</envelope_from><header_from>%s</header_from></identifiers>
    <auth_results>
      <dkim><domain>%s</domain><selector>s1</selector><result>%s</result></dkim>
      <spf><domain>%s</domain><scope>mfrom</scope><result>%s</result></spf>
    </auth_results>
  </record>
`, ip, rng.IntN(20)+1, dk, sp, domain, domain, domain, dk, domain, sp)
	}
	b.WriteString("</feedback>\n")
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(b.Bytes())
	w.Close()
	return z.Bytes()
}

// BenchmarkCollect5000: 5,000 gzip'd aggregate reports of 40 records each,
// read and aggregated one after the other (as `mailcheck reports` does
// with the items of a directory). Reports wall time per 5,000 reports,
// CPU time (user+system, the machine is shared) and the heap in use after.
func BenchmarkCollect5000(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	items := make([][]byte, 5000)
	var in int
	for i := range items {
		items[i] = genAggregate(rng, i, 40)
		in += len(items[i])
	}
	b.SetBytes(int64(in))
	b.ResetTimer()
	var cpu time.Duration
	var heap uint64
	for b.Loop() {
		start := cpuTime()
		c := NewCollector(Limits{})
		for i, it := range items {
			c.Add(fmt.Sprintf("r%d.xml.gz", i), it)
		}
		cpu += cpuTime() - start
		if st := c.Stats(); st.Reports != len(items) || st.Unreadable != 0 {
			b.Fatalf("stats %+v", st)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = ms.HeapInuse
		runtime.KeepAlive(c)
	}
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(heap)/(1<<20), "heap-MiB")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestWriteBenchCorpus writes the benchmark's 5,000 reports as files to
// $MAILCHECK_BENCH_CORPUS, for timing the command end to end:
//
//	MAILCHECK_BENCH_CORPUS=/tmp/corpus go test ./pkg/reports -run WriteBenchCorpus
//	time mailcheck reports /tmp/corpus --no-dns --format json >/dev/null
func TestWriteBenchCorpus(t *testing.T) {
	dir := os.Getenv("MAILCHECK_BENCH_CORPUS")
	if dir == "" {
		t.Skip("MAILCHECK_BENCH_CORPUS not set: nothing to write")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("r%04d.xml.gz", i)), genAggregate(rng, i, 40), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkSectionsPTR: classifying 1,000 sources with reverse DNS from a
// loopback server answering each query after 5 ms: the lookups run 16 at
// a time, so this costs about 1000/16 round trips, not 1000.
func BenchmarkSectionsPTR(b *testing.B) {
	var rev strings.Builder
	rev.WriteString("$ORIGIN in-addr.arpa.\n@ SOA ns.example. hostmaster.example. 1 3600 600 86400 300\n")
	var recs []rec
	for i := range 1000 {
		ip := fmt.Sprintf("198.18.%d.%d", i/250, i%250+1)
		fmt.Fprintf(&rev, "%d.%d.18.198 PTR mail%d.shop.example.\n", i%250+1, i/250, i)
		recs = append(recs, rec{ip: ip, count: 1, dkim: "pass", spf: "pass", spfD: "shop.example", spfR: "pass"})
	}
	srv := dnstest.Start(b, dnstest.ZoneText("in-addr.arpa.", rev.String()))
	srv.SetDelay(5 * time.Millisecond)
	c := NewCollector(Limits{})
	c.Add("a.xml", xmlReport("rep.example", "p", "shop.example", "none", 1, recs...))
	env := check.Env{Resolver: srv.Resolver(b), Now: testclock.Func()}
	for b.Loop() {
		s := c.Sections(context.Background(), env, Options{})
		if d := s[0].Data.(*Data); d.Sources[0].PTR == nil {
			b.Fatal("no PTR")
		}
	}
	b.ReportMetric(float64(srv.Peak()), "peak-in-flight")
}

package cli

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
)

// bulkZone is a zone of small domains under test.: names[i] for i < n.
func bulkZone(names []string) string {
	var b strings.Builder
	b.WriteString("@ SOA ns.test. h.test. 1 3600 600 86400 60\n")
	for _, n := range names {
		label := strings.TrimSuffix(n, ".test")
		fmt.Fprintf(&b, "%s MX 10 mx.%s\n%s TXT \"v=spf1 mx -all\"\nmx.%s A 192.0.2.25\n_dmarc.%s TXT \"v=DMARC1; p=reject\"\n", label, label, label, label, label)
	}
	return b.String()
}

// bulkNames is n names under test.: prefix0.test, prefix1.test, ...
func bulkNames(prefix string, n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s%d.test", prefix, i)
	}
	return names
}

func writeList(t *testing.T, lines []string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "domains.txt")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func targetsOf(t *testing.T, jsonl string) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(strings.NewReader(jsonl))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var doc struct{ Target string }
		if err := json.Unmarshal(sc.Bytes(), &doc); err != nil {
			t.Fatalf("line is not JSON: %v: %.80s", err, sc.Text())
		}
		out = append(out, doc.Target)
	}
	return out
}

// Issue 11 item 9: 20 names of which 10 hang, --concurrency 4. A slow domain
// holds only its own worker, so the ten hanging domains are checked in
// ceil(10/4) = 3 waves of --timeout, not 5 (when a finished report held its
// worker until the slow one before it was printed, only two hanging domains
// ran at a time). Asserted on the structure (when each hanging domain
// started, from the DNS server's log), not on wall-clock speed.
func TestDomainSlowDomainsFreeWorkers(t *testing.T) {
	var names []string
	for i := range 10 {
		names = append(names, fmt.Sprintf("hang%d.test", i), fmt.Sprintf("fast%d.test", i))
	}
	srv := dnstest.Start(t, dnstest.ZoneText("test.", bulkZone(names)))
	for i := range 10 {
		srv.SetFault(fmt.Sprintf("hang%d.test.", i), 0, dnstest.Silence) // the apex never answers
	}
	// Long enough that the waves stay apart on a loaded machine (a wave is
	// split when two starts are more than timeout/2 apart).
	const timeout = 2 * time.Second
	start := time.Now()
	r := run(t, "domain", "--file", writeList(t, names), "--resolver", srv.Addr, "--no-probe", "--format", "jsonl",
		"--concurrency", "4", "--timeout", timeout.String())
	wall := time.Since(start)
	if got := targetsOf(t, r.stdout); !slices.Equal(got, names) {
		t.Fatalf("reports %v, want every domain in input order", got)
	}
	// When did each hanging domain start? Its first query.
	first := map[string]time.Time{}
	for _, q := range srv.Log() {
		for i := range 10 {
			h := fmt.Sprintf("hang%d.test.", i)
			if strings.HasSuffix(q.Name, h) {
				if _, ok := first[h]; !ok {
					first[h] = q.At
				}
			}
		}
	}
	var starts []time.Time
	for _, at := range first {
		starts = append(starts, at)
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	waves := 1
	for i := 1; i < len(starts); i++ {
		if starts[i].Sub(starts[i-1]) > timeout/2 {
			waves++
		}
	}
	t.Logf("10 hanging of 20, --concurrency 4, --timeout %v: %d waves, %v wall (bound %v)", timeout, waves, wall.Round(time.Millisecond), 3*timeout)
	if len(starts) != 10 || waves != 3 {
		t.Errorf("%d hanging domains started in %d waves; want 10 in 3 (every worker busy with a hanging domain)", len(starts), waves)
	}
}

// domain --file --format json is always one JSON array: a bad first line
// does not start it with a comma, all-bad lines give [], an empty list [].
func TestDomainFileJSONArray(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("test.", bulkZone([]string{"a.test", "b.test"})))
	for name, lines := range map[string][]string{
		"bad first": {"not a domain", "a.test", "b.test"},
		"all bad":   {"not a domain", "-also-bad-"},
		"empty":     {"# nothing but a comment"},
	} {
		t.Run(name, func(t *testing.T) {
			r := run(t, "domain", "--file", writeList(t, lines), "--resolver", srv.Addr, "--no-probe", "--format", "json")
			var doc []struct{ Target string }
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatalf("not JSON: %v\n%q", err, r.stdout)
			}
			want := 0
			if name == "bad first" {
				want = 2
			}
			if len(doc) != want {
				t.Errorf("%d reports, want %d", len(doc), want)
			}
		})
	}
}

// Junk lines: ten error lines, then a count; each bad line once, and the
// closing line counts them instead of repeating one.
func TestDomainFileJunkLines(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("test.", bulkZone([]string{"a.test"})))
	lines := []string{"a.test"}
	for i := range 25 {
		lines = append(lines, fmt.Sprintf("junk line %d!", i))
	}
	lines = append(lines, strings.Repeat("x", 10000)) // a line longer than any name
	r := run(t, "domain", "--file", writeList(t, lines), "--resolver", srv.Addr, "--no-probe", "--format", "jsonl")
	if r.code != ExitBadInput {
		t.Errorf("exit %d, want 2", r.code)
	}
	if got := targetsOf(t, r.stdout); len(got) != 1 {
		t.Errorf("reports %v, want the good line's", got)
	}
	errLines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(errLines) != maxBadLines+2 {
		t.Fatalf("%d stderr lines, want %d errors, a count and the closing line:\n%s", len(errLines), maxBadLines, r.stderr)
	}
	for i := 0; i < maxBadLines; i++ {
		if n := strings.Count(r.stderr, fmt.Sprintf("line %d:", i+2)); n != 1 {
			t.Errorf("line %d reported %d times", i+2, n)
		}
	}
	if !strings.Contains(errLines[maxBadLines], "16 more bad lines") || !strings.Contains(errLines[maxBadLines+1], "26 bad input lines were skipped") {
		t.Errorf("closing lines %q", errLines[maxBadLines:])
	}
	if strings.Contains(r.stderr, strings.Repeat("x", 100)) {
		t.Error("the long line was quoted whole")
	}
}

// --shard i/n: the shards of one list are disjoint and together the whole,
// and a bad line is reported by exactly one shard.
func TestDomainShards(t *testing.T) {
	names := bulkNames("s", 24)
	srv := dnstest.Start(t, dnstest.ZoneText("test.", bulkZone(names)))
	list := writeList(t, append(slices.Clone(names), "bad line"))
	var all []string
	bad := 0
	for i := range 3 {
		r := run(t, "domain", "--file", list, "--resolver", srv.Addr, "--no-probe", "--format", "jsonl", "--shard", fmt.Sprintf("%d/3", i))
		got := targetsOf(t, r.stdout)
		if len(got) == 0 || len(got) == len(names) {
			t.Errorf("shard %d/3 has %d of %d domains", i, len(got), len(names))
		}
		all = append(all, got...)
		bad += strings.Count(r.stderr, "line 25:")
	}
	slices.Sort(all)
	want := slices.Clone(names)
	slices.Sort(want)
	if !slices.Equal(all, want) {
		t.Errorf("shards together %v, want %v", all, want)
	}
	if bad != 1 {
		t.Errorf("the bad line was reported by %d shards, want 1", bad)
	}
	for _, bad := range []string{"3/3", "1", "-1/2", "a/b", "0/0"} {
		if r := run(t, "domain", "--file", list, "--shard", bad, "--zone", demoZone); r.code != ExitBadInput {
			t.Errorf("--shard %s: exit %d", bad, r.code)
		}
	}
}

// --resume: a run cut off mid-line, resumed, gives the uninterrupted run's
// reports in the same order, each domain once.
func TestDomainResume(t *testing.T) {
	names := bulkNames("r", 12)
	srv := dnstest.Start(t, dnstest.ZoneText("test.", bulkZone(names)))
	list := writeList(t, names)
	args := []string{"domain", "--file", list, "--resolver", srv.Addr, "--no-probe", "--format", "jsonl", "--concurrency", "3"}
	whole := run(t, args...)
	wantTargets := targetsOf(t, whole.stdout)

	out := filepath.Join(t.TempDir(), "out.jsonl")
	lines := strings.SplitAfter(whole.stdout, "\n")
	crashed := strings.Join(lines[:5], "") + lines[5][:len(lines[5])/2] // five reports and half of the sixth
	if err := os.WriteFile(out, []byte(crashed), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, append(args, "--resume", out)...)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q: reports go to the resume file", r.code, r.stdout, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := targetsOf(t, string(data)); !slices.Equal(got, wantTargets) {
		t.Errorf("resumed run %v\nwant %v", got, wantTargets)
	}
	before := srv.Queries()
	if r := run(t, append(args, "--resume", out)...); r.code != 0 {
		t.Fatalf("a finished run resumed: exit %d %s", r.code, r.stderr)
	}
	if srv.Queries() != before {
		t.Error("resuming a finished run asked DNS questions")
	}
	if r := run(t, "domain", "--file", list, "--zone", demoZone, "--resume", out); r.code != ExitBadInput {
		t.Errorf("--resume with text output: exit %d, want 2", r.code)
	}
}

// --format csv: a header of stable columns, then one row per domain in
// input order; --summary: the table and the distribution, no reports.
func TestDomainCSVAndSummary(t *testing.T) {
	names := []string{"c1.test", "c2.test", "c3.test"}
	srv := dnstest.Start(t, dnstest.ZoneText("test.", bulkZone(names)))
	list := writeList(t, names)
	r := run(t, "domain", "--file", list, "--resolver", srv.Addr, "--no-probe", "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, r.stdout)
	}
	if len(rows) != 4 || !slices.Equal(rows[0], csvColumns) {
		t.Fatalf("rows %q", rows)
	}
	for i, row := range rows[1:] {
		if row[0] != names[i] || row[2] == "" || row[3] == "" {
			t.Errorf("row %d: %q", i+1, row)
		}
	}
	r = run(t, "domain", "--file", list, "--resolver", srv.Addr, "--no-probe", "--summary")
	if !strings.Contains(r.stdout, "Domains 1-3") || !strings.Contains(r.stdout, "Distribution") || strings.Contains(r.stdout, "SPF") {
		t.Errorf("--summary output:\n%s", r.stdout)
	}
	if r := run(t, "domain", "--file", list, "--zone", demoZone, "--summary", "--format", "json"); r.code != ExitBadInput {
		t.Errorf("--summary --format json: exit %d", r.code)
	}
	if r := run(t, "spf", "c1.test", "--zone", demoZone, "--format", "csv"); r.code != ExitBadInput {
		t.Errorf("spf --format csv: exit %d, want 2 (csv is domain's)", r.code)
	}
}

// The progress line counts domains: done of total, rate, time left, failures.
func TestDomainProgressLine(t *testing.T) {
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &progress{start: start, now: func() time.Time { return start.Add(10 * time.Second) }, total: 400}
	for i := range 100 {
		r := &domainResult{}
		if i < 3 {
			r.code = ExitInconclusive
		}
		p.finished(r)
	}
	if got, want := p.line(), "100/400 domains · 10.0/s · ETA 30s · 3 failed"; got != want {
		t.Errorf("line %q, want %q", got, want)
	}
	p.total = 0
	if got := p.line(); strings.Contains(got, "ETA") || !strings.HasPrefix(got, "100 domains") {
		t.Errorf("total unknown: %q", got)
	}
}

// On a terminal, progress goes to stderr and is erased before the run
// ends; reports on stdout are untouched.
func TestDomainProgressOnTerminal(t *testing.T) {
	names := []string{"p1.test", "p2.test"}
	srv := dnstest.Start(t, dnstest.ZoneText("test.", bulkZone(names)))
	srv.SetDelay(300 * time.Millisecond)
	r := runWith(t, func(f *Factory, _ *bytes.Buffer) { f.IO.SetStderrTTY(true) },
		"domain", "--file", writeList(t, names), "--resolver", srv.Addr, "--no-probe", "--format", "jsonl", "--concurrency", "1")
	if got := targetsOf(t, r.stdout); !slices.Equal(got, names) {
		t.Fatalf("reports %v", got)
	}
	if !strings.Contains(r.stderr, "/2 domains") || !strings.HasSuffix(r.stderr, "\r\x1b[K") {
		t.Errorf("stderr %q: want progress lines counting domains, erased at the end", r.stderr)
	}
}

// Lines as files have them: CRLF, no newline at the end, a line far
// longer than the read buffer (its head only), an empty file.
func TestScanLines(t *testing.T) {
	long := strings.Repeat("y", 100<<10)
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"a.test\r\nb.test\r\n", []string{"a.test", "b.test"}},
		{"a.test\nb.test", []string{"a.test", "b.test"}},
		{"a.test\n" + long + "\nb.test\n", []string{"a.test", "LONG", "b.test"}},
		{"", nil},
		{"\n\n", []string{"", ""}},
	} {
		var got []string
		err := scanLines(strings.NewReader(tc.in), func(_ int, text string, isLong bool) bool {
			if isLong {
				if len(text) != maxLine {
					t.Errorf("long line kept %d bytes, want %d", len(text), maxLine)
				}
				text = "LONG"
			}
			got = append(got, text)
			return true
		})
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%.20q: got %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// A list pasted from a CRM: addresses and URLs are read as their domains,
// each said once on stderr, and checked.
func TestDomainFilePastedAddresses(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("test.", bulkZone([]string{"a.test", "b.test"})))
	r := run(t, "domain", "--file", writeList(t, []string{"contact@a.test", "https://b.test/cart"}), "--resolver", srv.Addr, "--no-probe", "--format", "jsonl")
	if got := targetsOf(t, r.stdout); !slices.Equal(got, []string{"a.test", "b.test"}) || r.code != 0 {
		t.Fatalf("exit %d, reports %v, stderr %q", r.code, got, r.stderr)
	}
	if strings.Count(r.stderr, "checking the domain a.test") != 1 || strings.Count(r.stderr, "checking the domain b.test") != 1 {
		t.Errorf("stderr %q", r.stderr)
	}
}

// Binary input and an endless line (--file /dev/zero) end the read with an
// error after a bounded amount, instead of skipping one line forever.
func TestScanLinesBinaryEnds(t *testing.T) {
	for name, r := range map[string]io.Reader{
		"zeros":    io.LimitReader(zeroReader{}, 64<<20),
		"nul line": strings.NewReader("a.test\nb\x00c\nd.test\n"),
		"endless":  io.LimitReader(strings.NewReader(strings.Repeat("x", 4<<20)), 4<<20),
	} {
		lines := 0
		err := scanLines(r, func(int, string, bool) bool { lines++; return true })
		if err == nil || lines > 1 {
			t.Errorf("%s: %d lines, err %v; want an error after at most 1 line", name, lines, err)
		}
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// writeCounter counts the writes that reach stdout.
type writeCounter struct {
	w io.Writer
	n int
}

func (c *writeCounter) Write(p []byte) (int, error) {
	c.n++
	return c.w.Write(p)
}

// On a terminal each report reaches the screen as soon as it is written;
// elsewhere reports are flushed when none is waiting (fewer writes in a
// fast run), and the output is the same bytes either way.
func TestDomainFileFlushesPerReportOnATerminal(t *testing.T) {
	names := bulkNames("d", 12)
	srv := dnstest.Start(t, dnstest.ZoneText("test.", bulkZone(names)))
	list := writeList(t, names)
	outputs := map[bool]string{}
	for _, tty := range []bool{true, false} {
		var wc *writeCounter
		r := runWith(t, func(f *Factory, _ *bytes.Buffer) {
			wc = &writeCounter{w: f.IO.Out}
			f.IO.Out = wc
			f.IO.SetStdoutTTY(tty)
		}, "domain", "--file", list, "--resolver", srv.Addr, "--no-probe", "--format", "jsonl", "--concurrency", "4")
		if got := targetsOf(t, r.stdout); !slices.Equal(got, names) {
			t.Fatalf("tty=%v: reports %v, want every domain in input order", tty, got)
		}
		if tty && wc.n != len(names) {
			t.Errorf("stdout a terminal: %d writes for %d reports, want one each", wc.n, len(names))
		}
		t.Logf("tty=%v: %d writes for %d reports", tty, wc.n, len(names))
		outputs[tty] = r.stdout
	}
	// Run-wide figures (the shared cache's timing, the clock) aside.
	vary := regexp.MustCompile(`"(dns":\{[^}]*\}|generated_at":"[^"]*"|elapsed_ms":\d+)`)
	if a, b := vary.ReplaceAllString(outputs[true], ""), vary.ReplaceAllString(outputs[false], ""); a != b {
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Errorf("the reports differ with stdout a terminal and not, at %d: %q against %q", i, a[max(0, i-60):min(len(a), i+40)], b[max(0, i-60):min(len(b), i+40)])
				break
			}
		}
	}
}

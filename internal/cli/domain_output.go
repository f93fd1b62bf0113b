package cli

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mailcheck/mailcheck/internal/render"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// maxBadLines is how many bad input lines get their own error line; the
// rest are counted.
const maxBadLines = 10

// maxSummaryRows bounds the per-domain table that ends text output, so a
// long list keeps flat memory (--summary and --format csv stream every row).
const maxSummaryRows = 1000

// summaryBlock is how many rows --summary renders at a time.
const summaryBlock = 500

// domainOutput is where reports go: stdout, or the --resume file.
func domainOutput(f *Factory, opts *DomainOptions, set *resumeSet) (*bufio.Writer, func() error, error) {
	if opts.Resume == "" {
		w := bufio.NewWriterSize(f.IO.Out, 64<<10)
		return w, w.Flush, nil
	}
	fh, err := openResume(opts.Resume, set)
	if err != nil {
		return nil, nil, err
	}
	w := bufio.NewWriterSize(fh, 64<<10)
	return w, func() error {
		err := w.Flush()
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		return err
	}, nil
}

// domainWriter prints results in order, in the --format, and keeps what
// the end of the run needs: the summary (bounded), the grade distribution,
// the exit code.
type domainWriter struct {
	f    *Factory
	opts *DomainOptions
	out  *bufio.Writer
	// eager: each report is flushed as it is written (stdout is a
	// terminal, where someone watches them come). Otherwise the run
	// flushes when no finished report is waiting (idle), or when the
	// buffer is full: in a fast bulk run a write(2) per report was 1.5 %
	// of the CPU. A crash then loses at most the buffer's reports, which
	// --resume asks again (it cuts the file after its last whole line).
	eager bool

	n        int // reports written
	rows     []summaryRow
	dropped  int // rows not kept for the closing table
	dist     map[string]int
	block    []summaryRow
	blocks   int
	csv      *csv.Writer
	bad      int
	notes    int
	worst    int
	firstWhy report.Msg
}

func newDomainWriter(f *Factory, opts *DomainOptions, out *bufio.Writer) *domainWriter {
	w := &domainWriter{f: f, opts: opts, out: out, dist: map[string]int{}, eager: opts.Resume == "" && f.IO.IsStdoutTTY()}
	if f.globals.Format == "csv" {
		w.csv = csv.NewWriter(out)
		_ = w.csv.Write(csvColumns)
	}
	return w
}

// csvColumns are the columns of --format csv, in order. They are stable:
// new columns are only ever added at the end (docs/scale.md).
var csvColumns = []string{"domain", "score", "grade", "verdict", "checks_fail", "checks_warn", "checks_unknown",
	"findings_critical", "findings_high", "findings_medium", "findings_low"}

func (w *domainWriter) write(r *domainResult) error {
	if rank(r.code) > rank(w.worst) {
		w.worst, w.firstWhy = r.code, r.why
	}
	if r.err != nil {
		if r.code == ExitBadInput {
			w.bad++
			w.dist["bad input"]++
			if w.bad > maxBadLines {
				return nil
			}
		}
		_, err := fmt.Fprintln(w.f.IO.ErrOut, "mailcheck: "+render.SafeString(w.f.errorLine(r.err, nil)))
		return err
	}
	if !r.note.IsZero() {
		w.notes++
		if w.notes <= maxBadLines {
			fmt.Fprintln(w.f.IO.ErrOut, "mailcheck: "+render.SafeString(w.f.localizer().Text(r.note))) // the line and file name are input
		}
	}
	w.dist[gradeKey(r.row)]++
	switch {
	case w.csv != nil:
		row := r.row
		_ = w.csv.Write([]string{row.domain, row.score, row.grade, row.verdict, row.fail, row.warn, row.unknown,
			row.critical, row.high, row.medium, row.low})
		w.csv.Flush()
		if err := w.csv.Error(); err != nil {
			return err
		}
		return w.flushIfEager()
	case w.opts.Summary:
		w.block = append(w.block, r.row)
		if len(w.block) >= summaryBlock {
			return w.flushBlock()
		}
		return nil
	}
	w.n++
	if len(w.rows) < maxSummaryRows {
		w.rows = append(w.rows, r.row)
	} else {
		w.dropped++
	}
	var sep string
	switch w.f.globals.Format {
	case "json":
		// Several reports make one JSON array, streamed.
		sep = ",\n"
		if w.n == 1 {
			sep = "[\n"
		}
	case "jsonl":
	case "text":
		if w.n > 1 {
			sep = "\n"
		}
	default:
		if w.n > 1 {
			sep = "\n---\n"
		}
	}
	if _, err := w.out.WriteString(sep); err != nil {
		return err
	}
	if _, err := w.out.Write(r.out); err != nil {
		return err
	}
	return w.flushIfEager()
}

func (w *domainWriter) flushIfEager() error {
	if w.eager {
		return w.out.Flush()
	}
	return nil
}

// idle is called when no finished report is waiting: what is written
// reaches the output now, not when the next reports fill the buffer.
func (w *domainWriter) idle() error { return w.out.Flush() }

// flushBlock renders the --summary rows gathered so far.
func (w *domainWriter) flushBlock() error {
	if len(w.block) == 0 {
		return nil
	}
	first := w.blocks*summaryBlock + 1
	w.blocks++
	title := w.say("domains", report.Params{"first": first, "last": first + len(w.block) - 1})
	err := render.Summary(w.out, title, summaryTable(w.block), w.textOptions())
	w.block = w.block[:0]
	if err != nil {
		return err
	}
	return w.out.Flush()
}

func (w *domainWriter) textOptions() render.TextOptions {
	return render.TextOptions{Width: w.f.IO.TerminalWidth(), Profile: w.f.IO.ColorProfile(), Lang: w.f.lang()}
}

// say words a message of the bulk tables (cli.bulk.* in the catalogs).
func (w *domainWriter) say(key string, p report.Params) string {
	return w.f.localizer().Text(report.T("cli.bulk."+key, p))
}

// finish closes the output: the JSON array, the tables that end text output.
func (w *domainWriter) finish() error {
	switch {
	case w.csv != nil:
		w.csv.Flush()
		if err := w.csv.Error(); err != nil {
			return err
		}
	case w.opts.Summary:
		if err := w.flushBlock(); err != nil {
			return err
		}
		if err := render.Summary(w.out, w.say("distribution", nil), w.distribution(), w.textOptions()); err != nil {
			return err
		}
	case w.f.globals.Format == "json":
		// Always an array, also when no report was written.
		end := "]\n"
		if w.n == 0 {
			end = "[]\n"
		}
		if _, err := w.out.WriteString(end); err != nil {
			return err
		}
	case w.f.globals.Format == "text" && w.n > 1:
		title := w.say("summary", report.Params{"count": w.n})
		if w.dropped > 0 {
			title = w.say("summary_first", report.Params{"count": w.n, "shown": len(w.rows)})
		}
		if err := render.Summary(w.out, title, summaryTable(w.rows), w.textOptions()); err != nil {
			return err
		}
		if err := render.Summary(w.out, w.say("distribution", nil), w.distribution(), w.textOptions()); err != nil {
			return err
		}
	}
	if w.notes > maxBadLines {
		fmt.Fprintln(w.f.IO.ErrOut, "mailcheck: "+w.say("more_notes", report.Params{"count": w.notes - maxBadLines}))
	}
	if w.bad > maxBadLines {
		fmt.Fprintln(w.f.IO.ErrOut, "mailcheck: "+w.say("more_bad", report.Params{"count": w.bad - maxBadLines}))
	}
	return w.out.Flush()
}

// exit is the run's outcome. Bad lines were each reported once already:
// the closing line counts them rather than repeating one.
func (w *domainWriter) exit() error {
	switch {
	case w.worst == ExitOK:
		return nil
	case w.worst == ExitBadInput && w.bad > 0:
		return exitWith(ExitBadInput, report.T("cli.exit.bad_lines", report.Params{"count": w.bad}))
	}
	return exitWith(w.worst, w.firstWhy)
}

// grades in the order the distribution lists them.
var gradeOrder = []string{"A", "B", "C", "D", "E", "F", "no grade", "bad input"}

func gradeKey(r summaryRow) string {
	if r.grade == "-" || r.grade == "" {
		return "no grade"
	}
	return r.grade
}

func (w *domainWriter) distribution() report.Table {
	total := 0
	for _, n := range w.dist {
		total += n
	}
	t := report.Table{Columns: []report.Msg{report.T("cli.bulk.col.grade", nil), report.T("cli.bulk.col.domains", nil), report.T("cli.bulk.col.share", nil)}}
	seen := map[string]bool{}
	add := func(g string) {
		n := w.dist[g]
		seen[g] = true
		if n == 0 {
			return
		}
		t.Rows = append(t.Rows, []report.Msg{gradeWord(g), report.Lit(strconv.Itoa(n)), report.T("cli.bulk.share", report.Params{"share": float64(int(1000*float64(n)/float64(max(total, 1))+0.5)) / 10})})
	}
	for _, g := range gradeOrder {
		add(g)
	}
	for g := range w.dist {
		if !seen[g] {
			add(g)
		}
	}
	t.Rows = append(t.Rows, []report.Msg{report.T("cli.bulk.all", nil), report.Lit(strconv.Itoa(total)), report.T("cli.bulk.share", report.Params{"share": 100.0})})
	return t
}

type summaryRow struct {
	domain, score, grade, verdict, fail, warn, unknown string
	critical, high, medium, low                        string
}

func summarize(rep *report.Report) summaryRow {
	row := summaryRow{domain: rep.Target, score: "-", grade: "-"}
	if rep.Score != nil {
		row.score, row.grade = fmt.Sprint(rep.Score.Value), rep.Score.Grade
	}
	var fail, warn, unknown int
	sev := map[report.Severity]int{}
	for _, s := range rep.Sections {
		switch s.Status {
		case report.StatusFail:
			fail++
		case report.StatusWarn:
			warn++
		case report.StatusUnknown:
			unknown++
		}
		for _, f := range s.Findings {
			sev[f.Severity]++
		}
	}
	row.fail, row.warn, row.unknown = fmt.Sprint(fail), fmt.Sprint(warn), fmt.Sprint(unknown)
	row.critical, row.high = fmt.Sprint(sev[report.Critical]), fmt.Sprint(sev[report.High])
	row.medium, row.low = fmt.Sprint(sev[report.Medium]), fmt.Sprint(sev[report.Low])
	return row
}

// verdictOf names a domain's outcome for the table.
func verdictOf(code int) string {
	switch code {
	case ExitOK:
		return "ok"
	case ExitGateFailed:
		return "gate-failed"
	case ExitInconclusive:
		return "inconclusive"
	}
	return "bad-input"
}

// gradeWord is a grade of the distribution: a letter, or words.
func gradeWord(g string) report.Msg {
	switch g {
	case "no grade":
		return report.T("cli.bulk.no_grade", nil)
	case "bad input":
		return report.T("cli.bulk.bad_input", nil)
	}
	return report.Lit(g)
}

// summaryTable is the per-domain table for people (--summary, and the end
// of a text run); --format csv writes the same rows with stable English
// column names (csvColumns) for programs.
func summaryTable(rows []summaryRow) report.Table {
	t := report.Table{}
	for _, c := range []string{"domain", "score", "grade", "verdict", "checks_failing", "warning", "unknown"} {
		t.Columns = append(t.Columns, report.T("cli.bulk.col."+c, nil))
	}
	for _, r := range rows {
		t.Rows = append(t.Rows, []report.Msg{report.Lit(r.domain), report.Lit(r.score), report.Lit(r.grade),
			report.T("cli.bulk.verdict."+r.verdict, nil), report.Lit(r.fail), report.Lit(r.warn), report.Lit(r.unknown)})
	}
	return t
}

// progress writes one status line on stderr, only when stderr is a
// terminal: domains done of the total, the rate, the time left, and the
// domains that could not be checked so far.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	on       bool
	dirty    bool
	start    time.Time
	now      func() time.Time
	done     int
	failures int
	total    int  // 0 while unknown
	ended    bool // no more drawing: the run is over
	stopped  chan struct{}
	stopOnce sync.Once
}

func newProgress(f *Factory, opts *DomainOptions, skip *resumeSet) *progress {
	p := &progress{w: f.IO.ErrOut, on: f.IO.IsStderrTTY(), start: time.Now(), now: time.Now, stopped: make(chan struct{})}
	if !p.on {
		return p
	}
	go func() {
		if n, ok := countInputs(opts, skip); ok {
			p.mu.Lock()
			p.total = n
			p.mu.Unlock()
		}
	}()
	go func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.draw()
			case <-p.stopped:
				return
			}
		}
	}()
	return p
}

// finished counts one domain.
func (p *progress) finished(r *domainResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if r.err != nil || r.code == ExitInconclusive {
		p.failures++
	}
}

func (p *progress) line() string {
	elapsed := p.now().Sub(p.start)
	rate := float64(p.done) / max(elapsed.Seconds(), 0.001)
	var b strings.Builder
	if p.total > 0 {
		fmt.Fprintf(&b, "%d/%d domains", p.done, p.total)
	} else {
		fmt.Fprintf(&b, "%d domains", p.done)
	}
	fmt.Fprintf(&b, " · %.1f/s", rate)
	if p.total > 0 && rate > 0 && p.done < p.total {
		eta := time.Duration(float64(p.total-p.done) / rate * float64(time.Second))
		fmt.Fprintf(&b, " · ETA %s", eta.Round(time.Second))
	}
	fmt.Fprintf(&b, " · %d failed", p.failures)
	return b.String()
}

func (p *progress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ended {
		return
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", p.line())
	p.dirty = true
}

func (p *progress) clear() {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dirty {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.dirty = false
	}
}

func (p *progress) stop() {
	p.stopOnce.Do(func() {
		close(p.stopped)
		p.mu.Lock()
		p.ended = true
		p.mu.Unlock()
	})
	p.clear()
}

package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"sync"

	"github.com/mailcheck/mailcheck/internal/render"
	"github.com/mailcheck/mailcheck/pkg/audit"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/spf13/cobra"
)

// DomainOptions are the inputs of `mailcheck domain`.
type DomainOptions struct {
	Domains []dnsname.Domain
	// File lists more domains, one per line ("-" for stdin); read as a
	// stream, so the list can be long.
	File       string
	SendingIPs []netip.Addr
	Selectors  []string
	NoProbe    bool
	// FailUnder fails the run (exit 1) when a score is below it; -1 for
	// no such gate.
	FailUnder   int
	Explain     bool
	Concurrency int
	// Parked judges every domain as one that sends and receives no mail.
	Parked bool
	// Shard and Shards split one list among Shards workers with no
	// coordinator: this run checks the domains whose stable hash is
	// Shard modulo Shards (--shard i/n). Shards is 0 for no split.
	Shard, Shards int
	// Resume names a JSON Lines file of an earlier run: domains already
	// there are skipped and new reports are appended to it.
	Resume string
	// Summary prints one row per domain and the distribution, not the
	// reports (also what --format csv writes).
	Summary bool
}

func newDomainCmd(f *Factory, runF func(context.Context, *DomainOptions) error) *cobra.Command {
	opts := &DomainOptions{}
	var ips []string
	var shard string
	cmd := &cobra.Command{
		Use:   "domain <domain>... | --file FILE",
		Short: "Run every check on a domain and score it",
		Long: `Run every check at once (SPF, DKIM, DMARC, blocklists, MX, reverse DNS,
MTA-STS, TLS-RPT, DNSSEC/DANE, BIMI), score the domain from 0 to 100 with a
grade (docs/scoring.md), list the fixes to make first, and check the Gmail,
Yahoo and Outlook sender requirements. SMTP reachability from this machine
is probed too (--no-probe to skip; skipped with --zone) and reported apart:
a blocked port 25 on a laptop is not the domain's fault.

With several domains (arguments, or --file, "-" for stdin), up to
--concurrency are checked at once, reports come out in input order, and a
summary table ends text output. --timeout applies to each domain. A slow
domain holds only its own worker: finished reports wait for it in a bounded
buffer, so output stays in input order.

For large lists: --shard i/n checks the i-th of n parts of the list (a stable
hash of each name, so n machines split one list with no coordinator);
--resume FILE.jsonl skips the domains already written to FILE and appends the
rest to it (run it again after a crash); --summary prints one row per domain
and the grade distribution; --format csv writes those rows (docs/scale.md).

Exit codes: 0 every gate passed; 1 a score is below --fail-under or a finding
is at or above --fail-on; 2 bad input (a bad line in --file is reported and
skipped, and the run exits 2); 3 a domain could not be checked at all.`,
		Example: `  mailcheck domain shop.example
  mailcheck domain shop.example --fail-under 75 --explain
  mailcheck domain --file domains.txt --format jsonl --no-probe
  mailcheck domain --file domains.txt --no-probe --concurrency 64 --shard 0/4 --resume part0.jsonl
  mailcheck domain --file domains.txt --no-probe --format csv > table.csv
  mailcheck domain shop.example --zone testdata/zones/shop.example.zone`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && opts.File == "" {
				return badInput("args_domain", nil).seeHelp("mailcheck domain")
			}
			for _, a := range args {
				d, err := f.domainArg("domain", a)
				if err != nil {
					return err
				}
				opts.Domains = append(opts.Domains, d)
			}
			for _, s := range ips {
				for _, part := range strings.Split(s, ",") {
					ip, err := netip.ParseAddr(strings.TrimSpace(part))
					if err != nil {
						return badInput("ip", report.Params{"value": part})
					}
					opts.SendingIPs = append(opts.SendingIPs, ip.Unmap())
				}
			}
			if opts.FailUnder < -1 || opts.FailUnder > 100 {
				return badInput("fail_under", report.Params{"value": opts.FailUnder})
			}
			if opts.Concurrency < 1 || opts.Concurrency > 64 {
				return badInput("concurrency", report.Params{"value": opts.Concurrency, "max": 64})
			}
			if shard != "" {
				i, n, err := parseShard(shard)
				if err != nil {
					return err
				}
				opts.Shard, opts.Shards = i, n
			}
			if opts.Resume != "" && f.globals.Format != "jsonl" {
				return badInput("resume_format", report.Params{"value": opts.Resume})
			}
			if f.globals.Format == "csv" {
				opts.Summary = true
			}
			if opts.Summary && f.globals.Format != "text" && f.globals.Format != "csv" {
				return badInput("summary_format", nil)
			}
			if opts.File != "" && opts.File != "-" {
				if st, err := os.Stat(opts.File); err != nil || st.IsDir() {
					return badInput("file_unreadable", report.Params{"value": opts.File})
				}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runDomain(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.File, "file", "", "read domains from FILE, one per line (- for stdin; # starts a comment)")
	fl.StringArrayVar(&ips, "ip", nil, "a sending IP address of the domain (repeatable): reverse DNS and blocklists")
	fl.StringArrayVar(&opts.Selectors, "selector", nil, "DKIM selector to check (repeatable); else common ones are tried")
	fl.BoolVar(&opts.NoProbe, "no-probe", false, "do not probe SMTP ports from this machine")
	fl.IntVar(&opts.FailUnder, "fail-under", -1, "exit 1 when the score is below this (0-100)")
	fl.BoolVar(&opts.Explain, "explain", false, "show how the score was computed")
	fl.IntVar(&opts.Concurrency, "concurrency", 4, "domains checked at once")
	fl.BoolVar(&opts.Parked, "parked", false, "judge the domain as parked (sends and receives no mail): say what still lets mail in or out")
	fl.StringVar(&shard, "shard", "", "check only part i of n of the list (0 <= i < n), by a stable hash of each domain")
	fl.StringVar(&opts.Resume, "resume", "", "skip domains already in this JSON Lines file and append new reports to it")
	fl.BoolVar(&opts.Summary, "summary", false, "print only one row per domain (score, grade, counts) and the distribution")
	// --format csv is this command's own: the global check knows only the
	// formats every command has, so it is shown "text" meanwhile.
	cmd.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if !cmd.HasParent() {
			return nil // built alone (captureOptions): no global flags
		}
		csv := strings.EqualFold(f.globals.Format, "csv")
		if csv {
			f.globals.Format = "text"
		}
		err := f.validateGlobals()
		if csv {
			f.globals.Format = "csv"
		}
		if err != nil {
			return err
		}
		// This replaces the root's hook (cobra runs the nearest one
		// only), so it applies --color as the root's does.
		return f.applyColor()
	}
	return cmd
}

// domainResult is what one domain produced, kept until it is printed: the
// rendered report, not the report, so the reorder buffer stays small.
type domainResult struct {
	seq  int
	err  error // bad input for this domain
	code int
	why  report.Msg
	out  []byte        // the rendered report
	buf  *bytes.Buffer // holds out; back to reportBufs once written
	row  summaryRow
	note report.Msg // the line was read as a domain (an address, a URL)
}

// window is how many domains may be checked or waiting to be printed at
// once: every worker busy, and as many finished reports waiting behind a
// slow earlier one. A slow domain thus holds only its own worker.
func window(concurrency int) int { return max(2*concurrency, concurrency+16) }

func runDomain(ctx context.Context, f *Factory, opts *DomainOptions) error {
	if opts.File != "" {
		defer tuneBulkGC()()
	}
	up, err := f.newUpstream()
	if err != nil {
		return err
	}
	var skip *resumeSet
	if opts.Resume != "" {
		if skip, err = readResume(opts.Resume); err != nil {
			return err
		}
	}
	// Stopped early when the output fails (a closed pipe): no point
	// checking domains whose reports cannot be written.
	ctx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	inputs, closeInputs, err := domainInputs(ctx, f, opts, skip)
	if err != nil {
		return err
	}
	defer closeInputs()
	out, closeOut, err := domainOutput(f, opts, skip)
	if err != nil {
		return err
	}

	probe, reason := !opts.NoProbe, ""
	switch {
	case len(f.globals.Zones) > 0:
		probe, reason = false, audit.ProbeOffline
	case opts.NoProbe:
		reason = audit.ProbeDisabled
	}
	// One cache for the whole run in front of the upstream: names that
	// many domains share are asked once (each domain keeps its own cache
	// in front, for its own statistics and consistency).
	// Not with --zone: answers from files cost less than the cache.
	runUp := up
	if len(f.globals.Zones) == 0 {
		shared := resolver.NewSharedCache(up.resolver, resolver.SharedCacheOptions{Now: f.Now})
		runUp = &upstream{resolver: shared, source: up.source, counter: up.counter}
	}
	progress := newProgress(f, opts, skip)
	defer progress.stop()

	tokens := make(chan struct{}, window(opts.Concurrency))
	jobs := make(chan input)
	results := make(chan *domainResult, opts.Concurrency)
	var workers sync.WaitGroup
	for range opts.Concurrency {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for in := range jobs {
				results <- checkOneDomain(ctx, f, runUp, in, opts, probe, reason)
			}
		}()
	}
	go func() {
		// The dispatcher: a token per domain before it starts, given
		// back once it is printed.
		defer func() {
			close(jobs)
			workers.Wait()
			close(results)
		}()
		seq := 0
		for in := range inputs {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			in.seq = seq
			seq++
			if in.err != nil {
				results <- &domainResult{seq: in.seq, err: in.err, code: ExitBadInput}
				continue
			}
			select {
			case jobs <- in:
			case <-ctx.Done():
				return
			}
		}
	}()

	w := newDomainWriter(f, opts, out)
	pending := map[int]*domainResult{}
	next := 0
	var writeErr error
	for r := range results {
		pending[r.seq] = r
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			progress.finished(r)
			if writeErr == nil {
				progress.clear()
				if writeErr = w.write(r); writeErr != nil {
					stopRun()
				}
			}
			r.release()
			<-tokens
		}
		if len(results) == 0 && writeErr == nil {
			if writeErr = w.idle(); writeErr != nil {
				stopRun()
			}
		}
	}
	progress.stop()
	if err := w.finish(); writeErr == nil {
		writeErr = err
	}
	if err := closeOut(); writeErr == nil {
		writeErr = err
	}
	if writeErr != nil {
		return writeErr
	}
	return w.exit()
}

// rank orders per-domain outcomes for the whole run's exit code: bad input,
// then a failed gate, then inconclusive.
func rank(code int) int {
	switch code {
	case ExitBadInput:
		return 3
	case ExitGateFailed:
		return 2
	case ExitInconclusive:
		return 1
	}
	return 0
}

// reportBufs holds the buffers of reports already written, for the next
// ones: a report is about 16 KiB of JSON, and a fresh buffer for each was
// 18 of the 248 KiB a bulk run allocated per domain. At most window()
// reports are rendered or waiting at once, so the run keeps at most that
// many buffers; one grown past maxReportBuf (a domain with a huge record
// set) is left to the collector.
var reportBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxReportBuf = 256 << 10

// release gives r's buffer back once its report has been written.
func (r *domainResult) release() {
	if r.buf != nil && r.buf.Cap() <= maxReportBuf {
		r.buf.Reset()
		reportBufs.Put(r.buf)
	}
	r.buf, r.out = nil, nil
}

func checkOneDomain(ctx context.Context, f *Factory, up *upstream, in input, opts *DomainOptions, probe bool, reason string) *domainResult {
	s := up.domainSession(f, in.d)
	if opts.Summary {
		s.Env.NoDisplay = true // --summary and csv render rows, never a report's Display
	}
	dctx, cancel := context.WithTimeout(ctx, f.globals.Timeout)
	defer cancel()
	ao := audit.Options{SendingIPs: opts.SendingIPs, Selectors: opts.Selectors, Probe: probe, ProbeReason: reason, Parked: opts.Parked}
	ao.DNSBL.Resolver = up.source
	rep := audit.Run(dctx, s.Env, in.d, ao)
	full := f.newReport(s, "domain", in.d.Unicode(), rep.Sections...)
	full.Score, full.TopFixes, full.Readiness, full.Environment = rep.Score, rep.TopFixes, rep.Readiness, rep.Environment
	res := &domainResult{seq: in.seq, row: summarize(full), note: in.note}
	res.code, res.why = f.domainGate(full, opts)
	res.row.verdict = verdictOf(res.code)
	if !opts.Summary {
		b := reportBufs.Get().(*bytes.Buffer)
		err := f.render(b, full)
		if err == nil && opts.Explain && full.Score != nil && f.globals.Format == "text" {
			err = render.Explain(b, full.Score, f.lang())
		}
		if err != nil {
			res.err, res.code = fmt.Errorf("%s: rendering the report: %w", in.d, err), ExitInconclusive
		}
		res.buf, res.out = b, b.Bytes()
	}
	return res
}

// domainGate applies --fail-under and --fail-on to one domain's report.
func (f *Factory) domainGate(rep *report.Report, opts *DomainOptions) (int, report.Msg) {
	if rep.Score == nil || rep.Inconclusive() {
		return ExitInconclusive, report.T("cli.exit.domain_inconclusive", report.Params{"target": rep.Target, "why": audit.NoGradeReason(rep)})
	}
	if opts.FailUnder >= 0 && rep.Score.Value < opts.FailUnder {
		return ExitGateFailed, report.T("cli.exit.fail_under", report.Params{"target": rep.Target, "score": rep.Score.Value, "min": opts.FailUnder})
	}
	if min, _ := f.failOn(); min != "" {
		if worst, ok := rep.Worst(); ok && worst.Severity.AtLeast(min) {
			return ExitGateFailed, report.T("cli.exit.domain_fail_on", report.Params{"target": rep.Target, "severity": string(worst.Severity), "id": worst.ID, "min": string(min)})
		}
	}
	return ExitOK, report.Msg{}
}

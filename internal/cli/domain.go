package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"sync"

	"github.com/mailcheck/mailcheck/internal/render"
	"github.com/mailcheck/mailcheck/pkg/audit"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
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
}

func newDomainCmd(f *Factory, runF func(context.Context, *DomainOptions) error) *cobra.Command {
	opts := &DomainOptions{}
	var ips []string
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
summary table ends text output. --timeout applies to each domain.

Exit codes: 0 every gate passed; 1 a score is below --fail-under or a finding
is at or above --fail-on; 2 bad input (a bad line in --file is reported and
skipped, and the run exits 2); 3 a domain could not be checked at all.`,
		Example: `  mailcheck domain shop.example
  mailcheck domain shop.example --fail-under 75 --explain
  mailcheck domain --file domains.txt --format jsonl --no-probe
  mailcheck domain shop.example --zone testdata/zones/shop.example.zone`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && opts.File == "" {
				return &InputError{Err: errors.New("mailcheck domain takes one or more domain names, or --file"), Hint: "see 'mailcheck domain --help'"}
			}
			for _, a := range args {
				d, err := domainArg(f.IO.ErrOut, "domain", a)
				if err != nil {
					return err
				}
				opts.Domains = append(opts.Domains, d)
			}
			for _, s := range ips {
				for _, part := range strings.Split(s, ",") {
					ip, err := netip.ParseAddr(strings.TrimSpace(part))
					if err != nil {
						return inputErrorf("--ip %q is not an IP address", part)
					}
					opts.SendingIPs = append(opts.SendingIPs, ip.Unmap())
				}
			}
			if opts.FailUnder < -1 || opts.FailUnder > 100 {
				return inputErrorf("--fail-under %d: want a score from 0 to 100", opts.FailUnder)
			}
			if opts.Concurrency < 1 || opts.Concurrency > 64 {
				return inputErrorf("--concurrency %d: want 1 to 64", opts.Concurrency)
			}
			if opts.File != "" && opts.File != "-" {
				if st, err := os.Stat(opts.File); err != nil || st.IsDir() {
					return inputErrorf("--file %s: not a readable file", opts.File)
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
	return cmd
}

// domainResult is what one domain produced, kept until it is printed.
type domainResult struct {
	input string
	rep   *report.Report
	err   error // bad input for this domain
	code  int
	why   string
}

func runDomain(ctx context.Context, f *Factory, opts *DomainOptions) error {
	up, err := f.newUpstream()
	if err != nil {
		return err
	}
	inputs, closeInputs, err := domainInputs(f, opts)
	if err != nil {
		return err
	}
	defer closeInputs()

	probe, reason := !opts.NoProbe, ""
	switch {
	case len(f.globals.Zones) > 0:
		probe, reason = false, "offline mode (--zone): nothing is sent to the network"
	case opts.NoProbe:
		reason = "--no-probe was given"
	}
	progress := newProgress(f)

	// A window of at most Concurrency domains is in flight or waiting to
	// be printed: each takes a token before it starts and gives it back
	// once printed, so memory stays flat however long the list is, and
	// output follows input order.
	tokens := make(chan struct{}, opts.Concurrency)
	queue := make(chan chan *domainResult, opts.Concurrency)
	var wg sync.WaitGroup
	go func() {
		defer close(queue)
		for in := range inputs {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			fut := make(chan *domainResult, 1)
			queue <- fut
			wg.Add(1)
			go func() {
				defer wg.Done()
				fut <- checkOneDomain(ctx, f, up, in, opts, probe, reason, progress)
			}()
		}
	}()

	var summary []summaryRow
	worst := ExitOK
	var firstWhy string
	n := 0
	for fut := range queue {
		r := <-fut
		progress.clear()
		n++
		if r.err != nil {
			fmt.Fprintf(f.IO.ErrOut, "mailcheck: %v\n", r.err)
		} else {
			if err := f.printDomain(r.rep, n, opts.Explain); err != nil {
				return err
			}
			summary = append(summary, summarize(r.rep))
		}
		if rank(r.code) > rank(worst) {
			worst, firstWhy = r.code, r.why
		}
		<-tokens
	}
	wg.Wait()
	progress.clear()
	if f.globals.Format == "json" && n > 0 {
		fmt.Fprintln(f.IO.Out, "]")
	}
	if f.globals.Format == "text" && len(summary) > 1 {
		title := fmt.Sprintf("Summary of %d domains", len(summary))
		_ = render.Summary(f.IO.Out, title, summaryTable(summary), render.TextOptions{Width: f.IO.TerminalWidth(), Profile: f.IO.ColorProfile()})
	}
	if worst == ExitOK {
		return nil
	}
	return &ExitError{Code: worst, Reason: firstWhy}
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

// input is one domain to check, as given.
type input struct {
	raw  string
	line int // in --file; 0 for arguments
	d    dnsname.Domain
	err  error
}

// domainInputs streams the domains: arguments first, then --file.
func domainInputs(f *Factory, opts *DomainOptions) (<-chan input, func(), error) {
	var r io.Reader
	closer := func() {}
	name := opts.File
	switch opts.File {
	case "":
	case "-":
		r, name = f.IO.In, "stdin"
	default:
		fh, err := os.Open(opts.File)
		if err != nil {
			return nil, nil, &InputError{Err: fmt.Errorf("--file: %w", err)}
		}
		r, closer = fh, func() { fh.Close() }
	}
	out := make(chan input)
	go func() {
		defer close(out)
		for _, d := range opts.Domains {
			out <- input{raw: d.String(), d: d}
		}
		if r == nil {
			return
		}
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 4096), 4096) // a longer line is no domain name
		line := 0
		for sc.Scan() {
			line++
			text := strings.TrimSpace(sc.Text())
			if i := strings.IndexByte(text, '#'); i >= 0 {
				text = strings.TrimSpace(text[:i])
			}
			if text == "" {
				continue
			}
			d, err := parseDomainArg("domain", text)
			if err != nil {
				err = fmt.Errorf("%s line %d: %w", name, line, err)
			}
			out <- input{raw: text, line: line, d: d, err: err}
		}
		if err := sc.Err(); err != nil {
			out <- input{line: line + 1, err: fmt.Errorf("%s line %d: %w", name, line+1, err)}
		}
	}()
	return out, closer, nil
}

func checkOneDomain(ctx context.Context, f *Factory, up *upstream, in input, opts *DomainOptions, probe bool, reason string, p *progress) *domainResult {
	if in.err != nil {
		return &domainResult{input: in.raw, err: in.err, code: ExitBadInput, why: in.err.Error()}
	}
	s := up.session(f)
	dctx, cancel := context.WithTimeout(ctx, f.globals.Timeout)
	defer cancel()
	ao := audit.Options{
		SendingIPs: opts.SendingIPs, Selectors: opts.Selectors, Probe: probe, ProbeReason: reason, Parked: opts.Parked,
		Progress: func(check string, done, total int) { p.update(in.d.String(), check, done, total) },
	}
	ao.DNSBL.Resolver = up.source
	rep := audit.Run(dctx, s.Env, in.d, ao)
	full := f.newReport(s, "domain", in.d.Unicode(), rep.Sections...)
	full.Score, full.TopFixes, full.Readiness, full.Environment = rep.Score, rep.TopFixes, rep.Readiness, rep.Environment
	res := &domainResult{input: in.raw, rep: full}
	res.code, res.why = f.domainGate(full, opts)
	return res
}

// domainGate applies --fail-under and --fail-on to one domain's report.
func (f *Factory) domainGate(rep *report.Report, opts *DomainOptions) (int, string) {
	if rep.Score == nil || rep.Inconclusive() {
		return ExitInconclusive, fmt.Sprintf("%s: inconclusive: %s", rep.Target, audit.NoGradeReason(rep))
	}
	if opts.FailUnder >= 0 && rep.Score.Value < opts.FailUnder {
		return ExitGateFailed, fmt.Sprintf("%s scores %d, under --fail-under %d", rep.Target, rep.Score.Value, opts.FailUnder)
	}
	if min, _ := f.failOn(); min != "" {
		if worst, ok := rep.Worst(); ok && worst.Severity.AtLeast(min) {
			return ExitGateFailed, fmt.Sprintf("%s: %s finding %s (--fail-on %s)", rep.Target, worst.Severity, worst.ID, min)
		}
	}
	return ExitOK, ""
}

// printDomain writes one report; n counts reports printed so far (1-based).
func (f *Factory) printDomain(rep *report.Report, n int, explain bool) error {
	out := f.IO.Out
	switch f.globals.Format {
	case "json":
		// Several reports make one JSON array, streamed.
		sep := "[\n"
		if n > 1 {
			sep = ",\n"
		}
		if _, err := io.WriteString(out, sep); err != nil {
			return err
		}
		return render.JSON(out, rep)
	case "text":
		if n > 1 {
			fmt.Fprintln(out)
		}
		if err := f.print(rep); err != nil {
			return err
		}
		if explain && rep.Score != nil {
			return render.Explain(out, rep.Score)
		}
		return nil
	default:
		if n > 1 && f.globals.Format != "jsonl" {
			fmt.Fprintln(out, "\n---")
		}
		return f.print(rep)
	}
}

type summaryRow struct {
	domain, score, grade, fail, warn, unknown string
}

func summarize(rep *report.Report) summaryRow {
	row := summaryRow{domain: rep.Target, score: "-", grade: "-"}
	if rep.Score != nil {
		row.score, row.grade = fmt.Sprint(rep.Score.Value), rep.Score.Grade
	}
	var fail, warn, unknown int
	for _, s := range rep.Sections {
		switch s.Status {
		case report.StatusFail:
			fail++
		case report.StatusWarn:
			warn++
		case report.StatusUnknown:
			unknown++
		}
	}
	row.fail, row.warn, row.unknown = fmt.Sprint(fail), fmt.Sprint(warn), fmt.Sprint(unknown)
	return row
}

func summaryTable(rows []summaryRow) report.Table {
	t := report.Table{Columns: []string{"domain", "score", "grade", "checks failing", "warning", "unknown"}}
	for _, r := range rows {
		t.Rows = append(t.Rows, []string{r.domain, r.score, r.grade, r.fail, r.warn, r.unknown})
	}
	return t
}

// progress writes one status line on stderr while checks run, only when
// stderr is a terminal.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	on    bool
	dirty bool
}

func newProgress(f *Factory) *progress {
	return &progress{w: f.IO.ErrOut, on: f.IO.IsStderrTTY()}
}

func (p *progress) update(domain, check string, done, total int) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r\x1b[K%s: %s done (%d/%d)", domain, check, done, total)
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

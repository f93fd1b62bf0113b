package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/mailcheck/mailcheck/internal/build"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/internal/render"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

func (f *Factory) validateGlobals() error {
	g := &f.globals
	switch strings.ToLower(g.Format) {
	case "text", "json", "jsonl", "markdown", "md":
		g.Format = strings.ToLower(g.Format)
	default:
		return badInput("format", report.Params{"value": g.Format})
	}
	if g.Timeout <= 0 {
		return badInput("timeout", report.Params{"value": g.Timeout.String()})
	}
	if g.Resolver != "" && len(g.Zones) > 0 {
		return badInput("resolver_and_zone", nil)
	}
	if g.Resolver != "" {
		if err := checkResolverArg(g.Resolver); err != nil {
			return err
		}
		if _, err := resolver.NewClient(resolver.ClientOptions{Server: g.Resolver}); err != nil {
			return &InputError{Err: fmt.Errorf("--resolver: %w", err)}
		}
	}
	if g.Lang != "" {
		if _, err := i18n.Parse(g.Lang); err != nil {
			return &InputError{Err: fmt.Errorf("--lang: %w", err)}
		}
	}
	if _, err := f.failOn(); err != nil {
		return err
	}
	if g.NoColor {
		f.IO.DisableColor()
	}
	return nil
}

// failOn returns the --fail-on severity; ok is false for "none".
func (f *Factory) failOn() (report.Severity, error) {
	v := strings.ToLower(strings.TrimSpace(f.globals.FailOn))
	if v == "none" {
		return "", nil
	}
	s, err := report.ParseSeverity(v)
	if err != nil {
		return "", badInput("fail_on", report.Params{"value": f.globals.FailOn})
	}
	return s, nil
}

// session is one command's run: its deadline, its resolver (with the per-run
// cache in front) and the Env every check gets.
type session struct {
	Env     check.Env
	cache   *resolver.Cache
	counter interface{ Queries() int64 }
	source  string
}

// upstream is the resolver every lookup of a run goes through: the zone
// files (--zone), or a resolver client (--resolver, else resolv.conf).
type upstream struct {
	resolver resolver.Resolver
	source   string
	counter  interface{ Queries() int64 }
	// offline (--zone): no socket is opened at all, so the Env gets no
	// dialer and no HTTP client, and what needs them is skipped.
	offline bool
}

func (f *Factory) newUpstream() (*upstream, error) {
	if len(f.globals.Zones) > 0 {
		for _, p := range f.globals.Zones {
			// The usual mistake, a wrong path, in the run's words (a
			// zone file's syntax errors stay the parser's: zoneError).
			if _, err := os.Stat(p); err != nil {
				return nil, badInput("file_open", report.Params{"flag": "--zone", "value": p, "reason": pathReason(err)})
			}
		}
		z, err := resolver.LoadZones(f.globals.Zones...)
		if err != nil {
			return nil, zoneError(err)
		}
		return &upstream{resolver: z, source: resolver.ZoneFiles, offline: true}, nil
	}
	opts := resolver.ClientOptions{Server: f.globals.Resolver}
	if opts.Server == "" {
		// Every nameserver line, as the system resolver uses them.
		var err error
		opts, err = resolver.SystemOptions(f.ResolvConf)
		if err != nil {
			var why any = report.Lit(err.Error())
			var pe *fs.PathError
			if errors.As(err, &pe) {
				why = report.T("cli.err.file_reason", report.Params{"file": pe.Path, "reason": pathReason(err)})
			}
			return nil, &envError{words: report.T("cli.exit.no_resolver", report.Params{"reason": why})}
		}
	}
	c, err := resolver.NewClient(opts)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	return &upstream{resolver: c, source: c.Server(), counter: c}, nil
}

// session gives one target its own per-run cache in front of the upstream,
// and the doors to the world. Every connection, SMTP or HTTPS, goes through
// a dialer that resolves its host through that cache (so --resolver is the
// only resolver, never /etc/resolv.conf or the Go resolver) and then dials
// the address through Factory.Dialer; HTTPS certificates are verified at
// Factory.Now. Offline (--zone) there is no dialer and no HTTP client at all.
func (u *upstream) session(f *Factory) *session {
	s := &session{source: u.source, counter: u.counter, cache: resolver.NewCache(u.resolver)}
	s.Env = check.Env{Resolver: s.cache, Now: f.Now, NoDisplay: f.globals.Format == "json" || f.globals.Format == "jsonl"} // JSON carries no Display
	if !u.offline && f.Dialer != nil {
		d := check.ResolvingDialer{Resolver: s.cache, Dialer: f.Dialer}
		s.Env.Dialer = d
		s.Env.HTTPClient = check.HTTPClientVia(f.HTTPClient, d, f.Now)
	}
	return s
}

// domainSession is session for one domain of a bulk run: the names at or
// under it skip the run's shared cache (see resolver.SharedCache.Own).
func (u *upstream) domainSession(f *Factory, d dnsname.Domain) *session {
	sc, ok := u.resolver.(*resolver.SharedCache)
	if !ok {
		return u.session(f)
	}
	own := *u
	own.resolver = sc.Own(d.FQDN())
	return own.session(f)
}

// newSession builds the resolver from --zone or --resolver (else
// resolv.conf) and returns a context carrying the --timeout deadline.
func (f *Factory) newSession(ctx context.Context) (*session, context.Context, context.CancelFunc, error) {
	u, err := f.newUpstream()
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.globals.Timeout)
	return u.session(f), ctx, cancel, nil
}

// newReport wraps sections into a report for command on target.
func (f *Factory) newReport(s *session, command, target string, sections ...report.Section) *report.Report {
	version, _, _ := build.Info()
	rep := &report.Report{
		SchemaVersion: report.SchemaVersion,
		Tool:          report.Tool{Name: "mailcheck", Version: version},
		Command:       command,
		Target:        target,
		GeneratedAt:   f.Now().UTC(),
		Sections:      sections,
	}
	for i := range rep.Sections {
		report.SortFindings(rep.Sections[i].Findings)
	}
	if s != nil {
		st := s.cache.Stats()
		rep.DNS = &report.DNSStats{Resolver: s.source, Lookups: st.Lookups, Distinct: st.Distinct, Queries: st.Distinct}
		if s.counter != nil {
			rep.DNS.Queries = s.counter.Queries()
		}
	}
	return rep
}

// gate is a command's own requirement (--require-policy): it returns a
// reason when the report fails it.
type gate func(*report.Report) (failed bool, reason string)

// finish prints the report and decides the exit: 3 when nothing could be
// decided, 1 when a gate fails, else 0. The report is printed in every case.
func (f *Factory) finish(ctx context.Context, rep *report.Report, gates ...gate) error {
	if err := f.print(rep); err != nil {
		return err
	}
	if ctx.Err() != nil && rep.Inconclusive() {
		return exitWith(ExitInconclusive, report.T("cli.exit.timeout", report.Params{"timeout": f.globals.Timeout.String()}))
	}
	if rep.Inconclusive() && !answeredOnly(rep) {
		// The report was worded when it was printed: its detail is in
		// the run's language already.
		return exitWith(ExitInconclusive, report.T("cli.exit.inconclusive", report.Params{"why": report.Lit(firstInconclusive(rep))}))
	}
	for _, g := range gates {
		if failed, reason := g(rep); failed {
			return &ExitError{Code: ExitGateFailed, Reason: reason}
		}
	}
	min, _ := f.failOn()
	if min != "" {
		if worst, ok := rep.Worst(); ok && worst.Severity.AtLeast(min) {
			return exitWith(ExitGateFailed, report.T("cli.exit.fail_on", report.Params{"severity": string(worst.Severity), "id": worst.ID, "min": string(min)}))
		}
	}
	return nil
}

// answered lists the inconclusive findings that DNS answered but cannot
// settle: no key under the guessed DKIM selectors (RFC 6376 §3.1:
// selectors cannot be listed, so every guess was answered NXDOMAIN and the
// key may still exist). The report says so; the resolver did not fail, so
// it is no reason to exit 3.
var answered = map[string]bool{"dkim.selector.unverified": true}

// answeredOnly reports whether rep has inconclusive findings and every one
// of them is one of answered.
func answeredOnly(rep *report.Report) bool {
	found := false
	for _, s := range rep.Sections {
		for _, f := range s.Findings {
			if f.Inconclusive && !answered[f.ID] {
				return false
			}
			found = found || answered[f.ID]
		}
	}
	return found
}

func firstInconclusive(rep *report.Report) string {
	for _, s := range rep.Sections {
		for _, f := range s.Findings {
			if f.Inconclusive {
				return f.Detail
			}
		}
	}
	return "no check could decide"
}

func (f *Factory) print(rep *report.Report) error { return f.render(f.IO.Out, rep) }

// lang is the language of the run: --lang, else the environment's.
func (f *Factory) lang() i18n.Lang {
	if l, err := i18n.Parse(f.globals.Lang); err == nil && f.globals.Lang != "" {
		return l
	}
	getenv := f.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	return i18n.Detect(getenv)
}

// localizer words reports in the language of the run.
func (f *Factory) localizer() *i18n.Localizer { return i18n.For(f.lang()) }

// render writes rep to out in the --format, worded in the run's language
// (JSON included: its prose fields follow --lang, its IDs and keys do not).
func (f *Factory) render(out io.Writer, rep *report.Report) error {
	if f.globals.Format == "json" || f.globals.Format == "jsonl" {
		f.localizer().LocalizeData(rep) // JSON carries no Display
	} else {
		f.localizer().Localize(rep)
	}
	switch f.globals.Format {
	case "json":
		return render.JSON(out, rep)
	case "jsonl":
		return render.JSONLine(out, rep)
	case "markdown", "md":
		return render.Markdown(out, rep)
	default:
		return render.Text(out, rep, f.textOptions())
	}
}

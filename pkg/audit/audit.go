// Package audit runs every check on one domain at once and scores the
// result: the library behind `mailcheck domain`. Checks share the caller's
// resolver (give it a resolver.Cache so each (name, type) is asked once per
// run), run concurrently under a limit, and write their sections to
// pre-sized slots, so the report's order never depends on timing. A check
// that fails or times out leaves the others intact: its section is
// unknown, and unknown is never scored.
package audit

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/mailcheck/mailcheck/internal/workers"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dane"
	"github.com/mailcheck/mailcheck/pkg/dkim"
	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/dnsbl"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/dnssec"
	"github.com/mailcheck/mailcheck/pkg/infra"
	"github.com/mailcheck/mailcheck/pkg/mtasts"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/score"
	"github.com/mailcheck/mailcheck/pkg/smtpprobe"
	"github.com/mailcheck/mailcheck/pkg/spf"
)

// Options configure a run.
type Options struct {
	// SendingIPs are the addresses the domain sends from (--ip): their
	// reverse DNS and blocklist status are checked.
	SendingIPs []netip.Addr
	// Selectors are DKIM selectors to check first (--selector).
	Selectors []string
	// Probe runs the SMTP port probes from this machine (an environment
	// report, never scored); off in offline --zone mode.
	Probe bool
	// ProbeReason says why probes were skipped, for the report:
	// ProbeOffline or ProbeDisabled (worded from the catalogs), or any
	// other text, shown as it is.
	ProbeReason string
	SMTP        smtpprobe.Options
	DNSBL       dnsbl.Options
	// Parked judges the domain as one that sends and receives no mail
	// (parked.go), even when its records do not say so yet.
	Parked bool
	// Progress, when set, is called as each check finishes.
	Progress func(check string, done, total int)
}

// Definitions are the findings of the audit itself.
var Definitions = append([]report.Definition{findCheckFailed, findProbeSkipped, findNoGrade}, parkedDefinitions...)

var (
	findCheckFailed  = report.Definition{ID: "audit.check.failed", Severity: report.Info, Inconclusive: true}
	findProbeSkipped = report.Definition{ID: "audit.probe.skipped", Severity: report.Info}
	findNoGrade      = report.Definition{ID: "audit.score.insufficient", Severity: report.Info, Inconclusive: true}
)

// The reasons for not probing that the audit words itself
// (Options.ProbeReason).
const (
	ProbeOffline  = "offline"  // the DNS answers come from zone files: nothing is sent to the network
	ProbeDisabled = "disabled" // the caller turned the probes off
)

// probeReason words Options.ProbeReason.
func probeReason(r string) report.Msg {
	switch r {
	case ProbeOffline, ProbeDisabled:
		return probeReasonKeys.T(r, nil)
	}
	return report.Lit(r)
}

// job is one unit of concurrent work: it fills its slots.
type job struct {
	name string
	// run makes the job's sections: a check of one section sets *one
	// and returns nil (no slice of one a check, four a domain), the
	// others return theirs.
	run func(ctx context.Context, a *audit, one *report.Section) []report.Section
}

// audit is one run's shared state: what its jobs read, and what they
// write (their slots, the progress count). One allocation holds it all,
// and the jobs are functions of it, not closures over Run's variables,
// which cost an allocation each for every domain of a bulk run.
type audit struct {
	env     check.Env
	d       dnsname.Domain
	opts    Options
	jobs    []job
	results [][]report.Section
	// one holds the section of each single-section job, results' backing
	// array the slots: in this allocation, not one each.
	one   [maxJobs]report.Section
	ones  []report.Section // one[:len(jobs)]
	slots [maxJobs][]report.Section
	// discovery is the domain's DMARC tree walk, shared by two jobs.
	discovery func() dmarc.Discovery
	mu        sync.Mutex
	finished  int
}

// domainJobs are the jobs of every run, in report order; the probes are
// added when asked for.
var domainJobs = []job{
	{"spf", func(ctx context.Context, a *audit, one *report.Section) []report.Section {
		*one = spf.Check(ctx, a.env, a.d, spf.Options{})
		return nil
	}},
	{"dkim", func(ctx context.Context, a *audit, one *report.Section) []report.Section {
		*one = dkim.Check(ctx, a.env, a.d, dkim.Options{Selectors: a.opts.Selectors})
		return nil
	}},
	{"dmarc", func(ctx context.Context, a *audit, one *report.Section) []report.Section {
		*one = dmarc.Check(ctx, a.env, a.d, dmarc.Options{Discovery: a.discovery})
		return nil
	}},
	{"dnsbl", func(ctx context.Context, a *audit, one *report.Section) []report.Section {
		o := a.opts.DNSBL
		o.Addresses = append(o.Addresses, a.opts.SendingIPs...)
		*one = dnsbl.Check(ctx, a.env, a.d, o)
		return nil
	}},
	{"mx", func(ctx context.Context, a *audit, _ *report.Section) []report.Section {
		return infra.Run(ctx, a.env, a.d, infra.Options{SendingIPs: a.opts.SendingIPs, DMARCDiscovery: a.discovery})
	}},
}

var probeJob = job{"ports", func(ctx context.Context, a *audit, _ *report.Section) []report.Section {
	return smtpprobe.Check(ctx, a.env, a.d, a.opts.SMTP)
}}

// maxJobs: the domain's jobs and the probes.
const maxJobs = 6

// runJob runs job i into its slot.
func (a *audit) runJob(ctx context.Context, i int) {
	j := a.jobs[i]
	if out := guard(ctx, j, a, &a.ones[i]); out != nil {
		a.results[i] = out
	} else {
		a.results[i] = a.ones[i : i+1 : i+1]
	}
	if a.opts.Progress != nil {
		// Reported from the job itself, under a lock, so no progress
		// line can come after Run returns.
		a.mu.Lock()
		a.finished++
		a.opts.Progress(j.name, a.finished, len(a.jobs))
		a.mu.Unlock()
	}
}

// Run audits d. The returned report has the domain sections in a fixed
// order, the environment sections apart, and the score.
func Run(ctx context.Context, env check.Env, d dnsname.Domain, opts Options) *report.Report {
	a := &audit{env: env, d: d, opts: opts, jobs: domainJobs}
	// DMARC and BIMI read the same DMARC tree walk: made once, by
	// whichever asks first (the other waits for it; both would have asked
	// the same questions at the same time).
	a.discovery = sync.OnceValue(func() dmarc.Discovery { return dmarc.Discover(ctx, env.Resolver, d) })
	if opts.Probe {
		a.jobs = append(slices.Clip(domainJobs), probeJob)
	}
	jobs := a.jobs
	if len(jobs) <= maxJobs {
		a.results, a.ones = a.slots[:len(jobs)], a.one[:len(jobs)]
	} else {
		a.results, a.ones = make([][]report.Section, len(jobs)), make([]report.Section, len(jobs))
	}
	results := a.results
	// A handful of checks, all at once (each bounds its own fan-out), on
	// long-lived workers; the caller's goroutine runs the infrastructure
	// checks (the longest chain: the MX set and what depends on it) itself.
	var g workers.Group
	inline := slices.IndexFunc(jobs, func(j job) bool { return j.name == "mx" })
	for i := range jobs {
		if i != inline {
			g.Go(func() { a.runJob(ctx, i) })
		}
	}
	a.runJob(ctx, inline)
	g.Wait()

	rep := &report.Report{Target: d.Unicode()}
	n := 0
	for _, secs := range results {
		n += len(secs)
	}
	rep.Sections = make([]report.Section, 0, n) // a dozen sections: grown once, not five times
	for _, secs := range results {
		for _, s := range secs {
			if s.Check == "ports" {
				rep.Environment = append(rep.Environment, s)
				continue
			}
			rep.Sections = append(rep.Sections, s)
		}
	}
	if !opts.Probe && opts.ProbeReason != "" {
		why := probeReason(opts.ProbeReason)
		f := findProbeSkipped.With(report.Params{"domain": d.String(), "reason": why})
		rep.Environment = append(rep.Environment, report.Section{
			Check: "ports", Title: "SMTP reachability from this machine", Target: d.Unicode(),
			Status: report.StatusSkipped, Summary: report.T("audit.summary.not_probed", report.Params{"reason": why}), Findings: []report.Finding{f},
		})
	}
	dnssec.Explain(rep.Sections) // failed lookups in a bogus zone say so
	crossCheckTLS(rep.Sections)
	parked := park(rep.Sections, d, opts.Parked) // parked.go
	if s, ok := score.Compute(rep.Sections); ok {
		rep.Score = &s
	} else {
		// Unknown is never scored as known: with too little decided there
		// is no grade, and the report says so where the grade would be.
		rep.Sections = append([]report.Section{NoGrade(d.Unicode(), rep.Sections)}, rep.Sections...)
	}
	finish(rep, parked) // summary.go: fixes ranked by priority with merged records; what the score means
	rep.Readiness = Readiness(rep.Sections)
	return rep
}

// CheckScore is the Section.Check of the section that stands in for the
// grade when there is none.
const CheckScore = "score"

// NoGrade is the section that says why a report has no score: the checks
// that carry it could not decide enough of it (score.Sufficient).
func NoGrade(target string, sections []report.Section) report.Section {
	_, why := score.Sufficient(sections)
	if why.Key == "" {
		why = report.T("score.insufficient.none", nil)
	}
	f := findNoGrade.With(report.Params{"why": why})
	return report.Section{Check: CheckScore, Title: "Score", Target: target, Status: report.StatusUnknown,
		Summary: report.T("audit.summary.no_grade", report.Params{"why": why}), Findings: []report.Finding{f}}
}

// NoGradeReason says why rep has no score, for the exit message.
func NoGradeReason(rep *report.Report) report.Msg {
	for _, s := range rep.Sections {
		if s.Check == CheckScore {
			return s.Summary
		}
	}
	return report.T("audit.summary.no_decision", nil)
}

// guard runs one job, turning a panic into an unknown section so one
// broken check cannot take the audit down.
func guard(ctx context.Context, j job, a *audit, one *report.Section) (out []report.Section) {
	defer func() {
		if r := recover(); r != nil {
			f := findCheckFailed.With(report.Params{"check": j.name, "panic": fmt.Sprint(r)})
			out = []report.Section{{Check: j.name, Title: j.name, Target: a.d.Unicode(), Status: report.StatusUnknown,
				Summary: report.T("audit.summary.internal_error", nil), Findings: []report.Finding{f}}}
		}
	}()
	return j.run(ctx, a, one)
}

// crossCheckTLS hands what the SMTP probe saw in STARTTLS on port 25 to the
// checks that need a handshake: MTA-STS (is each MX certificate one that
// policy-honouring senders accept?) and DANE (does a validated TLSA record
// match the chain?). Without probes there is nothing to hand over, and
// those findings are simply not made.
func crossCheckTLS(sections []report.Section) {
	var probe *smtpprobe.ServerData
	var sts, dn *report.Section
	for i := range sections {
		switch sections[i].Check {
		case "smtp":
			probe, _ = sections[i].Data.(*smtpprobe.ServerData)
		case "mtasts":
			sts = &sections[i]
		case "dane":
			dn = &sections[i]
		}
	}
	if probe == nil {
		return
	}
	var certs []mtasts.MXCertificate
	chains := map[string][]*x509.Certificate{}
	for _, srv := range probe.Servers {
		if srv.Port.Number != 25 || srv.TLS == nil {
			continue
		}
		host := strings.TrimSuffix(strings.ToLower(srv.Host), ".")
		certs = append(certs, mtasts.MXCertificate{Host: host, Valid: srv.TLS.Verified, Problem: certProblem(srv.TLS)})
		if len(srv.TLS.Certificates) > 0 {
			chains[host] = srv.TLS.Certificates
		}
	}
	if sts != nil {
		mtasts.CheckCertificates(sts, certs)
	}
	if dn != nil {
		dane.CheckChains(dn, chains)
	}
}

func certProblem(t *smtpprobe.TLSInfo) string {
	var p []string
	if !t.Trusted {
		p = append(p, "the certificate is not trusted ("+or(t.TrustError, "unknown issuer")+")")
	}
	if !t.NameMatch {
		p = append(p, "it does not name the host ("+or(t.NameError, "name mismatch")+")")
	}
	if t.Expired {
		p = append(p, "it expired on "+t.NotAfter.Format("2006-01-02"))
	}
	if t.NotYetValid {
		p = append(p, "it is not valid yet")
	}
	if len(p) == 0 {
		return "the certificate does not validate"
	}
	return strings.Join(p, "; ")
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// probeReasonKeys joins audit.probe.reason.<reason> once (report.Keys).
var probeReasonKeys = report.NewKeys("audit.probe.reason.")

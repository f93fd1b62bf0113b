package reports

import (
	"context"
	"sort"
	"time"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// Options tune Sections.
type Options struct {
	// NoDNS skips every lookup: sources are recognized from the reports
	// alone and the record to publish is built from policy_published.
	NoDNS bool
	// Concurrency bounds the PTR lookups in flight (default 16).
	Concurrency int
	// MaxPTR bounds the addresses whose PTR is asked, largest sources
	// first (default 1000).
	MaxPTR int
	// StaleAfter: a newest aggregate report ending longer ago than this
	// is reported as stale (default 30 days).
	StaleAfter time.Duration
}

// ReadyShare is the largest share of legitimate volume failing DMARC at
// which moving to a stricter policy is called safe: 0.5%. Below it the
// failures are the stray messages every domain has (a misconfigured
// printer, a one-off forward); above it a real sender would be lost.
const ReadyShare = 0.005

// Classes of source (Source.Class).
const (
	ClassAligned      = "aligned"      // legitimate and passing DMARC
	ClassFailing      = "failing"      // legitimate but failing DMARC
	ClassForwarded    = "forwarded"    // relayed by a forwarder or list
	ClassUnauthorized = "unauthorized" // neither known nor passing
)

// Data is the data of a reports section: one per domain, and one for the
// input ("files") when some of it could not be read.
type Data struct {
	// Domain is the domain the reports are about; absent in the files
	// section.
	Domain string `json:"domain,omitempty"`
	// Reports lists every report read for the domain, duplicates once.
	Reports []*Report `json:"reports"`
	// Duplicates counts reports seen again (same reporter and report ID).
	Duplicates int `json:"duplicates,omitempty"`
	// Messages and DMARCPass total the domain's aggregate reports.
	Messages  int64 `json:"messages"`
	DMARCPass int64 `json:"dmarc_pass"`
	// Sources lists every source address, largest volume first.
	Sources []Source `json:"sources,omitempty"`
	// Services groups the sources by sending service.
	Services []ServiceGroup `json:"services,omitempty"`
	Verdict  *Verdict       `json:"verdict,omitempty"`
	// Problems lists unreadable and recovered inputs (files section).
	Problems []Problem `json:"problems,omitempty"`
	// Stats counts the input read (files section).
	Stats *Stats `json:"stats,omitempty"`
}

// Source is one sending address of the domain, over all its reports.
type Source struct {
	IP string `json:"ip"`
	// PTR lists the address's reverse-DNS names (absent offline).
	PTR []string `json:"ptr,omitempty"`
	// Service is the sending service ("Google Workspace"), "your own
	// server 192.0.2.10", or the address's name when unknown, in words.
	Service report.Msg `json:"service"`
	// MatchedBy says how the service was recognized ("reverse DNS x",
	// "DKIM d=x", "envelope sender x"), in words.
	MatchedBy report.Msg `json:"matched_by,omitzero"`
	// Class: "aligned", "failing", "forwarded" or "unauthorized".
	Class    string `json:"class"`
	Messages int64  `json:"messages"`
	// DMARCPass, DKIMPass and SPFPass count messages whose
	// policy_evaluated passed (aligned results, RFC 7489 §3.1).
	DMARCPass int64 `json:"dmarc_pass"`
	DKIMPass  int64 `json:"dkim_pass"`
	SPFPass   int64 `json:"spf_pass"`
	// Disposed counts messages the receiver quarantined or rejected.
	Disposed int64 `json:"disposed"`
	// Others counts, for an address of a shared sending service, the
	// messages that failed DMARC showing none of the domain's identities
	// nor the service's defaults: another customer of the service using
	// the domain in From. They count as unauthorized, not as the
	// domain's mail at risk.
	Others int64 `json:"others,omitempty"`
	// DKIMDomains and SPFDomains are the identities auth_results
	// showed, with the messages for which each passed.
	DKIMDomains []Identity `json:"dkim_domains,omitempty"`
	SPFDomains  []Identity `json:"spf_domains,omitempty"`

	group string // the key of its ServiceGroup
}

// Identity is a DKIM d= or SPF domain with its results.
type Identity struct {
	Domain   string `json:"domain"`
	Pass     int64  `json:"pass"`
	Messages int64  `json:"messages"`
}

// ServiceGroup is the sources of one sending service.
type ServiceGroup struct {
	// Name is the service's name, or the source's, in words.
	Name      report.Msg `json:"name"`
	Class     string     `json:"class"`
	Sources   int        `json:"sources"`
	Messages  int64      `json:"messages"`
	DMARCPass int64      `json:"dmarc_pass"`
	// Fix is what makes the failing mail pass, for class "failing".
	Fix report.Msg `json:"fix,omitzero"`
	// SPFRecord is the domain's SPF record with the service's include or
	// the server's address added, when the record was looked up.
	SPFRecord string `json:"spf_record,omitempty"`

	short report.Msg // the fix in a few words, for the table
	key   string     // what groups the sources (a service, an address)
}

// Verdict is the answer across the domain's aggregate reports.
type Verdict struct {
	// Policy is the p= in force: from DNS when looked up, else the
	// newest policy_published; PolicyFrom says which ("dns", "reports").
	Policy     string    `json:"policy"`
	PolicyFrom string    `json:"policy_from"`
	Begin      time.Time `json:"begin,omitzero"`
	End        time.Time `json:"end,omitzero"`
	Messages   int64     `json:"messages"`
	// Legitimate is the volume of aligned, failing and forwarded
	// sources; AtRisk the part of it that fails DMARC, which quarantine
	// or reject would send to spam or refuse.
	Legitimate   int64 `json:"legitimate"`
	AtRisk       int64 `json:"at_risk"`
	Unauthorized int64 `json:"unauthorized"`
	// AtRiskPercent is AtRisk over Legitimate, in percent.
	AtRiskPercent float64 `json:"at_risk_percent"`
	// Next is the recommended p=; equal to Policy when it should stay.
	Next string `json:"next"`
	// Ready: the legitimate volume at risk is at most ReadyShare.
	Ready bool `json:"ready"`
	// Testing: the policy is in test mode (t=y, RFC 9989), which
	// receivers do not apply; leaving it is the step before a stricter p.
	Testing bool `json:"testing,omitempty"`
	// Record is the DMARC record to publish for Next.
	Record *report.Record `json:"record,omitempty"`
}

// Sections classifies what the collector read and returns the sections:
// the input's problems first (when there are any), then one per domain.
func (c *Collector) Sections(ctx context.Context, env check.Env, opts Options) []report.Section {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 16
	}
	if opts.MaxPTR <= 0 {
		opts.MaxPTR = 1000
	}
	if opts.StaleAfter <= 0 {
		opts.StaleAfter = 30 * 24 * time.Hour
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []report.Section
	st := Stats{Items: c.items, Duplicates: c.dups}
	for _, d := range c.domains {
		st.Reports += len(d.reports)
	}
	if len(c.problems) > 0 || st.Reports == 0 {
		out = append(out, c.filesSection(st))
	}
	names := make([]string, 0, len(c.domains))
	for n := range c.domains {
		names = append(names, n)
	}
	sort.Strings(names)
	var rd rdns
	if !opts.NoDNS && env.Resolver != nil {
		rd = lookupPTRs(ctx, env.Resolver, c.domains, opts)
	}
	for _, n := range names {
		out = append(out, c.domainSection(ctx, env, c.domains[n], rd, opts))
	}
	return out
}

func (c *Collector) filesSection(st Stats) report.Section {
	probs := append([]Problem(nil), c.problems...)
	sort.SliceStable(probs, func(i, j int) bool { return probs[i].Source < probs[j].Source })
	var fs []report.Finding
	for _, p := range probs {
		if p.Status == "unreadable" {
			st.Unreadable++
			fs = append(fs, defUnreadable.With(report.Params{"source": p.Source, "reason": p.Reason}))
		} else {
			st.Recovered++
			fs = append(fs, defRecovered.With(report.Params{"source": p.Source, "reason": p.Reason}))
		}
	}
	if st.Reports == 0 {
		fs = append(fs, defNoReports.With(report.Params{"count": st.Items}))
	}
	tb := report.Table{Title: report.T("reports.table.files", nil),
		Columns: []report.Msg{report.T("reports.col.file", nil), report.T("reports.col.status", nil), report.T("reports.col.reason", nil)}}
	for _, p := range probs {
		tb.Rows = append(tb.Rows, []report.Msg{report.Lit(p.Source), report.T("reports.status."+p.Status, nil), p.Reason})
	}
	sec := report.Section{
		Check: "reports", Title: FilesTitle, Target: FilesTarget,
		Summary: report.T("reports.summary.files", report.Params{"count": st.Items, "reports": st.Reports,
			"unreadable": st.Unreadable, "recovered": st.Recovered, "duplicates": st.Duplicates}),
		Findings: fs,
		Data:     &Data{Reports: []*Report{}, Problems: probs, Stats: &st},
	}
	if len(tb.Rows) > 0 {
		sec.Display.Tables = []report.Table{tb}
	}
	sec.Status = report.StatusOf(fs)
	return sec
}

// Section titles (worded by internal/i18n from their English), and the
// targets of the files section and of reports that name no domain, in
// English (report.Section.Target is a string); TargetKey gives the catalog
// message of each target, for a caller that shows them in another
// language.
const (
	FilesTitle  = "Report files"
	DomainTitle = "DMARC and TLS reports"
	FilesTarget = "input"
	NoDomain    = "(reports naming no domain)"
)

// TargetKey returns the catalog key of a reports section's target when it
// is words (FilesTarget, NoDomain), "" for a domain.
func TargetKey(s string) string {
	return map[string]string{FilesTarget: "reports.target.input", NoDomain: "reports.target.none"}[s]
}

func (c *Collector) domainSection(ctx context.Context, env check.Env, d *domainAgg, rd rdns, opts Options) report.Section {
	sortReports(d.reports)
	data := &Data{Domain: d.domain, Reports: d.reports, Duplicates: d.dups}
	var fs []report.Finding
	var aggs, tls, fails int
	var newest time.Time
	for _, r := range d.reports {
		switch r.Kind {
		case KindAggregate:
			aggs++
			data.Messages += *r.Messages
			data.DMARCPass += *r.DMARCPass
			if r.End.After(newest) {
				newest = r.End
			}
		case KindTLS:
			tls++
		case KindFailure:
			fails++
		}
	}
	if d.dups > 0 {
		fs = append(fs, defDuplicate.With(report.Params{"count": d.dups}))
	}
	srcs := classify(d, rd.names)
	spfRec := ""
	if !opts.NoDNS && env.Resolver != nil {
		spfRec = lookupSPF(ctx, env.Resolver, d.domain)
	}
	groups := group(d.domain, spfRec, srcs)
	for _, s := range srcs {
		data.Sources = append(data.Sources, s.Source)
	}
	data.Services = groups
	var sec report.Section
	if aggs > 0 {
		v, dmarcErr := verdict(ctx, env, d, srcs, opts)
		v.Begin, v.End = span(d.reports)
		failedPTR := 0
		for ip := range d.sources {
			if rd.failed[ip] {
				failedPTR++
			}
		}
		if failedPTR > 0 || dmarcErr != nil {
			p := report.Params{"count": failedPTR}
			if dmarcErr != nil {
				p["dmarc_error"] = *dmarcErr
			}
			fs = append(fs, defDNSIncomplete.With(p))
		}
		data.Verdict = v
		fs = append(fs, sourceFindings(d.domain, groups)...)
		fs = append(fs, verdictFinding(d.domain, v))
		if now := env.Clock(); now.Sub(newest) > opts.StaleAfter {
			fs = append(fs, defStale.With(report.Params{"domain": d.domain, "end": day(newest), "count": int(now.Sub(newest).Hours() / 24)}))
		}
	}
	fs = append(fs, tlsFindings(d.domain, d.reports)...)
	if fails > 0 {
		fs = append(fs, defFailureReports.With(report.Params{"count": fails, "domain": d.domain}))
	}
	target := d.domain
	if target == "" {
		target = NoDomain
	}
	sec = report.Section{Check: "reports", Title: DomainTitle, Target: target, Findings: fs, Data: data}
	sec.Summary = summary(data, aggs, tls, fails)
	sec.Display = display(data)
	sec.Status = report.StatusOf(fs)
	return sec
}

func span(rs []*Report) (time.Time, time.Time) {
	var b, e time.Time
	for _, r := range rs {
		if r.Kind != KindAggregate {
			continue
		}
		if !r.Begin.IsZero() && (b.IsZero() || r.Begin.Before(b)) {
			b = r.Begin
		}
		if r.End.After(e) {
			e = r.End
		}
	}
	return b, e
}

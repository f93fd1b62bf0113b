// Package reports reads the reports receivers send about a domain's mail
// and turns them into the answer a merchant needs: who sends as the domain,
// who fails DMARC and why, and whether the policy can move to quarantine
// or reject.
//
// Formats: DMARC aggregate reports (RFC 7489 Appendix C; RFC 9990 with or
// without its XML namespace; the early drafts' XML), DMARC failure reports
// (RFC 6591 ARF, Feedback-Type auth-failure) and SMTP TLS reports (RFC 8460
// §4 JSON). Each input item may be the report itself, gzip (RFC 1952),
// zip, or an email carrying any of those as attachments (RFC 7489 §7.2.1.1,
// RFC 8460 §5.3). Decompression is bounded (Limits).
//
// A Collector reads items one at a time (concurrently if the caller
// wishes) and aggregates each aggregate report's records as soon as it is
// read: memory grows with the number of distinct sources, not records.
// Sections then classifies the sources and gives the verdict; its only DNS
// queries are PTR lookups of source addresses and the DMARC tree walk of
// each reported domain (RFC 9989 §4.10), both skipped offline.
package reports

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// Kind is the kind of a report.
type Kind string

// Kinds of report.
const (
	KindAggregate Kind = "aggregate"
	KindTLS       Kind = "tlsrpt"
	KindFailure   Kind = "failure"
)

// Report is one report as read. Messages, DMARCPass and Sources are set for
// aggregate reports, Successful and Failed for SMTP TLS reports.
type Report struct {
	// Kind is "aggregate", "tlsrpt" or "failure".
	Kind Kind `json:"kind"`
	// Source is the file the report came from; "file#attachment" or
	// "file!entry" when it was inside a message or an archive.
	Source string `json:"source"`
	// Org is the reporter: org_name, organization-name, or the domain
	// of a failure report's sender.
	Org string `json:"org"`
	// ReportID is the reporter's report_id (report-id; a failure
	// report's Message-ID).
	ReportID string `json:"report_id"`
	// Domain is the policy domain (aggregate), the first policy-domain
	// (tlsrpt) or the Reported-Domain (failure).
	Domain string `json:"domain"`
	// Begin and End are the report's date range (a failure report's
	// Arrival-Date); absent when the report had none.
	Begin time.Time `json:"begin,omitzero"`
	End   time.Time `json:"end,omitzero"`
	// Policy is the DMARC policy the reporter saw published.
	Policy *PolicyPublished `json:"policy_published,omitempty"`
	// Messages is the sum of the records' counts; DMARCPass those whose
	// policy_evaluated has dkim=pass or spf=pass (RFC 7489 §3.1: DMARC
	// passes when one aligned identifier passes); Sources the distinct
	// source IPs.
	Messages  *int64 `json:"messages,omitempty"`
	DMARCPass *int64 `json:"dmarc_pass,omitempty"`
	Sources   *int   `json:"sources,omitempty"`
	// Successful and Failed are the TLS sessions over all policies.
	Successful  *int64      `json:"successful,omitempty"`
	Failed      *int64      `json:"failed,omitempty"`
	TLSPolicies []TLSPolicy `json:"policies,omitempty"`
	Failure     *Failure    `json:"failure,omitempty"`
	// Notes say what was repaired to read the report.
	Notes []report.Msg `json:"notes,omitempty"`
}

// key identifies a report for duplicate detection: the reporter and its
// report ID (RFC 7489 Appendix C: report_id is unique per reporter), with
// the domain and the start of the period. A copy of a report has all
// four the same; small reporters that number their reports per domain
// or per day ("20261130" for every domain) reuse an ID, and those
// reports are not copies of each other.
func (r *Report) key() string {
	if r.ReportID == "" {
		return ""
	}
	return string(r.Kind) + "\x00" + strings.ToLower(r.Org) + "\x00" + r.ReportID + "\x00" + r.Domain + "\x00" + r.Begin.UTC().Format(time.RFC3339)
}

// maxSourcesPerDomain bounds the distinct source addresses kept per
// domain; later ones are counted together under OtherSources.
const maxSourcesPerDomain = 200000

// maxIdentities bounds the DKIM and SPF domains kept per source.
const maxIdentities = 8

// Collector reads report items and aggregates them. Its methods may be
// called from several goroutines.
type Collector struct {
	lim Limits

	mu       sync.Mutex
	seen     map[string]*Report
	domains  map[string]*domainAgg
	problems []Problem
	items    int
	dups     int
}

type domainAgg struct {
	domain  string
	reports []*Report
	dups    int
	sources map[string]*sourceAgg
	// policy is the newest policy_published seen (by report end).
	policy    PolicyPublished
	policyEnd time.Time
	hasPolicy bool
}

// sourceAgg is everything kept about one source address of one domain.
type sourceAgg struct {
	messages, pass, dkimPass, spfPass int64
	// forwardedReason counts messages the receiver marked forwarded,
	// mailing_list or trusted_forwarder (RFC 7489 Appendix C
	// PolicyOverrideType).
	forwardedReason int64
	rejected        int64 // disposition quarantine or reject
	// foreign counts messages that failed DMARC showing identities, none
	// of them the domain's nor a known service's default: at a shared
	// service's address (Microsoft 365, Google), someone else's account.
	foreign   int64
	dkim, spf []identity
}

// identity is a DKIM d= or SPF domain seen for a source, with the
// messages for which it passed and in all.
type identity struct {
	domain      string
	pass, total int64
}

func addIdentity(ids []identity, domain string, pass bool, n int64) []identity {
	if domain == "" {
		return ids
	}
	for i := range ids {
		if ids[i].domain == domain {
			ids[i].total += n
			if pass {
				ids[i].pass += n
			}
			return ids
		}
	}
	if len(ids) >= maxIdentities {
		return ids
	}
	id := identity{domain: domain, total: n}
	if pass {
		id.pass = n
	}
	return append(ids, id)
}

// NewCollector returns an empty collector.
func NewCollector(lim Limits) *Collector {
	return &Collector{lim: lim.withDefaults(), seen: map[string]*Report{}, domains: map[string]*domainAgg{}}
}

// AddError records an input item that could not be read at all.
func (c *Collector) AddError(source string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items++
	code, reason := reasonOf(err)
	c.problems = append(c.problems, Problem{Source: source, Status: "unreadable", Code: code, Reason: reason})
}

// AddProblem records an input item that could not be read, with the
// reason in words of the caller's catalog (a deadline, a limit of the
// caller's).
func (c *Collector) AddProblem(source, code string, reason report.Msg) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items++
	c.problems = append(c.problems, Problem{Source: source, Status: "unreadable", Code: code, Reason: reason})
}

// Add reads one input item (a file, or one message of an mbox). What
// cannot be read is recorded as a Problem; Add never stops the run.
func (c *Collector) Add(source string, data []byte) {
	x := extractor{lim: c.lim, in: int64(len(data))}
	x.walk(source, data, 0, nil)
	type parsed struct {
		rep *Report
		agg *aggregate
	}
	var got []parsed
	for _, d := range x.docs {
		rep, agg, err := readDocument(d)
		if err != nil {
			x.fail(d.source, err)
			continue
		}
		rep.Source = d.source
		rep.Notes = append(append([]report.Msg(nil), d.notes...), rep.Notes...)
		got = append(got, parsed{rep, agg})
	}
	x.finish(source)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items++
	c.problems = append(c.problems, x.problems...)
	for _, p := range got {
		if len(p.rep.Notes) > 0 {
			reason := p.rep.Notes[0]
			if len(p.rep.Notes) > 1 {
				reason = report.T("reports.note.several", report.Params{"notes": p.rep.Notes})
			}
			c.problems = append(c.problems, Problem{Source: p.rep.Source, Status: "recovered", Code: "repaired", Reason: reason})
		}
		c.add(p.rep, p.agg)
	}
}

// readDocument parses one unwrapped document.
func readDocument(d document) (*Report, *aggregate, error) {
	switch d.kind {
	case docFailure:
		return d.failure, nil, nil
	case docJSON:
		r, err := parseTLSRPT(d.data)
		return r, nil, err
	}
	agg, err := parseAggregate(d.data)
	if err != nil {
		if errors.Is(err, errNoFeedback) {
			return nil, nil, problemf("no_feedback", nil)
		}
		return nil, nil, err
	}
	r := &Report{Kind: KindAggregate, Org: agg.org, ReportID: agg.reportID, Domain: agg.policy.Domain,
		Begin: agg.begin, End: agg.end, Notes: agg.notes}
	p := agg.policy
	r.Policy = &p
	messages, pass := agg.messages, agg.pass
	if agg.upperCase {
		r.Notes = append(r.Notes, note("upper_case", nil))
	}
	n := len(agg.sources)
	r.Messages, r.DMARCPass, r.Sources = &messages, &pass, &n
	return r, agg, nil
}

// add files a parsed report under its domain; c.mu is held.
func (c *Collector) add(r *Report, agg *aggregate) {
	if k := r.key(); k != "" {
		if prev, ok := c.seen[k]; ok {
			c.dups++
			// Keep the lexically first source, so the output does not
			// depend on the order items were read in.
			if r.Source < prev.Source {
				prev.Source = r.Source
			}
			if d := c.domains[prev.Domain]; d != nil {
				d.dups++
			}
			return
		}
		c.seen[k] = r
	}
	d := c.domains[r.Domain]
	if d == nil {
		d = &domainAgg{domain: r.Domain, sources: map[string]*sourceAgg{}}
		c.domains[r.Domain] = d
	}
	d.reports = append(d.reports, r)
	if agg == nil {
		return
	}
	if !d.hasPolicy || !r.End.Before(d.policyEnd) {
		d.policy, d.policyEnd, d.hasPolicy = agg.policy, r.End, true
	}
	for _, ip := range agg.order {
		rs := agg.sources[ip]
		s := d.sources[ip]
		if s == nil {
			if len(d.sources) >= maxSourcesPerDomain {
				ip = OtherSources
				s = d.sources[ip]
			}
			if s == nil {
				// The report's totals become the domain's: the report
				// is not used again.
				d.sources[ip] = rs
				continue
			}
		}
		s.merge(rs)
	}
}

// merge adds another report's totals for the same source.
func (s *sourceAgg) merge(o *sourceAgg) {
	s.messages += o.messages
	s.pass += o.pass
	s.dkimPass += o.dkimPass
	s.spfPass += o.spfPass
	s.forwardedReason += o.forwardedReason
	s.rejected += o.rejected
	s.foreign += o.foreign
	s.dkim = mergeIdentities(s.dkim, o.dkim)
	s.spf = mergeIdentities(s.spf, o.spf)
}

func mergeIdentities(ids, more []identity) []identity {
	for _, m := range more {
		found := false
		for i := range ids {
			if ids[i].domain == m.domain {
				ids[i].pass += m.pass
				ids[i].total += m.total
				found = true
				break
			}
		}
		if !found && len(ids) < maxIdentities {
			ids = append(ids, m)
		}
	}
	return ids
}

// OtherSources is the source address under which records are counted once
// a domain has more distinct sources than the collector keeps.
const OtherSources = "other"

// Stats counts what the collector read.
type Stats struct {
	Items      int `json:"items"`
	Reports    int `json:"reports"`
	Duplicates int `json:"duplicates"`
	Unreadable int `json:"unreadable"`
	Recovered  int `json:"recovered"`
}

// Stats returns the counts so far.
func (c *Collector) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := Stats{Items: c.items, Duplicates: c.dups}
	for _, d := range c.domains {
		st.Reports += len(d.reports)
	}
	for _, p := range c.problems {
		if p.Status == "unreadable" {
			st.Unreadable++
		} else {
			st.Recovered++
		}
	}
	return st
}

// Reports returns every report read (duplicates once), ordered by domain,
// kind, begin date, reporter and report ID.
func (c *Collector) Reports() []*Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*Report
	for _, d := range c.domains {
		out = append(out, d.reports...)
	}
	sortReports(out)
	return out
}

// Problems returns the unreadable and recovered inputs, by source.
func (c *Collector) Problems() []Problem {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := append([]Problem(nil), c.problems...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out
}

func sortReports(rs []*Report) {
	sort.Slice(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		switch {
		case a.Domain != b.Domain:
			return a.Domain < b.Domain
		case a.Kind != b.Kind:
			return a.Kind < b.Kind
		case !a.Begin.Equal(b.Begin):
			return a.Begin.Before(b.Begin)
		case a.Org != b.Org:
			return a.Org < b.Org
		case a.ReportID != b.ReportID:
			return a.ReportID < b.ReportID
		}
		return a.Source < b.Source
	})
}

func (p Problem) String() string { return fmt.Sprintf("%s: %s", p.Source, p.Reason.String()) }

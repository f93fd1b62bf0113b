package reports

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"golang.org/x/sync/errgroup"
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
	// server 192.0.2.10", or the address's name when unknown.
	Service string `json:"service"`
	// MatchedBy says how the service was recognized ("reverse DNS x",
	// "DKIM d=x", "envelope sender x").
	MatchedBy string `json:"matched_by,omitempty"`
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
	// DKIMDomains and SPFDomains are the identities auth_results
	// showed, with the messages for which each passed.
	DKIMDomains []Identity `json:"dkim_domains,omitempty"`
	SPFDomains  []Identity `json:"spf_domains,omitempty"`
}

// Identity is a DKIM d= or SPF domain with its results.
type Identity struct {
	Domain   string `json:"domain"`
	Pass     int64  `json:"pass"`
	Messages int64  `json:"messages"`
}

// ServiceGroup is the sources of one sending service.
type ServiceGroup struct {
	Name      string `json:"name"`
	Class     string `json:"class"`
	Sources   int    `json:"sources"`
	Messages  int64  `json:"messages"`
	DMARCPass int64  `json:"dmarc_pass"`
	// Fix is what makes the failing mail pass, for class "failing".
	Fix string `json:"fix,omitempty"`
	// SPFRecord is the domain's SPF record with the service's include or
	// the server's address added, when the record was looked up.
	SPFRecord string `json:"spf_record,omitempty"`

	short string // the fix in a few words, for the table
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
			fs = append(fs, defUnreadable.New(p.Source+": "+p.Reason,
				"Check the file: if it is a report, ask the reporter (the address in its <email> or contact-info) about it; the other files were read."))
		} else {
			st.Recovered++
			fs = append(fs, defRecovered.New(p.Source+": "+p.Reason, ""))
		}
	}
	if st.Reports == 0 {
		fs = append(fs, defNoReports.New(fmt.Sprintf("%d input items, no DMARC aggregate, failure or SMTP TLS report among them", st.Items),
			"Point mailcheck at the files or mailbox your rua= (and TLS-RPT rua=) address receives: .xml, .xml.gz, .zip, .json, .json.gz, or the report emails."))
	}
	tb := report.Table{Title: "Files not read as they were", Columns: []string{"File", "Status", "Reason"}}
	for _, p := range probs {
		tb.Rows = append(tb.Rows, []string{p.Source, p.Status, p.Reason})
	}
	sec := report.Section{
		Check: "reports", Title: "Report files", Target: "input",
		Summary:  fmt.Sprintf("%d items read: %d reports, %d unreadable, %d repaired, %d duplicates", st.Items, st.Reports, st.Unreadable, st.Recovered, st.Duplicates),
		Findings: fs,
		Data:     &Data{Reports: []*Report{}, Problems: probs, Stats: &st},
	}
	if len(tb.Rows) > 0 {
		sec.Display.Tables = []report.Table{tb}
	}
	sec.Status = report.StatusOf(fs)
	return sec
}

// lookupPTRs asks the PTR of the largest sources of every domain,
// concurrently and bounded. A failed lookup leaves the address unnamed:
// the source is then recognized from its DKIM and SPF identities.
// rdns is what the PTR lookups found: names per address, and the
// addresses whose lookup failed (timeout, SERVFAIL, refused).
type rdns struct {
	names  map[string][]string
	failed map[string]bool
}

func lookupPTRs(ctx context.Context, r resolver.Resolver, domains map[string]*domainAgg, opts Options) rdns {
	vol := map[string]int64{}
	for _, d := range domains {
		for ip, s := range d.sources {
			vol[ip] += s.messages
		}
	}
	ips := make([]string, 0, len(vol))
	for ip := range vol {
		if _, err := netip.ParseAddr(ip); err == nil {
			ips = append(ips, ip)
		}
	}
	sort.Slice(ips, func(i, j int) bool {
		if vol[ips[i]] != vol[ips[j]] {
			return vol[ips[i]] > vol[ips[j]]
		}
		return ips[i] < ips[j]
	})
	if len(ips) > opts.MaxPTR {
		ips = ips[:opts.MaxPTR]
	}
	out := rdns{names: map[string][]string{}, failed: map[string]bool{}}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.Concurrency)
	for _, ip := range ips {
		g.Go(func() error {
			names, _, err := resolver.LookupPTR(gctx, r, netip.MustParseAddr(ip))
			if len(names) > 3 {
				names = names[:3]
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				out.failed[ip] = true
			} else if len(names) > 0 {
				out.names[ip] = names
			}
			return nil
		})
	}
	_ = g.Wait() // lookups report nothing but their names
	return out
}

// classified is a source with its verdict and group key.
type classified struct {
	Source
	svc *Service
	key string
	fwd int64
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
		fs = append(fs, defDuplicate.New(fmt.Sprintf("%d reports were seen more than once (same reporter and report ID) and counted once", d.dups), ""))
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
		if failedPTR > 0 || dmarcErr != "" {
			var what []string
			if failedPTR > 0 {
				what = append(what, fmt.Sprintf("the reverse DNS of %s could not be read, so those are named from their DKIM and SPF identities only", plural(failedPTR, "source")))
			}
			if dmarcErr != "" {
				what = append(what, "the DMARC record could not be looked up ("+dmarcErr+"), so the policy is the one the reports saw")
			}
			fs = append(fs, defDNSIncomplete.New(strings.Join(what, "; ")+".", "Run again when the resolver answers (--resolver), or read offline with --no-dns."))
		}
		data.Verdict = v
		fs = append(fs, sourceFindings(d.domain, groups)...)
		fs = append(fs, verdictFinding(d.domain, v))
		if now := env.Clock(); now.Sub(newest) > opts.StaleAfter {
			fs = append(fs, defStale.New(fmt.Sprintf("The newest aggregate report for %s ends %s, %d days before now: the verdict describes the mail of then.", d.domain, newest.Format("2006-01-02"), int(now.Sub(newest).Hours()/24)),
				"Read the reports of the last weeks before changing the policy."))
		}
	}
	fs = append(fs, tlsFindings(d.domain, d.reports)...)
	if fails > 0 {
		fs = append(fs, defFailureReports.New(fmt.Sprintf("%s for %s: single messages that failed DMARC, with the sending address.", plural(fails, "failure report"), d.domain), ""))
	}
	target := d.domain
	if target == "" {
		target = "(reports naming no domain)"
	}
	sec = report.Section{Check: "reports", Title: "DMARC and TLS reports", Target: target, Findings: fs, Data: data}
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

func identities(ids []identity) []Identity {
	out := make([]Identity, len(ids))
	for i, id := range ids {
		out[i] = Identity{Domain: id.domain, Pass: id.pass, Messages: id.total}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Messages > out[j].Messages })
	return out
}

// classify names and classifies each source of d (RFC 7489 §3.1: DMARC
// passes when SPF or DKIM passes aligned; DOMAIN.md §11.3 for the rest):
//   - a known service, or a host whose reverse DNS lies under the domain,
//     is legitimate: aligned when all its mail passes, else failing;
//   - an unknown source whose mail the receiver marked forwarded (or a
//     list), or whose DKIM passes while SPF fails, is a forwarder: the
//     signature survived, the relay's address is not in SPF;
//   - an unknown source passing aligned SPF is authorized by the SPF
//     record: legitimate;
//   - the rest, failing both, is unauthorized.
func classify(d *domainAgg, ptrs map[string][]string) []classified {
	out := make([]classified, 0, len(d.sources))
	org := orgOf(d.domain)
	for ip, s := range d.sources {
		c := classified{Source: Source{
			IP: ip, PTR: ptrs[ip], Messages: s.messages, DMARCPass: s.pass, DKIMPass: s.dkimPass,
			SPFPass: s.spfPass, Disposed: s.rejected, DKIMDomains: identities(s.dkim), SPFDomains: identities(s.spf),
		}, fwd: s.forwardedReason}
		svc, how := match(c.PTR, s.dkim, s.spf)
		ownPTR := ""
		for _, p := range c.PTR {
			if orgOf(p) == org {
				ownPTR = p
			}
		}
		name := ip
		if len(c.PTR) > 0 {
			name = c.PTR[0] + " (" + ip + ")"
		}
		switch {
		case svc != nil:
			c.svc, c.Service, c.MatchedBy, c.key = svc, svc.Name, how, svc.Name
			c.Class = passOrFail(s)
		case ownPTR != "":
			c.Service, c.MatchedBy, c.key = "your own server "+ip, "reverse DNS "+ownPTR, ip
			c.Class = passOrFail(s)
		case s.forwardedReason*2 >= s.messages && s.forwardedReason > 0 || s.dkimPass > 0 && s.spfPass == 0:
			c.Service, c.key, c.Class = "forwarder "+name, "fwd "+ip, ClassForwarded
		case s.spfPass > 0:
			c.Service, c.MatchedBy, c.key = "your own server "+ip, "passes SPF for "+d.domain, ip
			c.Class = passOrFail(s)
		default:
			c.Service, c.key, c.Class = "unknown "+name, "unknown "+ip, ClassUnauthorized
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Messages != out[j].Messages {
			return out[i].Messages > out[j].Messages
		}
		return out[i].IP < out[j].IP
	})
	return out
}

func passOrFail(s *sourceAgg) string {
	if s.pass >= s.messages {
		return ClassAligned
	}
	return ClassFailing
}

func orgOf(name string) string {
	d, err := dnsname.ParseAny(name)
	if err != nil {
		return strings.ToLower(name)
	}
	return dnsname.OrganizationalPSL(d).String()
}

// group sums the sources by service; a known service's group is failing
// when any of its sources is, and carries the fix.
func group(domain, spfRec string, srcs []classified) []ServiceGroup {
	idx := map[string]int{}
	var out []ServiceGroup
	members := map[string][]classified{}
	for _, s := range srcs {
		i, ok := idx[s.key]
		if !ok {
			i = len(out)
			idx[s.key] = i
			out = append(out, ServiceGroup{Name: s.Service, Class: s.Class})
		}
		g := &out[i]
		g.Sources++
		g.Messages += s.Messages
		g.DMARCPass += s.DMARCPass
		if s.Class == ClassFailing {
			g.Class = ClassFailing
		}
		members[s.key] = append(members[s.key], s)
	}
	for k, i := range idx {
		if out[i].Class == ClassFailing {
			out[i].Fix, out[i].short, out[i].SPFRecord = fixFor(domain, spfRec, members[k])
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Messages > out[j].Messages })
	return out
}

// fixFor says what makes a legitimate group's failing mail pass: DKIM
// signing with d= the domain (which survives forwarding, RFC 7489 §4.2),
// and the SPF include or address when the envelope sender is the domain's.
func fixFor(domain, spfRec string, ms []classified) (fix, short, record string) {
	svc := ms[0].svc
	var msgs, dkimPass, spfPass int64
	var signs, envOwn, envOther []string
	org := orgOf(domain)
	for _, m := range ms {
		msgs += m.Messages
		dkimPass += m.DKIMPass
		spfPass += m.SPFPass
		for _, id := range m.DKIMDomains {
			if orgOf(id.Domain) != org {
				signs = appendNew(signs, id.Domain)
			}
		}
		for _, id := range m.SPFDomains {
			if orgOf(id.Domain) == org {
				envOwn = appendNew(envOwn, id.Domain)
			} else {
				envOther = appendNew(envOther, id.Domain)
			}
		}
	}
	var parts, shorts []string
	if dkimPass < msgs {
		shorts = append(shorts, "DKIM d="+domain)
		who := "on " + ms[0].IP
		if svc != nil {
			who = "in " + svc.Name + " (its domain-authentication settings give the DNS records to publish)"
		}
		p := fmt.Sprintf("turn on DKIM signing with d=%s %s", domain, who)
		if len(signs) > 0 {
			p += "; it signs with d=" + strings.Join(signs, ", d=") + " now, which does not align"
		}
		parts = append(parts, p)
	}
	if spfPass < msgs {
		switch {
		case svc != nil && svc.Include != "" && (len(envOwn) > 0 || len(envOther) == 0):
			if hasTerm(spfRec, "include:"+svc.Include) {
				parts = append(parts, fmt.Sprintf("the SPF record of %s already has include:%s, yet SPF fails for this mail: run 'mailcheck spf %s --ip %s' to see why", domain, svc.Include, domain, ms[0].IP))
				shorts = append(shorts, "check SPF")
			} else {
				parts = append(parts, fmt.Sprintf("add include:%s to the SPF record of %s", svc.Include, firstOr(envOwn, domain)))
				shorts = append(shorts, "SPF include:"+svc.Include)
				if firstOr(envOwn, domain) == domain {
					record = withSPFTerms(spfRec, "include:"+svc.Include)
				}
			}
		case svc == nil && (len(envOwn) > 0 || len(envOther) == 0):
			var mech []string
			for _, m := range ms {
				if a, err := netip.ParseAddr(m.IP); err == nil {
					if a.Is4() {
						mech = append(mech, "ip4:"+m.IP)
					} else {
						mech = append(mech, "ip6:"+m.IP)
					}
				}
			}
			if len(mech) > 0 {
				parts = append(parts, fmt.Sprintf("add %s to the SPF record of %s", strings.Join(mech, " "), firstOr(envOwn, domain)))
				shorts = append(shorts, "SPF "+strings.Join(mech, " "))
				if firstOr(envOwn, domain) == domain {
					record = withSPFTerms(spfRec, mech...)
				}
			}
		case len(envOther) > 0 && len(parts) > 0:
			parts[len(parts)-1] += fmt.Sprintf(" (SPF checks %s, the service's own envelope domain, so only DKIM can align)", envOther[0])
		}
	}
	if len(parts) == 0 {
		return "Check the sender's DKIM and SPF setup for " + domain + ".", "check DKIM and SPF", ""
	}
	s := strings.Join(parts, ", and ")
	return strings.ToUpper(s[:1]) + s[1:] + ".", strings.Join(shorts, " + "), record
}

// lookupSPF returns the domain's SPF record (RFC 7208 §4.5: the one TXT
// record starting "v=spf1"), or "" when there is none, several, or the
// lookup failed.
func lookupSPF(ctx context.Context, r resolver.Resolver, domain string) string {
	txts, _, err := resolver.LookupTXT(ctx, r, domain)
	if err != nil {
		return ""
	}
	found := ""
	for _, t := range txts {
		v := t.Text()
		if strings.EqualFold(v, "v=spf1") || len(v) > 7 && strings.EqualFold(v[:7], "v=spf1 ") {
			if found != "" {
				return ""
			}
			found = v
		}
	}
	return found
}

// hasTerm reports whether an SPF record has the term, with or without a
// "+" qualifier, case-insensitively.
func hasTerm(rec, term string) bool {
	for _, t := range strings.Fields(rec) {
		if strings.EqualFold(strings.TrimPrefix(t, "+"), term) {
			return true
		}
	}
	return false
}

// withSPFTerms returns rec with terms inserted before its "all" mechanism
// or redirect modifier (mechanisms after "all" are never evaluated, RFC
// 7208 §5.1), "" when rec is "".
func withSPFTerms(rec string, terms ...string) string {
	if rec == "" {
		return ""
	}
	fields := strings.Fields(rec)
	at := len(fields)
	for i, f := range fields {
		l := strings.ToLower(strings.TrimLeft(f, "+-~?"))
		if l == "all" || strings.HasPrefix(l, "redirect=") {
			at = i
			break
		}
	}
	out := append(append(append([]string(nil), fields[:at]...), terms...), fields[at:]...)
	return strings.Join(out, " ")
}

func appendNew(ss []string, s string) []string {
	for _, x := range ss {
		if x == s {
			return ss
		}
	}
	return append(ss, s)
}

func firstOr(ss []string, def string) string {
	if len(ss) > 0 {
		return ss[0]
	}
	return def
}

func sourceFindings(domain string, groups []ServiceGroup) []report.Finding {
	var fs []report.Finding
	var unauth, unauthMsgs, fwd, fwdMsgs int64
	var moreFailing, moreFailingMsgs int64
	failing := 0
	for _, g := range groups {
		switch g.Class {
		case ClassFailing:
			if failing++; failing > maxFailingFindings {
				moreFailing++
				moreFailingMsgs += g.Messages - g.DMARCPass
				continue
			}
			f := defFailing.New(
				fmt.Sprintf("%s sent %d messages as %s; %d (%s) failed DMARC and would be quarantined or rejected under enforcement.", g.Name, g.Messages, domain, g.Messages-g.DMARCPass, pct(g.Messages-g.DMARCPass, g.Messages)),
				g.Fix)
			if g.SPFRecord != "" {
				f.Record = report.TXTRecord(domain, g.SPFRecord)
			}
			fs = append(fs, f)
		case ClassUnauthorized:
			unauth += int64(g.Sources)
			unauthMsgs += g.Messages
		case ClassForwarded:
			fwd += int64(g.Sources)
			fwdMsgs += g.Messages
		}
	}
	if moreFailing > 0 {
		fs = append(fs, defFailing.New(fmt.Sprintf("%d more legitimate senders of %s fail DMARC, %s in all; the largest are listed above.", moreFailing, domain, plural(int(moreFailingMsgs), "message")),
			"See the per-source table (--format csv or json) for each one's fix."))
	}
	if unauth > 0 {
		fs = append(fs, defUnauthorized.New(
			fmt.Sprintf("%s from %s that are neither a known service nor authorized by SPF or DKIM failed DMARC for %s: spoofing, or a sender you forgot.", plural(int(unauthMsgs), "message"), plural(int(unauth), "source"), domain),
			"If one of them is yours, set up SPF and DKIM for it; the rest is what an enforced policy (p=quarantine or p=reject) stops."))
	}
	if fwd > 0 {
		fs = append(fs, defForwarded.New(fmt.Sprintf("%s reached receivers through %s (forwarders or lists): SPF fails there, as expected; DKIM decides.", plural(int(fwdMsgs), "message"), plural(int(fwd), "relay")),
			"Nothing to change in DNS: sign all your mail with DKIM d="+domain+", which survives forwarding."))
	}
	return fs
}

// maxFailingFindings bounds the failing-sender findings of a domain; the
// rest are summed in one.
const maxFailingFindings = 10

func pct(n, of int64) string {
	if of == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

// verdict computes the share of legitimate volume at risk and the next
// policy step: none → quarantine → reject (RFC 7489 §6.3, RFC 9989 §4.7),
// one step at a time.
func verdict(ctx context.Context, env check.Env, d *domainAgg, srcs []classified, opts Options) (*Verdict, string) {
	dmarcErr := ""
	v := &Verdict{Policy: d.policy.P, PolicyFrom: "reports"}
	var rec *dmarc.Record
	recName := d.domain
	if !opts.NoDNS && env.Resolver != nil {
		if dom, err := dnsname.ParseAny(d.domain); err == nil {
			disc := dmarc.Discover(ctx, env.Resolver, dom)
			for _, st := range disc.Steps {
				if st.Result == "error" && disc.Found < 0 {
					dmarcErr = truncate(st.Error, 120)
					break
				}
			}
			if disc.Found >= 0 && disc.Steps[disc.Found].Result == "record" {
				for _, t := range disc.Steps[disc.Found].TXT {
					if !dmarc.IsCandidate(t) {
						continue
					}
					if r, err := dmarc.Parse(t); err == nil {
						rec, recName = r, disc.Steps[disc.Found].Domain
						v.Policy, v.PolicyFrom = string(r.EffectivePolicy()), "dns"
						if recName != d.domain {
							v.Policy = string(r.EffectiveSubdomainPolicy())
						}
					}
					break
				}
			}
		}
	}
	for _, s := range srcs {
		v.Messages += s.Messages
		switch s.Class {
		case ClassUnauthorized:
			v.Unauthorized += s.Messages
		default:
			v.Legitimate += s.Messages
			v.AtRisk += s.Messages - s.DMARCPass
		}
	}
	if v.Legitimate > 0 {
		v.AtRiskPercent = float64(int64(10000*float64(v.AtRisk)/float64(v.Legitimate))) / 100
	}
	v.Ready = v.Legitimate > 0 && float64(v.AtRisk) <= ReadyShare*float64(v.Legitimate)
	if rec != nil {
		v.Testing = rec.Testing
	} else {
		v.Testing = d.policy.Testing == "y"
	}
	v.Next = v.Policy
	// A policy in test mode (t=y, RFC 9989) is not applied by receivers:
	// taking it out of test mode is the next step, before a stricter p.
	leaveTesting := v.Ready && v.Testing && (v.Policy == "quarantine" || v.Policy == "reject")
	if v.Ready && !leaveTesting {
		switch v.Policy {
		case "", "none":
			v.Next = "quarantine"
		case "quarantine":
			v.Next = "reject"
		}
	}
	if v.Next != v.Policy || v.Policy == "" || leaveTesting {
		next := v.Next
		if next == "" {
			next = "none"
		}
		var text string
		if rec != nil && recName == d.domain {
			text = rec.With("p", next)
			if leaveTesting {
				if r, err := dmarc.Parse(text); err == nil {
					text = r.With("t", "")
				}
			}
		} else {
			text = recordFromPublished(d.policy, next, v.Testing && !leaveTesting)
		}
		v.Record = report.TXTRecord("_dmarc."+d.domain, text)
	}
	return v, dmarcErr
}

// recordFromPublished builds a record from a report's policy_published,
// which has no rua or ruf: the fix says to keep them.
func recordFromPublished(p PolicyPublished, next string, testing bool) string {
	parts := []string{"v=DMARC1", "p=" + next}
	if p.SP != "" && p.SP != p.P {
		parts = append(parts, "sp="+p.SP)
	}
	if p.NP != "" && p.NP != p.SP && p.NP != p.P {
		parts = append(parts, "np="+p.NP)
	}
	if p.ADKIM == "s" {
		parts = append(parts, "adkim=s")
	}
	if p.ASPF == "s" {
		parts = append(parts, "aspf=s")
	}
	if testing {
		parts = append(parts, "t=y")
	}
	return strings.Join(parts, "; ")
}

func verdictFinding(domain string, v *Verdict) report.Finding {
	basis := fmt.Sprintf("%d legitimate messages (of %d) from %s to %s; %d (%.2f%%) fail DMARC.",
		v.Legitimate, v.Messages, v.Begin.Format("2006-01-02"), v.End.Format("2006-01-02"), v.AtRisk, v.AtRiskPercent)
	keep := ""
	if v.PolicyFrom == "reports" {
		keep = " Keep your rua= (and ruf=) tags: reports do not show them."
	}
	switch {
	case v.Legitimate == 0:
		return defNoEvidence.New(fmt.Sprintf("Every one of the %d messages reported for %s came from unauthorized sources: nothing shows which senders are yours.", v.Messages, domain),
			"Send mail through your usual services and read a few days of reports again.")
	case v.Ready && v.Testing && v.Next == v.Policy && v.Record != nil:
		f := defReady.New(fmt.Sprintf("Taking %s's p=%s out of test mode (t=y) is safe: %s", domain, v.Policy, basis),
			"Publish the record below (t=y removed), so receivers apply the policy."+keep+" Read the reports again after a week or two before the next step.")
		f.Record = v.Record
		return f
	case v.Ready && v.Next != v.Policy:
		f := defReady.New(fmt.Sprintf("Moving %s from p=%s to p=%s is safe: %s", domain, orNone(v.Policy), v.Next, basis),
			"Publish the record below (from the policy in "+map[string]string{"dns": "DNS", "reports": "the reports"}[v.PolicyFrom]+", p changed)."+keep+" Read the reports again after a week or two before the next step.")
		f.Record = v.Record
		return f
	case v.Ready:
		return defEnforced.New(fmt.Sprintf("%s is at p=reject: %s", domain, basis), "")
	case v.Policy == "quarantine" || v.Policy == "reject":
		return defLosing.New(fmt.Sprintf("%s is at p=%s, and %.2f%% of its legitimate mail fails DMARC, so it is being quarantined or rejected now: %s", domain, v.Policy, v.AtRiskPercent, basis),
			"Fix the failing senders listed above first; if that takes time, go back to p=none meanwhile.")
	default:
		f := defHold.New(fmt.Sprintf("Keep %s at p=%s for now: under quarantine or reject %.2f%% of its legitimate mail would go to spam or be refused. %s", domain, orNone(v.Policy), v.AtRiskPercent, basis),
			fmt.Sprintf("Fix the failing senders listed above, then read new reports: at %.1f%% or less failing, p=quarantine is safe.", 100*ReadyShare))
		f.Record = v.Record
		return f
	}
}

func orNone(p string) string {
	if p == "" {
		return "none"
	}
	return p
}

func tlsFindings(domain string, rs []*Report) []report.Finding {
	byType := map[string]int64{}
	var failed, total int64
	for _, r := range rs {
		if r.Kind != KindTLS {
			continue
		}
		for _, p := range r.TLSPolicies {
			failed += p.Failed
			total += p.Failed + p.Successful
			for _, f := range p.Failures {
				byType[f.Name] += f.Count
			}
		}
	}
	if failed == 0 {
		return nil
	}
	var types []string
	for _, c := range sortedCounts(byType) {
		types = append(types, fmt.Sprintf("%s %d", c.Name, c.Count))
	}
	detail := fmt.Sprintf("%d of %d TLS sessions to %s's mail servers failed (%s)", failed, total, domain, pct(failed, total))
	if len(types) > 0 {
		detail += ": " + strings.Join(types, ", ")
	}
	return []report.Finding{defTLSFailures.New(detail+".",
		"Run 'mailcheck mx "+domain+"' to see the certificate and MTA-STS or DANE problem behind these result types (RFC 8460 §4.3).")}
}

func summary(d *Data, aggs, tls, fails int) string {
	var parts []string
	if aggs > 0 {
		s := fmt.Sprintf("%s from %s in %s, %s pass DMARC", plural(int(d.Messages), "message"), plural(len(d.Sources), "source"), plural(aggs, "aggregate report"), pct(d.DMARCPass, d.Messages))
		if v := d.Verdict; v != nil {
			switch {
			case v.Legitimate == 0:
				s += "; no legitimate mail seen"
			case v.Ready && v.Testing && v.Next == v.Policy && v.Record != nil:
				s += fmt.Sprintf("; %.2f%% of legitimate mail fails: take p=%s out of test mode", v.AtRiskPercent, v.Policy)
			case v.Ready && v.Next != v.Policy:
				s += fmt.Sprintf("; %.2f%% of legitimate mail fails: move to p=%s", v.AtRiskPercent, v.Next)
			case v.Ready:
				s += "; enforced and passing"
			default:
				s += fmt.Sprintf("; %.2f%% of legitimate mail would be rejected: stay at p=%s", v.AtRiskPercent, orNone(v.Policy))
			}
		}
		parts = append(parts, s)
	}
	if tls > 0 {
		var ok, failed int64
		for _, r := range d.Reports {
			if r.Kind == KindTLS {
				ok += *r.Successful
				failed += *r.Failed
			}
		}
		parts = append(parts, fmt.Sprintf("%s: %d sessions ok, %d failed", plural(tls, "TLS report"), ok, failed))
	}
	if fails > 0 {
		parts = append(parts, plural(fails, "failure report"))
	}
	return strings.Join(parts, "; ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// maxRows bounds the rows of a displayed table; JSON has them all.
const maxRows = 25

func display(d *Data) report.Display {
	var disp report.Display
	if v := d.Verdict; v != nil {
		disp.Facts = append(disp.Facts,
			report.Fact{Label: "period", Value: v.Begin.Format("2006-01-02") + " to " + v.End.Format("2006-01-02")},
			report.Fact{Label: "policy", Value: "p=" + orNone(v.Policy) + " (from " + map[string]string{"dns": "DNS", "reports": "the reports"}[v.PolicyFrom] + ")"},
			report.Fact{Label: "legitimate mail failing", Value: fmt.Sprintf("%d of %d (%.2f%%)", v.AtRisk, v.Legitimate, v.AtRiskPercent)},
			report.Fact{Label: "unauthorized", Value: fmt.Sprintf("%d messages", v.Unauthorized)},
			report.Fact{Label: "next policy", Value: "p=" + orNone(v.Next)},
		)
	}
	if len(d.Services) > 0 {
		tb := report.Table{Title: "Senders", Columns: []string{"Service", "Class", "Messages", "Fail DMARC", "Sources", "Fix"}}
		for i, g := range d.Services {
			if i == maxRows {
				tb.Rows = append(tb.Rows, []string{fmt.Sprintf("... %d more", len(d.Services)-maxRows), "", "", "", "", ""})
				break
			}
			tb.Rows = append(tb.Rows, []string{g.Name, g.Class, fmt.Sprint(g.Messages), fmt.Sprint(g.Messages - g.DMARCPass), fmt.Sprint(g.Sources), g.short})
		}
		disp.Tables = append(disp.Tables, tb)
	}
	if len(d.Reports) > maxRows {
		disp.Tables = append(disp.Tables, reportersTable(d.Reports))
	} else {
		disp.Tables = append(disp.Tables, reportsTable(d.Reports))
	}
	for _, r := range d.Reports {
		if r.Kind != KindTLS {
			continue
		}
		tt := report.Table{Title: "TLS policies (" + r.Org + ")", Columns: []string{"Policy domain", "Type", "MX", "Successful", "Failed", "Failure types"}}
		for _, p := range r.TLSPolicies {
			var ft []string
			for _, f := range p.Failures {
				ft = append(ft, fmt.Sprintf("%s %d", f.Name, f.Count))
			}
			tt.Rows = append(tt.Rows, []string{p.Domain, p.Type, p.MXHost, fmt.Sprint(p.Successful), fmt.Sprint(p.Failed), strings.Join(ft, ", ")})
		}
		if len(tt.Rows) > 0 && len(disp.Tables) < 8 {
			disp.Tables = append(disp.Tables, tt)
		}
	}
	return disp
}

// reportsTable lists each report, for a handful of them.
func reportsTable(rs []*Report) report.Table {
	tb := report.Table{Title: "Reports", Columns: []string{"Kind", "Reporter", "Report ID", "Period", "Messages or sessions", "Pass or failed", "Sources"}}
	for _, r := range rs {
		period := ""
		if !r.Begin.IsZero() {
			period = r.Begin.Format("2006-01-02")
			if e := r.End.Format("2006-01-02"); e != period {
				period += " to " + e
			}
		}
		switch r.Kind {
		case KindAggregate:
			tb.Rows = append(tb.Rows, []string{string(r.Kind), r.Org, truncate(r.ReportID, 40), period, fmt.Sprint(*r.Messages), fmt.Sprintf("%d pass", *r.DMARCPass), fmt.Sprint(*r.Sources)})
		case KindTLS:
			tb.Rows = append(tb.Rows, []string{string(r.Kind), r.Org, truncate(r.ReportID, 40), period, fmt.Sprint(*r.Successful + *r.Failed), fmt.Sprintf("%d failed", *r.Failed), ""})
		default:
			src, what := "", ""
			if r.Failure != nil {
				src, what = r.Failure.SourceIP, r.Failure.AuthFailure+" failed"
			}
			tb.Rows = append(tb.Rows, []string{string(r.Kind), r.Org, truncate(r.ReportID, 40), period, "1", what, src})
		}
	}
	return tb
}

// reportersTable sums the reports per reporter and kind, for many reports.
func reportersTable(rs []*Report) report.Table {
	type sum struct {
		kind, org    string
		n            int
		begin, end   time.Time
		volume, good int64
	}
	idx := map[string]*sum{}
	var order []*sum
	for _, r := range rs {
		k := string(r.Kind) + "\x00" + r.Org
		s := idx[k]
		if s == nil {
			s = &sum{kind: string(r.Kind), org: r.Org}
			idx[k] = s
			order = append(order, s)
		}
		s.n++
		if !r.Begin.IsZero() && (s.begin.IsZero() || r.Begin.Before(s.begin)) {
			s.begin = r.Begin
		}
		if r.End.After(s.end) {
			s.end = r.End
		}
		switch r.Kind {
		case KindAggregate:
			s.volume += *r.Messages
			s.good += *r.DMARCPass
		case KindTLS:
			s.volume += *r.Successful + *r.Failed
			s.good += *r.Successful
		default:
			s.volume++
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].volume > order[j].volume })
	tb := report.Table{Title: fmt.Sprintf("Reporters (%d reports)", len(rs)), Columns: []string{"Kind", "Reporter", "Reports", "Period", "Messages or sessions", "Pass or successful"}}
	for i, s := range order {
		if i == maxRows {
			tb.Rows = append(tb.Rows, []string{fmt.Sprintf("... %d more", len(order)-maxRows), "", "", "", "", ""})
			break
		}
		period := ""
		if !s.begin.IsZero() {
			period = s.begin.Format("2006-01-02") + " to " + s.end.Format("2006-01-02")
		}
		good := fmt.Sprint(s.good)
		if s.kind == string(KindFailure) {
			good = ""
		}
		tb.Rows = append(tb.Rows, []string{s.kind, s.org, fmt.Sprint(s.n), period, fmt.Sprint(s.volume), good})
	}
	return tb
}

// CSVColumns are the columns of SourceTable, stable across releases
// (docs/findings/reports.md describes each).
var CSVColumns = []string{"domain", "source_ip", "ptr", "service", "matched_by", "class", "messages", "dmarc_pass", "dmarc_fail", "dkim_pass", "spf_pass", "disposed", "dkim_domains", "spf_domains", "fix"}

// SourceTable is the per-source table of every domain section, one row
// per source address, for `--format csv`.
func SourceTable(sections []report.Section) report.Table {
	tb := report.Table{Title: "sources", Columns: CSVColumns}
	for _, s := range sections {
		d, ok := s.Data.(*Data)
		if !ok || len(d.Sources) == 0 {
			continue
		}
		fix := map[string]string{}
		for _, g := range d.Services {
			fix[g.Name] = g.Fix
		}
		for _, src := range d.Sources {
			tb.Rows = append(tb.Rows, []string{
				d.Domain, src.IP, strings.Join(src.PTR, " "), src.Service, src.MatchedBy, src.Class,
				fmt.Sprint(src.Messages), fmt.Sprint(src.DMARCPass), fmt.Sprint(src.Messages - src.DMARCPass),
				fmt.Sprint(src.DKIMPass), fmt.Sprint(src.SPFPass), fmt.Sprint(src.Disposed),
				idList(src.DKIMDomains), idList(src.SPFDomains), fix[src.Service],
			})
		}
	}
	return tb
}

func idList(ids []Identity) string {
	var out []string
	for _, id := range ids {
		out = append(out, fmt.Sprintf("%s:%d/%d", id.Domain, id.Pass, id.Messages))
	}
	return strings.Join(out, " ")
}

package dnsbl

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
	"golang.org/x/sync/errgroup"
)

// Defaults of Options.
const (
	// DefaultConcurrency is no global cap in practice: politeness is per
	// list (PerZone), and one address's queries and every list's
	// self-tests go out in the same round trip (20 lists x 3 questions).
	DefaultConcurrency  = 256
	DefaultPerZone      = 4
	DefaultQueryTimeout = 5 * time.Second
	maxReasonLen        = 300
)

// Options configure a check.
type Options struct {
	// Addresses are sending addresses the user names (mailcheck domain
	// --ip); Check queries them besides what it finds in DNS.
	Addresses []netip.Addr
	// Catalog replaces the embedded catalog (--lists FILE); nil uses DefaultCatalog.
	Catalog *Catalog
	// Lists adds zones (--list ZONE[:KIND,...]).
	Lists []string
	// Concurrency bounds the (target, list) queries in flight, with their
	// TXT follow-ups (default 256: in practice no global cap). The health
	// probes, two per list and kind, run beside them. PerZone bounds all
	// questions to one list (default 4): our query etiquette (and each list's usage policy) is owed
	// to each operator, not to the sum of them.
	Concurrency int
	PerZone     int
	// QueryTimeout bounds each question (default 5s), on top of the
	// resolver's own timeout and retry.
	QueryTimeout time.Duration
	// Resolver is the address of the resolver in use ("host:port"), for the
	// public-resolver warning. When empty, a resolver with a Server() method
	// is asked.
	Resolver string
	// IncludeReserved queries private and reserved addresses found in DNS too
	// (lab networks, tests). Addresses the user names are always queried.
	IncludeReserved bool
}

func (o Options) withDefaults() Options {
	if o.Catalog == nil {
		o.Catalog = DefaultCatalog()
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.PerZone <= 0 {
		o.PerZone = DefaultPerZone
	}
	if o.QueryTimeout <= 0 {
		o.QueryTimeout = DefaultQueryTimeout
	}
	return o
}

// Check checks a domain: the registrable domain on domain lists, and the
// addresses of its MX hosts and of the hosts its SPF record names, on IP
// lists. It never returns an error: DNS trouble is a finding.
func Check(ctx context.Context, env check.Env, domain dnsname.Domain, opts Options) report.Section {
	g := Gather(ctx, env, domain, opts.IncludeReserved)
	g.AddGiven(opts.Addresses)
	return run(ctx, env, domain.String(), g, opts)
}

// CheckTargets checks the given targets (addresses with AddressTarget, a
// domain with DomainTarget) on every applicable list.
func CheckTargets(ctx context.Context, env check.Env, targets []Target, opts Options) report.Section {
	var names []string
	var unique []Target
	seen := map[string]bool{}
	for _, t := range targets {
		if seen[t.String()] {
			continue // the same address twice is asked once
		}
		seen[t.String()] = true
		names = append(names, t.String())
		unique = append(unique, t)
	}
	return run(ctx, env, strings.Join(names, ", "), Gathered{Targets: unique}, opts)
}

// Data is the evidence of a dnsbl section (Section.Data).
type Data struct {
	Catalog        CatalogRef     `json:"catalog"`
	Resolver       string         `json:"resolver,omitempty"`
	PublicResolver string         `json:"public_resolver,omitempty"`
	Targets        []TargetResult `json:"targets"`
	Skipped        []Skipped      `json:"skipped,omitempty"`
	Notes          []string       `json:"notes,omitempty"`
	Defunct        []DefunctZone  `json:"defunct,omitempty"`
	Lists          []ListResult   `json:"lists"`
	Answers        []AnswerResult `json:"answers"`
	// Queries counts the DNS questions this check asked (TXT included).
	Queries int64 `json:"queries"`
	// ElapsedMS is the wall time of the blocklist queries.
	ElapsedMS int64 `json:"elapsed_ms"`
}

// CatalogRef names the catalog used.
type CatalogRef struct {
	Version string `json:"version"`
	Source  string `json:"source"`
}

// TargetResult is one target and what became of it.
type TargetResult struct {
	Target string   `json:"target"`
	Kind   Kind     `json:"kind"`
	Roles  []string `json:"roles"`
	Via    []string `json:"via,omitempty"`
	// Status is the target's worst: listed, unknown, clean (allowlisted counts as clean).
	Status string `json:"status"`
}

// ListResult is one list queried and its health.
type ListResult struct {
	Zone    string         `json:"zone"`
	Name    string         `json:"name,omitempty"`
	Kinds   []Kind         `json:"kinds"`
	Purpose Purpose        `json:"purpose"`
	Class   Class          `json:"class"`
	Info    string         `json:"info,omitempty"`
	Notes   string         `json:"notes,omitempty"`
	Health  []HealthResult `json:"health"`
}

// HealthResult is the RFC 5782 §5 self-test of one list for one query kind.
type HealthResult struct {
	Kind Kind `json:"kind"`
	// Status: healthy, unhealthy, refused, bogus, error, or skipped.
	Status    string       `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	Listed    *ProbeResult `json:"listed,omitempty"`
	NotListed *ProbeResult `json:"not_listed,omitempty"`

	cause string // the probe error behind a refused or error status
}

// ProbeResult is one test-entry question.
type ProbeResult struct {
	Entry   string       `json:"entry"`
	Query   string       `json:"query"`
	Verdict Verdict      `json:"verdict"`
	Codes   []AnswerCode `json:"codes,omitempty"`
	Error   string       `json:"error,omitempty"`
}

// AnswerResult is one (target, list) answer: every one is in the JSON, with
// its codes and meanings.
type AnswerResult struct {
	Target  string  `json:"target"`
	Zone    string  `json:"zone"`
	Query   string  `json:"query"`
	Verdict Verdict `json:"verdict"`
	// Status is the conclusion after the list's health: listed, clean,
	// allowlisted or unknown.
	Status string       `json:"status"`
	Class  Class        `json:"class,omitempty"`
	Codes  []AnswerCode `json:"codes,omitempty"`
	// Reason is the list's TXT record, fetched only for listings.
	Reason string `json:"reason,omitempty"`
	Error  string `json:"error,omitempty"`
	// Note says why a decisive answer is not trusted (an unhealthy list).
	Note string `json:"note,omitempty"`

	health string // the list's health status when it made the answer unknown
}

// Answer statuses.
const (
	StatusListed      = "listed"
	StatusClean       = "clean"
	StatusAllowlisted = "allowlisted"
	StatusUnknown     = "unknown"
)

// Health statuses.
const (
	HealthOK        = "healthy"
	HealthUnhealthy = "unhealthy"
	HealthRefused   = "refused"
	HealthBogus     = "bogus"
	HealthError     = "error"
	HealthSkipped   = "skipped"
)

type healthKey struct {
	list int
	kind Kind
}

type job struct {
	target, list int
	qname        string
	nameErr      error
	reading      Reading
	reason       string
}

type healthJob struct {
	key             healthKey
	listed, notList probe
	skip            bool
	rl, rn          Reading
}

type runner struct {
	env     check.Env
	opts    Options
	queries atomic.Int64
	perZone map[string]chan struct{}
}

// lookup asks one question under the per-zone bound and the per-query timeout.
func (r *runner) lookup(ctx context.Context, zone, qname string, qtype uint16) (resolver.Answer, error) {
	sem := r.perZone[zone]
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return resolver.Answer{}, &resolver.Error{Name: qname, Type: qtype, Kind: resolver.KindCanceled, Err: ctx.Err()}
	}
	defer func() { <-sem }()
	qctx, cancel := context.WithTimeout(ctx, r.opts.QueryTimeout)
	defer cancel()
	r.queries.Add(1)
	return r.env.Resolver.Lookup(qctx, qname, qtype)
}

func run(ctx context.Context, env check.Env, target string, g Gathered, opts Options) report.Section {
	opts = opts.withDefaults()
	lists, defunct, bad := selectLists(opts.Catalog, opts.Lists)
	r := &runner{env: env, opts: opts, perZone: map[string]chan struct{}{}}
	for _, l := range lists {
		r.perZone[l.Zone] = make(chan struct{}, opts.PerZone)
	}

	// One job per applicable (target, list), target-major so that
	// consecutive jobs hit different lists; one health check per (list,
	// kind) in use.
	var jobs []*job
	healthIndex := map[healthKey]*healthJob{}
	var health []*healthJob
	for ti, t := range g.Targets {
		k := t.Kind()
		for li, l := range lists {
			if !l.Takes(k) {
				continue
			}
			j := &job{target: ti, list: li}
			if k == KindDomain {
				j.qname, j.nameErr = DomainQueryName(t.Domain, l.Zone)
			} else {
				j.qname = AddrQueryName(t.Addr, l.Zone)
			}
			jobs = append(jobs, j)
			key := healthKey{li, k}
			if healthIndex[key] == nil {
				h := &healthJob{key: key}
				var ok bool
				h.listed, h.notList, ok = testProbes(l, k)
				h.skip = !ok
				healthIndex[key] = h
				health = append(health, h)
			}
		}
	}

	// Everything at once: the (target, list) queries under the bound
	// (Concurrency, default 16), and beside them the health probes (RFC
	// 5782 §7: check a list before trusting it), two per list and kind,
	// bounded per list by PerZone rather than by the query bound. So the
	// run costs about one round trip, plus one for the TXT reasons of
	// listings, never a round trip per list or a wave of probes before
	// the queries.
	start := time.Now()
	eg := errgroup.Group{}
	eg.SetLimit(opts.Concurrency)
	var probes errgroup.Group
	// Probes first: they never block, while eg.Go blocks at the bound.
	for _, h := range health {
		if h.skip {
			continue
		}
		l := lists[h.key.list]
		probes.Go(func() error {
			ans, err := r.lookup(ctx, l.Zone, h.listed.qname, dns.TypeA)
			h.rl = Read(l, ans, err)
			return nil
		})
		probes.Go(func() error {
			ans, err := r.lookup(ctx, l.Zone, h.notList.qname, dns.TypeA)
			h.rn = Read(l, ans, err)
			return nil
		})
	}
	for _, j := range jobs {
		l := lists[j.list]
		if j.nameErr != nil {
			j.reading = Reading{Verdict: Failed, Err: j.nameErr.Error()}
			continue
		}
		eg.Go(func() error {
			ans, err := r.lookup(ctx, l.Zone, j.qname, dns.TypeA)
			j.reading = Read(l, ans, err)
			// RFC 5782 §2.1: the TXT record at the same name gives the
			// reason; asked only for listings.
			if j.reading.Verdict == Listed {
				j.reason = r.reason(ctx, l.Zone, j.qname)
			}
			return nil
		})
	}
	_ = eg.Wait()
	_ = probes.Wait()
	elapsed := time.Since(start)

	return assemble(r, target, g, lists, defunct, bad, jobs, health, elapsed)
}

// reason fetches the TXT reason of a listing, bounded in size; failures are
// ignored (the listing stands without a reason).
func (r *runner) reason(ctx context.Context, zone, qname string) string {
	ans, err := r.lookup(ctx, zone, qname, dns.TypeTXT)
	if err != nil {
		return ""
	}
	var parts []string
	for _, rr := range ans.RRs {
		if t, ok := rr.(*dns.TXT); ok {
			parts = append(parts, resolver.TXTOf(t.Txt).Text()) // octets, not presentation form
		}
	}
	s := strings.Join(parts, " | ")
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > maxReasonLen {
		s = s[:maxReasonLen] + "..."
	}
	return s
}

// evaluate turns the two probe readings into a health status.
func (h *healthJob) evaluate() HealthResult {
	res := HealthResult{Kind: h.key.kind}
	if h.skip {
		res.Status = HealthSkipped
		res.Detail = "no RFC 5782 §5 test entry for this list"
		return res
	}
	res.Listed = &ProbeResult{Entry: h.listed.label, Query: h.listed.qname, Verdict: h.rl.Verdict, Codes: h.rl.Codes, Error: h.rl.Err}
	res.NotListed = &ProbeResult{Entry: h.notList.label, Query: h.notList.qname, Verdict: h.rn.Verdict, Codes: h.rn.Codes, Error: h.rn.Err}
	switch {
	case h.rl.Verdict == Bogus || h.rn.Verdict == Bogus:
		res.Status = HealthBogus
		res.Detail = "the test entries got answers that are not listing codes"
	case h.rl.Verdict == Refused || h.rn.Verdict == Refused:
		res.Status = HealthRefused
		e := h.rl.Err
		if h.rl.Verdict != Refused {
			e = h.rn.Err
		}
		res.Detail, res.cause = "the list refused the test queries: "+e, e
	case h.rn.Verdict == Listed:
		// RFC 5782 §5: 127.0.0.1 MUST NOT be listed. A list that lists it
		// lists the world (AHBL after shutdown, SpamCop's 2021 lapse).
		res.Status = HealthUnhealthy
		res.Detail = fmt.Sprintf("lists %s, which RFC 5782 §5 says must never be listed: the list answers \"listed\" for everything", h.notList.label)
	case h.rl.Verdict == NotListed:
		res.Status = HealthUnhealthy
		res.Detail = fmt.Sprintf("does not list its test entry %s: the list is dead, emptied or silently refusing this resolver", h.listed.label)
	case h.rl.Verdict == Failed || h.rn.Verdict == Failed:
		res.Status = HealthError
		e := h.rl.Err
		if h.rl.Verdict != Failed {
			e = h.rn.Err
		}
		res.Detail, res.cause = "the test queries got no answer: "+e, e
	default:
		res.Status = HealthOK
	}
	return res
}

func assemble(r *runner, target string, g Gathered, lists []*List, defunct []DefunctZone, bad []string,
	jobs []*job, health []*healthJob, elapsed time.Duration) report.Section {

	data := Data{
		Catalog:   CatalogRef{Version: r.opts.Catalog.Version, Source: r.opts.Catalog.Source},
		Skipped:   g.Skipped,
		Notes:     append([]string(nil), g.Notes...),
		Defunct:   defunct,
		ElapsedMS: elapsed.Milliseconds(),
		Queries:   r.queries.Load(),
	}
	for _, b := range bad {
		data.Notes = append(data.Notes, "ignored --list: "+b)
	}
	data.Resolver = r.opts.Resolver
	if data.Resolver == "" {
		if s, ok := r.env.Resolver.(interface{ Server() string }); ok {
			data.Resolver = s.Server()
		}
	}
	if name, ok := PublicResolver(data.Resolver); ok {
		data.PublicResolver = name
	}

	healthRes := map[healthKey]HealthResult{}
	for _, h := range health {
		healthRes[h.key] = h.evaluate()
	}
	used := make([]bool, len(lists))
	for _, j := range jobs {
		used[j.list] = true
	}
	for li, l := range lists {
		if !used[li] {
			continue
		}
		lr := ListResult{Zone: l.Zone, Name: l.Name, Kinds: l.Kinds, Purpose: l.Purpose, Class: l.Class, Info: l.Info, Notes: l.Notes}
		for _, k := range []Kind{KindIPv4, KindIPv6, KindDomain} {
			if hr, ok := healthRes[healthKey{li, k}]; ok {
				lr.Health = append(lr.Health, hr)
			}
		}
		if lr.Health == nil {
			lr.Health = []HealthResult{}
		}
		data.Lists = append(data.Lists, lr)
	}
	if data.Lists == nil {
		data.Lists = []ListResult{}
	}

	var findings []report.Finding
	// Per-zone trouble, gathered so that one list gives one finding of each kind.
	type trouble struct {
		refused            causes // why -> which targets
		failed             causes
		bogus              causes
		publicResolver     bool
		unhealthy, ignored []string
	}
	troubles := make([]trouble, len(lists))

	data.Answers = make([]AnswerResult, 0, len(jobs))
	targetStatus := make([]string, len(g.Targets))
	for _, j := range jobs {
		t := g.Targets[j.target]
		l := lists[j.list]
		rd := j.reading
		a := AnswerResult{Target: t.String(), Zone: l.Zone, Query: j.qname, Verdict: rd.Verdict, Class: rd.Class, Codes: rd.Codes, Reason: j.reason, Error: rd.Err}
		hr := healthRes[healthKey{j.list, t.Kind()}]
		tr := &troubles[j.list]
		switch rd.Verdict {
		case Refused:
			tr.refused.add(rd.Err, t.String())
			tr.publicResolver = tr.publicResolver || rd.PublicResolver
		case Failed:
			tr.failed.add(rd.Err, t.String())
		case Bogus:
			tr.bogus.add(codeList(rd.Codes), t.String())
		}
		switch {
		case !rd.Verdict.Decisive():
			a.Status = StatusUnknown
		case hr.Status != HealthOK && hr.Status != HealthSkipped:
			a.Status = StatusUnknown
			a.Note = "not trusted: list " + hr.Status + " (" + hr.Detail + ")"
			a.health = hr.Status
			tr.ignored = append(tr.ignored, t.String())
		case rd.Verdict == Listed:
			a.Status = StatusListed
			findings = append(findings, listingFinding(t, l, a))
		case rd.Verdict == Allowlisted:
			a.Status = StatusAllowlisted
		default:
			a.Status = StatusClean
		}
		targetStatus[j.target] = worseStatus(targetStatus[j.target], a.Status)
		data.Answers = append(data.Answers, a)
	}
	for _, h := range health {
		hr := healthRes[h.key]
		tr := &troubles[h.key.list]
		switch hr.Status {
		case HealthRefused:
			tr.refused.add(hr.cause, "the test entries")
			tr.publicResolver = tr.publicResolver || h.rl.PublicResolver || h.rn.PublicResolver
		case HealthError:
			tr.failed.add(hr.cause, "the test entries")
		case HealthBogus:
			tr.bogus.add(codeList(append(append([]AnswerCode(nil), h.rl.Codes...), h.rn.Codes...)), "the test entries")
		case HealthUnhealthy:
			tr.unhealthy = append(tr.unhealthy, fmt.Sprintf("%s queries: %s", h.key.kind, hr.Detail))
		}
	}
	for li, l := range lists {
		tr := troubles[li]
		findings = append(findings, zoneFindings(l, tr.refused, tr.failed, tr.bogus, tr.unhealthy, tr.ignored, tr.publicResolver, data.PublicResolver)...)
	}
	for _, d := range defunct {
		detail := d.Zone + " was configured but is defunct"
		if d.Since != "" {
			detail += " (since " + d.Since + ")"
		}
		findings = append(findings, DefZoneDefunct.New(detail+": "+d.Note+" It was not queried.",
			"Remove "+d.Zone+" from your blocklist configuration (mail servers, monitoring, --list)."))
	}
	if data.PublicResolver != "" {
		findings = append(findings, DefResolverPublic.New(
			fmt.Sprintf("The resolver in use, %s, is %s. Spamhaus, URIBL, SURBL and DNSWL refuse or rate-limit queries from large public resolvers, and Barracuda answers only registered resolvers, so many answers here will be refusals rather than results.", data.Resolver, data.PublicResolver),
			"Run the check through your own recursive resolver (for example unbound on this machine: --resolver 127.0.0.1), or use a Spamhaus DQS key (--list KEY.zen.dq.spamhaus.net)."))
	}
	if len(g.Failures) > 0 {
		findings = append(findings, DefTargetsUnknown.New(
			"These lookups failed, so some addresses of the domain may not have been checked: "+strings.Join(g.Failures, "; ")+".",
			"Run the check again; if the failures persist, fix the domain's DNS (the mx and spf checks say more)."))
	}

	for i, t := range g.Targets {
		st := targetStatus[i]
		if st == "" {
			st = "not queried"
		}
		data.Targets = append(data.Targets, TargetResult{Target: t.String(), Kind: t.Kind(), Roles: t.Roles, Via: t.Via, Status: st})
	}
	if data.Targets == nil {
		data.Targets = []TargetResult{}
	}
	report.SortFindings(findings)
	if findings == nil {
		findings = []report.Finding{}
	}
	sec := report.Section{
		Check:    "dnsbl",
		Title:    "Blocklists (DNSBL)",
		Target:   target,
		Findings: findings,
		Data:     data,
	}
	sec.Status = report.StatusOf(findings)
	if len(jobs) == 0 {
		sec.Status = report.StatusSkipped
	}
	sec.Summary = report.Lit(summary(g.Targets, lists, data.Answers))
	sec.Display = display(data, g.Targets)
	return sec
}

// worseStatus orders answer statuses for a target: listed > unknown > clean.
func worseStatus(a, b string) string {
	rank := func(s string) int {
		switch s {
		case StatusListed:
			return 3
		case StatusUnknown:
			return 2
		case StatusClean, StatusAllowlisted:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		if b == StatusAllowlisted {
			return StatusClean
		}
		return b
	}
	return a
}

func codeList(cs []AnswerCode) string {
	var s []string
	for _, c := range cs {
		s = append(s, c.Code)
	}
	return strings.Join(s, ", ")
}

func meanings(cs []AnswerCode) string {
	var s []string
	for _, c := range cs {
		s = append(s, c.Code+" "+c.Meaning)
	}
	return strings.Join(s, "; ")
}

// listingFinding makes the finding for one listing on a healthy list.
func listingFinding(t Target, l *List, a AnswerResult) report.Finding {
	who := t.String()
	if lbl := t.Label(); lbl != "" && lbl != RoleGiven {
		who += " (" + lbl + ")"
	}
	on := l.Zone
	if l.Name != "" {
		on += " (" + l.Name + ")"
	}
	detail := fmt.Sprintf("%s is listed on %s: %s.", who, on, meanings(a.Codes))
	if a.Reason != "" {
		detail += " The list says: \"" + a.Reason + "\"."
	}
	where := "the list operator"
	if l.Info != "" {
		where = l.Info
	}
	if t.Kind() == KindDomain {
		fix := fmt.Sprintf("Find out why the domain is listed (a compromised website, spam that links to it, a lookalike campaign), remove the cause, then request removal at %s.", where)
		switch a.Class {
		case ClassMajor:
			return DefDomainListed.New(detail, fix)
		case ClassInformational:
			f := DefDomainGrey.New(detail, fix)
			f.Severity = report.Info // our severity: informational lists
			return f
		default:
			return DefDomainGrey.New(detail, fix)
		}
	}
	fix := fmt.Sprintf("Find and stop the cause (a compromised account or host, an open relay, mail to stale or purchased lists), then request removal at %s.", where)
	switch a.Class {
	case ClassMajor:
		return DefIPListedMajor.New(detail, fix)
	case ClassPolicy:
		f := DefIPListedPBL.New(detail+" The PBL lists end-user address space that should not deliver mail directly to other domains' MX servers; it is not evidence of abuse.",
			"If this address is a mail server that delivers directly to MX servers, ask its ISP to mark it as a server (or remove it yourself at "+where+"); otherwise send through your provider's submission server (port 587) instead of directly.")
		if t.Sends() {
			// our severity: high when the address delivers direct-to-MX,
			// which an SPF-authorized host does by declaration.
			f.Severity = report.High
			f.Detail += " The domain's SPF record names this address as a sender, so receivers that use the PBL reject its mail."
		}
		return f
	case ClassInformational:
		f := DefIPListedMinor.New(detail+" This list is informational: few receivers block on it.", fix)
		f.Severity = report.Info // our severity: UCEPROTECT L2/L3 and weak signals are info
		return f
	default:
		return DefIPListedMinor.New(detail, fix)
	}
}

// zoneFindings reports one list's refusals, failed queries (SERVFAIL,
// timeouts), bogus answers and failed health check, one finding each.
func zoneFindings(l *List, refused, failed, bogus causes, unhealthy, ignored []string, publicCode bool, publicResolver string) []report.Finding {
	var out []report.Finding
	if len(failed.order) > 0 {
		out = append(out, DefQueryFailed.New(
			fmt.Sprintf("%s gave no usable DNS answer, so its results are unknown (not \"listed\", not \"clean\"): %s.", l.Zone, failed.String()),
			"Run the check again later. If it persists, check that the resolver answers (mailcheck dnsbl 127.0.0.2 --list "+l.Zone+" must say listed) and that the list still exists; a list that times out for everyone is down or retired."))
	}
	if len(refused.order) > 0 {
		detail := fmt.Sprintf("%s did not give usable answers, so its results are unknown (not \"listed\"): %s.", l.Zone, refused.String())
		fix := "Run the check again later. If it persists, the list does not serve your resolver: query through your own recursive resolver (--resolver)."
		if publicCode || publicResolver != "" {
			detail += " The list refuses queries that arrive through public or shared resolvers (8.8.8.8, 1.1.1.1, large ISPs) and answers them with an error code that naive checkers report as a listing."
			fix = "Query through your own recursive resolver, not a public one (--resolver 127.0.0.1 with unbound, for example); for Spamhaus, a free DQS key works from anywhere (--list KEY.zen.dq.spamhaus.net)."
		}
		if l.Notes != "" && strings.Contains(l.Notes, "registered") {
			detail += " " + l.Notes
		}
		out = append(out, DefQueryRefused.New(detail, fix))
	}
	if len(bogus.order) > 0 {
		out = append(out, DefAnswerBogus.New(
			fmt.Sprintf("%s answered with addresses that are not listing codes: %s. Real DNSBL answers are in 127.0.0.0/8; an answer outside it usually means the resolver rewrites NXDOMAIN (ISP search pages, some filtering resolvers).", l.Zone, bogus.String()),
			"Use a resolver that does not rewrite NXDOMAIN answers (your own recursive resolver: --resolver)."))
	}
	if len(unhealthy) > 0 {
		detail := fmt.Sprintf("%s failed its RFC 5782 §5 self-test: %s.", l.Zone, strings.Join(unhealthy, "; "))
		if len(ignored) > 0 {
			detail += fmt.Sprintf(" Its answers for %s were ignored.", limitJoin(ignored, 5))
		}
		out = append(out, DefZoneUnhealthy.New(detail,
			"Do not use this list's answers until it passes again; if it stays broken, remove it from your configuration and tell the operator."))
	}
	return out
}

// causes groups the targets that got the same trouble from one list, so a
// refusal that hits every query is said once.
type causes struct {
	order []string
	whom  map[string][]string
}

func (c *causes) add(cause, who string) {
	if c.whom == nil {
		c.whom = map[string][]string{}
	}
	if _, ok := c.whom[cause]; !ok {
		c.order = append(c.order, cause)
	}
	c.whom[cause] = append(c.whom[cause], who)
}

func (c causes) String() string {
	var parts []string
	for _, cause := range c.order {
		parts = append(parts, fmt.Sprintf("%s (for %s)", cause, limitJoin(c.whom[cause], 5)))
	}
	return strings.Join(parts, "; ")
}

func limitJoin(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, ", ")
	}
	return strings.Join(s[:n], ", ") + fmt.Sprintf(" and %d more", len(s)-n)
}

// summary is the one-line verdict.
func summary(targets []Target, lists []*List, answers []AnswerResult) string {
	if len(answers) == 0 {
		if len(targets) == 0 {
			return "nothing to check"
		}
		return "no list applies to these targets"
	}
	listedOn := map[string][]string{}
	var listedZones []string
	unknown := map[string]bool{}
	for _, a := range answers {
		switch a.Status {
		case StatusListed:
			if listedOn[a.Zone] == nil {
				listedZones = append(listedZones, a.Zone)
			}
			listedOn[a.Zone] = append(listedOn[a.Zone], a.Target)
		case StatusUnknown:
			unknown[a.Zone] = true
		}
	}
	queried := map[string]bool{}
	for _, a := range answers {
		queried[a.Zone] = true
	}
	var b strings.Builder
	if len(targets) == 1 {
		b.WriteString(targets[0].String() + ": ")
	} else {
		fmt.Fprintf(&b, "%d targets: ", len(targets))
	}
	if len(listedZones) > 0 {
		var parts []string
		for _, z := range listedZones {
			if len(targets) == 1 {
				parts = append(parts, z)
			} else {
				parts = append(parts, z+" ("+strings.Join(listedOn[z], ", ")+")")
			}
		}
		fmt.Fprintf(&b, "listed on %d of %d lists: %s", len(listedZones), len(queried), strings.Join(parts, ", "))
	} else {
		fmt.Fprintf(&b, "not listed on any of %d lists", len(queried)-len(unknown))
		if len(unknown) > 0 {
			b.WriteString(" that answered")
		}
	}
	switch len(unknown) {
	case 0:
	case 1:
		b.WriteString("; 1 list unknown")
	default:
		fmt.Fprintf(&b, "; %d lists unknown", len(unknown))
	}
	return b.String()
}

// display is the text/Markdown view: a compact table of targets by lists.
func display(d Data, targets []Target) report.Display {
	var disp report.Display
	src := d.Catalog.Source
	disp.Facts = append(disp.Facts, report.Fact{Label: report.Lit("catalog"), Value: report.Lit(fmt.Sprintf("%s %s, %d lists queried", src, d.Catalog.Version, len(d.Lists)))})
	if d.Resolver != "" {
		v := d.Resolver
		if d.PublicResolver != "" {
			v += " (public: " + d.PublicResolver + ")"
		}
		disp.Facts = append(disp.Facts, report.Fact{Label: report.Lit("resolver"), Value: report.Lit(v)})
	}
	for _, s := range d.Skipped {
		disp.Facts = append(disp.Facts, report.Fact{Label: report.Lit("skipped"), Value: report.Lit(fmt.Sprintf("%s (%s): %s", s.Address, s.Via, s.Reason))})
	}
	for _, n := range d.Notes {
		disp.Facts = append(disp.Facts, report.Fact{Label: report.Lit("note"), Value: report.Lit(n)})
	}
	for _, z := range d.Defunct {
		disp.Facts = append(disp.Facts, report.Fact{Label: report.Lit("not queried"), Value: report.Lit(z.Zone + " (defunct)")})
	}
	type cell struct {
		listed, unknown []string
		clean, allow    int
	}
	cells := make(map[string]*cell)
	for _, a := range d.Answers {
		c := cells[a.Target]
		if c == nil {
			c = &cell{}
			cells[a.Target] = c
		}
		switch a.Status {
		case StatusListed:
			var ms []string
			for _, code := range a.Codes {
				ms = append(ms, shortMeaning(code.Meaning))
			}
			c.listed = append(c.listed, a.Zone+" ("+strings.Join(dedupeStrings(ms), ", ")+")")
		case StatusUnknown:
			c.unknown = append(c.unknown, a.Zone+" ("+unknownWhy(a)+")")
		case StatusAllowlisted:
			c.allow++
		default:
			c.clean++
		}
	}
	tbl := report.Table{Title: report.Lit("Targets by list"), Columns: report.Lits("Target", "Role", "Listed", "Clean", "Unknown")}
	for _, t := range targets {
		c := cells[t.String()]
		if c == nil {
			tbl.Rows = append(tbl.Rows, report.Lits(t.String(), t.Label(), "-", "no list applies", "-"))
			continue
		}
		clean := fmt.Sprintf("%d", c.clean)
		if c.allow > 0 {
			clean += fmt.Sprintf(" (+%d allow-listed)", c.allow)
		}
		tbl.Rows = append(tbl.Rows, report.Lits(t.String(), t.Label(), dash(strings.Join(c.listed, ", ")), clean, dash(strings.Join(c.unknown, ", "))))
	}
	disp.Tables = append(disp.Tables, tbl)
	return disp
}

// shortMeaning keeps the part of a meaning before the first colon: "XBL",
// "PBL", "black".
func shortMeaning(m string) string {
	if i := strings.IndexAny(m, ":("); i > 0 {
		return strings.TrimSpace(m[:i])
	}
	return m
}

func unknownWhy(a AnswerResult) string {
	switch {
	case a.health == HealthUnhealthy:
		return "list unhealthy"
	case a.health != "":
		return "list " + a.health
	case a.Verdict == Refused:
		return "refused"
	case a.Verdict == Bogus:
		return "bogus answer"
	case a.Error != "":
		return a.Error
	}
	return "unknown"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func dedupeStrings(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

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
	Notes          []report.Msg   `json:"notes,omitempty"`
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
	Detail    report.Msg   `json:"detail,omitzero"`
	Listed    *ProbeResult `json:"listed,omitempty"`
	NotListed *ProbeResult `json:"not_listed,omitempty"`

	cause report.Msg // the probe error behind a refused or error status
}

// ProbeResult is one test-entry question.
type ProbeResult struct {
	Entry   string       `json:"entry"`
	Query   string       `json:"query"`
	Verdict Verdict      `json:"verdict"`
	Codes   []AnswerCode `json:"codes,omitempty"`
	Error   report.Msg   `json:"error,omitzero"`
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
	Reason string     `json:"reason,omitempty"`
	Error  report.Msg `json:"error,omitzero"`
	// Note says why a decisive answer is not trusted (an unhealthy list).
	Note report.Msg `json:"note,omitzero"`

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
}

// query is one question of a run: a health probe, a (target, list)
// query, or the TXT reason of a listing.
type query struct {
	zone, qname string
	qtype       uint16
	// bounded: counted against Options.Concurrency (the list queries and
	// their reasons; the probes are bounded per list only).
	bounded bool
	// What the answer is for: a health probe of h (listed: the entry that
	// must be listed), else a query of j (reason: its TXT reason). A
	// field, not a closure per query: a dozen fewer objects a domain.
	list   *List
	h      *healthJob
	listed bool
	j      *job
	reason bool
}

// done takes the outcome and may ask a follow-up question.
func (q *query) done(ans resolver.Answer, err error) *query {
	switch {
	case q.h != nil && q.listed:
		q.h.rl = Read(q.list, ans, err)
	case q.h != nil:
		q.h.rn = Read(q.list, ans, err)
	case q.reason:
		q.j.reason = reason(ans, err)
	default:
		j := q.j
		j.reading = Read(q.list, ans, err)
		// RFC 5782 §2.1: the TXT record at the same name gives the
		// reason; asked only for listings.
		if j.reading.Verdict == Listed {
			return &query{zone: q.zone, qname: j.qname, qtype: dns.TypeTXT, bounded: true, list: q.list, j: j, reason: true}
		}
	}
	return nil
}

// ask asks every question, and the follow-ups they lead to, in waves of
// one batch each (one sendmmsg, no goroutine per question): a wave takes,
// in order, the questions that fit under the per-list bound (PerZone in
// flight per list zone) and the query bound (Concurrency), each with the
// per-query timeout. A follow-up goes in the next wave, ahead of the
// questions still waiting, as it would have taken the next free place.
func (r *runner) ask(ctx context.Context, qs []*query) {
	for len(qs) > 0 {
		if err := ctx.Err(); err != nil {
			for _, q := range qs {
				q.done(resolver.Answer{}, &resolver.Error{Name: q.qname, Type: q.qtype, Kind: resolver.KindCanceled, Err: err})
			}
			return
		}
		wave, rest := make([]*query, 0, len(qs)), []*query(nil) // most waves are all of qs
		perZone := map[string]int{}
		bounded := 0
		for _, q := range qs {
			if perZone[q.zone] >= r.opts.PerZone || (q.bounded && bounded >= r.opts.Concurrency) {
				rest = append(rest, q)
				continue
			}
			perZone[q.zone]++
			if q.bounded {
				bounded++
			}
			wave = append(wave, q)
		}
		questions := make([]resolver.Question, len(wave))
		for i, q := range wave {
			questions[i] = resolver.Question{Name: q.qname, Type: q.qtype}
		}
		r.queries.Add(int64(len(wave)))
		qctx, cancel := context.WithTimeout(ctx, r.opts.QueryTimeout)
		got := resolver.LookupBatch(qctx, r.env.Resolver, questions, 0)
		cancel()
		var next []*query
		for i, q := range wave {
			if f := q.done(got[i].Answer, got[i].Err); f != nil {
				next = append(next, f)
			}
		}
		qs = append(next, rest...)
	}
}

func run(ctx context.Context, env check.Env, target string, g Gathered, opts Options) report.Section {
	opts = opts.withDefaults()
	sel := selectFor(opts.Catalog, opts.Lists)
	lists, defunct, bad := sel.lists, sel.defunct, sel.bad
	r := &runner{env: env, opts: opts}

	// One job per applicable (target, list), target-major so that
	// consecutive jobs hit different lists; one health check per (list,
	// kind) in use. Both live in one array each (the queries point into
	// them: the arrays are never grown past their capacity).
	n := 0
	for _, t := range g.Targets {
		k := t.Kind()
		for _, l := range lists {
			if l.Takes(k) {
				n++
			}
		}
	}
	jobs := make([]job, 0, n)
	var health []healthJob
	for ti, t := range g.Targets {
		k := t.Kind()
		for li, l := range lists {
			if !l.Takes(k) {
				continue
			}
			j := job{target: ti, list: li}
			if k == KindDomain {
				j.qname, j.nameErr = DomainQueryName(t.Domain, l.Zone)
			} else {
				j.qname = AddrQueryName(t.Addr, l.Zone)
			}
			jobs = append(jobs, j)
			key := healthKey{li, k}
			if healthOf(health, key) < 0 {
				if health == nil {
					health = make([]healthJob, 0, min(n, len(lists)*numKinds))
				}
				p := sel.probes[li][kindIndex(k)]
				health = append(health, healthJob{key: key, listed: p.listed, notList: p.notListed, skip: !p.ok})
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
	// The queries live in one array (a dozen a domain), not one
	// allocation each; qs points into it.
	buf := make([]query, 0, 2*len(health)+len(jobs))
	qs := make([]*query, 0, cap(buf))
	add := func(q query) {
		buf = append(buf, q)
		qs = append(qs, &buf[len(buf)-1])
	}
	// Probes first, as they took their places first.
	for i := range health {
		h := &health[i]
		if h.skip {
			continue
		}
		l := lists[h.key.list]
		add(query{zone: l.Zone, qname: h.listed.qname, qtype: dns.TypeA, list: l, h: h, listed: true})
		add(query{zone: l.Zone, qname: h.notList.qname, qtype: dns.TypeA, list: l, h: h})
	}
	for i := range jobs {
		j := &jobs[i]
		l := lists[j.list]
		if j.nameErr != nil {
			j.reading = Reading{Verdict: Failed, Err: report.T("dnsbl.err.name_too_long", nil)}
			continue
		}
		add(query{zone: l.Zone, qname: j.qname, qtype: dns.TypeA, bounded: true, list: l, j: j})
	}
	r.ask(ctx, qs)
	elapsed := time.Since(start)

	return assemble(r, target, g, lists, defunct, bad, jobs, health, elapsed)
}

// healthOf is the index of key's health check in health, or -1 (a
// handful of checks: a scan, not a map).
func healthOf(health []healthJob, key healthKey) int {
	for i := range health {
		if health[i].key == key {
			return i
		}
	}
	return -1
}

// reason reads the TXT reason of a listing, bounded in size; failures are
// ignored (the listing stands without a reason).
func reason(ans resolver.Answer, err error) string {
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
		res.Detail = report.T("dnsbl.health.skipped", nil)
		return res
	}
	pair := &[2]ProbeResult{ // one allocation for the two
		{Entry: h.listed.label, Query: h.listed.qname, Verdict: h.rl.Verdict, Codes: h.rl.Codes, Error: h.rl.Err},
		{Entry: h.notList.label, Query: h.notList.qname, Verdict: h.rn.Verdict, Codes: h.rn.Codes, Error: h.rn.Err},
	}
	res.Listed, res.NotListed = &pair[0], &pair[1]
	switch {
	case h.rl.Verdict == Bogus || h.rn.Verdict == Bogus:
		res.Status = HealthBogus
		res.Detail = report.T("dnsbl.health.bogus", nil)
	case h.rl.Verdict == Refused || h.rn.Verdict == Refused:
		res.Status = HealthRefused
		e := h.rl.Err
		if h.rl.Verdict != Refused {
			e = h.rn.Err
		}
		res.Detail, res.cause = report.T("dnsbl.health.refused", report.Params{"error": e}), e
	case h.rn.Verdict == Listed:
		// RFC 5782 §5: 127.0.0.1 MUST NOT be listed. A list that lists it
		// lists the world (AHBL after shutdown, SpamCop's 2021 lapse).
		res.Status = HealthUnhealthy
		res.Detail = report.T("dnsbl.health.lists_everything", report.Params{"entry": h.notList.label})
	case h.rl.Verdict == NotListed:
		res.Status = HealthUnhealthy
		res.Detail = report.T("dnsbl.health.dead", report.Params{"entry": h.listed.label})
	case h.rl.Verdict == Failed || h.rn.Verdict == Failed:
		res.Status = HealthError
		e := h.rl.Err
		if h.rl.Verdict != Failed {
			e = h.rn.Err
		}
		res.Detail, res.cause = report.T("dnsbl.health.failed", report.Params{"error": e}), e
	default:
		res.Status = HealthOK
	}
	return res
}

func assemble(r *runner, target string, g Gathered, lists []*List, defunct []DefunctZone, bad []string,
	jobs []job, health []healthJob, elapsed time.Duration) report.Section {

	data := Data{
		Catalog:   CatalogRef{Version: r.opts.Catalog.Version, Source: r.opts.Catalog.Source},
		Skipped:   g.Skipped,
		Notes:     append([]report.Msg(nil), g.Notes...),
		Defunct:   defunct,
		ElapsedMS: elapsed.Milliseconds(),
		Queries:   r.queries.Load(),
	}
	for _, b := range bad {
		data.Notes = append(data.Notes, report.T("dnsbl.note.ignored_list", report.Params{"spec": b}))
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

	// healthRes[i] is health[i]'s result.
	healthRes := make([]HealthResult, len(health))
	for i := range health {
		healthRes[i] = health[i].evaluate()
	}
	healthFor := func(key healthKey) (HealthResult, bool) {
		if i := healthOf(health, key); i >= 0 {
			return healthRes[i], true
		}
		return HealthResult{}, false
	}
	// slot[li] is 1 + the index of list li among the lists queried, 0
	// for a list no target was asked of: the per-list results and
	// troubles are made for those only (a few of the catalog's lists).
	slot := make([]int, len(lists))
	nused := 0
	for _, j := range jobs {
		if slot[j.list] == 0 {
			nused++
			slot[j.list] = nused
		}
	}
	if nused > 0 {
		data.Lists = make([]ListResult, 0, nused)
	}
	// Every list's health results, in one array (each list's a piece).
	healthRoom := make([]HealthResult, 0, len(health))
	for li, l := range lists {
		if slot[li] == 0 {
			continue
		}
		lr := ListResult{Zone: l.Zone, Name: l.Name, Kinds: l.Kinds, Purpose: l.Purpose, Class: l.Class, Info: l.Info, Notes: l.Notes}
		start := len(healthRoom)
		for _, k := range []Kind{KindIPv4, KindIPv6, KindDomain} {
			if hr, ok := healthFor(healthKey{li, k}); ok {
				healthRoom = append(healthRoom, hr)
			}
		}
		if len(healthRoom) > start {
			lr.Health = healthRoom[start:len(healthRoom):len(healthRoom)]
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
		unhealthy, ignored []report.Msg
	}
	troubles := make([]trouble, nused)

	data.Answers = make([]AnswerResult, 0, len(jobs))
	targetStatus := make([]string, len(g.Targets))
	for _, j := range jobs {
		t := g.Targets[j.target]
		l := lists[j.list]
		rd := j.reading
		a := AnswerResult{Target: t.String(), Zone: l.Zone, Query: j.qname, Verdict: rd.Verdict, Class: rd.Class, Codes: rd.Codes, Reason: j.reason, Error: rd.Err}
		hr, _ := healthFor(healthKey{j.list, t.Kind()})
		tr := &troubles[slot[j.list]-1]
		switch rd.Verdict {
		case Refused:
			tr.refused.add(rd.Err, report.Lit(t.String()))
			tr.publicResolver = tr.publicResolver || rd.PublicResolver
		case Failed:
			tr.failed.add(rd.Err, report.Lit(t.String()))
		case Bogus:
			tr.bogus.add(report.Lit(codeList(rd.Codes)), report.Lit(t.String()))
		}
		switch {
		case !rd.Verdict.Decisive():
			a.Status = StatusUnknown
		case hr.Status != HealthOK && hr.Status != HealthSkipped:
			a.Status = StatusUnknown
			a.Note = report.T("dnsbl.answer.untrusted", report.Params{"status": healthStatusKeys.T(hr.Status, nil), "detail": hr.Detail})
			a.health = hr.Status
			tr.ignored = append(tr.ignored, report.Lit(t.String()))
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
	for i, h := range health {
		hr := healthRes[i]
		tr := &troubles[slot[h.key.list]-1]
		switch hr.Status {
		case HealthRefused:
			tr.refused.add(hr.cause, testEntries)
			tr.publicResolver = tr.publicResolver || h.rl.PublicResolver || h.rn.PublicResolver
		case HealthError:
			tr.failed.add(hr.cause, testEntries)
		case HealthBogus:
			tr.bogus.add(report.Lit(codeList(append(append([]AnswerCode(nil), h.rl.Codes...), h.rn.Codes...))), testEntries)
		case HealthUnhealthy:
			tr.unhealthy = append(tr.unhealthy, healthKindKeys.T(string(h.key.kind), report.Params{"detail": hr.Detail}))
		}
	}
	for li, l := range lists {
		if slot[li] == 0 {
			continue // no trouble: nothing was asked of it
		}
		tr := troubles[slot[li]-1]
		findings = append(findings, zoneFindings(l, tr.refused, tr.failed, tr.bogus, tr.unhealthy, tr.ignored, tr.publicResolver, data.PublicResolver)...)
	}
	for _, d := range defunct {
		// The note is the catalog's (lists.json): data, shown as written.
		p := report.Params{"zone": d.Zone, "note": d.Note}
		if d.Since != "" {
			p["since"] = d.Since
		}
		findings = append(findings, DefZoneDefunct.With(p))
	}
	if data.PublicResolver != "" {
		findings = append(findings, DefResolverPublic.With(report.Params{"resolver": data.Resolver, "public": data.PublicResolver}))
	}
	if len(g.Failures) > 0 {
		findings = append(findings, DefTargetsUnknown.With(report.Params{"failures": g.Failures}))
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
	sec.Summary = summary(g.Targets, data.Answers)
	if !r.env.NoDisplay {
		sec.Display = display(data, g.Targets)
	}
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

// testEntries is who a health probe's trouble was for.
var testEntries = report.T("dnsbl.who.test_entries", nil)

// codes is each answer code with its meaning, worded.
func codes(cs []AnswerCode) []report.Msg {
	out := make([]report.Msg, len(cs))
	for i, c := range cs {
		out[i] = report.T("dnsbl.code.with_meaning", report.Params{"code": c.Code, "meaning": c.Meaning})
	}
	return out
}

// listingFinding makes the finding for one listing on a healthy list.
func listingFinding(t Target, l *List, a AnswerResult) report.Finding {
	p := report.Params{"target": t.String(), "zone": l.Zone, "codes": codes(a.Codes)}
	if !(len(t.Via) == 0 && len(t.Roles) == 1 && t.Roles[0] == RoleGiven) {
		p["role"] = t.Label()
	}
	if l.Name != "" {
		p["list"] = l.Name
	}
	if a.Reason != "" {
		p["reason"] = a.Reason // the list's TXT record: data
	}
	if l.Info != "" {
		p["info"] = l.Info // where to request removal
	}
	if t.Kind() == KindDomain {
		switch a.Class {
		case ClassMajor:
			return DefDomainListed.With(p)
		case ClassInformational:
			return DefDomainGrey.Alt("informational", p)
		default:
			return DefDomainGrey.With(p)
		}
	}
	switch a.Class {
	case ClassMajor:
		return DefIPListedMajor.With(p)
	case ClassPolicy:
		if t.Sends() {
			return DefIPListedPBL.Alt("sending", p)
		}
		return DefIPListedPBL.With(p)
	case ClassInformational:
		return DefIPListedMinor.Alt("informational", p)
	default:
		return DefIPListedMinor.With(p)
	}
}

// zoneFindings reports one list's refusals, failed queries (SERVFAIL,
// timeouts), bogus answers and failed health check, one finding each.
func zoneFindings(l *List, refused, failed, bogus causes, unhealthy, ignored []report.Msg, publicCode bool, publicResolver string) []report.Finding {
	var out []report.Finding
	if len(failed.order) > 0 {
		out = append(out, DefQueryFailed.With(report.Params{"zone": l.Zone, "causes": failed.msgs()}))
	}
	if len(refused.order) > 0 {
		p := report.Params{"zone": l.Zone, "causes": refused.msgs()}
		if l.Notes != "" && strings.Contains(l.Notes, "registered") {
			p["list_note"] = l.Notes // the catalog's note (lists.json): data
		}
		if publicCode || publicResolver != "" {
			p["public"] = true
			out = append(out, DefQueryRefused.Alt("public", p))
		} else {
			out = append(out, DefQueryRefused.With(p))
		}
	}
	if len(bogus.order) > 0 {
		out = append(out, DefAnswerBogus.With(report.Params{"zone": l.Zone, "causes": bogus.msgs()}))
	}
	if len(unhealthy) > 0 {
		p := report.Params{"zone": l.Zone, "failures": unhealthy}
		if len(ignored) > 0 {
			p["ignored"] = limitJoin(ignored, 5)
		}
		out = append(out, DefZoneUnhealthy.With(p))
	}
	return out
}

// causes groups the targets that got the same trouble from one list, so a
// refusal that hits every query is said once.
type causes struct {
	order []report.Msg
	whom  map[string][]report.Msg
}

func (c *causes) add(cause, who report.Msg) {
	if c.whom == nil {
		c.whom = map[string][]report.Msg{}
	}
	k := msgKey(cause)
	if _, ok := c.whom[k]; !ok {
		c.order = append(c.order, cause)
	}
	c.whom[k] = append(c.whom[k], who)
}

// msgs is each cause with the targets it hit.
func (c causes) msgs() []report.Msg {
	var out []report.Msg
	for _, cause := range c.order {
		out = append(out, report.T("dnsbl.cause", report.Params{"cause": cause, "whom": limitJoin(c.whom[msgKey(cause)], 5)}))
	}
	return out
}

// limitJoin lists the first n items and says how many more there are.
func limitJoin(s []report.Msg, n int) report.Msg {
	if len(s) <= n {
		return report.T("list", report.Params{"items": s})
	}
	return report.T("dnsbl.more", report.Params{"items": s[:n], "count": len(s) - n})
}

// summary is the one-line verdict.
func summary(targets []Target, answers []AnswerResult) report.Msg {
	if len(answers) == 0 {
		if len(targets) == 0 {
			return report.T("dnsbl.summary.nothing", nil)
		}
		return report.T("dnsbl.summary.no_list", nil)
	}
	listedOn := map[string][]string{}
	var listedZones []string
	unknown := map[string]bool{}
	queried := map[string]bool{}
	for _, a := range answers {
		queried[a.Zone] = true
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
	p := report.Params{"queried": len(queried)}
	one := len(targets) == 1
	if one {
		p["target"] = targets[0].String()
	} else {
		p["targets"] = len(targets)
	}
	if len(unknown) > 0 {
		p["unknown"] = report.T("dnsbl.summary.unknown", report.Params{"count": len(unknown)})
	}
	who := "several"
	if one {
		who = "single"
	}
	if len(listedZones) > 0 {
		var zones []report.Msg
		for _, z := range listedZones {
			if one {
				zones = append(zones, report.Lit(z))
			} else {
				zones = append(zones, report.T("dnsbl.summary.zone_targets", report.Params{"zone": z, "targets": listedOn[z]}))
			}
		}
		p["count"], p["zones"] = len(listedZones), zones
		return listedKeys.T(who, p)
	}
	p["count"] = len(queried) - len(unknown)
	if len(unknown) > 0 {
		p["answered"] = true
	}
	return cleanKeys.T(who, p)
}

// display is the text/Markdown view: a compact table of targets by lists.
func display(d Data, targets []Target) report.Display {
	var disp report.Display
	fact := func(label string, v report.Msg) {
		disp.Facts = append(disp.Facts, report.Fact{Label: report.T("dnsbl.fact."+label, nil), Value: v})
	}
	fact("catalog", report.T("dnsbl.fact.catalog_value", report.Params{"source": d.Catalog.Source, "version": d.Catalog.Version, "count": len(d.Lists)}))
	if d.Resolver != "" {
		v := report.Lit(d.Resolver)
		if strings.HasPrefix(d.Resolver, resolver.ZoneFiles) { // resolver.Zones (--zone): offline
			v = report.T("dnsbl.fact.zone_files", nil)
		}
		if d.PublicResolver != "" {
			v = report.T("dnsbl.fact.resolver_public", report.Params{"resolver": d.Resolver, "public": d.PublicResolver})
		}
		fact("resolver", v)
	}
	for _, s := range d.Skipped {
		fact("skipped", report.T("dnsbl.fact.skipped_value", report.Params{"address": s.Address, "via": s.Via, "reason": s.Reason}))
	}
	for _, n := range d.Notes {
		fact("note", n)
	}
	for _, z := range d.Defunct {
		fact("not_queried", report.T("dnsbl.fact.defunct", report.Params{"zone": z.Zone}))
	}
	type cell struct {
		listed, unknown []report.Msg
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
			var ms []report.Msg
			for _, code := range a.Codes {
				ms = append(ms, shortMeaning(code.Meaning))
			}
			c.listed = append(c.listed, report.T("dnsbl.cell.zone", report.Params{"zone": a.Zone, "why": dedupeMsgs(ms)}))
		case StatusUnknown:
			c.unknown = append(c.unknown, report.T("dnsbl.cell.zone", report.Params{"zone": a.Zone, "why": unknownWhy(a)}))
		case StatusAllowlisted:
			c.allow++
		default:
			c.clean++
		}
	}
	tbl := report.Table{Title: report.T("dnsbl.table.targets", nil), Columns: []report.Msg{
		report.T("dnsbl.col.target", nil), report.T("dnsbl.col.role", nil), report.T("dnsbl.col.listed", nil),
		report.T("dnsbl.col.clean", nil), report.T("dnsbl.col.unknown", nil)}}
	for _, t := range targets {
		c := cells[t.String()]
		if c == nil {
			tbl.Rows = append(tbl.Rows, []report.Msg{report.Lit(t.String()), t.Label(), report.Lit("-"), report.T("dnsbl.cell.no_list", nil), report.Lit("-")})
			continue
		}
		clean := report.Lit(fmt.Sprintf("%d", c.clean))
		if c.allow > 0 {
			clean = report.T("dnsbl.cell.clean_allow", report.Params{"clean": c.clean, "allow": c.allow})
		}
		tbl.Rows = append(tbl.Rows, []report.Msg{report.Lit(t.String()), t.Label(), dash(c.listed), clean, dash(c.unknown)})
	}
	disp.Tables = append(disp.Tables, tbl)
	return disp
}

// shortMeaning keeps the part of a list's meaning before the first colon:
// "XBL", "PBL", "black"; our own meanings are kept whole.
func shortMeaning(m report.Msg) report.Msg {
	if m.Key != "" {
		return m
	}
	if i := strings.IndexAny(m.Text, ":("); i > 0 {
		return report.Lit(strings.TrimSpace(m.Text[:i]))
	}
	return m
}

func unknownWhy(a AnswerResult) report.Msg {
	switch {
	case a.health != "":
		return report.T("dnsbl.why.list_"+a.health, nil)
	case a.Verdict == Refused:
		return report.T("dnsbl.why.refused", nil)
	case a.Verdict == Bogus:
		return report.T("dnsbl.why.bogus", nil)
	case !a.Error.IsZero():
		return a.Error
	}
	return report.T("dnsbl.why.unknown", nil)
}

func dash(ms []report.Msg) report.Msg {
	if len(ms) == 0 {
		return report.Lit("-")
	}
	return report.T("list", report.Params{"items": ms})
}

func dedupeMsgs(ms []report.Msg) []report.Msg {
	sort.SliceStable(ms, func(i, j int) bool { return msgKey(ms[i]) < msgKey(ms[j]) })
	out := ms[:0]
	for i, v := range ms {
		if i == 0 || msgKey(v) != msgKey(ms[i-1]) {
			out = append(out, v)
		}
	}
	return out
}

// Query checks targets like CheckTargets and returns the evidence typed:
// every (target, list) answer with its verdict, codes and status, and each
// list's health, beside the section that judges them.
func Query(ctx context.Context, env check.Env, targets []Target, opts Options) (Data, report.Section) {
	sec := CheckTargets(ctx, env, targets, opts)
	d, _ := sec.Data.(Data)
	return d, sec
}

// The keys made of a prefix and a name, each joined once (report.Keys).
var (
	listedKeys       = report.NewKeys("dnsbl.summary.listed.")
	cleanKeys        = report.NewKeys("dnsbl.summary.clean.")
	healthStatusKeys = report.NewKeys("dnsbl.health_status.")
	healthKindKeys   = report.NewKeys("dnsbl.health.kind.")
	roleKeys         = report.NewKeys("dnsbl.role.")
	reservedKeys     = report.NewKeys("dnsbl.reserved.")
	noteKeys         = report.NewKeys("dnsbl.note.")
)

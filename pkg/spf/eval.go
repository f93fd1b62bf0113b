package spf

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// Processing limits of RFC 7208 §4.6.4.
const (
	MaxDNSTerms   = 10 // include, a, mx, ptr, exists, redirect per check_host(), recursion included
	MaxVoid       = 2  // terms whose lookup returned NXDOMAIN or no records
	MaxMXNames    = 10 // MX names one mx term may look up
	MaxPTRNames   = 10 // PTR names validated by ptr or %{p}
	maxDepth      = 20 // recursion guard; the term limit normally stops far earlier
	evalTimeLimit = 20 * time.Second
)

// Query is one evaluation's input: who connected and what it claimed.
type Query struct {
	IP netip.Addr
	// Sender is the MAIL FROM address. When empty (a null reverse-path) the
	// HELO identity is checked as postmaster@<helo> (RFC 7208 §2.4).
	Sender string
	HELO   string
	// Receiver is the %{r} value in exp text; "unknown" when empty.
	Receiver string
	// Now is the %{t} value; the zero time means time.Now.
	Now time.Time
}

// Step is one line of the evaluation trace.
type Step struct {
	Depth  int    `json:"depth"`
	Domain string `json:"domain"`
	Term   string `json:"term"`
	// Outcome is what the step gave, in words ("no match", "match: pass",
	// "permerror: ..."; JSON: a string in the report's language).
	Outcome report.Msg `json:"outcome"`
}

// Evaluation is the result of check_host() with the evidence behind it.
type Evaluation struct {
	Identity string `json:"identity"` // "mailfrom" or "helo"
	Sender   string `json:"sender"`
	Domain   string `json:"domain"`
	IP       string `json:"ip"`
	Result   Result `json:"result"`
	// Term is the mechanism that decided, as written ("-all", "include:x"),
	// "default" when nothing matched; TermDomain is the record that held it.
	Term       string `json:"term,omitempty"`
	TermDomain string `json:"term_domain,omitempty"`
	// Explanation is the expanded exp= text, for a fail only (§6.2).
	Explanation string `json:"explanation,omitempty"`
	// Problem says why the result is none, temperror or permerror, in
	// words (JSON: a string in the report's language); Err is the same as
	// a Go error (English, wrapping the DNS error of a temperror).
	Problem     report.Msg `json:"problem,omitzero"`
	Err         error      `json:"-"`
	Lookups     int        `json:"dns_terms"`
	VoidLookups int        `json:"void_lookups"`
	Trace       []Step     `json:"trace"`
}

// evalError ends an evaluation with temperror or permerror: why in words
// for reports, msg in English for Error, err the DNS error of a temperror.
type evalError struct {
	result Result
	msg    string
	why    report.Msg
	err    error
}

func (e *evalError) Error() string { return string(e.result) + ": " + e.msg }

func (e *evalError) Unwrap() error { return e.err }

// permErr is a permerror: key and p word it (spf.eval.*), format and args
// in English.
func permErr(key string, p report.Params, format string, args ...any) *evalError {
	return &evalError{result: PermError, msg: fmt.Sprintf(format, args...), why: report.T(key, p)}
}

func tempErr(err error) *evalError {
	return &evalError{result: TempError, msg: err.Error(), why: check.ErrMsg(err), err: err}
}

// outcome words one trace step.
func outcome(key string, p report.Params) report.Msg { return report.T("spf.trace."+key, p) }

// failed is the trace step of an evaluation that ends in err.
func failed(err *evalError) report.Msg {
	return outcome("error", report.Params{"result": string(err.result), "why": err.why})
}

type evaluator struct {
	r        resolver.Resolver
	ip       netip.Addr
	env      macroEnv
	lookups  int
	voids    int
	trace    []Step
	matched  string
	matchDom string
	expl     string
	noneWhy  report.Msg // why the result is none
	noneMsg  string     // the same in English
}

// Evaluate runs check_host() (RFC 7208 §4) for the query: the MAIL FROM
// identity, or the HELO identity when the sender is empty.
func Evaluate(ctx context.Context, r resolver.Resolver, q Query) Evaluation {
	ip := q.IP.Unmap() // RFC 7208 §5: IPv4-mapped IPv6 clients are IPv4 clients
	ev := Evaluation{Identity: "mailfrom", Sender: q.Sender, IP: ip.String()}
	sender := q.Sender
	if sender == "" {
		// RFC 7208 §2.4: a null reverse-path is checked as postmaster@<helo>.
		ev.Identity = "helo"
		sender = "postmaster@" + q.HELO
	}
	local, domain := "postmaster", sender
	if i := strings.LastIndexByte(sender, '@'); i >= 0 {
		local, domain = sender[:i], sender[i+1:]
		if local == "" {
			local = "postmaster" // RFC 7208 §4.3
		}
		sender = local + "@" + domain
	} else {
		sender = "postmaster@" + domain
	}
	domain = strings.TrimSuffix(domain, ".")
	ev.Sender, ev.Domain = sender, domain
	now := q.Now
	if now.IsZero() {
		now = time.Now()
	}
	e := &evaluator{r: r, ip: ip}
	e.env = macroEnv{sender: sender, local: local, senderD: domain, ip: ip, helo: q.HELO, receiver: q.Receiver, now: now}
	e.env.ptr = func() string { return e.validatedName(ctx, e.env.domain) }
	if !ip.IsValid() {
		ev.Result, ev.Problem = PermError, report.T("spf.eval.no_ip", nil)
		ev.Err = errors.New("permerror: no valid client IP")
		return ev
	}
	ctx, cancel := context.WithTimeout(ctx, evalTimeLimit)
	defer cancel()
	res, err := e.checkHost(ctx, domain, 0, false)
	ev.Result = res
	if err != nil {
		ev.Result, ev.Problem, ev.Err = err.result, err.why, err
	} else if res == None {
		ev.Problem, ev.Err = e.noneWhy, errors.New("none: "+e.noneMsg)
	}
	if ev.Result != TempError && ev.Result != PermError && ev.Result != None {
		ev.Term, ev.TermDomain = e.matched, e.matchDom
	}
	if ev.Result == Fail {
		ev.Explanation = e.expl
	}
	ev.Lookups, ev.VoidLookups, ev.Trace = e.lookups, e.voids, e.trace
	return ev
}

func (e *evaluator) step(depth int, domain, term string, outcome report.Msg) {
	if len(e.trace) < 200 {
		e.trace = append(e.trace, Step{Depth: depth, Domain: domain, Term: term, Outcome: outcome})
	}
}

// validDomain applies RFC 7208 §4.3: a multi-label name with labels of 1 to
// 63 octets, at most 253 characters, not an address literal.
func validDomain(d string) bool {
	d = strings.TrimSuffix(d, ".")
	if d == "" || len(d) > 253 || !strings.Contains(d, ".") || strings.HasPrefix(d, "[") {
		return false
	}
	if dnsname.IsIPAddress(d) {
		return false
	}
	for rest, more := d, true; more; {
		var l string
		l, rest, more = strings.Cut(rest, ".")
		if l == "" || len(l) > 63 {
			return false
		}
	}
	return true
}

// fetchRecord finds the one SPF record at domain (RFC 7208 §4.4, §4.5). A
// nil record with a nil error means none.
func fetchRecord(ctx context.Context, r resolver.Resolver, domain string) (*Record, string, error) {
	txts, ans, err := resolver.LookupTXT(ctx, r, presentName(domain))
	if err != nil {
		return nil, "", err
	}
	if ans.Outcome != resolver.Found {
		return nil, "", nil
	}
	var found []string
	for _, t := range txts {
		if s := txtText(t); IsSPF(s) {
			found = append(found, s)
		}
	}
	switch len(found) {
	case 0:
		return nil, "", nil
	case 1:
		rec, err := Parse(found[0])
		return rec, found[0], err
	}
	return nil, "", fmt.Errorf("%w: %d records at %s", errMultiple, len(found), domain)
}

var errMultiple = errors.New("more than one SPF record")

func (e *evaluator) checkHost(ctx context.Context, domain string, depth int, included bool) (Result, *evalError) {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	if !validDomain(domain) {
		e.noneWhy, e.noneMsg = report.T("spf.eval.invalid_name", report.Params{"domain": domain}), "not a valid domain name"
		e.step(depth, domain, "", outcome("none", report.Params{"why": e.noneWhy}))
		return None, nil
	}
	if depth > maxDepth {
		return PermError, permErr("spf.eval.recursion", report.Params{"max": maxDepth}, "recursion deeper than %d", maxDepth)
	}
	rec, _, err := fetchRecord(ctx, e.r, domain)
	var perr *evalError
	switch {
	case errors.Is(err, errMultiple):
		perr = permErr("spf.eval.multiple", report.Params{"domain": domain}, "%v", err)
	case err != nil && resolver.KindOf(err) == resolver.KindName:
		e.noneWhy, e.noneMsg = check.ErrMsg(err), err.Error()
		e.step(depth, domain, "", outcome("none", report.Params{"why": e.noneWhy}))
		return None, nil
	case err != nil && resolver.KindOf(err) != "":
		// RFC 7208 §4.4: a DNS error other than NXDOMAIN is temperror.
		perr = tempErr(err)
	case err != nil:
		// RFC 7208 §4.6: a syntax error anywhere is permerror.
		perr = permErr("spf.eval.syntax", report.Params{"domain": domain, "error": syntaxMsg(err)}, "%s: %v", domain, err)
	case rec == nil:
		e.noneWhy, e.noneMsg = report.T("spf.eval.no_record", report.Params{"domain": domain}), "no SPF record at "+domain
		e.step(depth, domain, "", outcome("none", report.Params{"why": report.T("spf.node.no_record", nil)}))
		return None, nil
	}
	if perr != nil {
		e.step(depth, domain, "", failed(perr))
		return perr.result, perr
	}
	saved := e.env.domain
	e.env.domain = domain
	defer func() { e.env.domain = saved }()

	for _, t := range rec.Terms {
		if t.Modifier {
			continue
		}
		if t.Queries() {
			// RFC 7208 §4.6.4: check the limit before the lookup, so an 11th
			// term is never evaluated even if it would match.
			if e.lookups >= MaxDNSTerms {
				perr := tooMany(t, domain)
				e.step(depth, domain, t.String(), failed(perr))
				return PermError, perr
			}
			e.lookups++
		}
		match, err := e.mechanism(ctx, t, domain, depth)
		if err != nil {
			e.step(depth, domain, t.String(), failed(err))
			return err.result, err
		}
		if !match {
			e.step(depth, domain, t.String(), outcome("no_match", nil))
			continue
		}
		res := t.Qualifier.Result()
		e.step(depth, domain, t.String(), outcome("match", report.Params{"result": string(res)}))
		if !included {
			e.matched, e.matchDom = t.String(), domain
		}
		if res == Fail && !included {
			e.expl = e.explain(ctx, rec, domain)
		}
		return res, nil
	}
	// RFC 7208 §6.1: redirect applies only when no mechanism matched (a
	// record with "all" never gets here).
	if rd, ok := rec.Modifier(ModRedirect); ok {
		if e.lookups >= MaxDNSTerms {
			perr := tooMany(rd, domain)
			e.step(depth, domain, rd.String(), failed(perr))
			return PermError, perr
		}
		e.lookups++
		target, err := e.target(rd, domain)
		if err != nil {
			return PermError, err
		}
		e.step(depth, domain, rd.String(), outcome("redirect", report.Params{"target": target}))
		res, rerr := e.checkHost(ctx, target, depth+1, included)
		if rerr != nil {
			return res, rerr
		}
		if res == None {
			// RFC 7208 §6.1: a redirect target without a record is permerror.
			return PermError, permErr("spf.eval.redirect_none", report.Params{"target": target}, "redirect target %s has no SPF record", target)
		}
		return res, nil
	}
	// RFC 7208 §4.7: no match and no redirect: neutral.
	e.step(depth, domain, "", outcome("default", nil))
	if !included {
		e.matched, e.matchDom = "default", domain
	}
	return Neutral, nil
}

// tooMany is the permerror of the 11th DNS-querying term (RFC 7208 §4.6.4).
func tooMany(t Term, domain string) *evalError {
	return permErr("spf.eval.lookups", report.Params{"max": MaxDNSTerms, "term": t.String(), "domain": domain},
		"more than %d DNS-querying terms (at %s in %s)", MaxDNSTerms, t.String(), domain)
}

// target expands a term's domain-spec, or returns the current domain.
func (e *evaluator) target(t Term, domain string) (string, *evalError) {
	if t.spec == nil {
		return domain, nil
	}
	s, err := e.env.expand(t.spec, false)
	if err != nil {
		return "", permErr("spf.eval.expand", report.Params{"term": t.String()}, "%s: %v", t.String(), err)
	}
	return strings.ToLower(truncateName(s)), nil
}

// void counts a void lookup; the third is a permerror (RFC 7208 §4.6.4).
func (e *evaluator) void(t Term) *evalError {
	e.voids++
	if e.voids > MaxVoid {
		return permErr("spf.eval.void", report.Params{"max": MaxVoid, "term": t.String()}, "more than %d void lookups (at %s)", MaxVoid, t.String())
	}
	return nil
}

func (e *evaluator) family() uint16 {
	if e.ip.Is4() {
		return dns.TypeA
	}
	return dns.TypeAAAA
}

// inNet matches the client against addr with the term's CIDR lengths.
func (e *evaluator) inNet(t Term, addr netip.Addr) bool {
	addr = addr.Unmap()
	if addr.Is4() != e.ip.Is4() {
		return false
	}
	bits := t.Prefix4
	if e.ip.Is6() {
		bits = t.Prefix6
	}
	if bits < 0 {
		return addr == e.ip
	}
	p, err := addr.Prefix(bits)
	return err == nil && p.Contains(e.ip)
}

func (e *evaluator) mechanism(ctx context.Context, t Term, domain string, depth int) (bool, *evalError) {
	if err := ctx.Err(); err != nil {
		return false, &evalError{result: TempError, msg: "time limit: " + err.Error(), why: report.T("spf.eval.time_limit", nil), err: err}
	}
	switch t.Name {
	case MechAll:
		return true, nil
	case MechIP4, MechIP6:
		return e.ip.Is4() == (t.Name == MechIP4) && t.Prefix().Contains(e.ip), nil
	}
	target, err := e.target(t, domain)
	if err != nil {
		return false, err
	}
	if t.Name == MechInclude {
		res, ierr := e.checkHost(ctx, target, depth+1, true)
		// RFC 7208 §5.2: pass matches; fail, softfail and neutral do not;
		// temperror and permerror propagate; none is a permerror.
		switch res {
		case Pass:
			return true, nil
		case Fail, SoftFail, Neutral:
			return false, nil
		case None:
			return false, permErr("spf.eval.include_none", report.Params{"target": target}, "include target %s has no SPF record", target)
		}
		return false, ierr
	}
	if !validDomain(target) {
		// RFC 7208 leaves an invalid target name undefined; like a name that
		// does not exist, it does not match (§4.3 by analogy).
		return false, nil
	}
	switch t.Name {
	case MechA:
		addrs, ans, err := resolver.LookupAddrs(ctx, e.r, presentName(target), e.family())
		if err != nil {
			return false, lookupErr(err)
		}
		if ans.Void() {
			return false, e.void(t)
		}
		for _, a := range addrs {
			if e.inNet(t, a) {
				return true, nil
			}
		}
		return false, nil
	case MechMX:
		mxs, ans, err := resolver.LookupMX(ctx, e.r, presentName(target))
		if err != nil {
			return false, lookupErr(err)
		}
		if ans.Void() {
			return false, e.void(t)
		}
		// RFC 7208 §4.6.4: an mx term MUST NOT look up more than 10 names.
		if len(mxs) > MaxMXNames {
			return false, permErr("spf.eval.mx_names", report.Params{"term": t.String(), "n": len(mxs), "max": MaxMXNames}, "%s: %d MX names, more than %d", t.String(), len(mxs), MaxMXNames)
		}
		for _, mx := range mxs {
			if mx.Host == "." {
				continue // RFC 7505 null MX: nothing to look up
			}
			addrs, _, err := resolver.LookupAddrs(ctx, e.r, mx.Host, e.family())
			if err != nil {
				return false, lookupErr(err)
			}
			for _, a := range addrs {
				if e.inNet(t, a) {
					return true, nil
				}
			}
		}
		return false, nil
	case MechExists:
		// RFC 7208 §5.7: an A query whatever the client's address family.
		_, ans, err := resolver.LookupAddrs(ctx, e.r, presentName(target), dns.TypeA)
		if err != nil {
			return false, lookupErr(err)
		}
		if ans.Void() {
			return false, e.void(t)
		}
		return true, nil
	case MechPTR:
		names, void := e.ptrNames(ctx)
		if void {
			if err := e.void(t); err != nil {
				return false, err
			}
		}
		for _, n := range names {
			if n == target || strings.HasSuffix(n, "."+target) {
				return true, nil
			}
		}
		return false, nil
	}
	return false, permErr("spf.eval.unknown", report.Params{"name": t.Name}, "unknown mechanism %s", t.Name)
}

func lookupErr(err error) *evalError {
	if resolver.KindOf(err) == resolver.KindName {
		return nil
	}
	return tempErr(err)
}

// ptrNames returns the client's validated names (RFC 7208 §5.5): PTR names
// whose forward lookup includes the client address, at most the first 10
// names tried. DNS errors just drop names; void reports an empty PTR answer.
func (e *evaluator) ptrNames(ctx context.Context) (names []string, void bool) {
	ptrs, ans, err := resolver.LookupPTR(ctx, e.r, e.ip)
	if err != nil {
		return nil, false
	}
	if ans.Void() {
		return nil, true
	}
	if len(ptrs) > MaxPTRNames {
		ptrs = ptrs[:MaxPTRNames]
	}
	for _, p := range ptrs {
		addrs, _, err := resolver.LookupAddrs(ctx, e.r, p, e.family()) // p is in presentation form already
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if a.Unmap() == e.ip {
				names = append(names, strings.ToLower(strings.TrimSuffix(unescape(p), ".")))
				break
			}
		}
	}
	return names, false
}

// validatedName is %{p} (RFC 7208 §7.3): a validated name equal to or below
// domain if there is one, else any validated name, else "unknown".
func (e *evaluator) validatedName(ctx context.Context, domain string) string {
	names, _ := e.ptrNames(ctx)
	for _, n := range names {
		if n == domain || strings.HasSuffix(n, "."+domain) {
			return n
		}
	}
	if len(names) > 0 {
		return names[0]
	}
	return "unknown"
}

// explain fetches and expands the exp= text after a fail (RFC 7208 §6.2).
// Any problem means no explanation, never a different result.
func (e *evaluator) explain(ctx context.Context, rec *Record, domain string) string {
	t, ok := rec.Modifier(ModExp)
	if !ok {
		return ""
	}
	target, err := e.target(t, domain)
	if err != nil || !validDomain(target) {
		return ""
	}
	txts, ans, lerr := resolver.LookupTXT(ctx, e.r, presentName(target))
	if lerr != nil || ans.Outcome != resolver.Found || len(txts) != 1 {
		return ""
	}
	items, perr := parseMacroString(txtText(txts[0]), true)
	if perr != nil {
		return ""
	}
	s, xerr := e.env.expand(items, true)
	if xerr != nil {
		return ""
	}
	return s
}

// Reason is Problem in English, for callers that word their own reports in
// English; reports use Problem.
func (ev Evaluation) Reason() string {
	if ev.Err == nil {
		return ""
	}
	return strings.TrimPrefix(ev.Err.Error(), string(ev.Result)+": ")
}

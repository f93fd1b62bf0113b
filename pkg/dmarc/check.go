// Package dmarc checks a domain's DMARC policy from DNS alone: it discovers
// the policy record with the RFC 9989 §4.10 DNS tree walk (TXT at
// _dmarc.<domain>, then its parents, at most 8 names), parses and validates
// every tag, works out the policy that applies to mail from the domain (p, or
// sp/np when the record is inherited), and checks where reports go: that each
// external destination has authorized them (TXT at
// <domain>._report._dmarc.<destination>) and that each destination domain
// can receive mail.
//
// RFC 9989 (2026) obsoletes RFC 7489, but many receivers still run RFC 7489
// logic, so the check validates against RFC 9989 and warns where a record
// would misbehave at an RFC 7489 receiver (pct, p not second, the PSL
// organizational domain).
//
// Parse reads one record (a pkg/taglist tag-list with case-insensitive
// names) and Discover makes the tree walk; Check gives the report section
// and Analyze the same evidence typed (*Data) with the findings. Findings
// carry IDs, declared variants and typed parameters; their words are in
// the message catalogs (internal/i18n/locales/dmarc.*.toml).
package dmarc

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/mailcheck/mailcheck/internal/workers"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// Options tune the check.
type Options struct {
	// MaxDestinations bounds how many report destination domains are
	// checked (two or three queries each); default 10.
	MaxDestinations int
	// Discovery, when set, gives the tree walk of the domain checked
	// (Discover's result) instead of walking it again: a caller that also
	// checks BIMI, which reads the same walk, makes it once.
	Discovery func() Discovery
}

// Data is the evidence the check found; it is Section.Data in JSON.
type Data struct {
	Domain string `json:"domain"`
	// Discovery lists every _dmarc name asked, bottom up.
	Discovery []Step `json:"discovery"`
	// PolicyDomain is where the policy record was found; "" when none.
	PolicyDomain string  `json:"policy_domain,omitempty"`
	RecordText   string  `json:"record_text,omitempty"`
	Record       *Record `json:"record,omitempty"`
	// Inherited is true when the record was found at a parent domain.
	Inherited bool `json:"inherited"`
	// DomainExists is asked only for inherited policies: a domain with no
	// A, AAAA or MX is non-existent and np applies (RFC 9989 §4.10).
	DomainExists *bool `json:"domain_exists,omitempty"`
	// EffectivePolicy is what receivers are asked to do with failing mail
	// from Domain; EffectivePolicySource says which tag gave it.
	EffectivePolicy       Policy `json:"effective_policy,omitempty"`
	EffectivePolicySource string `json:"effective_policy_source,omitempty"`
	Testing               bool   `json:"testing"`
	// OrganizationalDomain follows RFC 9989 §4.10.2; "" when undecided.
	OrganizationalDomain string `json:"organizational_domain,omitempty"`
	// OrganizationalDomainPSL is RFC 7489 §3.2's, from the Public Suffix List.
	OrganizationalDomainPSL string        `json:"organizational_domain_psl"`
	Destinations            []Destination `json:"report_destinations,omitempty"`
}

// Destination is one report address and what DNS says about it.
type Destination struct {
	Tag    string `json:"tag"` // rua or ruf
	URI    string `json:"uri"`
	Domain string `json:"domain,omitempty"`
	// External: the destination's organizational domain differs from the
	// policy domain's, so it must authorize reports (RFC 7489 §7.1).
	External    bool  `json:"external"`
	Authorized  *bool `json:"authorized,omitempty"`
	AcceptsMail *bool `json:"accepts_mail,omitempty"`
	// Error says why the destination could not be checked, in words
	// (JSON: a string in the report's language).
	Error report.Msg `json:"error,omitzero"`
}

// knownTags are the tags of RFC 9989 plus those it removed from RFC 7489.
var knownTags = map[string]bool{"v": true, "p": true, "sp": true, "np": true, "adkim": true, "aspf": true,
	"pct": true, "ri": true, "rf": true, "fo": true, "rua": true, "ruf": true, "psd": true, "t": true}

// Check runs the DMARC check for d.
func Check(ctx context.Context, env check.Env, d dnsname.Domain, opts Options) report.Section {
	c := analyze(ctx, env, d, opts)
	sec := report.Section{
		Check:    "dmarc",
		Title:    "DMARC",
		Target:   d.Unicode(),
		Status:   report.StatusOf(c.findings),
		Summary:  c.summary,
		Findings: c.findings,
		Data:     c.data,
	}
	if !env.NoDisplay {
		sec.Display = c.display()
	}
	return sec
}

// Analyze is Check for a program: the evidence, typed (the tree walk, the
// record, the policy that applies, the report destinations), and the
// findings.
func Analyze(ctx context.Context, env check.Env, d dnsname.Domain, opts Options) (*Data, []report.Finding) {
	c := analyze(ctx, env, d, opts)
	return c.data, c.findings
}

func analyze(ctx context.Context, env check.Env, d dnsname.Domain, opts Options) *checker {
	if opts.MaxDestinations <= 0 {
		opts.MaxDestinations = 10
	}
	c := &checker{ctx: ctx, r: env.Resolver, d: d, opts: opts}
	c.data = &Data{Domain: d.String(), OrganizationalDomainPSL: dnsname.OrganizationalPSL(d).String()}
	c.run()
	report.SortFindings(c.findings)
	if c.findings == nil {
		c.findings = []report.Finding{}
	}
	return c
}

type checker struct {
	ctx  context.Context
	r    resolver.Resolver
	d    dnsname.Domain
	opts Options

	data     *Data
	findings []report.Finding
	summary  report.Msg
	mu       sync.Mutex // guards findings while destinations are checked
}

func (c *checker) add(f report.Finding) {
	c.mu.Lock()
	c.findings = append(c.findings, f)
	c.mu.Unlock()
}

func (c *checker) run() {
	var disc Discovery
	var apex []resolver.TXT
	var apexErr error
	var g workers.Group
	g.Go(func() {
		// The apex TXT set tells two things: a DMARC record misplaced
		// there, and an SPF record that authorizes no one (a parked
		// domain). The SPF check asks the same question; the per-run
		// cache makes it one query.
		apex, _, apexErr = resolver.LookupTXT(c.ctx, c.r, c.d.FQDN())
	})
	if c.opts.Discovery != nil {
		disc = c.opts.Discovery()
	} else {
		disc = Discover(c.ctx, c.r, c.d)
	}
	g.Wait()
	c.data.Discovery = disc.Steps
	c.data.OrganizationalDomain = disc.OrgDomain

	for _, t := range apex {
		if IsCandidate(strings.TrimLeft(t.Text(), " \t")) {
			c.add(findRecordAtApex.With(report.Params{"domain": c.d.String(), "record": t.Text()}))
		}
	}

	own := disc.Steps[0]
	if own.Result == "error" {
		c.add(findDNSError.With(report.Params{"domain": c.d.String(), "error": check.ErrMsg(own.Err)}))
		c.summary = report.T("dmarc.summary.failed", report.Params{"domain": c.d.String()})
		return
	}
	c.lintTXT(own)

	if disc.Found < 0 {
		// RFC 9989 §4.10: the policy that applies is the first record found
		// from the bottom, so a name that did not answer could hold it. A
		// failure at or below the organizational domain (the domain owner's
		// names) leaves the policy unknown. A failure above it, at a public
		// suffix (_dmarc.example, which authoritative servers and --zone
		// refuse because they do not serve it), can only hide a public-suffix
		// operator's psd=y policy (RFC 9091, carried into RFC 9989): the
		// domain's own absence is decided, and the gap is a note.
		var above []Step
		for _, s := range disc.Steps {
			if s.Result != "error" {
				continue
			}
			if AboveOwner(c.d, s) {
				above = append(above, s)
				continue
			}
			c.add(findDNSError.Alt("parent", report.Params{"domain": c.d.String(), "parent": s.Domain, "error": check.ErrMsg(s.Err)}))
			c.summary = report.T("dmarc.summary.parent_failed", report.Params{"domain": c.d.String()})
			return
		}
		for _, s := range above {
			c.add(findPSDUnchecked.With(report.Params{"suffix": s.Domain, "org": dnsname.OrganizationalPSL(c.d).String(), "error": check.ErrMsg(s.Err), "domain": c.d.String()}))
		}
		if !hasMalformedCandidate(own) {
			f := c.missing(len(above) > 0)
			f.Record = report.TXTRecord("_dmarc."+c.d.String(), "v=DMARC1; p=none; rua=mailto:dmarc-reports@"+c.d.String())
			c.add(f)
		}
		c.summary = report.T("dmarc.summary.none", report.Params{"domain": c.d.String()})
		return
	}

	found := disc.Steps[disc.Found]
	c.data.PolicyDomain = found.Domain
	c.data.Inherited = disc.Found > 0
	if c.data.Inherited {
		c.lintTXT(found)
	}
	switch found.Result {
	case "multiple":
		c.add(findRecordMultiple.With(report.Params{"domain": found.Domain, "n": len(found.candidates), "records": quoteList(found.candidates)}))
		c.summary = report.T("dmarc.summary.multiple", report.Params{"domain": found.Domain})
		return
	case "invalid":
		c.data.RecordText = found.candidates[0]
		c.add(findSyntaxInvalid.With(report.Params{"domain": found.Domain, "record": found.candidates[0], "error": SyntaxMsg(found.parseErr)}))
		c.summary = report.T("dmarc.summary.invalid", report.Params{"domain": found.Domain})
		return
	}
	rec := found.record
	c.data.Record = rec
	c.data.RecordText = found.candidates[0]
	c.data.Testing = rec.Testing
	c.lintRecord(found.Domain, rec)
	if rec.NoPolicy() {
		// RFC 7489 §6.6.3: no valid p and no valid rua, so receivers
		// apply no DMARC at all; no effective policy, and nothing that
		// meets a mailbox provider's "p=none at least".
		f := findNoPolicy.With(report.Params{"policy_domain": found.Domain, "record": found.candidates[0], "domain": c.d.String()})
		fixed := rec.With("p", "none")
		if r2, err := Parse(fixed); err == nil {
			fixed = r2.With("rua", "mailto:dmarc-reports@"+found.Domain)
		}
		f.Record = report.TXTRecord("_dmarc."+found.Domain, fixed)
		c.add(f)
		c.summary = report.T("dmarc.summary.no_policy", report.Params{"domain": found.Domain})
		return
	}
	c.effectivePolicy(found.Domain, rec)
	c.checkParked(apex, apexErr, found.Domain, rec)
	c.checkDestinations(found.Domain, rec)
	if od := c.data.OrganizationalDomain; od != "" && od != c.data.OrganizationalDomainPSL {
		c.add(findOrgDomainDiffers.With(report.Params{"org": od, "psl": c.data.OrganizationalDomainPSL}))
	}
}

// missing is dmarc.record.missing, worded for where no record was found:
// everywhere in the walk, or (when a public suffix did not answer) up to
// the organizational domain.
func (c *checker) missing(suffixUnchecked bool) report.Finding {
	org := dnsname.OrganizationalPSL(c.d)
	p := report.Params{"domain": c.d.String(), "org": org.String()}
	switch {
	case !suffixUnchecked:
		return findRecordMissing.With(p)
	case org.Equal(c.d):
		return findRecordMissing.Alt("own_org", p)
	default:
		return findRecordMissing.Alt("up_to_org", p)
	}
}

// hasMalformedCandidate reports a TXT meant as DMARC but not recognized, so
// "missing" would be the wrong word.
func hasMalformedCandidate(s Step) bool {
	for _, t := range s.TXT {
		if !IsCandidate(t) && LooksLikeDMARC(t) {
			return true
		}
	}
	return false
}

// lintTXT looks at every TXT at one _dmarc name.
func (c *checker) lintTXT(s Step) {
	name := "_dmarc." + s.Domain
	for _, t := range s.TXT {
		lower := strings.ToLower(t)
		switch {
		case IsCandidate(t):
		case IsCandidate(strings.TrimLeft(t, " \t")):
			f := findRecordLeadingSpace.With(report.Params{"name": name, "record": t})
			f.Record = report.TXTRecord(name, strings.TrimLeft(t, " \t"))
			c.add(f)
		case strings.HasPrefix(lower, "v=spf1"):
			c.add(findRecordSPFFound.With(report.Params{"name": name, "record": t}))
		case LooksLikeDMARC(t):
			f := findVersionInvalid.With(report.Params{"name": name, "record": t})
			if fixed, ok := fixVersion(t); ok {
				f.Record = report.TXTRecord(name, fixed)
			}
			c.add(f)
		default:
			c.add(findRecordUnrelatedTXT.With(report.Params{"name": name, "record": t}))
		}
	}
}

// fixVersion rewrites a record whose version tag is wrong ("v=dmarc1",
// misplaced) into one that starts with v=DMARC1, when the rest parses.
func fixVersion(t string) (string, bool) {
	var rest []string
	for _, seg := range strings.Split(t, ";") {
		name, _, ok := splitTag(seg)
		if ok && name == "v" {
			continue
		}
		if s := strings.Trim(seg, " \t"); s != "" {
			rest = append(rest, s)
		}
	}
	fixed := strings.Join(append([]string{"v=DMARC1"}, rest...), "; ")
	if _, err := Parse(fixed); err != nil {
		return "", false
	}
	return fixed, true
}

func (c *checker) lintRecord(domain string, rec *Record) {
	name := "_dmarc." + domain
	for _, p := range rec.Problems {
		switch p.Tag {
		case "p":
			if rec.NoPolicy() {
				continue // dmarc.record.no_policy says it
			}
			f := findPInvalid.With(report.Params{"value": tagValue(rec, "p"), "problem": p.Message})
			f.Record = report.TXTRecord(name, rec.With("p", "quarantine"))
			c.add(f)
		case "sp":
			f := findSPInvalid.With(report.Params{"value": tagValue(rec, "sp"), "problem": p.Message})
			f.Record = report.TXTRecord(name, rec.With("sp", ""))
			c.add(f)
		case "np":
			f := findSyntaxInvalid.Alt("np", report.Params{"value": tagValue(rec, "np"), "problem": p.Message})
			f.Record = report.TXTRecord(name, rec.With("np", "reject"))
			c.add(f)
		case "rua", "ruf":
			f := findRUAInvalid.With(report.Params{"tag": p.Tag, "problem": p.Message, "domain": domain})
			c.add(f)
		default:
			f := findSyntaxInvalid.Alt("tag", report.Params{"tag": p.Tag, "value": tagValue(rec, p.Tag), "problem": p.Message})
			f.Record = report.TXTRecord(name, rec.With(p.Tag, ""))
			c.add(f)
		}
	}
	switch {
	case !rec.Has("p") && rec.NoPolicy():
		// dmarc.record.no_policy says it.
	case !rec.Has("p"):
		f := findPMissing.With(nil)
		f.Record = report.TXTRecord(name, rec.With("p", "none"))
		c.add(f)
	case len(rec.Tags) > 1 && rec.Tags[1].Name != "p":
		f := findPNotSecond.With(nil)
		f.Record = report.TXTRecord(name, moveP(rec))
		c.add(f)
	}
	if rec.SubdomainPolicy != "" && rec.Policy.Rank() >= 0 && rec.SubdomainPolicy.Rank() < rec.Policy.Rank() {
		f := findSPWeaker.With(report.Params{"sp": string(rec.SubdomainPolicy), "p": string(rec.Policy), "domain": domain})
		f.Record = report.TXTRecord(name, rec.With("sp", ""))
		c.add(f)
	}
	if rec.NonexistentPolicy == "" && rec.EffectiveSubdomainPolicy() != PolicyReject {
		f := findNPMissing.With(report.Params{"sp": string(rec.EffectiveSubdomainPolicy()), "domain": domain})
		f.Record = report.TXTRecord(name, rec.With("np", "reject"))
		c.add(f)
	}
	if rec.Testing {
		f := findTestingMode.With(nil)
		f.Record = report.TXTRecord(name, rec.With("t", ""))
		c.add(f)
	}
	var removed []string
	for _, t := range []string{"pct", "rf", "ri"} {
		if rec.Has(t) {
			removed = append(removed, t)
		}
	}
	if len(removed) > 0 {
		c.add(findTagRemoved.With(report.Params{"tags": removed}))
	}
	if rec.Percent != nil && *rec.Percent < 100 {
		f := findPctPartial.With(report.Params{"pct": *rec.Percent})
		f.Record = report.TXTRecord(name, rec.With("pct", ""))
		c.add(f)
	}
	var unknown []string
	for _, t := range rec.Tags {
		if !knownTags[t.Name] {
			unknown = append(unknown, t.Name+"="+t.Value)
		}
	}
	if len(unknown) > 0 {
		c.add(findTagUnknown.With(report.Params{"tags": unknown}))
	}
	if !rec.Has("rua") {
		f := findRUAMissing.With(nil)
		f.Record = report.TXTRecord(name, rec.With("rua", "mailto:dmarc-reports@"+domain))
		c.add(f)
	}
	if len(rec.RUA) > 2 {
		c.add(findRUATooMany.With(report.Params{"n": len(rec.RUA)}))
	}
	var sized []string
	for _, u := range append(append([]URI(nil), rec.RUA...), rec.RUF...) {
		if u.MaxSize != "" {
			sized = append(sized, u.URI+"!"+u.MaxSize)
		}
	}
	if len(sized) > 0 {
		c.add(findURISizeSuffix.With(report.Params{"uris": sized}))
	}
	if rec.Has("fo") && !rec.Has("ruf") {
		c.add(findFONoRUF.With(nil))
	}
	if slices.Contains(rec.FailureOptions, "0") && slices.Contains(rec.FailureOptions, "1") {
		c.add(findFORedundant.With(nil))
	}
	var strict []string
	if rec.ADKIM == "s" {
		strict = append(strict, "adkim=s")
	}
	if rec.ASPF == "s" {
		strict = append(strict, "aspf=s")
	}
	if len(strict) > 0 {
		c.add(findAlignStrict.With(report.Params{"tags": strict}))
	}
}

func (c *checker) effectivePolicy(domain string, rec *Record) {
	d := c.data
	if !d.Inherited {
		d.EffectivePolicy, d.EffectivePolicySource = rec.EffectivePolicy(), "p"
	} else {
		c.add(findInherited.With(report.Params{"domain": c.d.String(), "policy_domain": domain}))
		ex := CheckExistence(c.ctx, c.r, c.d)
		if ex.Known {
			exists := ex.Exists
			d.DomainExists = &exists
		}
		switch {
		case !ex.Known || ex.Exists:
			d.EffectivePolicy, d.EffectivePolicySource = rec.EffectiveSubdomainPolicy(), "sp"
			if rec.SubdomainPolicy == "" {
				d.EffectivePolicySource = "p"
			}
		default:
			d.EffectivePolicy, d.EffectivePolicySource = rec.EffectiveNonexistentPolicy(), "np"
			if rec.NonexistentPolicy == "" && !rec.hasProblem("np") {
				d.EffectivePolicySource = "sp"
				if rec.SubdomainPolicy == "" {
					d.EffectivePolicySource = "p"
				}
			}
		}
	}
	where := "_dmarc." + domain
	c.summary = report.T("dmarc.summary.policy", report.Params{"policy": string(d.EffectivePolicy), "domain": c.d.Unicode(),
		"source": d.EffectivePolicySource, "name": where, "testing": rec.Testing})
	if d.EffectivePolicy == PolicyNone {
		f := findPolicyNone.With(report.Params{"domain": c.d.String()})
		tag := d.EffectivePolicySource
		f.Record = report.TXTRecord(where, rec.With(tag, "quarantine"))
		c.add(f)
	}
}

// checkParked flags a domain whose SPF record authorizes no sender (exactly
// "v=spf1 -all") but whose DMARC policy is weaker than reject: a domain
// that sends nothing loses nothing by rejecting everything.
func (c *checker) checkParked(apex []resolver.TXT, apexErr error, domain string, rec *Record) {
	if apexErr != nil {
		return
	}
	for _, t := range apex {
		if strings.Join(strings.Fields(strings.ToLower(t.Text())), " ") != "v=spf1 -all" {
			continue
		}
		if c.data.EffectivePolicy == PolicyReject {
			return
		}
		f := findParkedNotReject.With(report.Params{"domain": c.d.String(), "policy": string(c.data.EffectivePolicy)})
		if !c.data.Inherited {
			f.Record = report.TXTRecord("_dmarc."+domain, rec.With("p", "reject"))
		} else {
			f.Record = report.TXTRecord("_dmarc."+c.d.String(), "v=DMARC1; p=reject")
		}
		c.add(f)
		return
	}
}

// checkDestinations checks each mailto destination domain: external ones
// must authorize reports (RFC 7489 §7.1, RFC 9990), and every one must
// accept mail. Domains are checked concurrently.
func (c *checker) checkDestinations(domain string, rec *Record) {
	policyDomain := dnsname.MustParse(domain)
	policyOrg := dnsname.OrganizationalPSL(policyDomain)
	type dest struct {
		Destination
		dom dnsname.Domain
	}
	var dests []*dest
	byDomain := map[string][]*dest{}
	var order []string
	add := func(tag string, uris []URI) {
		for _, u := range uris {
			dd := &dest{Destination: Destination{Tag: tag, URI: u.URI, Domain: u.Domain}}
			dests = append(dests, dd)
			if u.Scheme != "mailto" || u.Domain == "" {
				continue
			}
			dom, err := dnsname.ParseAny(u.Domain)
			if err != nil {
				dd.Error = report.T("dmarc.dest.bad_domain", report.Params{"domain": u.Domain})
				continue
			}
			dd.dom = dom
			dd.External = !dnsname.OrganizationalPSL(dom).Equal(policyOrg)
			if _, ok := byDomain[dom.String()]; !ok {
				order = append(order, dom.String())
			}
			byDomain[dom.String()] = append(byDomain[dom.String()], dd)
		}
	}
	add("rua", rec.RUA)
	add("ruf", rec.RUF)
	if len(order) > c.opts.MaxDestinations {
		order = order[:c.opts.MaxDestinations]
	}
	var g workers.Group
	g.SetLimit(4)
	for _, name := range order {
		group := byDomain[name]
		g.Go(func() {
			c.checkDestination(policyDomain, group[0].dom, group[0].External, func(update func(*Destination)) {
				for _, dd := range group {
					update(&dd.Destination)
				}
			})
		})
	}
	g.Wait()
	for _, dd := range dests {
		c.data.Destinations = append(c.data.Destinations, dd.Destination)
	}
}

func (c *checker) checkDestination(policyDomain, dest dnsname.Domain, external bool, update func(func(*Destination))) {
	if external {
		authName := policyDomain.String() + "._report._dmarc." + dest.String()
		txts, _, err := resolver.LookupTXT(c.ctx, c.r, authName+".")
		switch {
		case err != nil:
			update(func(d *Destination) { d.Error = check.ErrMsg(err) })
			c.add(findDNSError.Alt("report_auth", report.Params{"dest": dest.String(), "domain": policyDomain.String(), "error": check.ErrMsg(err)}))
		default:
			ok := false
			for _, t := range txts {
				if IsCandidate(t.Text()) {
					ok = true
				}
			}
			update(func(d *Destination) { d.Authorized = &ok })
			if !ok {
				f := findRUAUnauthorized.With(report.Params{"domain": policyDomain.String(), "dest": dest.String(), "name": authName})
				f.Record = report.TXTRecord(authName, "v=DMARC1")
				c.add(f)
			}
		}
	}
	accepts, why, err := acceptsMail(c.ctx, c.r, dest)
	if err != nil {
		update(func(d *Destination) {
			if d.Error.Key == "" && d.Error.Text == "" {
				d.Error = check.ErrMsg(err)
			}
		})
		c.add(findDNSError.Alt("dest_mx", report.Params{"dest": dest.String(), "error": check.ErrMsg(err)}))
		return
	}
	update(func(d *Destination) { d.AcceptsMail = &accepts })
	if !accepts {
		p := report.Params{"dest": dest.String()}
		if why == "" {
			c.add(findRUANoMX.With(p))
		} else {
			c.add(findRUANoMX.Alt(why, p))
		}
	}
}

// acceptsMail: MX records (not a null MX, RFC 7505), or, with no MX at
// all, an address record (implicit MX, RFC 5321 §5.1). why is the
// dmarc.rua.no_mx variant of a domain that does not: "" when it does not
// exist, "null_mx" or "no_address".
func acceptsMail(ctx context.Context, r resolver.Resolver, d dnsname.Domain) (bool, string, error) {
	mxs, ans, err := resolver.LookupMX(ctx, r, d.FQDN())
	if err != nil {
		return false, "", err
	}
	if ans.Outcome == resolver.NXDomain {
		return false, "", nil
	}
	if len(mxs) == 1 && mxs[0].Host == "." {
		return false, "null_mx", nil
	}
	if len(mxs) > 0 {
		return true, "", nil
	}
	for _, qtype := range []uint16{1, 28} {
		addrs, _, err := resolver.LookupAddrs(ctx, r, d.FQDN(), qtype)
		if err != nil {
			return false, "", err
		}
		if len(addrs) > 0 {
			return true, "", nil
		}
	}
	return false, "no_address", nil
}

func (c *checker) display() report.Display {
	d := c.data
	var disp report.Display
	fact := func(label string, v report.Msg) {
		disp.Facts = append(disp.Facts, report.Fact{Label: report.T("dmarc.label."+label, nil), Value: v})
	}
	if d.RecordText != "" {
		fact("record", report.Lit(d.RecordText))
		fact("found_at", report.Lit("_dmarc."+d.PolicyDomain))
	}
	if d.EffectivePolicy != "" {
		p := report.Params{"policy": string(d.EffectivePolicy), "source": d.EffectivePolicySource}
		if d.Record != nil {
			p["sp"], p["np"] = string(d.Record.EffectiveSubdomainPolicy()), string(d.Record.EffectiveNonexistentPolicy())
		}
		fact("policy", report.T("dmarc.value.policy", p))
	}
	var walk []report.Msg
	for _, s := range d.Discovery {
		walk = append(walk, report.T("dmarc.walk."+s.Result, report.Params{"name": "_dmarc." + s.Domain}))
	}
	fact("tree_walk", report.T("list", report.Params{"items": walk}))
	p := report.Params{"org": d.OrganizationalDomain, "psl": d.OrganizationalDomainPSL}
	switch {
	case d.OrganizationalDomain == "":
		fact("org_domain", report.T("dmarc.value.org_unknown", p))
	case d.OrganizationalDomain != d.OrganizationalDomainPSL:
		fact("org_domain", report.T("dmarc.value.org_differs", p))
	default:
		fact("org_domain", report.Lit(d.OrganizationalDomain))
	}
	if len(d.Destinations) > 0 {
		t := report.Table{Title: report.T("dmarc.table.destinations", nil)}
		for _, col := range []string{"tag", "uri", "external", "authorized", "accepts_mail"} {
			t.Columns = append(t.Columns, report.T("dmarc.col."+col, nil))
		}
		for _, dd := range d.Destinations {
			t.Rows = append(t.Rows, []report.Msg{report.Lit(dd.Tag), report.Lit(dd.URI), yesNo(&dd.External), yesNo(dd.Authorized), yesNo(dd.AcceptsMail)})
		}
		disp.Tables = append(disp.Tables, t)
	}
	return disp
}

func yesNo(b *bool) report.Msg {
	switch {
	case b == nil:
		return report.Lit("-")
	case *b:
		return report.T("dmarc.yes", nil)
	default:
		return report.T("dmarc.no", nil)
	}
}

func tagValue(rec *Record, name string) string {
	for _, t := range rec.Tags {
		if t.Name == name {
			return t.Value
		}
	}
	return ""
}

// moveP returns the record text with p= moved right after v=.
func moveP(rec *Record) string {
	var p Tag
	rest := []Tag{}
	for _, t := range rec.Tags[1:] {
		if t.Name == "p" {
			p = t
			continue
		}
		rest = append(rest, t)
	}
	out := &Record{Tags: append([]Tag{rec.Tags[0], p}, rest...)}
	return out.String()
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	sort.Strings(q)
	return strings.Join(q, ", ")
}

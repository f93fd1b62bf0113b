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
package dmarc

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"golang.org/x/sync/errgroup"
)

// Options tune the check.
type Options struct {
	// MaxDestinations bounds how many report destination domains are
	// checked (two or three queries each); default 10.
	MaxDestinations int
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
	External    bool   `json:"external"`
	Authorized  *bool  `json:"authorized,omitempty"`
	AcceptsMail *bool  `json:"accepts_mail,omitempty"`
	Error       string `json:"error,omitempty"`
}

// knownTags are the tags of RFC 9989 plus those it removed from RFC 7489.
var knownTags = map[string]bool{"v": true, "p": true, "sp": true, "np": true, "adkim": true, "aspf": true,
	"pct": true, "ri": true, "rf": true, "fo": true, "rua": true, "ruf": true, "psd": true, "t": true}

// Check runs the DMARC check for d.
func Check(ctx context.Context, env check.Env, d dnsname.Domain, opts Options) report.Section {
	if opts.MaxDestinations <= 0 {
		opts.MaxDestinations = 10
	}
	c := &checker{ctx: ctx, r: env.Resolver, d: d, opts: opts}
	c.data = &Data{Domain: d.String(), OrganizationalDomainPSL: dnsname.OrganizationalPSL(d).String()}
	c.run()
	report.SortFindings(c.findings)
	sec := report.Section{
		Check:    "dmarc",
		Title:    "DMARC",
		Target:   d.Unicode(),
		Status:   report.StatusOf(c.findings),
		Summary:  report.Lit(c.summary),
		Findings: c.findings,
		Data:     c.data,
		Display:  c.display(),
	}
	if sec.Findings == nil {
		sec.Findings = []report.Finding{}
	}
	return sec
}

type checker struct {
	ctx  context.Context
	r    resolver.Resolver
	d    dnsname.Domain
	opts Options

	data     *Data
	findings []report.Finding
	summary  string
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
	var g errgroup.Group
	g.Go(func() error { disc = Discover(c.ctx, c.r, c.d); return nil })
	g.Go(func() error {
		// The apex TXT set tells two things: a DMARC record misplaced
		// there, and an SPF record that authorizes no one (a parked
		// domain). The SPF check asks the same question; the per-run
		// cache makes it one query.
		apex, _, apexErr = resolver.LookupTXT(c.ctx, c.r, c.d.FQDN())
		return nil
	})
	_ = g.Wait()
	c.data.Discovery = disc.Steps
	c.data.OrganizationalDomain = disc.OrgDomain

	for _, t := range apex {
		if IsCandidate(strings.TrimLeft(t.Text(), " \t")) {
			c.add(findRecordAtApex.New(
				fmt.Sprintf("%s has a TXT record %q. Receivers look for DMARC only at _dmarc.%s; a record at the domain itself is never read.", c.d, t.Text(), c.d),
				fmt.Sprintf("Publish the record at _dmarc.%s instead, and delete it from %s.", c.d, c.d)))
		}
	}

	own := disc.Steps[0]
	if own.Result == "error" {
		c.add(findDNSError.New(fmt.Sprintf("The query for _dmarc.%s failed: %s. Nothing can be said about the policy until it answers.", c.d, own.Error),
			"Check that the domain's name servers answer; run again, or use --resolver to ask another resolver."))
		c.summary = "Could not look up _dmarc." + c.d.String() + ": the DNS did not answer."
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
			c.add(findDNSError.New(fmt.Sprintf("No record at _dmarc.%s, and the query for _dmarc.%s failed (%s), so an inherited policy cannot be ruled out.", c.d, s.Domain, s.Error),
				"Run again, or use --resolver to ask another resolver."))
			c.summary = "No DMARC record at _dmarc." + c.d.String() + "; a parent's policy could not be checked."
			return
		}
		for _, s := range above {
			c.add(findPSDUnchecked.New(
				fmt.Sprintf("The query for _dmarc.%s, a public suffix above %s, failed (%s). Only a public-suffix operator's fallback policy (psd=y) could be published there; %s itself has none.", s.Domain, dnsname.OrganizationalPSL(c.d), s.Error, c.d),
				"Nothing to do for this: publish your own record (see dmarc.record.missing), which takes precedence over any public-suffix policy."))
		}
		if !hasMalformedCandidate(own) {
			f := findRecordMissing.New(
				fmt.Sprintf("%s, so receivers get no instruction for mail that fails SPF and DKIM: anyone can send as %s, and Gmail, Yahoo and Outlook reject or junk bulk mail from domains without one.", c.missingWhere(len(above) > 0), c.d),
				"Publish a DMARC record. Start with p=none and a report address to learn who sends as your domain, then move to quarantine and reject once every legitimate sender passes.")
			f.Record = report.TXTRecord("_dmarc."+c.d.String(), "v=DMARC1; p=none; rua=mailto:dmarc-reports@"+c.d.String())
			c.add(f)
		}
		c.summary = "No DMARC record at _dmarc." + c.d.String() + " or above it."
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
		c.add(findRecordMultiple.New(
			fmt.Sprintf("_dmarc.%s has %d records that start with v=DMARC1: %s. With more than one, receivers apply no DMARC policy at all.", found.Domain, len(found.candidates), quoteList(found.candidates)),
			"Delete all but one, merging what you need into it."))
		c.summary = "More than one DMARC record at _dmarc." + found.Domain + ": no policy applies."
		return
	case "invalid":
		c.data.RecordText = found.candidates[0]
		c.add(findSyntaxInvalid.New(
			fmt.Sprintf("The record at _dmarc.%s, %q, cannot be parsed: %v. Receivers ignore it.", found.Domain, found.candidates[0], found.parseErr),
			"Rewrite it as tag=value pairs separated by semicolons, each tag once, starting with v=DMARC1; p=..."))
		c.summary = "The DMARC record at _dmarc." + found.Domain + " is malformed and ignored."
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
		f := findNoPolicy.New(fmt.Sprintf("The record at _dmarc.%s, %q, has no valid p= tag and no valid rua= address, so receivers apply no DMARC processing to mail from %s: it is as if no record were published.", found.Domain, found.candidates[0], c.d),
			"Add p= right after v=DMARC1 (start with none) and a report address.")
		fixed := rec.With("p", "none")
		if r2, err := Parse(fixed); err == nil {
			fixed = r2.With("rua", "mailto:dmarc-reports@"+found.Domain)
		}
		f.Record = report.TXTRecord("_dmarc."+found.Domain, fixed)
		c.add(f)
		c.summary = "The DMARC record at _dmarc." + found.Domain + " has no valid p= and no rua=: receivers apply no policy."
		return
	}
	c.effectivePolicy(found.Domain, rec)
	c.checkParked(apex, apexErr, found.Domain, rec)
	c.checkDestinations(found.Domain, rec)
	if od := c.data.OrganizationalDomain; od != "" && od != c.data.OrganizationalDomainPSL {
		c.add(findOrgDomainDiffers.New(
			fmt.Sprintf("The RFC 9989 DNS tree walk makes %s the organizational domain; the Public Suffix List that RFC 7489 receivers use makes it %s. Relaxed alignment between the two can differ from one receiver to the next.", od, c.data.OrganizationalDomainPSL),
			"Usually nothing to do; if you rely on relaxed alignment across these domains, publish psd=n in the organizational domain's record to make the walk stop there."))
	}
}

// missingWhere says where no record was found: everywhere in the walk, or
// (when a public suffix did not answer) up to the organizational domain.
func (c *checker) missingWhere(suffixUnchecked bool) string {
	org := dnsname.OrganizationalPSL(c.d)
	switch {
	case !suffixUnchecked:
		return fmt.Sprintf("Neither _dmarc.%s nor any parent domain publishes a DMARC record", c.d)
	case org.Equal(c.d):
		return fmt.Sprintf("_dmarc.%s publishes no DMARC record, and %s is its own organizational domain", c.d, c.d)
	default:
		return fmt.Sprintf("Neither _dmarc.%s nor any parent up to its organizational domain %s publishes a DMARC record", c.d, org)
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
			f := findRecordLeadingSpace.New(
				fmt.Sprintf("The TXT record at %s, %q, begins with white space. Receivers match v=DMARC1 at the very start and discard it.", name, t),
				"Republish it without the leading space.")
			f.Record = report.TXTRecord(name, strings.TrimLeft(t, " \t"))
			c.add(f)
		case strings.HasPrefix(lower, "v=spf1"):
			c.add(findRecordSPFFound.New(
				fmt.Sprintf("%s answers with an SPF record, %q. This usually comes from a wildcard TXT or a CNAME on the wrong name; it is not a DMARC policy.", name, t),
				fmt.Sprintf("Remove the SPF record from %s (or the wildcard or CNAME that puts it there) and publish a DMARC record instead.", name)))
		case LooksLikeDMARC(t):
			f := findVersionInvalid.New(
				fmt.Sprintf("The TXT record at %s, %q, looks like DMARC, but a DMARC record must begin with exactly v=DMARC1 (upper case, first tag). Receivers ignore it.", name, t),
				"Republish it starting with v=DMARC1;")
			if fixed, ok := fixVersion(t); ok {
				f.Record = report.TXTRecord(name, fixed)
			}
			c.add(f)
		default:
			c.add(findRecordUnrelatedTXT.New(
				fmt.Sprintf("%s also has the TXT record %q. Receivers skip it, but some DMARC tools and older receivers stumble over extra records.", name, t),
				fmt.Sprintf("Move other TXT records off %s.", name)))
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
			f := findPInvalid.New(fmt.Sprintf("p=%s: %s. RFC 7489 receivers then act as p=none if rua is valid, and ignore the record otherwise.", tagValue(rec, "p"), p.Message),
				"Set p to none, quarantine or reject.")
			f.Record = report.TXTRecord(name, rec.With("p", "quarantine"))
			c.add(f)
		case "sp":
			f := findSPInvalid.New(fmt.Sprintf("sp=%s: %s. RFC 7489 receivers then act as p=none if rua is valid, and ignore the record otherwise.", tagValue(rec, "sp"), p.Message),
				"Set sp to none, quarantine or reject, or remove it to inherit p.")
			f.Record = report.TXTRecord(name, rec.With("sp", ""))
			c.add(f)
		case "np":
			f := findSyntaxInvalid.New(fmt.Sprintf("np=%s: %s. Receivers act as none for non-existent subdomains (RFC 7489 §6.6.3, carried over to np), not as sp or p.", tagValue(rec, "np"), p.Message),
				"Set np to reject: a name that does not exist sends no legitimate mail.")
			f.Record = report.TXTRecord(name, rec.With("np", "reject"))
			c.add(f)
		case "rua", "ruf":
			f := findRUAInvalid.New(fmt.Sprintf("%s: %s. No reports can be sent there.", p.Tag, p.Message),
				"Use mailto: URIs such as mailto:dmarc-reports@"+domain+", separated by commas.")
			c.add(f)
		default:
			f := findSyntaxInvalid.New(fmt.Sprintf("%s=%s: %s. RFC 9989 receivers treat a record with an invalid tag value as invalid.", p.Tag, tagValue(rec, p.Tag), p.Message),
				fmt.Sprintf("Fix or remove the %s tag.", p.Tag))
			f.Record = report.TXTRecord(name, rec.With(p.Tag, ""))
			c.add(f)
		}
	}
	switch {
	case !rec.Has("p") && rec.NoPolicy():
		// dmarc.record.no_policy says it.
	case !rec.Has("p"):
		f := findPMissing.New("The record has no p= tag. RFC 9989 receivers treat that as p=none; RFC 7489 receivers ignore the record unless rua is valid.",
			"Add p=none, quarantine or reject right after v=DMARC1.")
		f.Record = report.TXTRecord(name, rec.With("p", "none"))
		c.add(f)
	case len(rec.Tags) > 1 && rec.Tags[1].Name != "p":
		f := findPNotSecond.New("p= is not the tag right after v=DMARC1. RFC 9989 allows any order, but RFC 7489's grammar puts p second and strict RFC 7489 parsers reject the record.",
			"Move p= right after v=DMARC1.")
		f.Record = report.TXTRecord(name, moveP(rec))
		c.add(f)
	}
	if rec.SubdomainPolicy != "" && rec.Policy.Rank() >= 0 && rec.SubdomainPolicy.Rank() < rec.Policy.Rank() {
		f := findSPWeaker.New(fmt.Sprintf("sp=%s is weaker than p=%s: mail from any subdomain of %s (invented ones included) gets the weaker treatment, so spoofers use subdomains.", rec.SubdomainPolicy, rec.Policy, domain),
			"Remove sp so subdomains inherit p, or raise it.")
		f.Record = report.TXTRecord(name, rec.With("sp", ""))
		c.add(f)
	}
	if rec.NonexistentPolicy == "" && rec.EffectiveSubdomainPolicy() != PolicyReject {
		f := findNPMissing.New(fmt.Sprintf("No np= tag, and the subdomain policy is %s: mail from subdomains that do not even exist (invoice.%s) is not rejected.", rec.EffectiveSubdomainPolicy(), domain),
			"Add np=reject: a name that does not exist sends no legitimate mail.")
		f.Record = report.TXTRecord(name, rec.With("np", "reject"))
		c.add(f)
	}
	if rec.Testing {
		f := findTestingMode.New("t=y asks RFC 9989 receivers not to apply the policy: it is a rehearsal, and spoofed mail is treated as under p=none.",
			"Remove t=y when the reports show every legitimate sender passing.")
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
		c.add(findTagRemoved.New(fmt.Sprintf("RFC 9989 removed %s: receivers that follow it ignore the tag, while RFC 7489 receivers still read it, so the same record means two things.", strings.Join(removed, ", ")),
			"Remove the tag unless you rely on its RFC 7489 meaning."))
	}
	if rec.Percent != nil && *rec.Percent < 100 {
		f := findPctPartial.New(fmt.Sprintf("pct=%d: RFC 7489 receivers apply the policy to only %d%% of failing mail and treat the rest one step more leniently. RFC 9989 dropped pct (use t=y to rehearse instead).", *rec.Percent, *rec.Percent),
			"Remove pct to enforce the policy on all failing mail.")
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
		c.add(findTagUnknown.New(fmt.Sprintf("%s: not a DMARC tag; receivers ignore it. A typo here silently loses the setting you meant.", strings.Join(unknown, ", ")),
			"Check the spelling against the DMARC tags (p, sp, np, adkim, aspf, rua, ruf, fo, psd, t) or remove it."))
	}
	if !rec.Has("rua") {
		f := findRUAMissing.New("No rua= tag: no receiver sends you aggregate reports, so you cannot see who sends mail as your domain or whether it passes.",
			"Add rua= with an address that can take a few reports a day (or a DMARC reporting service's address).")
		f.Record = report.TXTRecord(name, rec.With("rua", "mailto:dmarc-reports@"+domain))
		c.add(f)
	}
	if len(rec.RUA) > 2 {
		c.add(findRUATooMany.New(fmt.Sprintf("rua lists %d destinations; some reporters send to the first two only.", len(rec.RUA)),
			"Keep the two destinations that matter most first."))
	}
	var sized []string
	for _, u := range append(append([]URI(nil), rec.RUA...), rec.RUF...) {
		if u.MaxSize != "" {
			sized = append(sized, u.URI+"!"+u.MaxSize)
		}
	}
	if len(sized) > 0 {
		c.add(findURISizeSuffix.New(fmt.Sprintf("%s: the !size suffix is RFC 7489 syntax that RFC 9989 reporters ignore.", strings.Join(sized, ", ")),
			"Remove the !size suffix."))
	}
	if rec.Has("fo") && !rec.Has("ruf") {
		c.add(findFONoRUF.New("fo= chooses when failure reports are sent, but there is no ruf= address to send them to.",
			"Remove fo=, or add ruf= if you want failure reports (few receivers send them)."))
	}
	if slices.Contains(rec.FailureOptions, "0") && slices.Contains(rec.FailureOptions, "1") {
		c.add(findFORedundant.New("fo=0:1: option 1 (report when any mechanism fails) already includes 0 (report when all fail).",
			"Use fo=1."))
	}
	var strict []string
	if rec.ADKIM == "s" {
		strict = append(strict, "adkim=s")
	}
	if rec.ASPF == "s" {
		strict = append(strict, "aspf=s")
	}
	if len(strict) > 0 {
		c.add(findAlignStrict.New(fmt.Sprintf("%s: the signing or envelope domain must equal the From domain exactly; mail signed by a subdomain (or sent with a bounce subdomain, as most ESPs do) will not align.", strings.Join(strict, ", ")),
			"Keep it if intended; relaxed alignment (the default) is enough for most domains."))
	}
}

func (c *checker) effectivePolicy(domain string, rec *Record) {
	d := c.data
	if !d.Inherited {
		d.EffectivePolicy, d.EffectivePolicySource = rec.EffectivePolicy(), "p"
	} else {
		c.add(findInherited.New(fmt.Sprintf("%s has no record of its own; the policy comes from _dmarc.%s.", c.d, domain),
			fmt.Sprintf("Nothing to do if that is intended; publish _dmarc.%s to give this domain its own policy.", c.d)))
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
	c.summary = fmt.Sprintf("Policy %s for %s (%s, at %s).", d.EffectivePolicy, c.d.Unicode(), d.EffectivePolicySource, where)
	if rec.Testing {
		c.summary = fmt.Sprintf("Policy %s for %s (%s, at %s), in test mode (t=y).", d.EffectivePolicy, c.d.Unicode(), d.EffectivePolicySource, where)
	}
	if d.EffectivePolicy == PolicyNone {
		f := findPolicyNone.New(fmt.Sprintf("The policy that applies to %s is none: receivers deliver mail that fails DMARC as if there were no policy, so anyone can send as %s. It meets the Gmail and Yahoo bulk-sender minimum, but protects nothing.", c.d, c.d),
			"Once your aggregate reports show every legitimate sender passing SPF or DKIM in alignment, move to quarantine, then to reject.")
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
		f := findParkedNotReject.New(fmt.Sprintf("%s publishes \"v=spf1 -all\", so it sends no mail, but its DMARC policy is %s. Spoofed mail in its name is still delivered.", c.d, c.data.EffectivePolicy),
			"Reject everything: a domain that sends no mail has nothing to lose.")
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
				dd.Error = err.Error()
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
	var g errgroup.Group
	g.SetLimit(4)
	for _, name := range order {
		group := byDomain[name]
		g.Go(func() error {
			c.checkDestination(policyDomain, group[0].dom, group[0].External, func(update func(*Destination)) {
				for _, dd := range group {
					update(&dd.Destination)
				}
			})
			return nil
		})
	}
	_ = g.Wait()
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
			update(func(d *Destination) { d.Error = err.Error() })
			c.add(findDNSError.New(fmt.Sprintf("Could not check whether %s accepts reports for %s: %v.", dest, policyDomain, err), "Run again."))
		default:
			ok := false
			for _, t := range txts {
				if IsCandidate(t.Text()) {
					ok = true
				}
			}
			update(func(d *Destination) { d.Authorized = &ok })
			if !ok {
				f := findRUAUnauthorized.New(
					fmt.Sprintf("Reports for %s go to %s, another organization's domain, which has not published %s. Reporters check for it and silently drop the reports.", policyDomain, dest, authName),
					fmt.Sprintf("Ask the owner of %s (your DMARC reporting service, usually) to publish this record; most services do it when you add the domain in their dashboard.", dest))
				f.Record = report.TXTRecord(authName, "v=DMARC1")
				c.add(f)
			}
		}
	}
	accepts, why, err := acceptsMail(c.ctx, c.r, dest)
	if err != nil {
		update(func(d *Destination) {
			if d.Error == "" {
				d.Error = err.Error()
			}
		})
		c.add(findDNSError.New(fmt.Sprintf("Could not check whether %s receives mail: %v.", dest, err), "Run again."))
		return
	}
	update(func(d *Destination) { d.AcceptsMail = &accepts })
	if !accepts {
		c.add(findRUANoMX.New(fmt.Sprintf("Reports are addressed to %s, but %s, so the reports bounce.", dest, why),
			"Use an address at a domain that receives mail."))
	}
}

// acceptsMail: MX records (not a null MX, RFC 7505), or, with no MX at
// all, an address record (implicit MX, RFC 5321 §5.1).
func acceptsMail(ctx context.Context, r resolver.Resolver, d dnsname.Domain) (bool, string, error) {
	mxs, ans, err := resolver.LookupMX(ctx, r, d.FQDN())
	if err != nil {
		return false, "", err
	}
	if ans.Outcome == resolver.NXDomain {
		return false, d.String() + " does not exist", nil
	}
	if len(mxs) == 1 && mxs[0].Host == "." {
		return false, d.String() + " publishes a null MX (it accepts no mail)", nil
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
	return false, d.String() + " has no MX and no address record", nil
}

func (c *checker) display() report.Display {
	d := c.data
	var disp report.Display
	if d.RecordText != "" {
		disp.Facts = append(disp.Facts, report.Fact{Label: report.Lit("record"), Value: report.Lit(d.RecordText)})
		disp.Facts = append(disp.Facts, report.Fact{Label: report.Lit("found at"), Value: report.Lit("_dmarc." + d.PolicyDomain)})
	}
	if d.EffectivePolicy != "" {
		v := fmt.Sprintf("%s (from %s)", d.EffectivePolicy, d.EffectivePolicySource)
		if d.Record != nil {
			v += fmt.Sprintf("; subdomains %s, non-existent subdomains %s", d.Record.EffectiveSubdomainPolicy(), d.Record.EffectiveNonexistentPolicy())
		}
		disp.Facts = append(disp.Facts, report.Fact{Label: report.Lit("policy"), Value: report.Lit(v)})
	}
	var walk []string
	for _, s := range d.Discovery {
		result := s.Result
		if result == "error" {
			result = "no answer"
		}
		walk = append(walk, "_dmarc."+s.Domain+" "+result)
	}
	disp.Facts = append(disp.Facts, report.Fact{Label: report.Lit("tree walk"), Value: report.Lit(strings.Join(walk, ", "))})
	org := d.OrganizationalDomain
	if org == "" {
		org = "unknown (a parent's _dmarc name did not answer)"
	}
	if org != d.OrganizationalDomainPSL {
		org += " (RFC 7489 PSL: " + d.OrganizationalDomainPSL + ")"
	}
	disp.Facts = append(disp.Facts, report.Fact{Label: report.Lit("org domain"), Value: report.Lit(org)})
	if len(d.Destinations) > 0 {
		t := report.Table{Title: report.Lit("Report destinations"), Columns: report.Lits("tag", "uri", "external", "authorized", "accepts mail")}
		for _, dd := range d.Destinations {
			t.Rows = append(t.Rows, report.Lits(dd.Tag, dd.URI, yesNo(&dd.External), yesNo(dd.Authorized), yesNo(dd.AcceptsMail)))
		}
		disp.Tables = append(disp.Tables, t)
	}
	return disp
}

func yesNo(b *bool) string {
	switch {
	case b == nil:
		return "-"
	case *b:
		return "yes"
	default:
		return "no"
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

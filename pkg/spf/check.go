package spf

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// Options of Check. With a valid IP the policy is also evaluated for that
// client (check_host(), RFC 7208 §4).
type Options struct {
	IP netip.Addr
	// Sender is the MAIL FROM address; empty means postmaster@<target>.
	Sender string
	// HELO is the client's HELO/EHLO name; when set, its own SPF record is
	// looked for (RFC 7208 §2.3).
	HELO string
}

// Data is the evidence in Section.Data (documented in docs/json.md).
type Data struct {
	Domain string `json:"domain"`
	// Record is the SPF record selected at the domain.
	Record string `json:"record,omitempty"`
	// DNSTerms is the worst-case count of DNS-querying terms of the whole
	// tree (limit 10); VoidIPv4 and VoidIPv6 the worst-case void lookups
	// for an IPv4 and an IPv6 client (limit 2), RFC 7208 §4.6.4.
	DNSTerms int   `json:"dns_terms"`
	VoidIPv4 int   `json:"void_lookups_ipv4"`
	VoidIPv6 int   `json:"void_lookups_ipv6"`
	Tree     *Node `json:"tree,omitempty"`
	// Evaluation is check_host() for Options.IP, when given.
	Evaluation *Evaluation `json:"evaluation,omitempty"`
	// HELORecord is the SPF record of Options.HELO, when one was asked for.
	HELORecord string `json:"helo_record,omitempty"`
}

type checker struct {
	domain   string
	findings []report.Finding
	temp     map[string]bool // temperror details already reported
	loops    map[string]bool // include/redirect cycles already reported, by their domains
}

func (c *checker) add(def report.Definition, detail, fix string) *report.Finding {
	c.findings = append(c.findings, def.New(detail, fix))
	return &c.findings[len(c.findings)-1]
}

func (c *checker) tempError(what string, err error) {
	detail := what + ": " + err.Error()
	if c.temp[detail] {
		return
	}
	c.temp[detail] = true
	c.add(defDNSTempError, detail+". SPF evaluation would return temperror (RFC 7208 §4.4); receivers usually defer the mail.",
		"Check that the authoritative servers of the name answer over UDP and TCP, then run the check again.")
}

// Check validates the SPF policy of target and, when opts.IP is valid,
// evaluates it for that client. DNS trouble is a finding, never an error.
func Check(ctx context.Context, env check.Env, target dnsname.Domain, opts Options) report.Section {
	domain := target.String()
	sec := report.Section{Check: "spf", Title: "SPF", Target: domain}
	c := &checker{domain: domain, temp: map[string]bool{}, loops: map[string]bool{}}
	data := &Data{Domain: domain}

	// The evaluation runs beside the walk; it asks DNS its own way because
	// its order and limits are those of a real verifier.
	var evalDone chan Evaluation
	if opts.IP.IsValid() {
		evalDone = make(chan Evaluation, 1)
		sender := opts.Sender
		if sender == "" {
			sender = "postmaster@" + domain
		}
		go func() {
			evalDone <- Evaluate(ctx, env.Resolver, Query{IP: opts.IP, Sender: sender, HELO: opts.HELO, Now: env.Clock()})
		}()
	}

	w := &walker{r: env.Resolver, calls: map[lookupKey]*lookupCall{}}
	root := &Node{Domain: domain, Via: "root", policy: true, passPath: true}
	spf99 := &termJob{node: root, name: domain, qtype: dns.TypeSPF}
	mx := &termJob{node: root, name: domain, qtype: dns.TypeMX}
	extra := []*termJob{spf99, mx}
	var helo *termJob
	if h := strings.TrimSuffix(strings.ToLower(opts.HELO), "."); h != "" && validDomain(h) {
		helo = &termJob{name: h, qtype: dns.TypeTXT}
		extra = append(extra, helo)
	}
	jobs := w.walk(ctx, root, extra)

	c.rootTXT(root)
	if err := spf99.err; err == nil && spf99.ans.Outcome == resolver.Found {
		c.add(defSPFRRType, fmt.Sprintf("%s publishes a record of the obsolete SPF type (99); verifiers ignore it and read only TXT (RFC 7208 §3.1, §14.1).", domain),
			"Delete the type SPF record; keep the policy in the TXT record.")
	}
	c.walkFindings(root)
	void4, void6 := c.termFindings(jobs)
	tally(root, void4, void6)
	if root.rec != nil {
		data.Record = root.Record
		c.limits(root)
		c.parked(root, mx)
	}
	data.Tree = root
	data.DNSTerms, data.VoidIPv4, data.VoidIPv6 = root.Cost, root.Void4, root.Void6
	if helo != nil {
		data.HELORecord = c.helo(helo)
	}
	if evalDone != nil {
		ev := <-evalDone
		data.Evaluation = &ev
		if ev.Result == TempError {
			c.tempError("evaluation for "+ev.IP, fmt.Errorf("%s", ev.Problem))
		}
	}
	report.SortFindings(c.findings)
	sec.Findings = c.findings
	if sec.Findings == nil {
		sec.Findings = []report.Finding{}
	}
	sec.Status = report.StatusOf(sec.Findings)
	sec.Data = data
	sec.Summary = report.Lit(summary(root, data))
	sec.Display = display(root, data)
	return sec
}

// rootTXT reports on the TXT RRset of the checked domain: records that look
// like SPF but are not selected, and Sender ID records.
func (c *checker) rootTXT(root *Node) {
	for _, t := range root.txts {
		lower := strings.ToLower(t)
		trimmed := strings.TrimLeft(lower, " \t")
		switch {
		case !IsSPF(t) && strings.HasPrefix(trimmed, "v=spf1"):
			// RFC 7208 §4.5: only "v=spf1" then SP or the end selects a record.
			c.add(defVersionMalformed, fmt.Sprintf("The TXT record %q at %s starts like SPF but is not selected by verifiers: the version must be exactly \"v=spf1\" at the start, followed by a space (RFC 7208 §4.5).", t, c.domain),
				"Rewrite it so it begins with \"v=spf1 \" with no leading space and nothing glued to the version.")
		case strings.HasPrefix(trimmed, "spf2.0/"):
			c.add(defSenderID, fmt.Sprintf("%s publishes the Sender ID record %q; no current receiver uses Sender ID (RFC 4406, experimental and abandoned).", c.domain, t),
				"Delete the spf2.0 record; it does nothing.")
		}
	}
}

// walkFindings reports each node's record problems, top down.
func (c *checker) walkFindings(n *Node) {
	where := n.Domain
	if n.Via != "root" {
		where = fmt.Sprintf("%s (reached by %s)", n.Domain, n.Term)
	}
	switch n.Status {
	case "temperror":
		c.tempError("TXT lookup of "+n.Domain, n.fetchErr)
	case "none":
		switch n.Via {
		case "root":
			detail := fmt.Sprintf("%s has no SPF record: %s. Receivers get the result \"none\" and cannot tell your servers from forgers.", n.Domain, n.Error)
			c.add(defRecordMissing, detail,
				"Publish one TXT record at the domain listing the hosts and services that send its mail, e.g. \"v=spf1 mx include:<your provider's SPF domain> ~all\".")
		case MechInclude:
			c.add(defIncludeNoRecord, fmt.Sprintf("%s in %s points at %s, which has no SPF record (%s): evaluating it is a permerror for every sender that reaches it (RFC 7208 §5.2).", n.Term, n.parent.Domain, n.Domain, n.Error),
				"Fix the include's domain (check your provider's documentation for the exact name) or remove the include.")
		case ModRedirect:
			c.add(defRedirectNoRecord, fmt.Sprintf("%s in %s points at %s, which has no SPF record (%s): the result is permerror (RFC 7208 §6.1).", n.Term, n.parent.Domain, n.Domain, n.Error),
				"Point redirect= at a domain that publishes SPF, or replace it with the mechanisms themselves.")
		}
	case "multiple":
		c.add(defRecordMultiple, fmt.Sprintf("%s has %d v=spf1 TXT records; with more than one, every evaluation is a permerror (RFC 7208 §3.2, §4.5).", where, n.multi),
			"Merge them into a single v=spf1 record (one version, all mechanisms, one all) and delete the others.")
	case "loop":
		// One cycle (d → e → d) is met once per path that enters it (from
		// d and from e): report each cycle once, keyed by its domains.
		key := cycleKey(n)
		if c.loops[key] {
			break
		}
		c.loops[key] = true
		c.add(defIncludeLoop, fmt.Sprintf("%s in %s leads back to %s, which is already on the path from %s: evaluation loops until the 10-term limit makes it a permerror.", n.Term, n.parent.Domain, n.Domain, c.domain),
			"Remove the include or redirect that points back up the chain.")
	}
	if n.rec != nil {
		c.syntax(n, where)
		c.lint(n, where)
	}
	for _, ch := range n.Children {
		c.walkFindings(ch)
	}
}

// cycleKey names the cycle a "loop" node closes: the domains from the
// node's target back up to it, sorted, so every way into the same cycle
// gives the same key.
func cycleKey(n *Node) string {
	members := []string{n.Domain}
	for p := n.parent; p != nil && p.Domain != n.Domain; p = p.parent {
		members = append(members, p.Domain)
	}
	slices.Sort(members)
	return strings.Join(members, " ")
}

func (c *checker) syntax(n *Node, where string) {
	if n.Status != "syntax" {
		return
	}
	_, err := Parse(n.Record)
	se, ok := err.(*SyntaxError)
	if !ok {
		return
	}
	for _, te := range se.Errs {
		switch {
		case gluedAll.MatchString(te.Term):
			c.glued(where, te.Term)
		case te.Err == ErrDuplicateModifier:
			c.add(defModifierDuplicate, fmt.Sprintf("%s: %v. Any record with redirect or exp twice is a permerror (RFC 7208 §6).", where, te),
				"Keep one redirect= and at most one exp=.")
		case te.Err == ErrExpOnlyMacro:
			c.add(defMacroExpOnly, fmt.Sprintf("%s: %v. %%{c}, %%{r} and %%{t} are only allowed in the exp= text, so the record is a permerror (RFC 7208 §7.2).", where, te),
				"Replace the macro by one valid in domain names (%{i}, %{d}, %{s}, %{l}, %{o}, %{h}, %{v}) or remove the term.")
		default:
			c.add(defSyntaxInvalid, fmt.Sprintf("%s: %v. Any syntax error makes the whole record a permerror (RFC 7208 §4.6).", where, te),
				"Correct the term; the record grammar is in RFC 7208 §12.")
		}
	}
}

func (c *checker) glued(where, term string) {
	c.add(defGluedAll, fmt.Sprintf("%s: the term %q ends in an \"all\" glued to the previous term. TXT strings are joined without spaces (RFC 7208 §3.3), so a record split into strings needs the space inside a string.", where, term),
		"Add the missing space, e.g. \"... include:x.example\" \" ~all\" or \"... include:x.example \" \"~all\".")
}

// lint reports on one parsed record.
func (c *checker) lint(n *Node, where string) {
	rec := n.rec
	mechs, _ := evaluated(rec)
	allIdx := rec.AllIndex()
	seen := map[string]bool{}
	after := []string{}
	for i, t := range rec.Terms {
		if t.Name != MechAll && gluedAll.MatchString(t.String()) {
			c.glued(where, t.String())
		}
		if !t.Modifier && allIdx >= 0 && i > allIdx {
			after = append(after, t.String())
		}
		if t.usesLetter('p') {
			c.add(defMacroPUsed, fmt.Sprintf("%s: %s uses %%{p}, which needs reverse and forward lookups for every check and SHOULD NOT be used (RFC 7208 §7.2).", where, t.String()),
				"Use %{i} or a fixed name instead.")
		}
	}
	for _, t := range mechs {
		switch t.Name {
		case MechInclude:
			if target, ok := staticTarget(t, n.Domain); ok {
				if seen[target] {
					c.add(defIncludeDuplicate, fmt.Sprintf("%s includes %s more than once; each copy costs DNS-querying terms again.", where, target),
						"Remove the repeated include:"+t.Value+".")
				}
				seen[target] = true
			}
		case MechPTR:
			c.add(defPTRUsed, fmt.Sprintf("%s uses %s: it is slow, unreliable and costs lookups at every receiver; RFC 7208 §5.5 says it SHOULD NOT be published and some receivers ignore it.", where, t.String()),
				"Replace ptr by the ip4:/ip6: ranges or a: names of your sending hosts.")
		case MechIP4, MechIP6:
			if t.Qualifier != QualifierPass || !n.passPath {
				continue
			}
			bits := t.Prefix().Bits()
			switch {
			case bits == 0:
				c.add(defAllPass, fmt.Sprintf("%s: %s authorizes every address on the Internet: anyone can send mail that passes SPF for %s.", where, t.String(), c.domain),
					"Replace "+t.String()+" by the addresses of your real sending hosts.").Record = c.suggest(n, func(r *Record) { dropTerm(r, t.Index) })
			case t.Name == MechIP4 && bits < 16, t.Name == MechIP6 && bits < 32:
				c.add(defIPBroad, fmt.Sprintf("%s: %s authorizes %s addresses; a range that large usually includes hosts you do not control.", where, t.String(), rangeSize(t)),
					"Narrow the range to the networks your mail servers actually use.")
			}
		case MechAll:
			if t.Qualifier == QualifierPass && n.passPath {
				c.add(defAllPass, fmt.Sprintf("%s ends in %q: every host on the Internet passes SPF for %s.", where, t.String(), c.domain),
					"Use ~all (or -all once every sender is listed).").Record = c.suggest(n, func(r *Record) { setAll(r, QualifierSoftFail) })
			}
			if n.policy {
				switch t.Qualifier {
				case QualifierNeutral:
					c.add(defAllNeutral, fmt.Sprintf("%s ends in ?all: hosts not listed get \"neutral\", which asserts nothing, so forged mail is not told apart.", where),
						"Use ~all, or -all once every sender is listed.").Record = c.suggest(n, func(r *Record) { setAll(r, QualifierSoftFail) })
				case QualifierSoftFail:
					c.add(defAllSoftfail, fmt.Sprintf("%s ends in ~all: unlisted hosts get softfail. With DMARC this is fine (RFC 7489 §10.1 warns that -all can reject mail before DMARC is evaluated).", where), "")
				}
			}
		}
	}
	if len(after) > 0 {
		c.add(defTermsAfterAll, fmt.Sprintf("%s: %s after \"all\" %s never evaluated (RFC 7208 §5.1).", where, strings.Join(after, " "), plural(len(after), "is", "are")),
			"Move these terms before all, or delete them.").Record = c.suggest(n, func(r *Record) { moveBeforeAll(r) })
	}
	if rd, ok := rec.Modifier(ModRedirect); ok && allIdx >= 0 {
		c.add(defRedirectIgnored, fmt.Sprintf("%s has both %s and an \"all\" mechanism; redirect is ignored whenever all is present (RFC 7208 §5.1, §6.1).", where, rd.String()),
			"Remove the all mechanism to use the redirect, or remove the redirect.")
	}
	if n.policy && allIdx < 0 {
		if _, ok := rec.Modifier(ModRedirect); !ok {
			c.add(defAllMissing, fmt.Sprintf("%s has neither an all mechanism nor a redirect: unlisted hosts get \"neutral\" (RFC 7208 §4.7).", where),
				"End the record with ~all (or -all once every sender is listed).").Record = c.suggest(n, func(r *Record) { setAll(r, QualifierSoftFail) })
		}
	}
	if n.TXTSize >= 450 {
		detail := fmt.Sprintf("The TXT records at %s take %d octets with the name (guideline: under 450, RFC 7208 §3.4)", n.Domain, n.TXTSize)
		if n.WireSize > 512 {
			detail += fmt.Sprintf("; the DNS answer is %d octets, over 512, so it needs EDNS0 or TCP, and some verifiers silently drop such answers", n.WireSize)
		}
		c.add(defSizeUDP, detail+".", "Remove unused TXT records at the name (old verification tokens) or move includes to a shorter record.")
	}
}

// termFindings reads the lookups of a, mx, exists and exp terms and
// returns the void counts per node for each address family.
func (c *checker) termFindings(jobs []*termJob) (void4, void6 map[*Node]int) {
	void4, void6 = map[*Node]int{}, map[*Node]int{}
	type aKey struct {
		n   *Node
		idx int
	}
	aVoid := map[aKey]int{}
	for _, j := range jobs {
		if j.node == nil || j.term.Name == "" {
			continue
		}
		where := j.node.Domain
		if lookupFailed(j.err) {
			c.tempError(fmt.Sprintf("%s lookup of %s for %s in %s", resolver.TypeString(j.qtype), j.name, j.term.String(), where), j.err)
			continue
		}
		if j.err != nil {
			continue
		}
		void := j.ans.Void()
		switch j.term.Name {
		case MechA:
			if void && j.qtype == dns.TypeA {
				void4[j.node]++
			}
			if void && j.qtype == dns.TypeAAAA {
				void6[j.node]++
			}
			if void {
				k := aKey{j.node, j.term.Index}
				aVoid[k]++
				if aVoid[k] == 2 {
					c.add(defAOrMXEmpty, fmt.Sprintf("%s: %s names %s, which has no A or AAAA record: the term never matches and each check spends a void lookup on it.", where, j.term.String(), j.name),
						"Remove the term, or point it at a name with addresses.")
				}
			}
		case MechMX:
			if void {
				void4[j.node]++
				void6[j.node]++
				c.add(defAOrMXEmpty, fmt.Sprintf("%s: %s names %s, which has no MX record: the term never matches (mx does not fall back to A, RFC 7208 §5.4) and spends a void lookup.", where, j.term.String(), j.name),
					"Remove the term, or point it at a domain that has MX records.")
				continue
			}
			names := 0
			for _, rr := range j.ans.RRs {
				if _, ok := rr.(*dns.MX); ok {
					names++
				}
			}
			if names > MaxMXNames {
				c.add(defMXTooMany, fmt.Sprintf("%s: %s has %d MX names; an mx term may look up at most 10, so evaluating it is a permerror (RFC 7208 §4.6.4).", where, j.term.String(), names),
					"Replace the mx term by ip4:/ip6: ranges of the hosts that send mail, or by a: terms for a few of them.")
			}
		case MechExists:
			if void {
				void4[j.node]++
				void6[j.node]++
			}
		case ModExp:
			n := 0
			for _, rr := range j.ans.RRs {
				if _, ok := rr.(*dns.TXT); ok {
					n++
				}
			}
			if n != 1 {
				c.add(defExpUnresolvable, fmt.Sprintf("%s: %s points at %s, which has %d TXT records; the explanation needs exactly one, so receivers show none (RFC 7208 §6.2).", where, j.term.String(), j.name, n),
					"Publish one TXT record with the explanation text at "+j.name+", or remove exp=.")
			}
		}
	}
	return void4, void6
}

// limits reports the worst-case term and void counts of the whole tree.
func (c *checker) limits(root *Node) {
	switch {
	case root.Cost > MaxDNSTerms:
		c.add(defLookupsExceeded, fmt.Sprintf("Evaluating %s can take %d DNS-querying terms (include, a, mx, ptr, exists, redirect), over the limit of 10: senders matched late in the record, and everyone the record should reject, get permerror (RFC 7208 §4.6.4).%s", c.domain, root.Cost, costBreakdown(root)),
			overLimitFix(root))
	case root.Cost >= MaxDNSTerms-1:
		c.add(defLookupsNearLimit, fmt.Sprintf("Evaluating %s can take %d of the 10 DNS-querying terms allowed; one more include (or a provider adding one to theirs) breaks SPF.%s", c.domain, root.Cost, costBreakdown(root)),
			overLimitFix(root))
	}
	for _, fam := range []struct {
		name string
		n    int
	}{{"IPv4", root.Void4}, {"IPv6", root.Void6}} {
		if fam.n > MaxVoid {
			c.add(defVoidExceeded, fmt.Sprintf("For an %s client, %d terms of the %s tree look up names that do not exist or have no records (void lookups); after 2 the result is permerror (RFC 7208 §4.6.4).%s", fam.name, fam.n, c.domain, voidBreakdown(root, fam.name == "IPv4")),
				"Remove a, mx and exists terms that point at names without records. An a term on a host with only IPv4 (or only IPv6) addresses is a void lookup for clients of the other family: write its addresses as ip4:/ip6: instead.")
		}
	}
}

// parked reports a domain that announces it takes no mail (null MX, RFC
// 7505) but whose SPF still authorizes senders.
func (c *checker) parked(root *Node, mx *termJob) {
	if mx.err != nil || mx.ans.Outcome != resolver.Found {
		return
	}
	for _, rr := range mx.ans.RRs {
		if m, ok := rr.(*dns.MX); !ok || m.Mx != "." {
			return
		}
	}
	if strings.EqualFold(strings.Join(strings.Fields(root.Record), " "), "v=spf1 -all") {
		return
	}
	f := c.add(defParkedNotStrict, fmt.Sprintf("%s publishes a null MX (it takes no mail, RFC 7505), so it likely sends none, but its SPF record is %q rather than \"v=spf1 -all\".", c.domain, root.Record),
		"If the domain sends no mail, publish \"v=spf1 -all\" so nobody can send in its name.")
	f.Record = &report.Record{Name: c.domain, Type: "TXT", Value: report.TXTValue("v=spf1 -all")}
}

// helo reports a HELO name without SPF and returns its record.
func (c *checker) helo(j *termJob) string {
	if lookupFailed(j.err) {
		c.tempError("TXT lookup of HELO name "+j.name, j.err)
		return ""
	}
	var found []string
	for _, rr := range j.ans.RRs {
		if t, ok := rr.(*dns.TXT); ok {
			if s := txtText(resolver.TXTOf(t.Txt)); IsSPF(s) {
				found = append(found, s)
			}
		}
	}
	if len(found) == 0 {
		f := c.add(defHELOMissing, fmt.Sprintf("The HELO name %s has no SPF record; receivers check the HELO identity too, and use it alone for bounces (null MAIL FROM, RFC 7208 §2.3, §2.4).", j.name),
			"Publish \"v=spf1 a -all\" at the HELO name, so only the host itself may use it.")
		f.Record = &report.Record{Name: j.name, Type: "TXT", Value: report.TXTValue("v=spf1 a -all")}
		return ""
	}
	return found[0]
}

// suggest returns the record to publish after applying fix to a copy of
// the node's record, when it parses cleanly.
func (c *checker) suggest(n *Node, fix func(*Record)) *report.Record {
	if n.Status != "ok" {
		return nil
	}
	cp := &Record{Terms: append([]Term(nil), n.rec.Terms...)}
	fix(cp)
	return &report.Record{Name: n.Domain, Type: "TXT", Value: report.TXTValue(cp.String())}
}

// setAll makes the record end with "<q>all", replacing any all mechanism.
func setAll(r *Record, q Qualifier) {
	var terms, mods []Term
	for _, t := range r.Terms {
		switch {
		case t.Modifier:
			mods = append(mods, t)
		case t.Name == MechAll:
		default:
			terms = append(terms, t)
		}
	}
	terms = append(terms, Term{Name: MechAll, Qualifier: q, ExplicitQualifier: true, Prefix4: -1, Prefix6: -1})
	r.Terms = append(terms, mods...)
}

func dropTerm(r *Record, index int) {
	out := r.Terms[:0:0]
	for _, t := range r.Terms {
		if t.Index != index {
			out = append(out, t)
		}
	}
	r.Terms = out
}

// moveBeforeAll moves mechanisms that follow "all" in front of it.
func moveBeforeAll(r *Record) {
	i := r.AllIndex()
	if i < 0 {
		return
	}
	all := r.Terms[i]
	var before, after, mods []Term
	for j, t := range r.Terms {
		switch {
		case t.Modifier:
			mods = append(mods, t)
		case j < i:
			before = append(before, t)
		case j > i:
			after = append(after, t)
		}
	}
	r.Terms = append(append(append(before, after...), all), mods...)
}

// heaviest returns the root's include and redirect branches by cost, most first.
func heaviest(root *Node) []*Node {
	out := append([]*Node(nil), root.Children...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Cost > out[j].Cost })
	return out
}

func costBreakdown(root *Node) string {
	parts := []string{}
	if root.Own > 0 {
		parts = append(parts, fmt.Sprintf("%d from a/mx/ptr/exists terms of %s itself", root.Own, root.Domain))
	}
	for _, ch := range heaviest(root) {
		parts = append(parts, fmt.Sprintf("%s %d", ch.Term, ch.Cost))
	}
	return " Cost by term: " + strings.Join(parts, ", ") + "."
}

func overLimitFix(root *Node) string {
	top := heaviest(root)
	if len(top) > 3 {
		top = top[:3]
	}
	var names []string
	for _, n := range top {
		if n.Cost > 1 {
			names = append(names, fmt.Sprintf("%s (%d terms)", n.Term, n.Cost))
		}
	}
	fix := ""
	if len(names) > 0 {
		fix = "The includes that cost most are " + strings.Join(names, ", ") + ". "
	}
	fix += "Remove includes of services you no longer send through; move a service to its own subdomain (its bounce/Return-Path domain) with a separate SPF record; replace a heavy include by the ip4:/ip6: ranges it publishes only if the provider documents them as stable"
	if root.Own > 0 {
		fix += "; replace your own a and mx terms by ip4:/ip6: addresses"
	}
	return fix + "."
}

func voidBreakdown(root *Node, v4 bool) string {
	var parts []string
	var visit func(n *Node)
	visit = func(n *Node) {
		own := n.Void6
		if v4 {
			own = n.Void4
		}
		for _, ch := range n.Children {
			if v4 {
				own -= ch.Void4
			} else {
				own -= ch.Void6
			}
		}
		if own > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", n.Domain, own))
		}
		for _, ch := range n.Children {
			visit(ch)
		}
	}
	visit(root)
	return " Void lookups by record: " + strings.Join(parts, ", ") + "."
}

func rangeSize(t Term) string {
	bits := t.Prefix().Bits()
	host := t.Addr.BitLen() - bits
	if host < 63 {
		return strconv.FormatUint(1<<host, 10)
	}
	return "2^" + strconv.Itoa(host)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func summary(root *Node, d *Data) string {
	var s string
	switch {
	case root.rec == nil && root.Status == "temperror":
		s = "could not read the SPF record: " + root.Error
	case root.rec == nil && root.Status == "multiple":
		s = "more than one SPF record: permerror"
	case root.rec == nil:
		s = "no SPF record"
	default:
		s = fmt.Sprintf("%d of 10 DNS-querying terms in the worst case; void lookups IPv4 %d, IPv6 %d of 2", d.DNSTerms, d.VoidIPv4, d.VoidIPv6)
	}
	if ev := d.Evaluation; ev != nil {
		s += fmt.Sprintf("; %s from %s: %s", ev.Sender, ev.IP, ev.Result)
		if ev.Term != "" {
			s += " (" + ev.Term + ")"
		}
	}
	return s
}

func display(root *Node, d *Data) report.Display {
	var disp report.Display
	if d.Record != "" {
		disp.Facts = append(disp.Facts, report.Fact{Label: report.Lit("record"), Value: report.Lit(d.Record)})
		disp.Facts = append(disp.Facts,
			report.Fact{Label: report.Lit("DNS-querying terms"), Value: report.Lit(fmt.Sprintf("%d of 10 (worst case)", d.DNSTerms))},
			report.Fact{Label: report.Lit("void lookups"), Value: report.Lit(fmt.Sprintf("IPv4 %d, IPv6 %d of 2 (worst case)", d.VoidIPv4, d.VoidIPv6))})
	}
	if d.HELORecord != "" {
		disp.Facts = append(disp.Facts, report.Fact{Label: report.Lit("HELO record"), Value: report.Lit(d.HELORecord)})
	}
	if ev := d.Evaluation; ev != nil {
		v := fmt.Sprintf("%s for %s from %s", ev.Result, ev.Sender, ev.IP)
		if ev.Term != "" {
			v += ", matched " + ev.Term
			if ev.TermDomain != "" && ev.TermDomain != ev.Domain {
				v += " in " + ev.TermDomain
			}
		}
		if ev.Problem != "" {
			v += " (" + ev.Problem + ")"
		}
		disp.Facts = append(disp.Facts, report.Fact{Label: report.Lit("evaluation"), Value: report.Lit(v)})
		if ev.Explanation != "" {
			disp.Facts = append(disp.Facts, report.Fact{Label: report.Lit("explanation"), Value: report.Lit(ev.Explanation)})
		}
		t := report.Table{Title: report.Lit("evaluation trace"), Columns: report.Lits("record", "term", "outcome")}
		for _, s := range ev.Trace {
			t.Rows = append(t.Rows, report.Lits(strings.Repeat("  ", s.Depth)+s.Domain, s.Term, s.Outcome))
		}
		disp.Tables = append(disp.Tables, t)
	}
	if root.rec != nil {
		disp.Trees = append(disp.Trees, displayNode(root))
	}
	return disp
}

func displayNode(n *Node) report.Node {
	label := n.Domain
	if n.Via != "root" {
		label = n.Term
		if !strings.HasSuffix(n.Term, n.Domain) && n.Status != "dynamic" {
			label += " → " + n.Domain
		}
	}
	note := fmt.Sprintf("%d %s", n.Cost, plural(n.Cost, "term", "terms"))
	if n.Void4+n.Void6 > 0 {
		note += fmt.Sprintf(", void v4 %d v6 %d", n.Void4, n.Void6)
	}
	if n.Status != "ok" {
		note += ", " + n.Status
		if n.Error != "" {
			note += ": " + n.Error
		}
	}
	out := report.Node{Label: report.Lit(label), Note: report.Lit(note)}
	for _, ch := range n.Children {
		out.Children = append(out.Children, displayNode(ch))
	}
	return out
}

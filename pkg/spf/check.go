package spf

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
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

// add records a finding (f is def.With or def.Alt) with the record that
// fixes it, when there is one.
func (c *checker) add(f report.Finding, rec *report.Record) {
	f.Record = rec
	c.findings = append(c.findings, f)
}

// tempError reports a failed lookup once: variant is "" (the TXT lookup of
// a record of the tree), "term", "helo" or "evaluation".
func (c *checker) tempError(variant string, p report.Params, err report.Msg) {
	key := fmt.Sprint(variant, p, err)
	if c.temp[key] {
		return
	}
	c.temp[key] = true
	p["error"] = err
	if variant == "" {
		c.add(defDNSTempError.With(p), nil)
		return
	}
	c.add(defDNSTempError.Alt(variant, p), nil)
}

// where names the record a finding is about: the domain, and for a record
// below the root the term that reached it.
func where(n *Node) report.Msg {
	if n.Via == "root" {
		return report.T("spf.where.root", report.Params{"domain": n.Domain})
	}
	return report.T("spf.where.reached", report.Params{"domain": n.Domain, "term": n.Term})
}

// Check validates the SPF policy of target and, when opts.IP is valid,
// evaluates it for that client. DNS trouble is a finding, never an error.
func Check(ctx context.Context, env check.Env, target dnsname.Domain, opts Options) report.Section {
	data, findings := Analyze(ctx, env, target, opts)
	sec := report.Section{Check: "spf", Title: "SPF", Target: data.Domain, Findings: findings,
		Status: report.StatusOf(findings), Data: data}
	sec.Summary = summary(data.Tree, data)
	if !env.NoDisplay {
		sec.Display = display(data.Tree, data)
	}
	return sec
}

// Analyze is Check for a program: the evidence, typed (the include tree
// with its costs, the worst-case counts, the evaluation), and the findings.
func Analyze(ctx context.Context, env check.Env, target dnsname.Domain, opts Options) (*Data, []report.Finding) {
	domain := target.String()
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

	w := &walker{r: env.Resolver, calls: map[lookupKey]resolver.Result{}}
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
		c.add(defSPFRRType.With(report.Params{"domain": domain}), nil)
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
			c.tempError("evaluation", report.Params{"ip": ev.IP}, ev.Problem)
		}
	}
	report.SortFindings(c.findings)
	if c.findings == nil {
		c.findings = []report.Finding{}
	}
	return data, c.findings
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
			c.add(defVersionMalformed.With(report.Params{"record": t, "domain": c.domain}), nil)
		case strings.HasPrefix(trimmed, "spf2.0/"):
			c.add(defSenderID.With(report.Params{"record": t, "domain": c.domain}), nil)
		}
	}
}

// walkFindings reports each node's record problems, top down.
func (c *checker) walkFindings(n *Node) {
	where := where(n)
	switch n.Status {
	case "temperror":
		c.tempError("", report.Params{"domain": n.Domain}, check.ErrMsg(n.fetchErr))
	case "none":
		p := report.Params{"domain": n.Domain, "reason": n.Error}
		switch n.Via {
		case "root":
			c.add(defRecordMissing.With(p), nil)
		case MechInclude, ModRedirect:
			p["term"], p["parent"] = n.Term, n.parent.Domain
			def := defIncludeNoRecord
			if n.Via == ModRedirect {
				def = defRedirectNoRecord
			}
			c.add(def.With(p), nil)
		}
	case "multiple":
		c.add(defRecordMultiple.With(report.Params{"where": where, "n": n.multi}), nil)
	case "loop":
		// One cycle (d → e → d) is met once per path that enters it (from
		// d and from e): report each cycle once, keyed by its domains.
		key := cycleKey(n)
		if c.loops[key] {
			break
		}
		c.loops[key] = true
		c.add(defIncludeLoop.With(report.Params{"term": n.Term, "parent": n.parent.Domain, "domain": n.Domain, "root": c.domain}), nil)
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

func (c *checker) syntax(n *Node, where report.Msg) {
	if n.Status != "syntax" {
		return
	}
	_, err := Parse(n.Record)
	se, ok := err.(*SyntaxError)
	if !ok {
		return
	}
	for _, te := range se.Errs {
		p := report.Params{"where": where, "error": TermErrorMsg(te)}
		switch {
		case gluedAll(te.Term):
			c.glued(where, te.Term)
		case te.Err == ErrDuplicateModifier:
			c.add(defModifierDuplicate.With(p), nil)
		case te.Err == ErrExpOnlyMacro:
			c.add(defMacroExpOnly.With(p), nil)
		default:
			c.add(defSyntaxInvalid.With(p), nil)
		}
	}
}

// TermErrorMsg words a syntax problem of a record: the term, where it is,
// and what is wrong with it (spf.term_error.<reason>).
func TermErrorMsg(te *TermError) report.Msg {
	return report.T("spf.term_at", report.Params{"index": te.Index, "term": te.Term, "offset": te.Pos,
		"problem": report.T("spf.term_error."+te.Reason, report.Params{"value": te.Value, "n": te.N, "max": te.Max})})
}

func (c *checker) glued(where report.Msg, term string) {
	c.add(defGluedAll.With(report.Params{"where": where, "term": term}), nil)
}

// lint reports on one parsed record.
func (c *checker) lint(n *Node, where report.Msg) {
	rec := n.rec
	mechs, _ := n.evaluated()
	allIdx := rec.AllIndex()
	seen := map[string]bool{}
	after := []string{}
	for i, t := range rec.Terms {
		if t.Name != MechAll && t.mayEndInAll() && gluedAll(t.String()) {
			c.glued(where, t.String())
		}
		if !t.Modifier && allIdx >= 0 && i > allIdx {
			after = append(after, t.String())
		}
		if t.usesLetter('p') {
			c.add(defMacroPUsed.With(report.Params{"where": where, "term": t.String()}), nil)
		}
	}
	for _, t := range mechs {
		switch t.Name {
		case MechInclude:
			if target, ok := staticTarget(t, n.Domain); ok {
				if seen[target] {
					c.add(defIncludeDuplicate.With(report.Params{"where": where, "target": target, "term": "include:" + t.Value}), nil)
				}
				seen[target] = true
			}
		case MechPTR:
			c.add(defPTRUsed.With(report.Params{"where": where, "term": t.String()}), nil)
		case MechIP4, MechIP6:
			if t.Qualifier != QualifierPass || !n.passPath {
				continue
			}
			bits := t.Prefix().Bits()
			switch {
			case bits == 0:
				c.add(defAllPass.Alt("range", report.Params{"where": where, "term": t.String(), "domain": c.domain}),
					c.suggest(n, func(r *Record) { dropTerm(r, t.Index) }))
			case t.Name == MechIP4 && bits < 16, t.Name == MechIP6 && bits < 32:
				c.add(defIPBroad.With(report.Params{"where": where, "term": t.String(), "size": rangeSize(t)}), nil)
			}
		case MechAll:
			if t.Qualifier == QualifierPass && n.passPath {
				c.add(defAllPass.With(report.Params{"where": where, "term": t.String(), "domain": c.domain}),
					c.suggest(n, func(r *Record) { setAll(r, QualifierSoftFail) }))
			}
			if n.policy {
				switch t.Qualifier {
				case QualifierNeutral:
					c.add(defAllNeutral.With(report.Params{"where": where}), c.suggest(n, func(r *Record) { setAll(r, QualifierSoftFail) }))
				case QualifierSoftFail:
					c.add(defAllSoftfail.With(report.Params{"where": where}), nil)
				}
			}
		}
	}
	if len(after) > 0 {
		c.add(defTermsAfterAll.With(report.Params{"where": where, "terms": strings.Join(after, " "), "count": len(after)}),
			c.suggest(n, func(r *Record) { moveBeforeAll(r) }))
	}
	if rd, ok := rec.Modifier(ModRedirect); ok && allIdx >= 0 {
		c.add(defRedirectIgnored.With(report.Params{"where": where, "term": rd.String()}), nil)
	}
	if n.policy && allIdx < 0 {
		if _, ok := rec.Modifier(ModRedirect); !ok {
			c.add(defAllMissing.With(report.Params{"where": where}), c.suggest(n, func(r *Record) { setAll(r, QualifierSoftFail) }))
		}
	}
	if n.TXTSize >= 450 {
		p := report.Params{"domain": n.Domain, "size": n.TXTSize, "wire": n.WireSize}
		if n.WireSize > 512 {
			c.add(defSizeUDP.Alt("wire", p), nil)
		} else {
			c.add(defSizeUDP.With(p), nil)
		}
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
			c.tempError("term", report.Params{"type": resolver.TypeString(j.qtype), "name": j.name, "term": j.term.String(), "domain": where}, check.ErrMsg(j.err))
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
					c.add(defAOrMXEmpty.With(report.Params{"domain": where, "term": j.term.String(), "name": j.name}), nil)
				}
			}
		case MechMX:
			if void {
				void4[j.node]++
				void6[j.node]++
				c.add(defAOrMXEmpty.Alt("mx", report.Params{"domain": where, "term": j.term.String(), "name": j.name}), nil)
				continue
			}
			names := 0
			for _, rr := range j.ans.RRs {
				if _, ok := rr.(*dns.MX); ok {
					names++
				}
			}
			if names > MaxMXNames {
				c.add(defMXTooMany.With(report.Params{"domain": where, "term": j.term.String(), "n": names}), nil)
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
				c.add(defExpUnresolvable.With(report.Params{"domain": where, "term": j.term.String(), "name": j.name, "count": n}), nil)
			}
		}
	}
	return void4, void6
}

// limits reports the worst-case term and void counts of the whole tree.
func (c *checker) limits(root *Node) {
	p := report.Params{"domain": c.domain, "n": root.Cost, "costs": costBreakdown(root), "heavy": heaviestCosts(root), "own": root.Own > 0}
	switch {
	case root.Cost > MaxDNSTerms:
		c.add(defLookupsExceeded.With(p), nil)
	case root.Cost >= MaxDNSTerms-1:
		c.add(defLookupsNearLimit.With(p), nil)
	}
	for _, fam := range []struct {
		name string
		n    int
	}{{"IPv4", root.Void4}, {"IPv6", root.Void6}} {
		if fam.n > MaxVoid {
			c.add(defVoidExceeded.With(report.Params{"family": fam.name, "n": fam.n, "domain": c.domain, "voids": voidBreakdown(root, fam.name == "IPv4")}), nil)
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
	c.add(defParkedNotStrict.With(report.Params{"domain": c.domain, "record": root.Record}),
		&report.Record{Name: c.domain, Type: "TXT", Value: report.TXTValue("v=spf1 -all")})
}

// helo reports a HELO name without SPF and returns its record.
func (c *checker) helo(j *termJob) string {
	if lookupFailed(j.err) {
		c.tempError("helo", report.Params{"name": j.name}, check.ErrMsg(j.err))
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
		c.add(defHELOMissing.With(report.Params{"name": j.name}),
			&report.Record{Name: j.name, Type: "TXT", Value: report.TXTValue("v=spf1 a -all")})
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
	slices.SortStableFunc(out, func(a, b *Node) int { return cmp.Compare(b.Cost, a.Cost) })
	return out
}

// costBreakdown lists what each part of the tree costs: the root's own
// a/mx/ptr/exists terms, then each include or redirect branch, most first.
func costBreakdown(root *Node) []report.Msg {
	var parts []report.Msg
	if root.Own > 0 {
		parts = append(parts, report.T("spf.cost.own", report.Params{"n": root.Own, "domain": root.Domain}))
	}
	for _, ch := range heaviest(root) {
		parts = append(parts, report.Lit(fmt.Sprintf("%s %d", ch.Term, ch.Cost)))
	}
	return parts
}

// heaviestCosts names the (at most three) branches that cost most.
func heaviestCosts(root *Node) []report.Msg {
	top := heaviest(root)
	if len(top) > 3 {
		top = top[:3]
	}
	var names []report.Msg
	for _, n := range top {
		if n.Cost > 1 {
			names = append(names, report.T("spf.cost.term", report.Params{"term": n.Term, "n": n.Cost}))
		}
	}
	return names
}

func voidBreakdown(root *Node, v4 bool) []string {
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
	return parts
}

func rangeSize(t Term) string {
	bits := t.Prefix().Bits()
	host := t.Addr.BitLen() - bits
	if host < 63 {
		return strconv.FormatUint(1<<host, 10)
	}
	return "2^" + strconv.Itoa(host)
}

func summary(root *Node, d *Data) report.Msg {
	p := report.Params{}
	if ev := d.Evaluation; ev != nil {
		p["evaluation"] = report.T("spf.summary.evaluation", report.Params{"sender": ev.Sender, "ip": ev.IP, "result": string(ev.Result), "term": ev.Term})
	}
	switch {
	case root.rec == nil && root.Status == "temperror":
		p["error"] = root.Error
		return report.T("spf.summary.failed", p)
	case root.rec == nil && root.Status == "multiple":
		return report.T("spf.summary.multiple", p)
	case root.rec == nil:
		return report.T("spf.summary.none", p)
	}
	p["terms"], p["void4"], p["void6"] = d.DNSTerms, d.VoidIPv4, d.VoidIPv6
	return report.T("spf.summary.counts", p)
}

func display(root *Node, d *Data) report.Display {
	var disp report.Display
	fact := func(label string, v report.Msg) {
		disp.Facts = append(disp.Facts, report.Fact{Label: report.T("spf.label."+label, nil), Value: v})
	}
	if d.Record != "" {
		fact("record", report.Lit(d.Record))
		fact("dns_terms", report.T("spf.value.dns_terms", report.Params{"n": d.DNSTerms}))
		fact("void", report.T("spf.value.void", report.Params{"void4": d.VoidIPv4, "void6": d.VoidIPv6}))
	}
	if d.HELORecord != "" {
		fact("helo_record", report.Lit(d.HELORecord))
	}
	if ev := d.Evaluation; ev != nil {
		p := report.Params{"result": string(ev.Result), "sender": ev.Sender, "ip": ev.IP, "term": ev.Term, "problem": ev.Problem}
		if ev.TermDomain != "" && ev.TermDomain != ev.Domain {
			p["in"] = ev.TermDomain
		}
		fact("evaluation", report.T("spf.value.evaluation", p))
		if ev.Explanation != "" {
			fact("explanation", report.Lit(ev.Explanation))
		}
		t := report.Table{Title: report.T("spf.table.trace", nil),
			Columns: []report.Msg{report.T("spf.col.record", nil), report.T("spf.col.term", nil), report.T("spf.col.outcome", nil)}}
		for _, s := range ev.Trace {
			t.Rows = append(t.Rows, []report.Msg{report.Lit(strings.Repeat("  ", s.Depth) + s.Domain), report.Lit(s.Term), s.Outcome})
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
	p := report.Params{"count": n.Cost}
	if n.Void4+n.Void6 > 0 {
		p["void"], p["void4"], p["void6"] = true, n.Void4, n.Void6
	}
	if n.Status != "ok" {
		p["status"] = report.T("spf.status."+n.Status, nil)
		if n.Error.Key != "" || n.Error.Text != "" {
			p["error"] = n.Error
		}
	}
	out := report.Node{Label: report.Lit(label), Note: report.T("spf.note", p)}
	for _, ch := range n.Children {
		out.Children = append(out.Children, displayNode(ch))
	}
	return out
}

package spf

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// Bounds of the static walk. Any chain deeper than the term limit already
// exceeds it, so nothing useful is lost past maxTreeDepth.
const (
	maxTreeDepth = MaxDNSTerms + 1
	maxTreeNodes = 200
	walkParallel = 8 // lookups in flight at once, for a resolver that cannot batch
)

// Node is one record of the include/redirect tree, with what evaluating it
// costs in the worst case (a sender that matches nothing before "all").
type Node struct {
	Domain string `json:"domain"`
	// Via is how the parent reached it: "root", "include" or "redirect";
	// Term is the parent's term as written.
	Via  string `json:"via"`
	Term string `json:"term,omitempty"`
	// Status: "ok", "none" (no SPF record), "multiple", "syntax",
	// "temperror", "loop", "dynamic" (target depends on the sender, not
	// resolved), "truncated" (walk bound reached).
	Status string `json:"status"`
	// Error says why the status is not "ok", in words (JSON: a string in
	// the report's language).
	Error  report.Msg `json:"error,omitzero"`
	Record string     `json:"record,omitempty"`
	// Own counts the record's own a, mx, ptr and exists terms that are
	// evaluated (before "all"); Cost is what the branch adds to the
	// DNS-querying term count, the include or redirect term itself included
	// (for the root: the whole tree).
	Own  int `json:"own_terms"`
	Cost int `json:"cost"`
	// Void4 and Void6 count the branch's void lookups for an IPv4 and an
	// IPv6 client (RFC 7208 §4.6.4).
	Void4 int `json:"void_ipv4"`
	Void6 int `json:"void_ipv6"`
	// Dynamic lists terms whose target depends on the sender or client;
	// they are counted but not resolved.
	Dynamic []string `json:"dynamic,omitempty"`
	// TXTSize is the DNS name plus the text of every TXT record at it, the
	// §3.4 guideline figure; WireSize is the DNS answer in octets.
	TXTSize  int     `json:"txt_size,omitempty"`
	WireSize int     `json:"wire_size,omitempty"`
	Children []*Node `json:"children,omitempty"`

	depth    int
	parent   *Node
	policy   bool // root or reached from it by redirects: its "all" is the policy
	passPath bool // every include on the way has a pass qualifier
	rec      *Record
	txts     []string
	fetchErr error
	multi    int

	// evaluated(rec), made once: the walk and the lint both read it.
	mechs    []Term
	redirect *Term
	evalDone bool
}

// evaluated is evaluated(n.rec), remembered (the walk, then the lint, on
// one goroutine).
func (n *Node) evaluated() ([]Term, *Term) {
	if !n.evalDone {
		n.mechs, n.redirect = evaluated(n.rec)
		n.evalDone = true
	}
	return n.mechs, n.redirect
}

// ancestors reports whether domain is n or one of its ancestors.
func (n *Node) hasAncestor(domain string) bool {
	for p := n; p != nil; p = p.parent {
		if p.Domain == domain {
			return true
		}
	}
	return false
}

// walker resolves the tree, one round trip per level: the TXT records of a
// level are fetched together with the a/mx/exists lookups of the level
// above, in one batch. Every (name, type) is asked once.
type walker struct {
	r     resolver.Resolver
	calls map[lookupKey]resolver.Result
	nodes int
}

type lookupKey struct {
	name  string
	qtype uint16
}

// termJob is one lookup for a term of a parsed record.
type termJob struct {
	node  *Node
	term  Term
	name  string
	qtype uint16
	ans   resolver.Answer
	err   error
}

// walk resolves the tree below root and returns the term lookups it made.
// extra jobs (the root's SPF RR type and MX lookups) run in the first round.
func (w *walker) walk(ctx context.Context, root *Node, extra []*termJob) []*termJob {
	var done []*termJob
	fetch := []*Node{root}
	jobs := extra
	for len(fetch) > 0 || len(jobs) > 0 {
		keys := make([]lookupKey, 0, len(fetch)+len(jobs))
		names := make([]string, 0, cap(keys)) // keys[i] as written
		for _, n := range fetch {
			keys = append(keys, lookupKey{strings.ToLower(n.Domain), dns.TypeTXT})
			names = append(names, n.Domain)
		}
		for _, j := range jobs {
			keys = append(keys, lookupKey{strings.ToLower(j.name), j.qtype})
			names = append(names, j.name)
		}
		w.ask(ctx, keys, names)
		for i, n := range fetch {
			res := w.calls[keys[i]]
			w.fetch(n, res.Answer, res.Err)
		}
		for i, j := range jobs {
			res := w.calls[keys[len(fetch)+i]]
			j.ans, j.err = res.Answer, res.Err
		}
		done = append(done, jobs...)
		jobs = nil
		var next []*Node
		for _, n := range fetch {
			children, nj := w.expand(n)
			if next == nil {
				next = children // expand's own slices: no copy for the first
			} else {
				next = append(next, children...)
			}
			if jobs == nil {
				jobs = nj
			} else {
				jobs = append(jobs, nj...)
			}
		}
		fetch = next
	}
	return done
}

// ask looks up, in one batch, the keys not asked before (names[i] is
// keys[i] as written), and records the results.
func (w *walker) ask(ctx context.Context, keys []lookupKey, names []string) {
	var qs []resolver.Question
	var asked []lookupKey
	for i, k := range keys {
		if _, ok := w.calls[k]; ok || slices.Contains(asked, k) {
			continue
		}
		if qs == nil { // room for all at once, not grown key by key
			qs, asked = make([]resolver.Question, 0, len(keys)-i), make([]lookupKey, 0, len(keys)-i)
		}
		qs = append(qs, resolver.Question{Name: presentName(names[i]), Type: k.qtype})
		asked = append(asked, k)
	}
	if len(qs) == 0 {
		return
	}
	for i, res := range resolver.Batch(ctx, w.r, qs, walkParallel) {
		w.calls[asked[i]] = res
	}
}

// fetch reads the node's TXT RRset and selects the SPF record (§4.4, §4.5).
func (w *walker) fetch(n *Node, ans resolver.Answer, err error) {
	if err != nil {
		n.fetchErr = err
		n.Status, n.Error = "temperror", check.ErrMsg(err)
		if resolver.KindOf(err) == resolver.KindName {
			n.Status = "none"
		}
		return
	}
	n.WireSize = ans.Size
	n.TXTSize = len(n.Domain)
	var spf []string
	for _, rr := range ans.RRs {
		t, ok := rr.(*dns.TXT)
		if !ok {
			continue
		}
		text := txtText(resolver.TXTOf(t.Txt))
		n.txts = append(n.txts, text)
		n.TXTSize += len(text)
		if IsSPF(text) {
			spf = append(spf, text)
		}
	}
	switch len(spf) {
	case 0:
		n.Status = "none"
		if ans.Outcome == resolver.NXDomain {
			n.Error = report.T("spf.node.nxdomain", nil)
		} else {
			n.Error = report.T("spf.node.no_record", nil)
		}
	case 1:
		n.Record = spf[0]
		rec, err := Parse(spf[0])
		n.rec = rec
		n.Status = "ok"
		if err != nil {
			n.Status, n.Error = "syntax", syntaxMsg(err)
		}
	default:
		n.Status, n.multi = "multiple", len(spf)
		n.Error = report.T("spf.node.multiple", nil)
	}
}

// syntaxMsg words Parse's error: its first term error, and how many more.
func syntaxMsg(err error) report.Msg {
	var se *SyntaxError
	if !errors.As(err, &se) || len(se.Errs) == 0 {
		return report.T("spf.node.syntax", nil)
	}
	if len(se.Errs) == 1 {
		return TermErrorMsg(se.Errs[0])
	}
	return report.T("spf.node.syntax_more", report.Params{"error": TermErrorMsg(se.Errs[0]), "count": len(se.Errs) - 1})
}

// staticTarget expands a term's domain-spec when it uses no macro but
// %{d}; ok is false for a term that depends on the sender or client.
func staticTarget(t Term, domain string) (string, bool) {
	if t.spec == nil {
		return domain, true
	}
	if t.Dynamic() {
		return "", false
	}
	env := macroEnv{domain: domain}
	s, err := env.expand(t.spec, false)
	if err != nil {
		return "", false
	}
	return strings.ToLower(truncateName(s)), true
}

// evaluated returns the terms evaluation can reach: every mechanism before
// the first "all" (§5.1), and the redirect when there is no "all" (§6.1).
func evaluated(rec *Record) (mechs []Term, redirect *Term) {
	for _, t := range rec.Terms {
		if t.Modifier {
			continue
		}
		if mechs == nil {
			mechs = make([]Term, 0, len(rec.Terms)) // at most all of them, once
		}
		mechs = append(mechs, t)
		if t.Name == MechAll {
			return mechs, nil
		}
	}
	if rd, ok := rec.Modifier(ModRedirect); ok {
		return mechs, &rd
	}
	return mechs, nil
}

// expand makes the children of a fetched node and the lookups of its terms.
func (w *walker) expand(n *Node) ([]*Node, []*termJob) {
	if n.rec == nil {
		return nil, nil
	}
	mechs, redirect := n.evaluated()
	var children []*Node
	var jobs []*termJob
	child := func(t Term, via string) {
		target, ok := staticTarget(t, n.Domain)
		c := &Node{Domain: target, Via: via, Term: t.String(), depth: n.depth + 1, parent: n,
			policy:   n.policy && via == ModRedirect,
			passPath: n.passPath && (via == ModRedirect || t.Qualifier == QualifierPass)}
		n.Children = append(n.Children, c)
		switch {
		case !ok:
			c.Status, c.Domain = "dynamic", t.Value
			n.Dynamic = append(n.Dynamic, t.String())
		case !validDomain(target):
			c.Status, c.Error = "none", report.T("spf.node.invalid_name", nil)
		case n.hasAncestor(target):
			c.Status, c.Error = "loop", report.T("spf.node.loop", report.Params{"domain": target})
		case c.depth > maxTreeDepth || w.nodes >= maxTreeNodes:
			c.Status, c.Error = "truncated", report.T("spf.node.truncated", nil)
		default:
			w.nodes++
			children = append(children, c)
		}
	}
	for _, t := range mechs {
		switch t.Name {
		case MechInclude:
			child(t, MechInclude)
		case MechA, MechMX, MechExists:
			n.Own++
			target, ok := staticTarget(t, n.Domain)
			if !ok {
				n.Dynamic = append(n.Dynamic, t.String())
				continue
			}
			if !validDomain(target) {
				continue
			}
			switch t.Name {
			case MechA:
				jobs = append(jobs, &termJob{node: n, term: t, name: target, qtype: dns.TypeA},
					&termJob{node: n, term: t, name: target, qtype: dns.TypeAAAA})
			case MechMX:
				jobs = append(jobs, &termJob{node: n, term: t, name: target, qtype: dns.TypeMX})
			case MechExists:
				jobs = append(jobs, &termJob{node: n, term: t, name: target, qtype: dns.TypeA})
			}
		case MechPTR:
			n.Own++
			n.Dynamic = append(n.Dynamic, t.String())
		}
	}
	if redirect != nil {
		child(*redirect, ModRedirect)
	}
	if n.policy {
		if exp, ok := n.rec.Modifier(ModExp); ok {
			if target, ok := staticTarget(exp, n.Domain); ok && validDomain(target) {
				jobs = append(jobs, &termJob{node: n, term: exp, name: target, qtype: dns.TypeTXT})
			}
		}
	}
	return children, jobs
}

// tally fills Cost, Void4 and Void6 bottom-up. Void counts come from the
// term lookups: an a term is void for the family whose address query found
// nothing; mx and exists are void for both families.
func tally(n *Node, void4, void6 map[*Node]int) {
	cost := n.Own
	v4, v6 := void4[n], void6[n]
	for _, c := range n.Children {
		tally(c, void4, void6)
		cost += c.Cost
		v4 += c.Void4
		v6 += c.Void6
	}
	if n.Via != "root" {
		cost++ // the include or redirect term itself
	}
	n.Cost, n.Void4, n.Void6 = cost, v4, v6
}

// gluedAll matches a term that ends in a qualified "all" stuck to another
// term by a missing space, the usual result of splitting a TXT record into
// strings without a trailing space (RFC 7208 §3.3).
//
// It is the regular expression (?i)^.+[-+~?]all$ written out: a regexp
// run per term of every record grew the workers' stacks (1.3 % of a bulk
// run's CPU under pprof). "all" has no other case folding than ASCII's,
// and "." is any character but a newline.
func gluedAll(s string) bool {
	n := len(s)
	if n < 5 || !strings.EqualFold(s[n-3:], "all") || !strings.ContainsRune("-+~?", rune(s[n-4])) {
		return false
	}
	return !strings.Contains(s[:n-4], "\n")
}

// mayEndInAll is false for a term whose text cannot end in "all" (a CIDR
// suffix, or a value or name that does not), so that lint makes the text
// only for the few that can.
func (t Term) mayEndInAll() bool {
	if t.Prefix4 >= 0 || t.Prefix6 >= 0 {
		return false
	}
	last := t.Name
	if t.Value != "" {
		last = t.Value
	}
	return len(last) >= 3 && strings.EqualFold(last[len(last)-3:], "all")
}

// lookupFailed reports a lookup error that means "unknown" (not a bad name).
func lookupFailed(err error) bool {
	return err != nil && resolver.KindOf(err) != resolver.KindName
}

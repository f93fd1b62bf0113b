package dnsbl

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/mailcheck/mailcheck/internal/workers"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/mailcheck/mailcheck/pkg/spf"
	"github.com/miekg/dns"
)

// Roles say why an address or domain is checked. A listing matters most on
// an address that sends mail directly to other domains' MX servers (receivers
// judge the connecting address: https://support.google.com/a/answer/81126).
const (
	RoleGiven  = "given"  // named by the user
	RoleDomain = "domain" // the registrable domain, on domain lists
	RoleMX     = "mx"     // an address of one of the domain's MX hosts
	RoleSPF    = "spf"    // a sending address the domain's SPF record names directly
)

// Target is one address or domain to look up.
type Target struct {
	// Addr is the address; zero for a domain target.
	Addr netip.Addr `json:"-"`
	// Domain is the domain for domain lists; empty for an address.
	Domain string `json:"-"`
	// Roles are the reasons the target is checked ("mx", "spf", ...), and Via
	// the names that led to it ("MX mx1.shop.example", "SPF ip4").
	Roles []string `json:"roles"`
	Via   []string `json:"via,omitempty"`
}

// Kind is the query kind of the target.
func (t Target) Kind() Kind {
	if t.Domain != "" {
		return KindDomain
	}
	return KindOf(t.Addr)
}

// String is the target as shown: the address or the domain.
func (t Target) String() string {
	if t.Domain != "" {
		return t.Domain
	}
	return t.Addr.String()
}

// Given reports whether the user named the target.
func (t Target) Given() bool { return t.has(RoleGiven) }

// Sends reports whether the target is known to send mail directly (an SPF
// host), so that a policy listing is a delivery problem.
func (t Target) Sends() bool { return t.has(RoleSPF) }

func (t Target) has(role string) bool {
	for _, r := range t.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Label describes the roles for the table: "MX mx1.shop.example, SPF ip4"
// (the names that led to the target, data), "registrable domain of
// www.shop.example", or the roles worded ("given").
func (t Target) Label() report.Msg {
	if t.has(RoleDomain) && len(t.Via) > 0 {
		return report.T("dnsbl.role.domain_of", report.Params{"domain": t.Via[0]})
	}
	if len(t.Via) > 0 {
		return report.Lit(strings.Join(t.Via, ", "))
	}
	roles := make([]report.Msg, len(t.Roles))
	for i, r := range t.Roles {
		roles[i] = roleKeys.T(r, nil)
	}
	return report.T("list", report.Params{"items": roles})
}

// AddressTarget is an address the user named. An IPv4-mapped IPv6 address is
// taken as the IPv4 address it maps (mail never arrives from ::ffff:a.b.c.d);
// ask for the 16-byte form with a Target literal.
func AddressTarget(a netip.Addr) Target {
	return Target{Addr: a.Unmap().WithZone(""), Roles: []string{RoleGiven}}
}

// DomainTarget is a domain to check on domain lists, as named by the user.
func DomainTarget(d dnsname.Domain) Target {
	return Target{Domain: d.String(), Roles: []string{RoleGiven}}
}

// Skipped is an address found in DNS that was not queried.
type Skipped struct {
	Address string     `json:"address"`
	Via     string     `json:"via"`
	Reason  report.Msg `json:"reason"`
}

// Limits on what one domain's gathering may do.
const (
	maxMXHosts     = 10 // RFC 7208 §4.6.4 uses the same bound for MX names
	maxAddrsPerKey = 10
	maxSPFTerms    = 10
	maxTargets     = 64
)

// Gathered is what Gather found for a domain.
type Gathered struct {
	Targets []Target
	Skipped []Skipped
	// Notes say what was found or not (no MX, an SPF range not queried).
	Notes []report.Msg
	// Failures are lookups that got no answer: the target list may be incomplete.
	Failures []report.Msg
}

// Gather finds what to check for a domain: the registrable domain (for
// domain lists, which expect base domains: RFC 5782 §3; SURBL and URIBL query the registrable domain), the addresses of
// its MX hosts, and the sending addresses its SPF record names directly
// (ip4/ip6 hosts, a, mx; include and redirect are not followed: those
// addresses belong to the provider, not to the domain). Addresses found in DNS
// that are private, loopback or reserved are skipped with a note, unless
// includeReserved is set.
func Gather(ctx context.Context, env check.Env, domain dnsname.Domain, includeReserved bool) Gathered {
	g := &gatherer{env: env, includeReserved: includeReserved, index: map[netip.Addr]int{}}
	org := dnsname.OrganizationalPSL(domain)
	dt := Target{Domain: org.String(), Roles: []string{RoleDomain}}
	if !org.Equal(domain) {
		dt.Via = []string{domain.String()} // the registrable domain of the name checked
	}
	g.out.Targets = append(g.out.Targets, dt)

	var wg workers.Group
	wg.Go(func() { g.mx(ctx, domain) })
	g.spfHosts(ctx, domain)
	wg.Wait()

	// Deterministic order whatever order the lookups finished in: the
	// domain, then addresses IPv4 first, ascending; roles and sources sorted.
	for i := range g.out.Targets {
		t := &g.out.Targets[i]
		if len(t.Roles) > 1 { // most have one: no sort, no closure to allocate
			sort.Slice(t.Roles, func(a, b int) bool { return roleRank(t.Roles[a]) < roleRank(t.Roles[b]) })
		}
		sort.Strings(t.Via)
	}
	addrs := g.out.Targets[1:]
	slices.SortStableFunc(addrs, func(a, b Target) int { return a.Addr.Compare(b.Addr) })
	if len(g.out.Skipped) > 1 {
		sort.Slice(g.out.Skipped, func(i, j int) bool {
			return netip.MustParseAddr(g.out.Skipped[i].Address).Less(netip.MustParseAddr(g.out.Skipped[j].Address))
		})
	}
	sortMsgs(g.out.Notes)
	sortMsgs(g.out.Failures)
	return g.out
}

// AddGiven adds addresses the user named (the domain's sending addresses,
// --ip): they are always queried, even when private or reserved, and an
// address already found in DNS gains the "given" role.
func (g *Gathered) AddGiven(addrs []netip.Addr) {
	for _, a := range addrs {
		a = a.Unmap().WithZone("")
		merged := false
		for i := range g.Targets {
			if g.Targets[i].Addr == a {
				if !g.Targets[i].has(RoleGiven) {
					g.Targets[i].Roles = append([]string{RoleGiven}, g.Targets[i].Roles...)
				}
				merged = true
			}
		}
		if !merged {
			g.Targets = append(g.Targets, AddressTarget(a))
		}
	}
}

func roleRank(r string) int {
	switch r {
	case RoleGiven:
		return 0
	case RoleDomain:
		return 1
	case RoleMX:
		return 2
	case RoleSPF:
		return 3
	}
	return 4
}

type gatherer struct {
	env             check.Env
	includeReserved bool

	mu    sync.Mutex
	out   Gathered
	index map[netip.Addr]int
}

// note records a fact about the gathering: catalog key dnsbl.note.<key>.
func (g *gatherer) note(key string, p report.Params) {
	g.mu.Lock()
	g.out.Notes = append(g.out.Notes, noteKeys.T(key, p))
	g.mu.Unlock()
}

// fail records a lookup that got no answer: the question and why.
func (g *gatherer) fail(qtype, name string, err error) {
	g.mu.Lock()
	g.out.Failures = append(g.out.Failures, report.T("dnsbl.fail.lookup", report.Params{"type": qtype, "name": name, "error": lookupError(err)}))
	g.mu.Unlock()
}

// sortMsgs orders messages by key and parameters, so that the notes of a
// run come out the same whatever order the lookups finished in.
func sortMsgs(ms []report.Msg) {
	if len(ms) < 2 {
		return // nothing to order (most runs), and msgKey formats the parameters
	}
	sort.SliceStable(ms, func(i, j int) bool { return msgKey(ms[i]) < msgKey(ms[j]) })
}

// msgKey is a message as a comparable string (fmt prints maps sorted).
func msgKey(m report.Msg) string { return m.Key + "\x00" + m.Text + "\x00" + fmt.Sprint(m.Params) }

// add records an address with its role, merging duplicates.
func (g *gatherer) add(a netip.Addr, role, via string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if why, ok := Reserved(a); ok && !g.includeReserved {
		g.skip(a, via, why)
		return
	}
	if i, ok := g.index[a]; ok {
		t := &g.out.Targets[i]
		if !t.has(role) {
			t.Roles = append(t.Roles, role)
		}
		if !slices.Contains(t.Via, via) {
			t.Via = append(t.Via, via)
		}
		return
	}
	if len(g.index) >= maxTargets {
		g.skip(a, via, report.T("dnsbl.skip.too_many", report.Params{"max": maxTargets}))
		return
	}
	g.index[a] = len(g.out.Targets)
	g.out.Targets = append(g.out.Targets, Target{Addr: a, Roles: []string{role}, Via: []string{via}})
}

// skip records an address not queried, once per address. Called with g.mu held.
func (g *gatherer) skip(a netip.Addr, via string, why report.Msg) {
	for i := range g.out.Skipped {
		s := &g.out.Skipped[i]
		if s.Address == a.String() {
			if !slices.Contains(strings.Split(s.Via, ", "), via) {
				vias := append(strings.Split(s.Via, ", "), via)
				sort.Strings(vias)
				s.Via = strings.Join(vias, ", ")
			}
			return
		}
	}
	g.out.Skipped = append(g.out.Skipped, Skipped{Address: a.String(), Via: via, Reason: why})
}

// hostAddrs adds the A and AAAA addresses of hosts, each with its via,
// asked in one batch (one round trip, no goroutine per question).
func (g *gatherer) hostAddrs(ctx context.Context, hosts []string, role string, vias []string) {
	qtypes := [2]uint16{dns.TypeA, dns.TypeAAAA}
	qs := make([]resolver.Question, 0, 2*len(hosts))
	for _, h := range hosts {
		for _, qt := range qtypes {
			qs = append(qs, resolver.Question{Name: h, Type: qt})
		}
	}
	if len(qs) == 0 {
		return
	}
	got := resolver.LookupBatch(ctx, g.env.Resolver, qs, 0)
	for i, res := range got {
		host, qt, via := hosts[i/2], qtypes[i%2], vias[i/2]
		if res.Err != nil {
			g.fail(resolver.TypeString(qt), strings.TrimSuffix(host, "."), res.Err)
			continue
		}
		addrs := resolver.AddrRecords(res.Answer)
		if len(addrs) > maxAddrsPerKey {
			g.note("addrs_limit", report.Params{"type": resolver.TypeString(qt), "host": strings.TrimSuffix(host, "."), "count": len(addrs), "max": maxAddrsPerKey})
			addrs = addrs[:maxAddrsPerKey]
		}
		for _, a := range addrs {
			g.add(a, role, via)
		}
	}
}

// mxHosts returns the MX hosts of a name in preference order.
func (g *gatherer) mxHosts(ctx context.Context, name string) ([]string, error) {
	mxs, _, err := resolver.LookupMX(ctx, g.env.Resolver, name)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(mxs, func(a, b resolver.MX) int { return cmp.Compare(a.Preference, b.Preference) })
	var hosts []string
	for _, m := range mxs {
		// RFC 7505: a null MX ("." ) says the domain accepts no mail.
		if m.Host == "." || m.Host == "" || slices.Contains(hosts, m.Host) {
			continue
		}
		if hosts == nil {
			hosts = make([]string, 0, len(mxs)) // not grown host by host
		}
		hosts = append(hosts, m.Host)
	}
	return hosts, nil
}

func (g *gatherer) mx(ctx context.Context, domain dnsname.Domain) {
	hosts, err := g.mxHosts(ctx, domain.FQDN())
	if err != nil {
		g.fail("MX", domain.String(), err)
		return
	}
	if len(hosts) == 0 {
		g.note("no_mx", report.Params{"domain": domain.String()})
		return
	}
	if len(hosts) > maxMXHosts {
		g.note("mx_limit", report.Params{"domain": domain.String(), "count": len(hosts), "max": maxMXHosts})
		hosts = hosts[:maxMXHosts]
	}
	vias := make([]string, len(hosts))
	for i, h := range hosts {
		vias[i] = "MX " + strings.TrimSuffix(h, ".")
	}
	g.hostAddrs(ctx, hosts, RoleMX, vias)
}

// spfHosts reads the domain's SPF record and adds the hosts it names directly.
func (g *gatherer) spfHosts(ctx context.Context, domain dnsname.Domain) {
	txts, _, err := resolver.LookupTXT(ctx, g.env.Resolver, domain.FQDN())
	if err != nil {
		g.fail("TXT", domain.String(), err)
		return
	}
	var records []string
	for _, t := range txts {
		// RFC 7208 §4.5: "v=spf1" then a space or the end; §3.3: strings
		// join without spaces.
		if s := t.Text(); spf.IsSPF(s) {
			records = append(records, s)
		}
	}
	switch len(records) {
	case 0:
		g.note("no_spf", report.Params{"domain": domain.String()})
		return
	case 1:
	default:
		// RFC 7208 §3.2: more than one record is a permerror; the spf check reports it.
		g.note("spf_multiple", report.Params{"domain": domain.String(), "count": len(records)})
		return
	}
	terms := spfHostTerms(records[0], domain.String())
	if len(terms) > maxSPFTerms {
		g.note("spf_limit", report.Params{"domain": domain.String(), "count": len(terms), "max": maxSPFTerms})
		terms = terms[:maxSPFTerms]
	}
	// The a terms' hosts in one batch, on this goroutine; each mx term
	// (an MX question, then its hosts' addresses) beside it.
	var wg workers.Group
	var aHosts, aVias []string
	for _, t := range terms {
		switch {
		case t.addr.IsValid():
			g.add(t.addr, RoleSPF, "SPF "+t.text)
		case t.note != "":
			g.note(t.note, report.Params{"domain": domain.String(), "term": t.text})
		case t.mech == "a":
			aHosts, aVias = append(aHosts, t.host+"."), append(aVias, "SPF "+t.text)
		case t.mech == "mx":
			wg.Go(func() {
				hosts, err := g.mxHosts(ctx, t.host+".")
				if err != nil {
					g.mu.Lock()
					g.out.Failures = append(g.out.Failures, report.T("dnsbl.fail.spf_mx", report.Params{"host": t.host, "term": t.text, "error": lookupError(err)}))
					g.mu.Unlock()
					return
				}
				if len(hosts) > maxMXHosts {
					hosts = hosts[:maxMXHosts]
				}
				vias := make([]string, len(hosts))
				for i := range vias {
					vias[i] = "SPF " + t.text
				}
				g.hostAddrs(ctx, hosts, RoleSPF, vias)
			})
		}
	}
	if len(aHosts) > 0 {
		g.hostAddrs(ctx, aHosts, RoleSPF, aVias)
	}
	wg.Wait()
}

// spfTerm is one SPF term that names sending hosts directly.
type spfTerm struct {
	text string     // the term as written, without qualifier
	mech string     // "ip4", "ip6", "a", "mx"
	addr netip.Addr // ip4/ip6 host
	host string     // a/mx target domain, no trailing dot
	note string     // why the term is not queried: catalog key dnsbl.note.<note>
}

// spfHostTerms reads, with pkg/spf's parser, the ip4, ip6, a and mx terms of
// an SPF record (RFC 7208 §5.3, §5.4, §5.6) that authorize hosts:
// pass-qualified only ("-ip4:x" is not a sender). Ranges are noted, not
// expanded; terms with macros are skipped (they depend on the sender, §7).
// Terms with syntax errors are left out: the spf check reports them.
func spfHostTerms(record, domain string) []spfTerm {
	rec, _ := spf.Parse(record)
	if rec == nil {
		return nil
	}
	var out []spfTerm
	for _, t := range rec.Mechanisms() {
		if t.Qualifier != spf.QualifierPass {
			continue
		}
		text := t.String()
		if t.ExplicitQualifier {
			text = text[1:]
		}
		switch t.Name {
		case spf.MechIP4, spf.MechIP6:
			full, plen := 32, t.Prefix4
			if t.Name == spf.MechIP6 {
				full, plen = 128, t.Prefix6
			}
			if !t.Addr.IsValid() {
				continue
			}
			if plen >= 0 && plen != full {
				out = append(out, spfTerm{text: text, mech: t.Name, note: "spf_range"})
				continue
			}
			out = append(out, spfTerm{text: text, mech: t.Name, addr: t.Addr})
		case spf.MechA, spf.MechMX:
			// a:host/24 authorizes a range around the host; the host's own
			// addresses are the senders to check.
			host := t.Value
			if host == "" {
				host = domain
			}
			if t.Dynamic() || strings.Contains(host, "%") {
				out = append(out, spfTerm{text: text, mech: t.Name, note: "spf_macro"})
				continue
			}
			d, err := dnsname.ParseAny(host)
			if err != nil {
				continue
			}
			out = append(out, spfTerm{text: text, mech: t.Name, host: d.String()})
		}
	}
	return out
}

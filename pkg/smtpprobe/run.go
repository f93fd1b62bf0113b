package smtpprobe

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// Plan is what a run will probe, and what was learned finding it.
type Plan struct {
	// Target is what the user asked about: a host, an address or a domain.
	Target  string
	Targets []Target
	// Facts say where the hosts came from ("MX", "SRV _submission._tcp").
	Facts []report.Fact
	// Findings are the DNS problems met while planning.
	Findings []report.Finding
}

// PlanHost probes one host name or IP address on every port of opts.
func PlanHost(host string, opts Options) (Plan, error) {
	opts = opts.withDefaults()
	h, err := normalizeHost(host)
	if err != nil {
		return Plan{}, err
	}
	plan := Plan{Target: h}
	for _, p := range opts.Ports {
		plan.Targets = append(plan.Targets, Target{Host: h, Port: p, Source: SourceArgument})
	}
	plan.addReferences(opts)
	return plan, nil
}

// normalizeHost accepts an IP address (with or without brackets) or a
// domain name, and returns its canonical form.
func normalizeHost(host string) (string, error) {
	h := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(host), "["), "]")
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Unmap().String(), nil
	}
	d, err := dnsname.ParseAny(h)
	if err != nil {
		return "", fmt.Errorf("host %q: %w", host, err)
	}
	return d.String(), nil
}

// PlanDomain finds the domain's hosts: its MX hosts for the smtp-role ports
// (RFC 5321 §5.1, the domain itself when there is no MX), and its submission
// hosts for the submission-role ports: RFC 6186 §3.1 SRV records
// _submission._tcp and (RFC 8314 §5.1) _submissions._tcp, else the usual
// names smtp.<domain> and mail.<domain> when they exist. Planning needs DNS;
// its failures are findings.
func PlanDomain(ctx context.Context, env check.Env, d dnsname.Domain, opts Options) Plan {
	opts = opts.withDefaults()
	plan := Plan{Target: d.String()}
	var smtpPorts, subPorts []Port
	for _, p := range opts.Ports {
		if p.Role == RoleSMTP {
			smtpPorts = append(smtpPorts, p)
		} else {
			subPorts = append(subPorts, p)
		}
	}

	if len(smtpPorts) > 0 {
		hosts, src := plan.mxHosts(ctx, env, d, opts.MaxHosts)
		for _, h := range hosts {
			for _, p := range smtpPorts {
				plan.Targets = append(plan.Targets, Target{Host: h, Port: p, Source: src})
			}
		}
	}
	if len(subPorts) > 0 {
		plan.submissionTargets(ctx, env, d, subPorts, opts.MaxHosts)
	}
	plan.addReferences(opts)
	return plan
}

func (plan *Plan) addReferences(opts Options) {
	for _, r := range opts.References {
		h, err := normalizeHost(r)
		if err != nil {
			continue
		}
		for _, p := range opts.Ports {
			if p.Role == RoleSMTP {
				plan.Targets = append(plan.Targets, Target{Host: h, Port: p, Source: SourceReference})
			}
		}
	}
}

func (plan *Plan) mxHosts(ctx context.Context, env check.Env, d dnsname.Domain, max int) ([]string, Source) {
	mxs, ans, err := resolver.LookupMX(ctx, env.Resolver, d.FQDN())
	if err != nil {
		plan.Findings = append(plan.Findings, DNSError.Alt("mx", report.Params{"domain": d.String(), "error": check.ErrMsg(err)}))
		return nil, SourceMX
	}
	switch {
	case ans.Outcome == resolver.NXDomain:
		plan.Findings = append(plan.Findings, HostUnresolved.Alt("nxdomain", report.Params{"domain": d.String()}))
		return nil, SourceMX
	case len(mxs) == 0:
		// RFC 5321 §5.1: without MX records the domain itself is the implicit MX.
		plan.Facts = append(plan.Facts, report.Fact{Label: report.T("smtp.fact.mx", nil), Value: report.T("smtp.fact.implicit_mx", nil)})
		return []string{d.String()}, SourceImplicitMX
	case len(mxs) == 1 && mxs[0].Host == ".":
		// RFC 7505 §3: null MX, the domain accepts no mail; nothing to probe on 25.
		plan.Facts = append(plan.Facts, report.Fact{Label: report.T("smtp.fact.mx", nil), Value: report.T("smtp.fact.null_mx", nil)})
		return nil, SourceMX
	}
	slices.SortStableFunc(mxs, func(a, b resolver.MX) int { return cmp.Compare(a.Preference, b.Preference) })
	var hosts, shown []string
	for _, m := range mxs {
		h := strings.TrimSuffix(m.Host, ".")
		if h == "" || slices.Contains(hosts, h) {
			continue
		}
		if len(hosts) == max {
			break
		}
		hosts = append(hosts, h)
		shown = append(shown, fmt.Sprintf("%d %s", m.Preference, h))
	}
	plan.Facts = append(plan.Facts, report.Fact{Label: report.T("smtp.fact.mx", nil), Value: report.Lit(strings.Join(shown, ", "))})
	return hosts, SourceMX
}

type srvTarget struct {
	host string
	port int
}

func (plan *Plan) submissionTargets(ctx context.Context, env check.Env, d dnsname.Domain, ports []Port, max int) {
	services := []struct {
		label string
		role  Role
	}{
		{"_submission._tcp", RoleSubmission},   // RFC 6186 §3.1
		{"_submissions._tcp", RoleSubmissions}, // RFC 8314 §5.1
	}
	found := map[Role][]srvTarget{}
	declined := map[Role]bool{}
	failed := false // a lookup failed: absence cannot be claimed
	for _, svc := range services {
		name := svc.label + "." + d.FQDN()
		ans, err := env.Resolver.Lookup(ctx, name, dns.TypeSRV)
		if err != nil {
			failed = true
			plan.Findings = append(plan.Findings, DNSError.Alt("srv", report.Params{"domain": d.String(), "name": name, "error": check.ErrMsg(err)}))
			continue
		}
		var srvs []*dns.SRV
		for _, rr := range ans.RRs {
			if s, ok := rr.(*dns.SRV); ok {
				srvs = append(srvs, s)
			}
		}
		// RFC 2782: lower priority first; among equals, heavier weight first.
		slices.SortStableFunc(srvs, func(a, b *dns.SRV) int {
			return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(b.Weight, a.Weight))
		})
		var shown []report.Msg
		for _, s := range srvs {
			if s.Target == "." {
				// RFC 6186 §3.4 (RFC 2782): "." means the service is not offered.
				declined[svc.role] = true
				shown = append(shown, report.T("smtp.fact.srv_declined", nil))
				continue
			}
			if len(found[svc.role]) == max {
				break
			}
			t := srvTarget{host: strings.TrimSuffix(resolver.Canonical(s.Target), "."), port: int(s.Port)}
			found[svc.role] = append(found[svc.role], t)
			shown = append(shown, report.Lit(fmt.Sprintf("%s:%d", t.host, t.port)))
		}
		if len(shown) > 0 {
			plan.Facts = append(plan.Facts, report.Fact{Label: report.Lit("SRV " + svc.label), Value: report.T("list", report.Params{"items": shown})})
		}
	}

	// Hosts for a role without SRV: the other role's SRV hosts, else the usual names.
	var fallback []string
	for _, svc := range services {
		for _, t := range found[svc.role] {
			if !slices.Contains(fallback, t.host) {
				fallback = append(fallback, t.host)
			}
		}
	}
	src := SourceSRV
	if len(fallback) == 0 && !declined[RoleSubmission] && !declined[RoleSubmissions] {
		src = SourceGuess
		var err error
		fallback, err = plan.guessHosts(ctx, env, d)
		if err != nil {
			failed = true
			plan.Findings = append(plan.Findings, DNSError.Alt("submission", report.Params{"domain": d.String(), "error": check.ErrMsg(err)}))
		}
	}

	any := false
	for _, role := range []Role{RoleSubmission, RoleSubmissions} {
		if ts := found[role]; len(ts) > 0 {
			// The SRV record names the port (RFC 6186 §3.1).
			for _, t := range ts {
				if !plan.has(t.host, t.port) {
					plan.Targets = append(plan.Targets, Target{Host: t.host, Port: Port{t.port, role}, Source: SourceSRV})
					any = true
				}
			}
			// Ports added with --port for this role still apply to these hosts.
			for _, p := range ports {
				if p.Role != role || slices.ContainsFunc(DefaultPorts, func(d Port) bool { return d == p }) {
					continue
				}
				for _, t := range ts {
					if !plan.has(t.host, p.Number) {
						plan.Targets = append(plan.Targets, Target{Host: t.host, Port: p, Source: SourceSRV})
					}
				}
			}
			continue
		}
		if declined[role] {
			continue
		}
		for _, p := range ports {
			if p.Role != role {
				continue
			}
			for _, h := range fallback {
				if !plan.has(h, p.Number) {
					plan.Targets = append(plan.Targets, Target{Host: h, Port: p, Source: src})
					any = true
				}
			}
		}
	}
	if !any && !failed {
		plan.Findings = append(plan.Findings, SubmissionNotFound.With(report.Params{"domain": d.String()}))
	}
}

// guessHosts returns the usual submission names that exist, and the first
// lookup error met on a name found nowhere else.
func (plan *Plan) guessHosts(ctx context.Context, env check.Env, d dnsname.Domain) ([]string, error) {
	var out []string
	var firstErr error
	for _, label := range []string{"smtp", "mail"} {
		c, err := d.Child(label)
		if err != nil {
			continue
		}
		var nameErr error
		found := false
		for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
			ans, err := env.Resolver.Lookup(ctx, c.FQDN(), qt)
			if err != nil {
				nameErr = err
				continue
			}
			if ans.Outcome == resolver.Found {
				out = append(out, c.String())
				found = true
				break
			}
		}
		if !found && nameErr != nil && firstErr == nil {
			firstErr = nameErr
		}
	}
	if len(out) > 0 {
		plan.Facts = append(plan.Facts, report.Fact{Label: report.T("smtp.fact.submission", nil), Value: report.T("smtp.fact.guessed", report.Params{"hosts": out})})
	}
	return out, firstErr
}

func (plan *Plan) has(host string, port int) bool {
	return slices.ContainsFunc(plan.Targets, func(t Target) bool { return t.Host == host && t.Port.Number == port })
}

// hostAddrs is the outcome of looking up one host's addresses.
type hostAddrs struct {
	v4, v6       []netip.Addr
	err4, err6   error
	void4, void6 bool // NXDOMAIN or NODATA
	done         bool
}

// Run probes every target, at most opts.Concurrency at a time. Each host
// name is resolved once; each family is probed apart, on its first address
// (our probing etiquette: few attempts per host). When ctx ends, Run still returns
// a Probe for every target, each classified by how far it got.
func Run(ctx context.Context, env check.Env, targets []Target, opts Options) []Probe {
	opts = opts.withDefaults()
	sem := make(chan struct{}, opts.Concurrency)

	// Resolve the distinct names.
	addrs := map[string]*hostAddrs{}
	var names []string
	for _, t := range targets {
		if _, err := netip.ParseAddr(t.Host); err == nil {
			continue
		}
		if _, ok := addrs[t.Host]; !ok {
			addrs[t.Host] = &hostAddrs{}
			names = append(names, t.Host)
		}
	}
	var wg sync.WaitGroup
	for _, name := range names {
		h := addrs[name]
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			h.v4, h.void4, h.err4 = lookupFamily(ctx, env.Resolver, name, dns.TypeA)
			h.v6, h.void6, h.err6 = lookupFamily(ctx, env.Resolver, name, dns.TypeAAAA)
			h.done = true
		})
	}
	wg.Wait()

	// One probe per target and family.
	var probes []Probe
	seen := map[string]bool{}
	for _, t := range targets {
		key := t.Host + "|" + fmt.Sprint(t.Port.Number)
		if seen[key] {
			continue
		}
		seen[key] = true
		base := Probe{Host: t.Host, Port: t.Port, Source: t.Source, Stage: StageQueued, Sent: []string{}}
		if a, err := netip.ParseAddr(t.Host); err == nil {
			base.Address, base.Family = a.String(), familyOf(a)
			probes = append(probes, base)
			continue
		}
		h := addrs[t.Host]
		if !h.done {
			base.Stage, base.Outcome = StageResolve, OutcomeUnfinished
			base.Error = "stopped by the time limit while looking up the host's addresses"
			probes = append(probes, base)
			continue
		}
		n := len(probes)
		for _, fam := range []struct {
			f    Family
			as   []netip.Addr
			err  error
			void bool
		}{{IPv4, h.v4, h.err4, h.void4}, {IPv6, h.v6, h.err6, h.void6}} {
			p := base
			p.Family = fam.f
			switch {
			case fam.err != nil:
				p.Stage, p.Outcome, p.Error, p.err = StageResolve, OutcomeDNSError, fam.err.Error(), fam.err
			case len(fam.as) == 0:
				continue
			default:
				p.Address = fam.as[0].String()
			}
			probes = append(probes, p)
		}
		if len(probes) == n {
			// RFC 5321 §5.1: a host without A or AAAA cannot be reached.
			p := base
			p.Stage, p.Outcome, p.Error = StageResolve, OutcomeUnresolved, "no A or AAAA record"
			probes = append(probes, p)
		}
	}

	for i := range probes {
		p := &probes[i]
		if p.Outcome != "" {
			continue
		}
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				p.Outcome = OutcomeUnfinished
				p.Error = "stopped by the time limit before the probe could start"
				return
			}
			defer func() { <-sem }()
			if ended(ctx) {
				p.Outcome = OutcomeUnfinished
				p.Error = "stopped by the time limit before the probe could start"
				return
			}
			probe(ctx, env, &opts, p)
		})
	}
	wg.Wait()
	return probes
}

func lookupFamily(ctx context.Context, r resolver.Resolver, name string, qtype uint16) ([]netip.Addr, bool, error) {
	as, ans, err := resolver.LookupAddrs(ctx, r, name, qtype)
	if err != nil {
		return nil, false, err
	}
	return as, ans.Void(), nil
}

func familyOf(a netip.Addr) Family {
	if a.Unmap().Is4() {
		return IPv4
	}
	return IPv6
}

package smtpprobe

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// Diagnosis is what comparing probes across ports and hosts says about the
// network mailcheck runs from (our heuristics, described on Diagnose).
type Diagnosis struct {
	Findings []report.Finding
	// Explained marks probes (by index) whose failure the environment
	// explains; they get no server finding for it.
	Explained map[int]bool
}

// attempted reports whether a connect was tried (or was under way).
func attempted(p *Probe) bool {
	return p.Address != "" && p.Stage != StageQueued && p.Stage != StageResolve
}

// silent reports a connect that got no answer at all: timeout, ICMP
// unreachable, or still waiting when time ran out.
func silent(p *Probe) bool {
	switch p.Outcome {
	case OutcomeTimeout, OutcomeUnreachable:
		return true
	case OutcomeUnfinished:
		return p.Stage == StageConnect
	}
	return false
}

// group returns what makes destinations "unrelated" (our heuristic): the
// organizational domain of the host name, or the network of an address
// (/24, /48). Two MX hosts of one provider share a fate; two providers do not.
func group(p *Probe) string {
	if a, err := netip.ParseAddr(p.Host); err == nil {
		bits := 24
		if !a.Is4() {
			bits = 48
		}
		pfx, _ := a.Prefix(bits)
		return pfx.String()
	}
	d, err := dnsname.ParseAny(p.Host)
	if err != nil || d.NumLabels() < 2 {
		return p.Host
	}
	return dnsname.OrganizationalPSL(d).String()
}

// Diagnose compares the outcomes of all probes (our heuristics):
//   - a port that no destination answers, from at least two unrelated
//     destinations, while another port connects, is blocked by this network;
//     so is a port that every one of at least two unrelated destinations
//     refuses at once (a firewall injecting RST);
//   - a port that fails to its only destination while another port of the
//     same host answers cannot be blamed on either side;
//   - IPv6 failing where IPv4 to the same hosts works means no IPv6 route;
//   - the same greeting host name from unrelated destinations on port 25
//     means a transparent interception proxy.
func Diagnose(probes []Probe) Diagnosis {
	d := Diagnosis{Explained: map[int]bool{}}
	var tried []int
	anyConnected := false
	for i := range probes {
		if attempted(&probes[i]) {
			tried = append(tried, i)
			anyConnected = anyConnected || probes[i].Connected()
		}
	}
	if len(tried) == 0 {
		return d
	}
	if !anyConnected {
		// A refusal (RST) is an answer: unless unrelated destinations all
		// refuse (a firewall answering for them), it says
		// that host is up and nothing listens there, a verdict on the
		// server. Silence and unreachable routes say nothing about it.
		refusedGroups := map[string]bool{}
		for _, i := range tried {
			if probes[i].Outcome == OutcomeRefused {
				refusedGroups[group(&probes[i])] = true
			}
		}
		var unexplained []int
		for _, i := range tried {
			if probes[i].Outcome == OutcomeRefused && len(refusedGroups) < 2 {
				continue
			}
			unexplained = append(unexplained, i)
			d.Explained[i] = true
		}
		if len(unexplained) > 0 {
			d.Findings = append(d.Findings, EnvPortUnconfirmed.Alt("offline", report.Params{"hosts": hostList(probes, unexplained)}))
		}
		return d
	}

	v6Explained := d.ipv6(probes)
	type verdict struct {
		blocked     []report.Msg // evidence, per family
		unconfirmed []report.Msg
		idx         []int
	}
	verdicts := map[int]*verdict{}
	for _, fam := range []Family{IPv4, IPv6} {
		if fam == IPv6 && v6Explained {
			continue
		}
		byPort := map[int][]int{}
		for _, i := range tried {
			if p := &probes[i]; p.Family == fam {
				byPort[p.Port.Number] = append(byPort[p.Port.Number], i)
			}
		}
		for port, idx := range byPort {
			if slices.ContainsFunc(idx, func(i int) bool { return probes[i].Connected() }) {
				continue // this network reaches the port
			}
			groups := map[string]bool{}
			allRefused, anySilent := true, false
			for _, i := range idx {
				p := &probes[i]
				groups[group(p)] = true
				allRefused = allRefused && p.Outcome == OutcomeRefused
				anySilent = anySilent || silent(p)
			}
			otherOK := ""
			for _, i := range tried {
				if q := &probes[i]; q.Family == fam && q.Port.Number != port && q.Connected() {
					otherOK = fmt.Sprintf("%d (%s)", q.Port.Number, q.Host)
					break
				}
			}
			v := verdicts[port]
			if v == nil {
				v = &verdict{}
				verdicts[port] = v
			}
			switch {
			case allRefused && len(groups) >= 2:
				// Instant RST from every destination is a
				// local or ISP firewall, not every server at once.
				v.blocked = append(v.blocked, report.T("smtp.evidence.all_refused", report.Params{
					"family": familyName(fam), "count": len(groups), "hosts": hostList(probes, idx)}))
			case !anySilent:
				continue // refused by the server: a server finding
			case otherOK != "" && len(groups) >= 2:
				v.blocked = append(v.blocked, report.T("smtp.evidence.all_silent", report.Params{
					"family": familyName(fam), "count": len(groups), "hosts": hostList(probes, idx), "other": otherOK}))
			case otherOK != "":
				v.unconfirmed = append(v.unconfirmed, report.T("smtp.evidence.one_silent", report.Params{
					"family": familyName(fam), "hosts": hostList(probes, idx), "other": otherOK, "port": port}))
			default:
				v.unconfirmed = append(v.unconfirmed, report.T("smtp.evidence.none_connects", report.Params{
					"family": familyName(fam), "hosts": hostList(probes, idx)}))
			}
			v.idx = append(v.idx, idx...)
		}
	}
	ports := make([]int, 0, len(verdicts))
	for n := range verdicts {
		ports = append(ports, n)
	}
	sort.Ints(ports)
	for _, port := range ports {
		v := verdicts[port]
		switch {
		case len(v.blocked) > 0:
			// The other family's unanswered attempts on a blocked port are
			// most likely the same block.
			d.Findings = append(d.Findings, blockedFinding(port, append(v.blocked, v.unconfirmed...)))
		case len(v.unconfirmed) > 0:
			d.Findings = append(d.Findings, EnvPortUnconfirmed.With(report.Params{"port": port, "evidence": report.Clauses(v.unconfirmed)}))
		default:
			continue
		}
		for _, i := range v.idx {
			d.Explained[i] = true
		}
		if len(v.blocked) > 0 {
			for _, i := range tried {
				if p := &probes[i]; p.Port.Number == port && !p.Connected() {
					d.Explained[i] = true
				}
			}
		}
	}
	d.interception(probes)
	return d
}

// blockedFinding is the finding of a blocked port: 25, 587 and 465 have
// their own (their fixes differ), any other port the generic one.
func blockedFinding(port int, evidence []report.Msg) report.Finding {
	def := EnvPortBlocked
	switch port {
	case 25:
		def = EnvPort25Blocked
	case 587:
		def = EnvPort587Blocked
	case 465:
		def = EnvPort465Blocked
	}
	return def.With(report.Params{"port": port, "evidence": report.Clauses(evidence)})
}

// ipv6 reports no IPv6 route when every IPv6 probe failed to connect while
// IPv4 reached one of the same hosts (we report per family).
func (d *Diagnosis) ipv6(probes []Probe) bool {
	var v6 []int
	for i := range probes {
		if p := &probes[i]; p.Family == IPv6 && attempted(p) {
			if p.Connected() {
				return false
			}
			v6 = append(v6, i)
		}
	}
	if len(v6) == 0 {
		return false
	}
	for _, i := range v6 {
		if !silent(&probes[i]) && probes[i].Outcome != OutcomeRefused {
			return false
		}
	}
	var ok4 string
	for _, i := range v6 {
		for j := range probes {
			q := &probes[j]
			if q.Family == IPv4 && q.Host == probes[i].Host && q.Connected() {
				ok4 = q.Host
			}
		}
	}
	if ok4 == "" {
		return false
	}
	d.Findings = append(d.Findings, EnvIPv6Unreachable.With(report.Params{"hosts": hostList(probes, v6), "host": ok4}))
	for _, i := range v6 {
		d.Explained[i] = true
	}
	return true
}

// interception looks for one greeting host name from unrelated destinations
// on port 25: an ISP proxy answering in their place. The
// name must also belong to none of the hosts' own domains, so that a
// provider greeting with one name from all its MX hosts is not mistaken.
func (d *Diagnosis) interception(probes []Probe) {
	type seen struct {
		groups map[string]bool
		hosts  []string
		own    bool
	}
	byBanner := map[string]*seen{}
	var order []string
	for i := range probes {
		p := &probes[i]
		if p.Port.Number != 25 || p.Greeting == nil || p.Greeting.Code != 220 || len(p.Greeting.Lines) == 0 {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimSpace(p.Greeting.Lines[0]), " ")
		name = strings.ToLower(strings.TrimSuffix(name, "."))
		if name == "" {
			continue
		}
		s := byBanner[name]
		if s == nil {
			s = &seen{groups: map[string]bool{}}
			byBanner[name] = s
			order = append(order, name)
		}
		g := group(p)
		s.groups[g] = true
		if !slices.Contains(s.hosts, p.Host) {
			s.hosts = append(s.hosts, p.Host)
		}
		if bd, err := dnsname.ParseAny(name); err == nil && bd.NumLabels() >= 2 && dnsname.OrganizationalPSL(bd).String() == g {
			s.own = true
		}
	}
	for _, name := range order {
		s := byBanner[name]
		if len(s.groups) < 2 || s.own {
			continue
		}
		d.Findings = append(d.Findings, EnvPort25Intercepted.With(report.Params{"hosts": s.hosts, "name": name}))
	}
}

// hostList is each probe's host (and address) with its outcome, once.
func hostList(probes []Probe, idx []int) []report.Msg {
	var out []report.Msg
	seen := map[string]bool{}
	for _, i := range idx {
		p := &probes[i]
		key := p.Host + "\x00" + p.Address + "\x00" + string(p.Outcome)
		if seen[key] {
			continue
		}
		seen[key] = true
		if p.Address != "" && p.Address != p.Host {
			out = append(out, report.T("smtp.host_outcome_address", report.Params{"host": p.Host, "address": p.Address, "outcome": outcome(p.Outcome)}))
		} else {
			out = append(out, report.T("smtp.host_outcome", report.Params{"host": p.Host, "outcome": outcome(p.Outcome)}))
		}
	}
	return out
}

func familyName(f Family) string {
	if f == IPv6 {
		return "IPv6"
	}
	return "IPv4"
}

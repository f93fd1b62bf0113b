package smtpprobe

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// Section names. "ports" is the environment report (reachability from this
// machine), kept apart from any domain score (docs/scoring.md); "smtp" holds
// what the servers themselves do.
const (
	CheckPorts = "ports"
	CheckSMTP  = "smtp"
)

// PortsData is the JSON evidence of the "ports" section: every probe.
type PortsData struct {
	Target string   `json:"target"`
	Ports  []string `json:"ports"`
	Probes []Probe  `json:"probes"`
}

// ServerData is the JSON evidence of the "smtp" section: one entry per
// host and port that greeted.
type ServerData struct {
	Servers []Server `json:"servers"`
}

// Server is what one host said on one port.
type Server struct {
	Host         string   `json:"host"`
	Port         Port     `json:"port"`
	Families     []Family `json:"families"`
	Greeting     *Reply   `json:"greeting,omitempty"`
	EHLO         *EHLO    `json:"ehlo,omitempty"`
	EHLOAfterTLS *EHLO    `json:"ehlo_after_tls,omitempty"`
	TLS          *TLSInfo `json:"tls,omitempty"`
}

// Check probes the domain's MX hosts on the smtp-role ports and its
// submission hosts on the submission-role ports, then reports the
// environment ("ports") and the servers ("smtp").
func Check(ctx context.Context, env check.Env, target dnsname.Domain, opts Options) []report.Section {
	if env.Dialer == nil {
		return Skipped(target.String())
	}
	// The budget is taken from the deadline before the MX lookups spend
	// part of it, so each stage's bound does not depend on DNS speed.
	opts = opts.budgeted(ctx)
	return Execute(ctx, env, PlanDomain(ctx, env, target, opts), opts)
}

// CheckHost probes one host name or IP address on every port of opts.
func CheckHost(ctx context.Context, env check.Env, host string, opts Options) ([]report.Section, error) {
	plan, err := PlanHost(host, opts)
	if err != nil {
		return nil, err
	}
	return Execute(ctx, env, plan, opts), nil
}

// Execute probes the plan's targets and reports them; an offline run
// (Env.Dialer is nil) opens no connection and reports both sections
// skipped. Each stage's bound comes from opts.Budget, or from ctx's
// deadline when it is unset.
func Execute(ctx context.Context, env check.Env, plan Plan, opts Options) []report.Section {
	if env.Dialer == nil {
		return Skipped(plan.Target)
	}
	opts = opts.budgeted(ctx)
	return Sections(plan, Run(ctx, env, plan.Targets, opts), opts)
}

// Skipped is the two sections of a run that opens no connection (an
// offline run: Env.Dialer is nil): both skipped, with the reason, never a
// verdict on this network or on the servers.
func Skipped(target string) []report.Section {
	const why = "offline run: no connection is opened, so nothing was probed"
	mk := func(check, title string) report.Section {
		f := ProbeSkipped.New("This run opens no network connection (the DNS answers come from files), so "+target+" was not probed.",
			"Run mailcheck ports "+target+" on a machine with network access, without zone files.")
		return report.Section{Check: check, Title: title, Target: target, Status: report.StatusSkipped,
			Summary: report.Lit(why), Findings: []report.Finding{f}}
	}
	return []report.Section{mk(CheckPorts, "Outbound SMTP from this machine"), mk(CheckSMTP, "SMTP servers")}
}

// Sections turns probes into the two sections.
func Sections(plan Plan, probes []Probe, opts Options) []report.Section {
	opts = opts.withDefaults()
	diag := Diagnose(probes)

	envFindings := append([]report.Finding(nil), diag.Findings...)
	report.SortFindings(envFindings)
	ports := report.Section{
		Check:    CheckPorts,
		Title:    "Outbound SMTP from this machine",
		Target:   plan.Target,
		Findings: envFindings,
		Summary:  report.Lit(portsSummary(probes, diag)),
		Data:     &PortsData{Target: plan.Target, Ports: portNames(opts.Ports), Probes: probes},
	}
	ports.Status = report.StatusOf(envFindings)
	if len(probes) == 0 {
		// Nothing was probed: not applicable (a null MX, no host), or not
		// known when finding the hosts failed. Never a pass.
		ports.Status = report.StatusSkipped
		if slices.ContainsFunc(plan.Findings, func(f report.Finding) bool { return f.Inconclusive }) {
			ports.Status = report.StatusUnknown
			ports.Summary = report.Lit("nothing probed: the hosts could not be looked up")
		}
	}
	if len(probes) > 0 && ports.Status == report.StatusPass && !slices.ContainsFunc(probes, func(p Probe) bool { return attempted(&p) }) {
		// Every host name failed to resolve (a resolver that is down):
		// no connection was tried, so this network was not tested.
		ports.Status = report.StatusUnknown
		ports.Summary = report.Lit("nothing probed: no host address could be looked up")
	}
	ports.Display.Facts = append(ports.Display.Facts, plan.Facts...)
	ports.Display.Facts = append(ports.Display.Facts, report.Fact{Label: report.Lit("Sent"), Value: report.Lit(sentSummary(probes))})
	if len(probes) > 0 {
		ports.Display.Tables = []report.Table{reachTable(probes, opts.Ports)}
	}

	srvFindings := append(append([]report.Finding(nil), plan.Findings...), ServerFindings(probes, diag, opts)...)
	report.SortFindings(srvFindings)
	servers := serverList(probes)
	smtp := report.Section{
		Check:    CheckSMTP,
		Title:    "SMTP servers",
		Target:   plan.Target,
		Findings: srvFindings,
		Data:     &ServerData{Servers: servers},
	}
	smtp.Status = report.StatusOf(srvFindings)
	undecided := mxUndecided(probes, diag, opts)
	if smtp.Status == report.StatusPass && undecided {
		// No MX host greeted and nothing says why on the server's side
		// (the failures are this network's, or unexplained): the servers
		// that receive the domain's mail were not judged.
		smtp.Status = report.StatusUnknown
	}
	if len(servers) == 0 {
		smtp.Summary = report.Lit("no server greeted: nothing to judge")
		if len(srvFindings) == 0 {
			// Nothing to probe is "skipped"; probes that all failed before
			// a greeting leave the servers undecided.
			smtp.Status = report.StatusSkipped
			if slices.ContainsFunc(probes, func(p Probe) bool { return p.Source != SourceReference }) {
				smtp.Status = report.StatusUnknown
			}
		}
	} else {
		smtp.Summary = report.Lit(fmt.Sprintf("%d of %d probed ports greeted; %s", len(servers), probedPorts(probes), countSummary(srvFindings)))
		if undecided {
			smtp.Summary = smtp.Summary.Append("; no MX host reached")
		}
		smtp.Display.Tables = []report.Table{tlsTable(servers)}
	}
	return []report.Section{ports, smtp}
}

// mxUndecided reports whether there were hosts to probe on the smtp-role
// ports (the MX hosts, or the host named) and none of them was judged:
// none greeted, and none failed in a way that is a finding about it.
func mxUndecided(probes []Probe, diag Diagnosis, opts Options) bool {
	any, decided := false, false
	for i := range probes {
		p := &probes[i]
		if p.Source == SourceReference || p.Port.Role != RoleSMTP {
			continue
		}
		any = true
		if p.Greeting != nil {
			decided = true
			continue
		}
		if diag.Explained[i] {
			continue
		}
		for _, f := range probeFindings(probes, i, opts.withDefaults()) {
			decided = decided || !f.Inconclusive
		}
	}
	return any && !decided
}

func portNames(ports []Port) []string {
	out := make([]string, len(ports))
	for i, p := range ports {
		out[i] = p.String()
	}
	return out
}

// portsSummary says, per port number, whether this machine got through.
func portsSummary(probes []Probe, diag Diagnosis) string {
	var parts []string
	var numbers []int
	for _, pr := range probes {
		if !slices.Contains(numbers, pr.Port.Number) {
			numbers = append(numbers, pr.Port.Number)
		}
	}
	for _, n := range numbers {
		state := "not reached"
		if slices.ContainsFunc(diag.Findings, func(f report.Finding) bool {
			return f.ID == blockedFinding(n, nil).ID && strings.HasPrefix(f.Detail, fmt.Sprintf("Port %d ", n))
		}) {
			state = "blocked here"
		}
		refused, tried := 0, 0
		for _, pr := range probes {
			if pr.Port.Number != n {
				continue
			}
			if attempted(&pr) {
				tried++
			}
			if pr.Outcome == OutcomeRefused {
				refused++
			}
			if pr.Connected() {
				state = "reachable"
				break
			}
			if pr.Outcome == OutcomeUnfinished {
				state = "unfinished"
			}
		}
		if state == "not reached" && refused > 0 && refused == tried {
			state = "refused"
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, state))
	}
	if len(parts) == 0 {
		return "nothing to probe"
	}
	return strings.Join(parts, ", ")
}

// probedPorts counts the distinct (host, port) probed, references aside.
func probedPorts(probes []Probe) int {
	seen := map[string]bool{}
	for _, p := range probes {
		if p.Source != SourceReference {
			seen[p.Host+"|"+strconv.Itoa(p.Port.Number)] = true
		}
	}
	return len(seen)
}

func countSummary(fs []report.Finding) string {
	n := 0
	for _, f := range fs {
		if f.Severity != report.Info {
			n++
		}
	}
	switch n {
	case 0:
		return "no problem found"
	case 1:
		return "1 problem"
	}
	return strconv.Itoa(n) + " problems"
}

func sentSummary(probes []Probe) string {
	var cmds []string
	for _, p := range probes {
		for _, s := range p.Sent {
			verb, _, _ := strings.Cut(s, " ")
			if !slices.Contains(cmds, verb) {
				cmds = append(cmds, verb)
			}
		}
	}
	if len(cmds) == 0 {
		return "nothing"
	}
	return strings.Join(cmds, ", ") + " only (never MAIL, RCPT, DATA or AUTH)"
}

// reachTable is the host x port grid of verdicts.
func reachTable(probes []Probe, ports []Port) report.Table {
	var cols []Port
	for _, p := range probes {
		if !slices.Contains(cols, p.Port) {
			cols = append(cols, p.Port)
		}
	}
	t := report.Table{Title: report.Lit("Reachability from this machine"), Columns: report.Lits("Host", "Address")}
	for _, c := range cols {
		t.Columns = append(t.Columns, report.Lit(c.String()))
	}
	type rowKey struct{ host, addr string }
	var keys []rowKey
	cells := map[rowKey]map[Port]string{}
	for i := range probes {
		p := &probes[i]
		addr := p.Address
		if addr == "" {
			addr = "-"
		}
		host := p.Host
		if p.Source == SourceReference {
			host += " (reference)"
		}
		k := rowKey{host, addr}
		if cells[k] == nil {
			cells[k] = map[Port]string{}
			keys = append(keys, k)
		}
		cells[k][p.Port] = Verdict(p)
	}
	for _, k := range keys {
		row := []string{k.host, k.addr}
		for _, c := range cols {
			v, ok := cells[k][c]
			if !ok {
				v = "-"
			}
			row = append(row, v)
		}
		t.Rows = append(t.Rows, report.Lits(row...))
	}
	return t
}

// Verdict is a probe's outcome in a few words, for the table.
func Verdict(p *Probe) string {
	switch p.Outcome {
	case OutcomeOK:
		switch {
		case p.TLS != nil && p.TLS.Verified:
			return "ok, " + p.TLS.Version
		case p.TLS != nil:
			return "ok, " + p.TLS.Version + ", cert " + certProblem(p.TLS)
		case p.STARTTLS != nil:
			return "ok, STARTTLS failed"
		case p.EHLO != nil && !p.EHLO.Has("STARTTLS"):
			return "ok, no STARTTLS"
		}
		return "ok"
	case OutcomeRejected:
		if p.Greeting != nil && p.Greeting.Class() == 5 {
			return strconv.Itoa(p.Greeting.Code) + " refused"
		}
		return "HELO rejected"
	case OutcomeDeferred:
		if p.Greeting != nil && p.Greeting.Class() == 4 {
			return strconv.Itoa(p.Greeting.Code) + " busy"
		}
		return "421 busy"
	case OutcomeNotTLS:
		return "cleartext, not TLS"
	case OutcomeUnfinished:
		return "unfinished (" + string(p.Stage) + ")"
	case OutcomeUnresolved:
		return "no address"
	case OutcomeNoGreeting:
		return "no greeting"
	}
	return string(p.Outcome)
}

func certProblem(t *TLSInfo) string {
	switch {
	case t.Expired:
		return "expired"
	case t.NotYetValid:
		return "not yet valid"
	case !t.NameMatch:
		return "wrong name"
	case t.SelfSigned:
		return "self-signed"
	case !t.Trusted:
		return "untrusted"
	}
	return "ok"
}

// serverList merges the probes that greeted, one entry per host and port.
func serverList(probes []Probe) []Server {
	var out []Server
	for i := range probes {
		p := &probes[i]
		if p.Greeting == nil || p.Source == SourceReference {
			continue
		}
		j := slices.IndexFunc(out, func(s Server) bool { return s.Host == p.Host && s.Port == p.Port })
		if j >= 0 {
			out[j].Families = append(out[j].Families, p.Family)
			continue
		}
		out = append(out, Server{Host: p.Host, Port: p.Port, Families: []Family{p.Family},
			Greeting: p.Greeting, EHLO: p.EHLO, EHLOAfterTLS: p.EHLOAfterTLS, TLS: p.TLS})
	}
	return out
}

func tlsTable(servers []Server) report.Table {
	t := report.Table{Title: report.Lit("TLS and extensions"), Columns: report.Lits("Host", "Port", "TLS", "Certificate", "Extensions")}
	for _, s := range servers {
		tlsCol, certCol := "none", "-"
		if s.TLS != nil {
			tlsCol = s.TLS.Version + " " + s.TLS.Cipher
			certCol = certProblem(s.TLS)
			if certCol == "ok" {
				certCol = fmt.Sprintf("ok, %d days left", s.TLS.DaysLeft)
			}
		}
		ext := "-"
		if e := s.EHLOAfterTLS; e != nil {
			ext = strings.Join(e.Keywords(), " ")
		} else if s.EHLO != nil {
			ext = strings.Join(s.EHLO.Keywords(), " ")
		}
		t.Rows = append(t.Rows, report.Lits(s.Host, s.Port.String(), tlsCol, certCol, ext))
	}
	return t
}

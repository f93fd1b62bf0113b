package smtpprobe

import (
	"context"
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
	mk := func(check, title string) report.Section {
		f := ProbeSkipped.With(report.Params{"target": target})
		return report.Section{Check: check, Title: title, Target: target, Status: report.StatusSkipped,
			Summary: report.T("smtp.summary.offline", nil), Findings: []report.Finding{f}}
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
		Summary:  portsSummary(probes, diag),
		Data:     &PortsData{Target: plan.Target, Ports: portNames(opts.Ports), Probes: probes},
	}
	ports.Status = report.StatusOf(envFindings)
	if len(probes) == 0 {
		// Nothing was probed: not applicable (a null MX, no host), or not
		// known when finding the hosts failed. Never a pass.
		ports.Status = report.StatusSkipped
		if slices.ContainsFunc(plan.Findings, func(f report.Finding) bool { return f.Inconclusive }) {
			ports.Status = report.StatusUnknown
			ports.Summary = report.T("smtp.summary.hosts_unknown", nil)
		}
	}
	if len(probes) > 0 && ports.Status == report.StatusPass && !slices.ContainsFunc(probes, func(p Probe) bool { return attempted(&p) }) {
		// Every host name failed to resolve (a resolver that is down):
		// no connection was tried, so this network was not tested.
		ports.Status = report.StatusUnknown
		ports.Summary = report.T("smtp.summary.no_address", nil)
	}
	ports.Display.Facts = append(ports.Display.Facts, plan.Facts...)
	ports.Display.Facts = append(ports.Display.Facts, report.Fact{Label: report.T("smtp.fact.sent", nil), Value: sentSummary(probes)})
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
		smtp.Summary = report.T("smtp.summary.no_greeting", nil)
		if len(srvFindings) == 0 {
			// Nothing to probe is "skipped"; probes that all failed before
			// a greeting leave the servers undecided.
			smtp.Status = report.StatusSkipped
			if slices.ContainsFunc(probes, func(p Probe) bool { return p.Source != SourceReference }) {
				smtp.Status = report.StatusUnknown
			}
		}
	} else {
		smtp.Summary = report.T("smtp.summary.servers", report.Params{"count": len(servers), "total": probedPorts(probes),
			"problems": problems(srvFindings), "no_mx": undecided})
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
func portsSummary(probes []Probe, diag Diagnosis) report.Msg {
	var parts []report.Msg
	var numbers []int
	for _, pr := range probes {
		if !slices.Contains(numbers, pr.Port.Number) {
			numbers = append(numbers, pr.Port.Number)
		}
	}
	for _, n := range numbers {
		state := "not_reached"
		if slices.ContainsFunc(diag.Findings, func(f report.Finding) bool {
			return f.ID == blockedFinding(n, nil).ID && f.Params["port"] == n
		}) {
			state = "blocked"
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
		if state == "not_reached" && refused > 0 && refused == tried {
			state = "refused"
		}
		parts = append(parts, report.T("smtp.port_state."+state, report.Params{"port": n}))
	}
	if len(parts) == 0 {
		return report.T("smtp.summary.nothing", nil)
	}
	return report.T("list", report.Params{"items": parts})
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

// problems counts the findings that are not information.
func problems(fs []report.Finding) report.Msg {
	n := 0
	for _, f := range fs {
		if f.Severity != report.Info {
			n++
		}
	}
	return report.T("smtp.summary.problems", report.Params{"count": n})
}

// sentSummary lists the commands sent, to say what the probe did not send.
func sentSummary(probes []Probe) report.Msg {
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
		return report.T("smtp.fact.sent_nothing", nil)
	}
	return report.T("smtp.fact.sent_only", report.Params{"commands": cmds})
}

// reachTable is the host x port grid of verdicts.
func reachTable(probes []Probe, ports []Port) report.Table {
	var cols []Port
	for _, p := range probes {
		if !slices.Contains(cols, p.Port) {
			cols = append(cols, p.Port)
		}
	}
	t := report.Table{Title: report.T("smtp.table.reach", nil), Columns: []report.Msg{report.T("smtp.col.host", nil), report.T("smtp.col.address", nil)}}
	for _, c := range cols {
		t.Columns = append(t.Columns, report.Lit(c.String()))
	}
	type rowKey struct {
		host, addr string
		reference  bool
	}
	var keys []rowKey
	cells := map[rowKey]map[Port]report.Msg{}
	for i := range probes {
		p := &probes[i]
		addr := p.Address
		if addr == "" {
			addr = "-"
		}
		k := rowKey{p.Host, addr, p.Source == SourceReference}
		if cells[k] == nil {
			cells[k] = map[Port]report.Msg{}
			keys = append(keys, k)
		}
		cells[k][p.Port] = VerdictMsg(p)
	}
	for _, k := range keys {
		host := report.Lit(k.host)
		if k.reference {
			host = report.T("smtp.cell.reference", report.Params{"host": k.host})
		}
		row := []report.Msg{host, report.Lit(k.addr)}
		for _, c := range cols {
			v, ok := cells[k][c]
			if !ok {
				v = report.Lit("-")
			}
			row = append(row, v)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// VerdictMsg is a probe's outcome in a few words, for the table.
func VerdictMsg(p *Probe) report.Msg {
	switch p.Outcome {
	case OutcomeOK:
		switch {
		case p.TLS != nil && p.TLS.Verified:
			return report.T("smtp.verdict.ok_tls", report.Params{"version": p.TLS.Version})
		case p.TLS != nil:
			return report.T("smtp.verdict.ok_cert", report.Params{"version": p.TLS.Version, "problem": certProblem(p.TLS)})
		case p.STARTTLS != nil:
			return report.T("smtp.verdict.ok_starttls_failed", nil)
		case p.EHLO != nil && !p.EHLO.Has("STARTTLS"):
			return report.T("smtp.verdict.ok_no_starttls", nil)
		}
		return report.T("smtp.verdict.ok", nil)
	case OutcomeRejected:
		if p.Greeting != nil && p.Greeting.Class() == 5 {
			return report.T("smtp.verdict.refused", report.Params{"code": p.Greeting.Code})
		}
		return report.T("smtp.verdict.helo_rejected", nil)
	case OutcomeDeferred:
		code := 421
		if p.Greeting != nil && p.Greeting.Class() == 4 {
			code = p.Greeting.Code
		}
		return report.T("smtp.verdict.busy", report.Params{"code": code})
	case OutcomeNotTLS:
		return report.T("smtp.verdict.not_tls", nil)
	case OutcomeUnfinished:
		return report.T("smtp.verdict.unfinished", report.Params{"stage": stage(p.Stage)})
	}
	return outcome(p.Outcome)
}

// certProblem words what is wrong with a certificate, "ok" when nothing.
func certProblem(t *TLSInfo) report.Msg {
	switch {
	case t.Expired:
		return report.T("smtp.cert.state.expired", nil)
	case t.NotYetValid:
		return report.T("smtp.cert.state.not_yet_valid", nil)
	case !t.NameMatch:
		return report.T("smtp.cert.state.wrong_name", nil)
	case t.SelfSigned:
		return report.T("smtp.cert.state.self_signed", nil)
	case !t.Trusted:
		return report.T("smtp.cert.state.untrusted", nil)
	}
	return report.T("smtp.cert.state.ok", report.Params{"count": t.DaysLeft})
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
	t := report.Table{Title: report.T("smtp.table.tls", nil), Columns: []report.Msg{
		report.T("smtp.col.host", nil), report.T("smtp.col.port", nil), report.T("smtp.col.tls", nil),
		report.T("smtp.col.certificate", nil), report.T("smtp.col.extensions", nil)}}
	for _, s := range servers {
		tlsCol, certCol := report.T("smtp.cell.no_tls", nil), report.Lit("-")
		if s.TLS != nil {
			tlsCol = report.Lit(s.TLS.Version + " " + s.TLS.Cipher)
			certCol = certProblem(s.TLS)
		}
		ext := "-"
		if e := s.EHLOAfterTLS; e != nil {
			ext = strings.Join(e.Keywords(), " ")
		} else if s.EHLO != nil {
			ext = strings.Join(s.EHLO.Keywords(), " ")
		}
		t.Rows = append(t.Rows, []report.Msg{report.Lit(s.Host), report.Lit(s.Port.String()), tlsCol, certCol, report.Lit(ext)})
	}
	return t
}

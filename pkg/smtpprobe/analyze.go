package smtpprobe

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// ServerFindings judges each probe's server (our severities, by port role). Probes whose
// failure the environment explains (Diagnosis.Explained) and reference
// probes get none. Findings repeated over the families of one host collapse.
func ServerFindings(probes []Probe, diag Diagnosis, opts Options) []report.Finding {
	opts = opts.withDefaults()
	var out []report.Finding
	seen := map[string]bool{}
	add := func(f report.Finding) {
		if key := findingKey(f); !seen[key] {
			seen[key] = true
			out = append(out, f)
		}
	}
	for i := range probes {
		p := &probes[i]
		if p.Source == SourceReference || diag.Explained[i] {
			continue
		}
		for _, f := range probeFindings(probes, i, opts) {
			add(f)
		}
	}
	for _, f := range extensionFindings(probes) {
		add(f)
	}
	return out
}

// findingKey identifies a finding by what it says: its ID, variant and
// parameters (fmt prints maps in key order).
func findingKey(f report.Finding) string {
	return f.ID + "\x00" + f.Variant + "\x00" + fmt.Sprint(f.Params)
}

// where names a probe in details: "mx.example.com port 25".
func where(p *Probe) report.Msg {
	return report.T("smtp.where", report.Params{"host": p.Host, "port": p.Port.Number})
}

// whereFamily adds the address, for failures that may differ per family.
func whereFamily(p *Probe) report.Msg {
	if p.Address == "" || p.Address == p.Host {
		return where(p)
	}
	return report.T("smtp.where_address", report.Params{"host": p.Host, "address": p.Address, "port": p.Port.Number})
}

// outcome words a probe's outcome ("no answer in time", "refused").
func outcome(o Outcome) report.Msg { return report.T("smtp.outcome."+string(o), nil) }

// stage words a session stage ("the greeting", "EHLO").
func stage(s Stage) report.Msg { return report.T("smtp.stage."+string(s), nil) }

// reply is an SMTP reply as evidence: its code and text, as received.
func reply(r *Reply, n int) string { return fmt.Sprintf("%d %q", r.Code, truncate(r.Text(), n)) }

// probeErr is what went wrong, as a parameter: a resolver error in the
// report's language, else the raw error text (evidence, never prose of ours).
func probeErr(p *Probe) report.Msg {
	if p.err != nil {
		return check.ErrMsg(p.err)
	}
	return report.Lit(p.Error)
}

// role says which wording of a listen fix applies.
func role(p *Probe) report.Params {
	return report.Params{"mx": p.Port.Role == RoleSMTP, "implicit": p.Port.Role == RoleSubmissions}
}

func probeFindings(probes []Probe, i int, opts Options) []report.Finding {
	p := &probes[i]
	sub := p.Port.Role.IsSubmission()
	var out []report.Finding
	base := func() report.Params {
		return report.Params{"host": p.Host, "port": p.Port.Number, "where": where(p)}
	}
	switch p.Outcome {
	case OutcomeUnresolved:
		out = append(out, HostUnresolved.With(base()))
	case OutcomeDNSError:
		pp := base()
		pp["family"], pp["error"] = familyName(p.Family), probeErr(p)
		out = append(out, DNSError.With(pp))
	case OutcomeRefused, OutcomeTimeout, OutcomeUnreachable, OutcomeConnectErr:
		def := ConnectRefused
		pp := base()
		pp["where"] = whereFamily(p)
		for k, v := range role(p) {
			pp[k] = v
		}
		if p.Outcome != OutcomeRefused {
			// Only a finding when another destination answers on this
			// port: otherwise Diagnose has said what can be said.
			other := samePortWorks(probes, i)
			if other == "" {
				break
			}
			def = ConnectFailed
			pp["outcome"], pp["error"], pp["other"] = outcome(p.Outcome), report.Lit(p.Error), other
		}
		if sub && otherPortWorks(probes, i) {
			// RFC 8314 §3.3: one of 587 and 465 is enough; never penalize a port.
			out = append(out, def.Alt("other_port", pp))
		} else {
			out = append(out, def.With(pp))
		}
	case OutcomeNoGreeting:
		pp := base()
		pp["where"], pp["timeout"] = whereFamily(p), seconds(opts.GreetingTimeout)
		out = append(out, BannerTimeout.With(pp))
	case OutcomeRejected:
		pp := base()
		if p.Greeting != nil && p.Greeting.Class() == 5 {
			pp["reply"] = reply(p.Greeting, 120)
			out = append(out, BannerRefused.With(pp))
		} else {
			pp["helo"], pp["error"] = p.HELO, report.Lit(p.Error)
			if p.last != nil {
				pp["error"] = report.Lit(reply(&p.last.reply, 120))
			}
			out = append(out, EHLORejected.Alt("helo_too", pp))
		}
	case OutcomeDeferred:
		pp := base()
		pp["reply"] = replyText(p)
		if p.last != nil && (p.Greeting == nil || p.Greeting.Class() == 2) {
			pp["command"] = p.last.command
		}
		out = append(out, BannerUnavailable.With(pp))
	case OutcomeClosed:
		pp := base()
		pp["stage"] = stage(p.Stage)
		if p.Greeting == nil {
			pp["where"] = whereFamily(p)
			out = append(out, BannerUnavailable.Alt("closed", pp))
		} else {
			pp["error"] = report.Lit(p.Error)
			out = append(out, ProtocolError.Alt("closed", pp))
		}
	case OutcomeStalled:
		pp := base()
		pp["stage"], pp["timeout"] = stage(p.Stage), seconds(opts.CommandTimeout)
		out = append(out, ReplyTimeout.With(pp))
	case OutcomeProtocol:
		pp := base()
		pp["stage"], pp["error"] = stage(p.Stage), report.Lit(p.Error)
		out = append(out, ProtocolError.With(pp))
	case OutcomeNotTLS:
		out = append(out, NotTLS465.With(base()))
	case OutcomeTLSFailed:
		pp := base()
		pp["error"] = report.Lit(p.TLSError)
		out = append(out, STARTTLSFailed.With(pp))
	case OutcomeUnfinished:
		pp := base()
		pp["where"], pp["stage"] = whereFamily(p), stage(p.Stage)
		out = append(out, ProbeUnfinished.With(pp))
	}
	out = append(out, sessionFindings(p, opts)...)
	return out
}

// sessionFindings judges what the server said in a session that got a greeting.
func sessionFindings(p *Probe, opts Options) []report.Finding {
	var out []report.Finding
	sub := p.Port.Role.IsSubmission()
	base := func() report.Params {
		return report.Params{"host": p.Host, "port": p.Port.Number, "where": where(p)}
	}
	if p.Greeting != nil && time.Duration(p.GreetingMilliseconds*float64(time.Millisecond)) > opts.SlowGreeting {
		pp := base()
		pp["seconds"], pp["limit"] = math.Round(p.GreetingMilliseconds/100)/10, seconds(opts.SlowGreeting)
		out = append(out, BannerSlow.With(pp))
	}
	if p.EHLORejected != nil && p.HELOFallback {
		pp := base()
		pp["helo"], pp["reply"] = p.HELO, reply(p.EHLORejected, 80)
		out = append(out, EHLORejected.With(pp))
	}
	if p.EHLO == nil {
		return out
	}
	if p.TLS == nil && p.EHLOAfterTLS == nil {
		if mechs := p.EHLO.CleartextAuth(); len(mechs) > 0 {
			// RFC 4954 §4 and RFC 8314 §3.3: a password must not travel in cleartext.
			pp := base()
			pp["mechanisms"] = strings.Join(mechs, " ")
			out = append(out, AuthCleartext.With(pp))
		}
	} else if mechs := p.EHLO.CleartextAuth(); len(mechs) > 0 && !p.Port.Role.ImplicitTLS() {
		pp := base()
		pp["mechanisms"] = strings.Join(mechs, " ")
		out = append(out, AuthCleartext.Alt("before_starttls", pp))
	}
	if !p.Port.Role.ImplicitTLS() && !p.EHLO.Has("STARTTLS") {
		if sub {
			out = append(out, STARTTLSMissing.Alt("submission", base()))
		} else {
			out = append(out, STARTTLSMissing.With(base()))
		}
	}
	if p.STARTTLS != nil && p.STARTTLS.Code != 220 {
		pp := base()
		pp["reply"] = reply(p.STARTTLS, 80)
		out = append(out, STARTTLSFailed.Alt("reply", pp))
	}
	if p.DiscardedOctets > 0 {
		// RFC 3207 §6: cleartext after "220 Ready to start TLS" would be read
		// as if it came through TLS by a careless client (response injection).
		pp := base()
		pp["octets"] = report.T("smtp.octets", report.Params{"count": p.DiscardedOctets})
		out = append(out, ProtocolError.Alt("injected", pp))
	}
	if p.EHLOAfterTLS != nil && p.EHLOAfterTLS.Has("STARTTLS") {
		// RFC 3207 §4.2: STARTTLS must not be offered again inside TLS.
		out = append(out, ProtocolError.Alt("starttls_again", base()))
	}
	if p.TLS != nil {
		out = append(out, tlsFindings(p, sub)...)
	}
	return out
}

func tlsFindings(p *Probe, sub bool) []report.Finding {
	t := p.TLS
	var out []report.Finding
	base := func() report.Params {
		return report.Params{"host": p.Host, "port": p.Port.Number, "where": where(p)}
	}
	if t.LegacyTLS {
		pp := base()
		pp["version"] = t.Version
		out = append(out, TLSLegacy.With(pp))
	}
	// mk is the finding as defined on an MX, its "submission" variant on
	// a submission port.
	mk := func(def report.Definition, mx string, pp report.Params) report.Finding {
		switch {
		case sub && mx == "":
			return def.Alt("submission", pp)
		case sub:
			return def.Alt(mx+"_submission", pp)
		case mx != "":
			return def.Alt(mx, pp)
		}
		return def.With(pp)
	}
	switch {
	case t.Expired:
		pp := base()
		pp["date"] = t.NotAfter.UTC().Format(time.DateOnly)
		out = append(out, mk(CertExpired, "", pp))
	case t.NotYetValid:
		out = append(out, mk(CertExpired, "not_yet_valid", base()))
	case t.DaysLeft < 30:
		pp := base()
		pp["days"], pp["date"] = report.T("smtp.days", report.Params{"count": t.DaysLeft}), t.NotAfter.UTC().Format(time.DateOnly)
		if t.DaysLeft < 7 {
			out = append(out, CertExpiring.Alt("week", pp))
		} else {
			out = append(out, CertExpiring.With(pp))
		}
	}
	if !t.NameMatch {
		names := []string{}
		if len(t.Chain) > 0 {
			names = append(names, t.Chain[0].DNSNames...)
			names = append(names, t.Chain[0].IPAddresses...)
		}
		pp := base()
		pp["names"] = names
		out = append(out, mk(CertNameMismatch, "", pp))
	}
	if !t.Trusted {
		pp := base()
		pp["self_signed"] = t.SelfSigned
		switch {
		case t.noCertificate:
			pp["reason"] = report.T("smtp.tls.no_certificate", nil)
		case t.TrustError != "":
			pp["reason"] = report.Lit(t.TrustError)
		}
		out = append(out, mk(CertUntrusted, "", pp))
	}
	return out
}

func replyText(p *Probe) report.Msg {
	switch {
	case p.Greeting != nil && p.Greeting.Class() != 2:
		return report.Lit(reply(p.Greeting, 80))
	case p.last != nil:
		return report.Lit(reply(&p.last.reply, 80))
	}
	return report.Lit(p.Error)
}

// otherPortWorks reports whether another submission port of the same host
// and family completed a session.
func otherPortWorks(probes []Probe, i int) bool {
	p := &probes[i]
	for j := range probes {
		q := &probes[j]
		if j != i && q.Host == p.Host && q.Family == p.Family && q.Port.Number != p.Port.Number &&
			q.Port.Role.IsSubmission() && q.Outcome == OutcomeOK {
			return true
		}
	}
	return false
}

// samePortWorks returns a destination that connected on the same port and
// family, from another group of hosts.
func samePortWorks(probes []Probe, i int) string {
	p := &probes[i]
	for j := range probes {
		q := &probes[j]
		if j != i && q.Port.Number == p.Port.Number && q.Family == p.Family && q.Connected() && group(q) != group(p) {
			return q.Host
		}
	}
	return ""
}

// extensionFindings lists, once per extension, the hosts offering it in the
// session that matters (inside TLS when there was TLS).
func extensionFindings(probes []Probe) []report.Finding {
	var out []report.Finding
	for _, x := range extensionDefs {
		var hosts []report.Msg
		seen := map[string]bool{}
		for i := range probes {
			p := &probes[i]
			if p.Source == SourceReference {
				continue
			}
			e := p.Session()
			if e == nil || !e.Has(x.Keyword) {
				continue
			}
			params := strings.Join(e.Params(x.Keyword), " ")
			if key := fmt.Sprintf("%s\x00%d\x00%s", p.Host, p.Port.Number, params); !seen[key] {
				seen[key] = true
				hosts = append(hosts, report.T("smtp.where_params", report.Params{"host": p.Host, "port": p.Port.Number, "params": params}))
			}
		}
		if len(hosts) > 0 {
			out = append(out, x.Def.With(report.Params{"hosts": hosts}))
		}
	}
	return out
}

// seconds is a stage bound in seconds, a number the catalog writes in
// the report's language ("0.5 s", "0,5 s").
func seconds(d time.Duration) float64 { return d.Seconds() }

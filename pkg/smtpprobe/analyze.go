package smtpprobe

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

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
		if key := f.ID + "\x00" + f.Detail; !seen[key] {
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

// where names a probe in details: "mx.example.com port 25".
func where(p *Probe) string { return fmt.Sprintf("%s port %d", p.Host, p.Port.Number) }

// whereFamily adds the address, for failures that may differ per family.
func whereFamily(p *Probe) string {
	if p.Address == "" || p.Address == p.Host {
		return where(p)
	}
	return fmt.Sprintf("%s [%s] port %d", p.Host, p.Address, p.Port.Number)
}

func probeFindings(probes []Probe, i int, opts Options) []report.Finding {
	p := &probes[i]
	sub := p.Port.Role.IsSubmission()
	var out []report.Finding
	switch p.Outcome {
	case OutcomeUnresolved:
		out = append(out, HostUnresolved.New(
			fmt.Sprintf("%s has no A or AAAA record, so port %d cannot be reached.", p.Host, p.Port.Number),
			fmt.Sprintf("Publish an A (and AAAA) record for %s, or stop pointing clients at it.", p.Host)))
	case OutcomeDNSError:
		out = append(out, DNSError.New(
			fmt.Sprintf("The %s address lookup for %s failed: %s.", familyName(p.Family), p.Host, p.Error),
			"Run again; if it keeps failing, check the name servers of the host's domain."))
	case OutcomeRefused:
		sev := report.Severity("")
		if sub && otherPortWorks(probes, i) {
			// RFC 8314 §3.3: one of 587 and 465 is enough; never penalize a port.
			sev = report.Info
		}
		out = append(out, newFinding(ConnectRefused, sev,
			fmt.Sprintf("%s refused the connection: the host is up and nothing listens on port %d.", whereFamily(p), p.Port.Number),
			fixListen(p)))
	case OutcomeTimeout, OutcomeUnreachable, OutcomeConnectErr:
		// Only a finding when another destination answers on this port:
		// otherwise Diagnose has said what can be said.
		if other := samePortWorks(probes, i); other != "" {
			sev := report.Severity("")
			if sub && otherPortWorks(probes, i) {
				sev = report.Info
			}
			out = append(out, newFinding(ConnectFailed, sev,
				fmt.Sprintf("%s: %s (%s), while %s answers on the same port from here: the host is down, filtered, or blocking this address.", whereFamily(p), p.Outcome, p.Error, other),
				fixListen(p)))
		}
	case OutcomeNoGreeting:
		out = append(out, BannerTimeout.New(
			fmt.Sprintf("%s accepted the connection but sent no greeting within %s (it may be tarpitting or overloaded, or not be an SMTP server).", whereFamily(p), seconds(opts.GreetingTimeout)),
			"Check the SMTP server's load and any greeting delay; RFC 5321 §4.5.3.2.1 lets clients wait 5 minutes, but most give up sooner."))
	case OutcomeRejected:
		if p.Greeting != nil && p.Greeting.Class() == 5 {
			out = append(out, BannerRefused.New(
				fmt.Sprintf("%s greets with %d %q: it is reachable but refuses this client, most often because of this machine's IP reputation.", where(p), p.Greeting.Code, truncate(p.Greeting.Text(), 120)),
				"Check this machine's sending IP on blocklists (mailcheck dnsbl IP); if it is the server's policy, ask its administrator."))
		} else {
			out = append(out, EHLORejected.New(
				fmt.Sprintf("%s rejected EHLO and HELO %s: %s.", where(p), p.HELO, p.Error),
				"Send a HELO name that is a fully qualified domain name resolving to this machine (--helo)."))
		}
	case OutcomeDeferred:
		out = append(out, BannerUnavailable.New(
			fmt.Sprintf("%s answered %s: temporarily unavailable (overloaded, rate limiting, or tarpitting this address).", where(p), replyText(p)),
			"Run again later; if it persists, ask the server's administrator."))
	case OutcomeClosed:
		if p.Greeting == nil {
			out = append(out, BannerUnavailable.New(
				fmt.Sprintf("%s closed the connection without a greeting (at stage %s).", whereFamily(p), p.Stage),
				"The server may be refusing this address (tcpwrappers, postscreen) or overloaded; run again later."))
		} else {
			out = append(out, ProtocolError.New(
				fmt.Sprintf("%s closed the connection during %s: %s.", where(p), p.Stage, p.Error),
				"Check the SMTP server's logs for this session."))
		}
	case OutcomeStalled:
		out = append(out, ReplyTimeout.New(
			fmt.Sprintf("%s greeted, then sent no reply during %s within %s (it may be overloaded or tarpitting; the rest of the session was not checked).", where(p), p.Stage, seconds(opts.CommandTimeout)),
			"Run again with a longer --timeout; if it persists, check the SMTP server's logs and load."))
	case OutcomeProtocol:
		out = append(out, ProtocolError.New(
			fmt.Sprintf("%s sent something that is not an SMTP reply during %s: %s.", where(p), p.Stage, p.Error),
			"Check what listens on the port: it may not be an SMTP server, or something in between rewrites the stream."))
	case OutcomeNotTLS:
		out = append(out, NotTLS465.New(
			fmt.Sprintf("%s answered the TLS handshake with cleartext SMTP.", where(p)),
			fmt.Sprintf("Configure port %d for Implicit TLS (Postfix: smtpd_tls_wrappermode=yes), or use it as port 587 with STARTTLS.", p.Port.Number)))
	case OutcomeTLSFailed:
		out = append(out, STARTTLSFailed.New(
			fmt.Sprintf("%s: the TLS handshake failed: %s.", where(p), p.TLSError),
			"Check the server's TLS configuration (certificate, key, enabled versions and ciphers)."))
	case OutcomeUnfinished:
		out = append(out, ProbeUnfinished.New(
			fmt.Sprintf("%s: stopped at stage %s when the time limit ended.", whereFamily(p), p.Stage),
			"Run again with a longer --timeout."))
	}
	out = append(out, sessionFindings(p, opts)...)
	return out
}

// sessionFindings judges what the server said in a session that got a greeting.
func sessionFindings(p *Probe, opts Options) []report.Finding {
	var out []report.Finding
	sub := p.Port.Role.IsSubmission()
	if p.Greeting != nil && time.Duration(p.GreetingMilliseconds*float64(time.Millisecond)) > opts.SlowGreeting {
		out = append(out, BannerSlow.New(
			fmt.Sprintf("%s took %.1fs to greet (more than %s).", where(p), p.GreetingMilliseconds/1000, opts.SlowGreeting),
			"Impatient clients give up; check for a deliberate greeting delay or a slow reverse DNS lookup on the server."))
	}
	if p.EHLORejected != nil && p.HELOFallback {
		out = append(out, EHLORejected.New(
			fmt.Sprintf("%s answered EHLO %s with %d %q; HELO worked, so no extension (STARTTLS, SIZE) can be used.", where(p), p.HELO, p.EHLORejected.Code, truncate(p.EHLORejected.Text(), 80)),
			"Enable ESMTP on the server; if it rejects the EHLO name, run with --helo set to this machine's FQDN."))
	}
	if p.EHLO == nil {
		return out
	}
	if p.TLS == nil && p.EHLOAfterTLS == nil {
		if mechs := p.EHLO.CleartextAuth(); len(mechs) > 0 {
			// RFC 4954 §4 and RFC 8314 §3.3: a password must not travel in cleartext.
			out = append(out, AuthCleartext.New(
				fmt.Sprintf("%s offers AUTH %s before TLS: a client can send its password in cleartext.", where(p), strings.Join(mechs, " ")),
				"Offer AUTH only after TLS (Postfix: smtpd_tls_auth_only = yes), or use port 465 with Implicit TLS."))
		}
	} else if mechs := p.EHLO.CleartextAuth(); len(mechs) > 0 && !p.Port.Role.ImplicitTLS() {
		out = append(out, AuthCleartext.New(
			fmt.Sprintf("%s offers AUTH %s before STARTTLS: a client can send its password before encrypting.", where(p), strings.Join(mechs, " ")),
			"Offer AUTH only after STARTTLS (Postfix: smtpd_tls_auth_only = yes)."))
	}
	if !p.Port.Role.ImplicitTLS() && !p.EHLO.Has("STARTTLS") {
		sev := report.Severity("")
		if sub {
			sev = report.Critical
		}
		out = append(out, newFinding(STARTTLSMissing, sev,
			fmt.Sprintf("%s does not offer STARTTLS: mail (and, on submission, passwords) travels in cleartext.", where(p)),
			"Configure a certificate and enable STARTTLS (Postfix: smtpd_tls_security_level=may on 25, encrypt on 587)."))
	}
	if p.STARTTLS != nil && p.STARTTLS.Code != 220 {
		out = append(out, STARTTLSFailed.New(
			fmt.Sprintf("%s offers STARTTLS but answered it with %d %q.", where(p), p.STARTTLS.Code, truncate(p.STARTTLS.Text(), 80)),
			"Check the server's TLS certificate and key configuration: it advertises TLS it cannot start."))
	}
	if p.DiscardedOctets > 0 {
		// RFC 3207 §6: cleartext after "220 Ready to start TLS" would be read
		// as if it came through TLS by a careless client (response injection).
		out = append(out, ProtocolError.New(
			fmt.Sprintf("%s sent %d octets after its 220 reply to STARTTLS, before TLS began; mailcheck discarded them.", where(p), p.DiscardedOctets),
			"A server must wait for the TLS handshake after 220; something on the path may be injecting data. Check the server and any proxy in front of it."))
	}
	if p.EHLOAfterTLS != nil && p.EHLOAfterTLS.Has("STARTTLS") {
		// RFC 3207 §4.2: STARTTLS must not be offered again inside TLS.
		out = append(out, newFinding(ProtocolError, report.Low,
			fmt.Sprintf("%s still offers STARTTLS inside TLS (RFC 3207 §4.2 forbids it).", where(p)),
			"Update or fix the SMTP server's TLS configuration; clients may loop or fail."))
	}
	if p.TLS != nil {
		out = append(out, tlsFindings(p, sub)...)
	}
	return out
}

func tlsFindings(p *Probe, sub bool) []report.Finding {
	t := p.TLS
	var out []report.Finding
	if t.LegacyTLS {
		out = append(out, TLSLegacy.New(
			fmt.Sprintf("%s negotiated %s, its best version (this client offers up to TLS 1.3).", where(p), t.Version),
			"Enable TLS 1.2 and 1.3 on the server; RFC 8996 deprecates TLS 1.0 and 1.1."))
	}
	pick := func(mx, submission report.Severity) report.Severity {
		if sub {
			return submission
		}
		return mx
	}
	renew := "Renew the certificate (ACME clients such as certbot can do it automatically) and reload the SMTP server."
	switch {
	case t.Expired:
		out = append(out, newFinding(CertExpired, pick(report.High, report.Critical),
			fmt.Sprintf("%s presents a certificate that expired on %s.", where(p), t.NotAfter.UTC().Format(time.DateOnly)), renew))
	case t.NotYetValid:
		out = append(out, newFinding(CertExpired, pick(report.High, report.Critical),
			fmt.Sprintf("%s presents a certificate that is not valid yet.", where(p)), "Check the server's clock and the certificate's dates."))
	case t.DaysLeft < 7:
		out = append(out, newFinding(CertExpiring, report.Medium,
			fmt.Sprintf("%s presents a certificate that expires in %d days (%s).", where(p), t.DaysLeft, t.NotAfter.UTC().Format(time.DateOnly)), renew))
	case t.DaysLeft < 30:
		out = append(out, newFinding(CertExpiring, report.Low,
			fmt.Sprintf("%s presents a certificate that expires in %d days (%s).", where(p), t.DaysLeft, t.NotAfter.UTC().Format(time.DateOnly)), renew))
	}
	if !t.NameMatch {
		names := []string{}
		if len(t.Chain) > 0 {
			names = append(names, t.Chain[0].DNSNames...)
			names = append(names, t.Chain[0].IPAddresses...)
		}
		out = append(out, newFinding(CertNameMismatch, pick(report.Medium, report.High),
			fmt.Sprintf("%s presents a certificate for %s, not for %s.", where(p), nameList(names), p.Host),
			fmt.Sprintf("Issue a certificate whose subjectAltName includes %s.", p.Host)))
	}
	if !t.Trusted {
		what := "from an unknown certificate authority"
		if t.SelfSigned {
			what = "self-signed"
		}
		out = append(out, newFinding(CertUntrusted, pick(report.Low, report.High),
			fmt.Sprintf("%s presents a certificate that is %s (%s).", where(p), what, t.TrustError),
			"Use a certificate from a public CA (Let's Encrypt is free), and send the intermediate certificates with it."))
	}
	return out
}

func nameList(names []string) string {
	if len(names) == 0 {
		return "no name"
	}
	return strings.Join(names, ", ")
}

func replyText(p *Probe) string {
	if p.Greeting != nil && p.Greeting.Class() != 2 {
		return fmt.Sprintf("%d %q", p.Greeting.Code, truncate(p.Greeting.Text(), 80))
	}
	return p.Error
}

func fixListen(p *Probe) string {
	switch p.Port.Role {
	case RoleSMTP:
		return fmt.Sprintf("If %s receives mail, make its SMTP server listen on port %d and allow it in the firewall; otherwise remove it from the MX records.", p.Host, p.Port.Number)
	case RoleSubmissions:
		return fmt.Sprintf("If clients should submit over Implicit TLS, listen on port %d (RFC 8314 §3.3); port 587 with STARTTLS is an equal alternative.", p.Port.Number)
	}
	return fmt.Sprintf("If clients should submit mail to %s, listen on port %d with STARTTLS and AUTH.", p.Host, p.Port.Number)
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
		var hosts []string
		for i := range probes {
			p := &probes[i]
			if p.Source == SourceReference {
				continue
			}
			e := p.Session()
			if e == nil || !e.Has(x.Keyword) {
				continue
			}
			h := where(p)
			if params := e.Params(x.Keyword); len(params) > 0 {
				h += " (" + strings.Join(params, " ") + ")"
			}
			if !slices.Contains(hosts, h) {
				hosts = append(hosts, h)
			}
		}
		if len(hosts) > 0 {
			out = append(out, x.Def.New("Offered by "+strings.Join(hosts, ", ")+".", ""))
		}
	}
	return out
}

// seconds writes a stage bound as "15 s" or "0.5 s".
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}

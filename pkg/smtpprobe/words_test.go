package smtpprobe

import (
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// worded returns copies of the sections worded in lang, failing the test
// on any message the catalogs lack.
func worded(t *testing.T, lang i18n.Lang, secs []report.Section) []report.Section {
	t.Helper()
	loc := i18n.For(lang)
	out := make([]report.Section, len(secs))
	for i, s := range secs {
		s.Findings = append([]report.Finding(nil), s.Findings...)
		s.Display.Tables = append([]report.Table(nil), s.Display.Tables...)
		loc.LocalizeSection(&s)
		out[i] = s
	}
	if m := loc.Missing(); len(m) > 0 {
		t.Errorf("%s: messages missing from the catalogs: %q", lang, m)
	}
	return out
}

// Every finding the server analysis can make, from probes built by hand,
// is worded in English and French from the catalogs: no missing message,
// no parameter a template expects and the check does not give.
func TestEveryServerFindingIsWorded(t *testing.T) {
	mx := Port{25, RoleSMTP}
	sub := Port{587, RoleSubmission}
	subs := Port{465, RoleSubmissions}
	ehlo := func(lines ...string) *EHLO {
		e := ParseEHLO(append([]string{"mx.example greets"}, lines...))
		return &e
	}
	greet := &Reply{Code: 220, Lines: []string{"mx.example ESMTP"}}
	ok := Probe{Host: "ok.example", Address: "192.0.2.9", Family: IPv4, Port: mx, Outcome: OutcomeOK, Stage: StageDone, Greeting: greet, EHLO: ehlo("STARTTLS")}
	okSub := Probe{Host: "sub.example", Family: IPv4, Port: sub, Outcome: OutcomeOK, Stage: StageDone, Greeting: greet, EHLO: ehlo("STARTTLS")}
	tls := func(t TLSInfo) *TLSInfo { t.Version, t.Cipher = "TLS 1.0", "x"; return &t }
	probes := []Probe{
		ok, okSub,
		{Host: "a.example", Port: mx, Outcome: OutcomeUnresolved, Stage: StageResolve},
		{Host: "b.example", Family: IPv6, Port: mx, Outcome: OutcomeDNSError, Stage: StageResolve, Error: "boom"},
		{Host: "sub.example", Family: IPv4, Port: subs, Outcome: OutcomeRefused, Stage: StageConnect, Error: "refused"},
		{Host: "c.example", Address: "192.0.2.3", Family: IPv4, Port: mx, Outcome: OutcomeTimeout, Stage: StageConnect, Error: "i/o timeout"},
		{Host: "d.example", Port: mx, Outcome: OutcomeNoGreeting, Stage: StageGreeting},
		{Host: "e.example", Port: mx, Outcome: OutcomeRejected, Stage: StageGreeting, Greeting: &Reply{Code: 554, Lines: []string{"go away"}}},
		{Host: "f.example", Port: mx, Outcome: OutcomeRejected, Stage: StageEHLO, Greeting: greet, HELO: "[192.0.2.1]", Error: "HELO answered 550 no", last: &lastReply{"HELO", Reply{Code: 550, Lines: []string{"no"}}}},
		{Host: "g.example", Port: mx, Outcome: OutcomeDeferred, Stage: StageGreeting, Greeting: &Reply{Code: 421, Lines: []string{"busy"}}},
		{Host: "h.example", Port: mx, Outcome: OutcomeDeferred, Stage: StageEHLO, Greeting: greet, last: &lastReply{"EHLO", Reply{Code: 421, Lines: []string{"later"}}}},
		{Host: "i.example", Port: mx, Outcome: OutcomeClosed, Stage: StageGreeting},
		{Host: "j.example", Port: mx, Outcome: OutcomeClosed, Stage: StageEHLO, Greeting: greet, Error: "EOF"},
		{Host: "k.example", Port: mx, Outcome: OutcomeStalled, Stage: StageEHLOTLS, Greeting: greet},
		{Host: "l.example", Port: mx, Outcome: OutcomeProtocol, Stage: StageEHLO, Greeting: greet, Error: "bad line"},
		{Host: "m.example", Port: subs, Outcome: OutcomeNotTLS, Stage: StageTLS},
		{Host: "n.example", Port: mx, Outcome: OutcomeTLSFailed, Stage: StageTLS, TLSError: "handshake failure"},
		{Host: "o.example", Port: mx, Outcome: OutcomeUnfinished, Stage: StageQueued},
		{Host: "p.example", Port: sub, Outcome: OutcomeOK, Stage: StageDone, Greeting: greet, GreetingMilliseconds: 90000, HELO: "x",
			EHLORejected: &Reply{Code: 502, Lines: []string{"no EHLO"}}, HELOFallback: true, EHLO: ehlo("AUTH PLAIN LOGIN")},
		{Host: "q.example", Port: sub, Outcome: OutcomeOK, Stage: StageDone, Greeting: greet, EHLO: ehlo("STARTTLS", "AUTH PLAIN", "SIZE 1000"),
			STARTTLS: &Reply{Code: 454, Lines: []string{"not now"}}, DiscardedOctets: 12,
			EHLOAfterTLS: ehlo("STARTTLS", "PIPELINING", "SIZE 1000"), TLS: tls(TLSInfo{LegacyTLS: true, Expired: true, SelfSigned: true, TrustError: "x509"})},
		{Host: "r.example", Port: mx, Outcome: OutcomeOK, Stage: StageDone, Greeting: greet, EHLO: ehlo("STARTTLS"),
			TLS: tls(TLSInfo{NotYetValid: true, Trusted: true, noCertificate: true})},
		{Host: "s.example", Port: mx, Outcome: OutcomeOK, Stage: StageDone, Greeting: greet, EHLO: ehlo("STARTTLS"),
			TLS: tls(TLSInfo{DaysLeft: 3, NameMatch: false, Trusted: false, Chain: []Cert{{DNSNames: []string{"other.example"}}}})},
		// one octet: the singular, which French uses for 0 and 1 too.
		{Host: "u.example", Port: mx, Outcome: OutcomeOK, Stage: StageDone, Greeting: greet, EHLO: ehlo("STARTTLS"), DiscardedOctets: 1},
		{Host: "v.example", Port: mx, Outcome: OutcomeOK, Stage: StageDone, Greeting: greet, EHLO: ehlo("STARTTLS"),
			TLS: tls(TLSInfo{DaysLeft: 1, NameMatch: true, Trusted: true})},
		{Host: "t.example", Port: sub, Outcome: OutcomeOK, Stage: StageDone, Greeting: greet, EHLO: ehlo("STARTTLS"),
			TLS: tls(TLSInfo{DaysLeft: 20, NameMatch: true, Trusted: false})},
	}
	fs := ServerFindings(probes, Diagnosis{Explained: map[int]bool{}}, Options{})
	seen := map[string]bool{}
	for _, f := range fs {
		seen[f.ID+"/"+f.Variant] = true
	}
	for _, want := range []string{"smtp.host.unresolved/", "smtp.dns.error/", "smtp.connect.refused/other_port", "smtp.connect.failed/",
		"smtp.banner.timeout/", "smtp.banner.refused/", "smtp.ehlo.rejected/helo_too", "smtp.banner.unavailable/",
		"smtp.banner.unavailable/closed", "smtp.protocol.error/closed", "smtp.reply.timeout/", "smtp.protocol.error/",
		"smtp.465.not_tls/", "smtp.starttls.failed/", "smtp.probe.unfinished/", "smtp.banner.slow/", "smtp.ehlo.rejected/",
		"smtp.auth.cleartext/", "smtp.starttls.missing/submission", "smtp.starttls.failed/reply", "smtp.protocol.error/injected",
		"smtp.protocol.error/starttls_again", "smtp.tls.legacy/", "smtp.cert.expired/submission", "smtp.cert.expired/not_yet_valid",
		"smtp.cert.expiring/week", "smtp.cert.expiring/", "smtp.cert.name_mismatch/", "smtp.cert.untrusted/submission", "smtp.cert.untrusted/",
		"smtp.ext.size/", "smtp.ext.pipelining/"} {
		if !seen[want] {
			t.Errorf("no %s finding", want)
		}
	}
	sec := []report.Section{{Check: CheckSMTP, Findings: fs}}
	for _, lang := range i18n.Langs {
		for _, f := range worded(t, lang, sec)[0].Findings {
			for _, s := range []string{f.Title, f.Detail, f.Fix} {
				if strings.Contains(s, "{{") || strings.Contains(s, "smtp.") && !strings.Contains(s, "smtp.example") && strings.Contains(s, "smtp."+strings.SplitN(f.ID, ".", 3)[1]) {
					t.Errorf("%s %s: %q", lang, f.ID, s)
				}
			}
			if f.Title == "" || f.Detail == "" {
				t.Errorf("%s %s (%s): no words", lang, f.ID, f.Variant)
			}
		}
	}
	// A French detail, whole: the submission port's STARTTLS.
	for _, f := range worded(t, i18n.French, sec)[0].Findings {
		if f.ID == "smtp.starttls.missing" && f.Detail != "p.example (port 587) ne propose pas STARTTLS\u00a0: le courrier et les mots de passe circulent en clair." {
			t.Errorf("French detail %q", f.Detail)
		}
	}
}

// The environment findings, from Diagnose on probes built by hand.
func TestEveryEnvironmentFindingIsWorded(t *testing.T) {
	mx := Port{25, RoleSMTP}
	sub := Port{587, RoleSubmission}
	greet := &Reply{Code: 220, Lines: []string{"proxy.isp.example ESMTP"}}
	cases := [][]Probe{
		// port 25 silent from two providers while 587 works: blocked.
		{{Host: "mx.a.example", Address: "192.0.2.1", Family: IPv4, Port: mx, Outcome: OutcomeTimeout, Stage: StageConnect},
			{Host: "mx.b.test", Address: "198.51.100.1", Family: IPv4, Port: mx, Outcome: OutcomeTimeout, Stage: StageConnect, Source: SourceReference},
			{Host: "smtp.a.example", Address: "192.0.2.2", Family: IPv4, Port: sub, Outcome: OutcomeOK, Stage: StageDone},
			{Host: "mx.a.example", Address: "2001:db8::1", Family: IPv6, Port: mx, Outcome: OutcomeUnreachable, Stage: StageConnect}},
		// one destination silent: unconfirmed.
		{{Host: "mx.a.example", Address: "192.0.2.1", Family: IPv4, Port: mx, Outcome: OutcomeTimeout, Stage: StageConnect},
			{Host: "smtp.a.example", Address: "192.0.2.2", Family: IPv4, Port: sub, Outcome: OutcomeOK, Stage: StageDone}},
		// nothing connects: offline.
		{{Host: "mx.a.example", Address: "192.0.2.1", Family: IPv4, Port: mx, Outcome: OutcomeTimeout, Stage: StageConnect}},
		// IPv6 dead, IPv4 fine; one banner for unrelated hosts on 25.
		{{Host: "mx.a.example", Address: "192.0.2.1", Family: IPv4, Port: mx, Outcome: OutcomeOK, Stage: StageDone, Greeting: greet},
			{Host: "mx.a.example", Address: "2001:db8::1", Family: IPv6, Port: mx, Outcome: OutcomeTimeout, Stage: StageConnect},
			{Host: "mx.b.test", Address: "198.51.100.1", Family: IPv4, Port: mx, Outcome: OutcomeOK, Stage: StageDone, Greeting: greet}},
	}
	seen := map[string]bool{}
	for _, probes := range cases {
		d := Diagnose(probes)
		for _, f := range d.Findings {
			seen[f.ID+"/"+f.Variant] = true
		}
		sec := []report.Section{{Check: CheckPorts, Findings: d.Findings, Summary: portsSummary(probes, d)}}
		for _, lang := range i18n.Langs {
			w := worded(t, lang, sec)[0]
			for _, f := range w.Findings {
				if f.Title == "" || f.Detail == "" || f.Fix == "" || strings.Contains(f.Detail, "smtp.evidence") {
					t.Errorf("%s %s: %+v", lang, f.ID, f)
				}
			}
		}
	}
	for _, want := range []string{"env.port25.blocked/", "env.port.unconfirmed/", "env.port.unconfirmed/offline", "env.ipv6.unreachable/", "env.port25.intercepted/"} {
		if !seen[want] {
			t.Errorf("no %s finding (%v)", want, seen)
		}
	}
}

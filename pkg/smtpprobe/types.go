package smtpprobe

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Role is what a port is for; it decides the TLS sequence and how much a
// problem weighs (RFC 5321 relay, RFC 6409 submission, RFC 8314 §3.3 submissions).
type Role string

const (
	// RoleSMTP is MTA-to-MTA relay (RFC 5321), port 25: opportunistic STARTTLS.
	RoleSMTP Role = "smtp"
	// RoleSubmission is message submission (RFC 6409), port 587: STARTTLS.
	RoleSubmission Role = "submission"
	// RoleSubmissions is submission over Implicit TLS (RFC 8314 §3.3), port 465.
	RoleSubmissions Role = "submissions"
)

// IsSubmission reports whether the role carries users' passwords.
func (r Role) IsSubmission() bool { return r == RoleSubmission || r == RoleSubmissions }

// ImplicitTLS reports whether TLS starts with the first byte (RFC 8314 §3.3).
func (r Role) ImplicitTLS() bool { return r == RoleSubmissions }

// Port is a TCP port and its role.
type Port struct {
	Number int  `json:"number"`
	Role   Role `json:"role"`
}

// String returns "587/submission".
func (p Port) String() string { return strconv.Itoa(p.Number) + "/" + string(p.Role) }

// DefaultPorts are probed when Options.Ports is empty. Port 465 is not
// deprecated: RFC 8314 §7.3 registered it for submission over Implicit TLS.
var DefaultPorts = []Port{{25, RoleSMTP}, {587, RoleSubmission}, {465, RoleSubmissions}}

// ErrBadPort is returned by ParsePort.
var ErrBadPort = errors.New("invalid port")

// ParsePort reads "N" or "N/role" (role: smtp, submission, submissions).
// Without a role, 587 is submission, 465 submissions and any other port smtp.
func ParsePort(s string) (Port, error) {
	num, role, hasRole := strings.Cut(strings.TrimSpace(s), "/")
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > 65535 {
		return Port{}, fmt.Errorf("%w %q: want a number from 1 to 65535, optionally /smtp, /submission or /submissions", ErrBadPort, s)
	}
	p := Port{Number: n, Role: defaultRole(n)}
	if hasRole {
		switch r := Role(strings.ToLower(role)); r {
		case RoleSMTP, RoleSubmission, RoleSubmissions:
			p.Role = r
		default:
			return Port{}, fmt.Errorf("%w %q: role must be smtp, submission or submissions", ErrBadPort, s)
		}
	}
	return p, nil
}

func defaultRole(n int) Role {
	switch n {
	case 587:
		return RoleSubmission
	case 465:
		return RoleSubmissions
	}
	return RoleSMTP
}

// MergePorts returns DefaultPorts with extra added; an extra port that is
// already there replaces its role.
func MergePorts(extra []Port) []Port {
	out := append([]Port(nil), DefaultPorts...)
	for _, e := range extra {
		replaced := false
		for i := range out {
			if out[i].Number == e.Number {
				out[i], replaced = e, true
			}
		}
		if !replaced {
			out = append(out, e)
		}
	}
	return out
}

// Source says why a host is probed.
type Source string

const (
	SourceArgument   Source = "argument"    // named on the command line
	SourceMX         Source = "mx"          // an MX host of the domain
	SourceImplicitMX Source = "implicit-mx" // the domain itself: it has no MX (RFC 5321 §5.1)
	SourceSRV        Source = "srv"         // an RFC 6186 SRV target
	SourceGuess      Source = "guess"       // a usual name (smtp., mail.) that exists
	SourceReference  Source = "reference"   // a well-known MX, only to compare reachability
)

// Target is one host to probe on one port.
type Target struct {
	// Host is an ASCII host name without the trailing dot, or an IP address.
	Host   string `json:"host"`
	Port   Port   `json:"port"`
	Source Source `json:"source"`
}

// Family is an address family. Probes keep IPv4 and IPv6 apart: each has its own routes and filters.
type Family string

const (
	IPv4 Family = "ipv4"
	IPv6 Family = "ipv6"
)

// Stage is a step of the probe sequence (see the package doc). A probe's Stage is
// the last one it entered: where it stopped.
type Stage string

const (
	StageQueued   Stage = "queued"   // waiting for a free slot
	StageResolve  Stage = "resolve"  // looking up the host's addresses
	StageConnect  Stage = "connect"  // TCP connect
	StageTLS      Stage = "tls"      // TLS handshake (implicit, or after STARTTLS)
	StageGreeting Stage = "greeting" // waiting for the complete 220 greeting
	StageEHLO     Stage = "ehlo"     // EHLO (or the HELO fallback)
	StageSTARTTLS Stage = "starttls" // the STARTTLS command
	StageEHLOTLS  Stage = "ehlo-tls" // EHLO again inside TLS
	StageQuit     Stage = "quit"     // QUIT
	StageDone     Stage = "done"     // finished
)

// Outcome classifies how a probe ended.
type Outcome string

const (
	OutcomeOK          Outcome = "ok"            // the session ran to QUIT
	OutcomeUnresolved  Outcome = "unresolved"    // the host name has no address
	OutcomeDNSError    Outcome = "dns-error"     // the address lookup failed
	OutcomeRefused     Outcome = "refused"       // TCP RST: nothing listening, or a firewall
	OutcomeTimeout     Outcome = "timeout"       // no answer to the connect: filtered or down
	OutcomeUnreachable Outcome = "unreachable"   // ICMP unreachable, no route, or prohibited
	OutcomeConnectErr  Outcome = "connect-error" // another connect failure
	OutcomeNoGreeting  Outcome = "no-greeting"   // connected, but no greeting within the limit
	OutcomeRejected    Outcome = "rejected"      // 5xx greeting (554), or HELO refused
	OutcomeDeferred    Outcome = "deferred"      // 4xx (421): temporarily unavailable
	OutcomeClosed      Outcome = "closed"        // the server closed the connection early
	OutcomeStalled     Outcome = "stalled"       // no reply to a command within the limit
	OutcomeProtocol    Outcome = "protocol-error"
	OutcomeTLSFailed   Outcome = "tls-failed" // the TLS handshake failed
	OutcomeNotTLS      Outcome = "not-tls"    // Implicit TLS expected, cleartext SMTP found
	OutcomeUnfinished  Outcome = "unfinished" // the caller's context ended first; see Stage
)

// Timing is how long one stage took.
type Timing struct {
	Stage        Stage   `json:"stage"`
	Milliseconds float64 `json:"ms"`
}

// Probe is the record of one probe: one host, address and port.
type Probe struct {
	Host    string `json:"host"`
	Address string `json:"address,omitempty"`
	Family  Family `json:"family,omitempty"`
	Port    Port   `json:"port"`
	Source  Source `json:"source"`

	Outcome Outcome `json:"outcome"`
	// Stage is where the probe stopped ("done" when it finished).
	Stage Stage  `json:"stage"`
	Error string `json:"error,omitempty"`
	// err is the resolver error behind a dns-error outcome, so that the
	// finding words it in the report's language (check.ErrMsg).
	err error
	// last is the refusal behind Error when a command's reply ended the
	// session, for findings to quote (Error keeps the English evidence).
	last *lastReply

	Greeting *Reply `json:"greeting,omitempty"`
	// GreetingMilliseconds is the time from connection to complete greeting.
	GreetingMilliseconds float64 `json:"greeting_ms,omitempty"`
	// HELO is the name sent with EHLO/HELO.
	HELO string `json:"helo,omitempty"`
	// EHLORejected is the reply to a refused EHLO; HELO was tried next.
	EHLORejected *Reply `json:"ehlo_rejected,omitempty"`
	// HELOFallback is set when the session went on with HELO.
	HELOFallback bool  `json:"helo_fallback,omitempty"`
	EHLO         *EHLO `json:"ehlo,omitempty"`
	// STARTTLS is the reply to STARTTLS, when it was sent.
	STARTTLS *Reply   `json:"starttls,omitempty"`
	TLS      *TLSInfo `json:"tls,omitempty"`
	// TLSError says why the handshake failed.
	TLSError string `json:"tls_error,omitempty"`
	// EHLOAfterTLS is the reply to EHLO inside TLS (RFC 3207 §4.2).
	EHLOAfterTLS *EHLO    `json:"ehlo_after_tls,omitempty"`
	AddedByTLS   []string `json:"added_by_tls,omitempty"`
	RemovedByTLS []string `json:"removed_by_tls,omitempty"`
	// DiscardedOctets counts cleartext received after the 220 to STARTTLS and
	// thrown away: a sign of response injection (RFC 3207 §6).
	DiscardedOctets int      `json:"discarded_octets,omitempty"`
	Quit            *Reply   `json:"quit,omitempty"`
	Sent            []string `json:"sent"`
	Timings         []Timing `json:"timings"`
}

// Connected reports whether the TCP connection was established.
func (p *Probe) Connected() bool {
	switch p.Stage {
	case StageQueued, StageResolve, StageConnect:
		return false
	}
	return true
}

// Session returns the extensions that matter: those inside TLS when TLS was
// set up, else those of the cleartext EHLO.
func (p *Probe) Session() *EHLO {
	if p.EHLOAfterTLS != nil {
		return p.EHLOAfterTLS
	}
	return p.EHLO
}

// TLSInfo is what the TLS handshake showed.
type TLSInfo struct {
	Version    string `json:"version"`
	Cipher     string `json:"cipher"`
	ServerName string `json:"server_name,omitempty"`
	Chain      []Cert `json:"chain"`
	// Verified is Trusted, NameMatch and within the validity period.
	Verified    bool      `json:"verified"`
	Trusted     bool      `json:"trusted"`
	NameMatch   bool      `json:"name_match"`
	Expired     bool      `json:"expired"`
	NotYetValid bool      `json:"not_yet_valid"`
	NotAfter    time.Time `json:"not_after"`
	// DaysLeft is the whole days until the leaf expires; negative when expired.
	DaysLeft   int    `json:"days_left"`
	TrustError string `json:"trust_error,omitempty"`
	// noCertificate: the server sent none (TrustError is then evidence
	// in English for JSON readers; reports word it from the catalog).
	noCertificate bool
	NameError     string `json:"name_error,omitempty"`
	SelfSigned    bool   `json:"self_signed"`
	LegacyTLS     bool   `json:"legacy"`
	// Certificates is the chain as sent, leaf first, for checks that
	// match it against DNS (DANE TLSA); not part of the JSON.
	Certificates []*x509.Certificate `json:"-"`
}

// Cert describes one certificate of the chain the server sent.
type Cert struct {
	Subject     string    `json:"subject"`
	Issuer      string    `json:"issuer"`
	DNSNames    []string  `json:"dns_names,omitempty"`
	IPAddresses []string  `json:"ip_addresses,omitempty"`
	NotBefore   time.Time `json:"not_before"`
	NotAfter    time.Time `json:"not_after"`
	SHA256      string    `json:"sha256"`
}

// Options tune a run. The zero value probes DefaultPorts with the default
// timeouts.
type Options struct {
	// Ports to probe; empty means DefaultPorts.
	Ports []Port
	// HELO is the name sent with EHLO: a fully qualified domain name that
	// resolves, ideally this host's PTR name (RFC 5321 §4.1.1.1). Empty means
	// the address literal of the local end of each connection ("[192.0.2.1]"),
	// which RFC 5321 §4.1.3 allows for a client without a name.
	HELO string
	// Budget is the time the whole run may take (the caller's deadline,
	// such as a command's --timeout); zero means the context's deadline at
	// the start of Check, if any. Each stage gets its own share of it, so a
	// port that accepts TCP and never greets costs a bounded wait, is
	// reported as such (smtp.banner.timeout), and leaves time for the
	// other stages: the greeting at most half of it (and 60s), each later
	// reply and TLS handshake a quarter (and 30s), the connect half.
	Budget time.Duration
	// ConnectTimeout bounds the TCP connect (default 10s, at most Budget/2).
	ConnectTimeout time.Duration
	// GreetingTimeout bounds the wait for the complete greeting (default 60s;
	// RFC 5321 §4.5.3.2.1 lets clients wait 5 minutes, and some servers delay
	// on purpose).
	GreetingTimeout time.Duration
	// CommandTimeout bounds each later reply and the TLS handshake (default 30s).
	CommandTimeout time.Duration
	// SlowGreeting is the delay above which a greeting is reported slow (default 10s).
	SlowGreeting time.Duration
	// Concurrency bounds the probes in flight (default 16).
	Concurrency int
	// MaxHosts bounds the hosts taken per role from DNS (default 5).
	MaxHosts int
	// Roots verifies certificates; nil means the system roots.
	Roots *x509.CertPool
	// References are well-known MX hosts probed on the smtp-role ports only
	// to tell "this network blocks port 25" from "the server is down"
	// (see Diagnose). They get no findings of their own.
	References []string
}

func (o Options) withDefaults() Options {
	if len(o.Ports) == 0 {
		o.Ports = DefaultPorts
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.GreetingTimeout <= 0 {
		o.GreetingTimeout = 60 * time.Second
		if o.Budget > 0 {
			o.GreetingTimeout = min(o.GreetingTimeout, o.Budget/2)
		}
	}
	if o.CommandTimeout <= 0 {
		o.CommandTimeout = 30 * time.Second
		if o.Budget > 0 {
			o.CommandTimeout = min(o.CommandTimeout, o.Budget/4)
		}
	}
	if o.Budget > 0 {
		o.ConnectTimeout = min(o.ConnectTimeout, o.Budget/2)
	}
	if o.SlowGreeting <= 0 {
		o.SlowGreeting = 10 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 16
	}
	if o.MaxHosts <= 0 {
		o.MaxHosts = 5
	}
	return o
}

// budgeted fills Budget from the context's deadline when it is unset, to
// a tenth of a second, so that every stage bound comes from it.
func (o Options) budgeted(ctx context.Context) Options {
	if o.Budget <= 0 {
		if dl, ok := ctx.Deadline(); ok {
			o.Budget = time.Until(dl).Round(100 * time.Millisecond)
		}
	}
	return o
}

// lastReply is a command and the reply that ended a session.
type lastReply struct {
	command string
	reply   Reply
}

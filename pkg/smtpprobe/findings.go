package smtpprobe

import "github.com/mailcheck/mailcheck/pkg/report"

// Environment findings: properties of the network mailcheck runs from, not of
// any domain (docs/scoring.md). They go in the "ports" section, which is
// reported beside the domain score and never inside it.
var (
	EnvPort25Blocked = report.Definition{
		ID: "env.port25.blocked", Severity: report.High,
		Title: "This network blocks outbound port 25",
		Refs:  []string{"RFC 5321 §2.1", "RFC 8314 §3.3"},
	}
	EnvPort587Blocked = report.Definition{
		ID: "env.port587.blocked", Severity: report.High,
		Title: "This network blocks outbound port 587",
		Refs:  []string{"RFC 6409 §3.1"},
	}
	EnvPort465Blocked = report.Definition{
		ID: "env.port465.blocked", Severity: report.High,
		Title: "This network blocks outbound port 465",
		Refs:  []string{"RFC 8314 §3.3", "RFC 8314 §7.3"},
	}
	EnvPortBlocked = report.Definition{
		ID: "env.port.blocked", Severity: report.High,
		Title: "This network blocks an outbound SMTP port",
	}
	EnvPortUnconfirmed = report.Definition{
		ID: "env.port.unconfirmed", Severity: report.Low, Inconclusive: true,
		Title: "A port could not be reached, and nothing tells whether this network or the server is at fault",
	}
	EnvIPv6Unreachable = report.Definition{
		ID: "env.ipv6.unreachable", Severity: report.Low,
		Title: "No working IPv6 route from this network",
		Refs:  []string{"RFC 5321 §5.1"},
	}
	EnvPort25Intercepted = report.Definition{
		ID: "env.port25.intercepted", Severity: report.High,
		Title: "Outbound port 25 is intercepted by this network",
		Refs:  []string{"RFC 3207 §6", "RFC 7435 §1.2"},
	}
)

// Server findings: properties of the hosts probed.
var (
	DNSError = report.Definition{
		ID: "smtp.dns.error", Severity: report.Medium, Inconclusive: true,
		Title: "A DNS lookup needed to find the SMTP hosts failed",
		Refs:  []string{"RFC 5321 §5.1"},
	}
	HostUnresolved = report.Definition{
		ID: "smtp.host.unresolved", Severity: report.High,
		Title: "SMTP host name has no address",
		Refs:  []string{"RFC 5321 §5.1"},
	}
	SubmissionNotFound = report.Definition{
		ID: "smtp.submission.not_found", Severity: report.Info,
		Title: "No submission host found for the domain",
		Refs:  []string{"RFC 6186 §3.1", "RFC 8314 §5.1"},
	}
	ConnectRefused = report.Definition{
		ID: "smtp.connect.refused", Severity: report.High,
		Title: "Connection refused: nothing listens on the port",
		Refs:  []string{"RFC 5321 §3.1"},
	}
	ConnectFailed = report.Definition{
		ID: "smtp.connect.failed", Severity: report.High,
		Title: "Host unreachable on a port where other hosts answer",
		Refs:  []string{"RFC 5321 §3.1"},
	}
	BannerRefused = report.Definition{
		ID: "smtp.banner.refused", Severity: report.High,
		Title: "Server greets with 554: it refuses this client",
		Refs:  []string{"RFC 5321 §3.1", "RFC 5321 §4.2.3"},
	}
	BannerUnavailable = report.Definition{
		ID: "smtp.banner.unavailable", Severity: report.Medium, Inconclusive: true,
		Title: "Server greets with 421: temporarily unavailable",
		Refs:  []string{"RFC 5321 §3.8", "RFC 5321 §4.2.3"},
	}
	BannerTimeout = report.Definition{
		ID: "smtp.banner.timeout", Severity: report.Medium, Inconclusive: true,
		Title: "Server accepted the connection but sent no greeting",
		Refs:  []string{"RFC 5321 §4.5.3.2.1"},
	}
	BannerSlow = report.Definition{
		ID: "smtp.banner.slow", Severity: report.Low,
		Title: "Server greeting is slow",
		Refs:  []string{"RFC 5321 §4.5.3.2.1"},
	}
	// ReplyTimeout: a stall after the greeting, at a bound mailcheck chose
	// (RFC 5321 §4.5.3.2 lets a client wait minutes for each reply): not
	// evidence that the server is broken, so it decides nothing.
	ReplyTimeout = report.Definition{
		ID: "smtp.reply.timeout", Severity: report.Medium, Inconclusive: true,
		Title: "Server stopped answering in the middle of the session",
		Refs:  []string{"RFC 5321 §4.5.3.2"},
	}
	ProtocolError = report.Definition{
		ID: "smtp.protocol.error", Severity: report.Medium,
		Title: "Server broke the SMTP protocol",
		Refs:  []string{"RFC 5321 §4.2"},
	}
	EHLORejected = report.Definition{
		ID: "smtp.ehlo.rejected", Severity: report.Medium,
		Title: "Server rejected EHLO (HELO fallback used)",
		Refs:  []string{"RFC 5321 §4.1.1.1", "RFC 5321 §3.2"},
	}
	STARTTLSMissing = report.Definition{
		ID: "smtp.starttls.missing", Severity: report.High,
		Title: "STARTTLS not offered",
		Refs:  []string{"RFC 3207 §4", "RFC 8314 §3.3"},
	}
	STARTTLSFailed = report.Definition{
		ID: "smtp.starttls.failed", Severity: report.High,
		Title: "TLS could not be set up",
		Refs:  []string{"RFC 3207 §4", "RFC 8314 §3.3"},
	}
	NotTLS465 = report.Definition{
		ID: "smtp.465.not_tls", Severity: report.High,
		Title: "Port 465 speaks cleartext SMTP instead of Implicit TLS",
		Refs:  []string{"RFC 8314 §3.3", "RFC 8314 §7.3"},
	}
	TLSLegacy = report.Definition{
		ID: "smtp.tls.legacy", Severity: report.Medium,
		Title: "Best TLS version offered is older than TLS 1.2",
		Refs:  []string{"RFC 8996 §2", "RFC 8314 §4.1"},
	}
	CertExpired = report.Definition{
		ID: "smtp.cert.expired", Severity: report.High,
		Title: "TLS certificate expired (or not yet valid)",
		Refs:  []string{"RFC 5280 §4.1.2.5"},
	}
	CertExpiring = report.Definition{
		ID: "smtp.cert.expiring", Severity: report.Low,
		Title: "TLS certificate expires soon",
		Refs:  []string{"RFC 5280 §4.1.2.5"},
	}
	CertNameMismatch = report.Definition{
		ID: "smtp.cert.name_mismatch", Severity: report.Medium,
		Title: "TLS certificate does not name the host",
		Refs:  []string{"RFC 6125 §6", "RFC 7817 §3"},
	}
	CertUntrusted = report.Definition{
		ID: "smtp.cert.untrusted", Severity: report.Low,
		Title: "TLS certificate is self-signed or from an unknown CA",
		Refs:  []string{"RFC 5280 §6", "RFC 7435 §4"},
	}
	AuthCleartext = report.Definition{
		ID: "smtp.auth.cleartext", Severity: report.High,
		Title: "AUTH PLAIN/LOGIN offered before TLS",
		Refs:  []string{"RFC 4954 §4", "RFC 8314 §3.3"},
	}
	ProbeUnfinished = report.Definition{
		ID: "smtp.probe.unfinished", Severity: report.Low, Inconclusive: true,
		Title: "Probe did not finish before the time limit",
	}
	ProbeSkipped = report.Definition{
		ID: "smtp.probe.skipped", Severity: report.Info,
		Title: "SMTP servers not probed (offline run)",
	}
)

// Extension findings (info): what the servers offer, for the record.
var (
	ExtSize = report.Definition{ID: "smtp.ext.size", Severity: report.Info,
		Title: "SIZE: message size limit declared", Refs: []string{"RFC 1870"}}
	ExtPipelining = report.Definition{ID: "smtp.ext.pipelining", Severity: report.Info,
		Title: "PIPELINING offered", Refs: []string{"RFC 2920"}}
	Ext8BitMIME = report.Definition{ID: "smtp.ext.8bitmime", Severity: report.Info,
		Title: "8BITMIME offered", Refs: []string{"RFC 6152"}}
	ExtSMTPUTF8 = report.Definition{ID: "smtp.ext.smtputf8", Severity: report.Info,
		Title: "SMTPUTF8 offered", Refs: []string{"RFC 6531"}}
	ExtRequireTLS = report.Definition{ID: "smtp.ext.requiretls", Severity: report.Info,
		Title: "REQUIRETLS offered", Refs: []string{"RFC 8689"}}
	ExtChunking = report.Definition{ID: "smtp.ext.chunking", Severity: report.Info,
		Title: "CHUNKING offered", Refs: []string{"RFC 3030"}}
	ExtDSN = report.Definition{ID: "smtp.ext.dsn", Severity: report.Info,
		Title: "DSN offered", Refs: []string{"RFC 3461"}}
	ExtEnhancedStatusCodes = report.Definition{ID: "smtp.ext.enhancedstatuscodes", Severity: report.Info,
		Title: "ENHANCEDSTATUSCODES offered", Refs: []string{"RFC 2034"}}
	ExtLimits = report.Definition{ID: "smtp.ext.limits", Severity: report.Info,
		Title: "LIMITS declared", Refs: []string{"RFC 9422"}}
)

// extensionDefs maps an EHLO keyword to its info finding, in report order.
var extensionDefs = []struct {
	Keyword string
	Def     report.Definition
}{
	{"SIZE", ExtSize},
	{"PIPELINING", ExtPipelining},
	{"8BITMIME", Ext8BitMIME},
	{"SMTPUTF8", ExtSMTPUTF8},
	{"REQUIRETLS", ExtRequireTLS},
	{"CHUNKING", ExtChunking},
	{"DSN", ExtDSN},
	{"ENHANCEDSTATUSCODES", ExtEnhancedStatusCodes},
	{"LIMITS", ExtLimits},
}

// Definitions lists every finding this package can report.
var Definitions = []report.Definition{
	EnvPort25Blocked, EnvPort587Blocked, EnvPort465Blocked, EnvPortBlocked,
	EnvPortUnconfirmed, EnvIPv6Unreachable, EnvPort25Intercepted,
	DNSError, HostUnresolved, SubmissionNotFound,
	ConnectRefused, ConnectFailed,
	BannerRefused, BannerUnavailable, BannerTimeout, BannerSlow,
	ReplyTimeout, ProtocolError, EHLORejected,
	STARTTLSMissing, STARTTLSFailed, NotTLS465, TLSLegacy,
	CertExpired, CertExpiring, CertNameMismatch, CertUntrusted,
	AuthCleartext, ProbeUnfinished, ProbeSkipped,
	ExtSize, ExtPipelining, Ext8BitMIME, ExtSMTPUTF8, ExtRequireTLS,
	ExtChunking, ExtDSN, ExtEnhancedStatusCodes, ExtLimits,
}

// newFinding makes a finding of def; sev, when set, replaces the default
// severity where ours depends on the port's role (a
// certificate problem on submission, where passwords travel, weighs more
// than on an MX, where senders rarely verify certificates: RFC 7435).
func newFinding(def report.Definition, sev report.Severity, detail, fix string) report.Finding {
	f := def.New(detail, fix)
	if sev != "" {
		f.Severity = sev
	}
	return f
}

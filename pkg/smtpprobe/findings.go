package smtpprobe

import "github.com/mailcheck/mailcheck/pkg/report"

// Finding definitions of the SMTP probe. Their words are in the catalogs
// (internal/i18n/locales/smtpprobe.*.toml) under each ID; each is
// explained in docs/findings/smtp.md. Severities are ours; where they depend
// on the port's role, the variant says so: a certificate problem on
// submission, where passwords travel, weighs more than on an MX, where
// senders rarely verify certificates (RFC 7435).

// Environment findings: properties of the network mailcheck runs from, not of
// any domain (docs/scoring.md). They go in the "ports" section, which is
// reported beside the domain score and never inside it.
var (
	EnvPort25Blocked   = report.Definition{ID: "env.port25.blocked", Severity: report.High, Refs: []string{"RFC 5321 §2.1", "RFC 8314 §3.3"}}
	EnvPort587Blocked  = report.Definition{ID: "env.port587.blocked", Severity: report.High, Refs: []string{"RFC 6409 §3.1"}}
	EnvPort465Blocked  = report.Definition{ID: "env.port465.blocked", Severity: report.High, Refs: []string{"RFC 8314 §3.3", "RFC 8314 §7.3"}}
	EnvPortBlocked     = report.Definition{ID: "env.port.blocked", Severity: report.High}
	EnvPortUnconfirmed = report.Definition{ID: "env.port.unconfirmed", Severity: report.Low, Inconclusive: true,
		Variants: []report.Variant{{Name: "offline", Severity: report.Low}}} // no connection at all, on any port
	EnvIPv6Unreachable   = report.Definition{ID: "env.ipv6.unreachable", Severity: report.Low, Refs: []string{"RFC 5321 §5.1"}}
	EnvPort25Intercepted = report.Definition{ID: "env.port25.intercepted", Severity: report.High, Refs: []string{"RFC 3207 §6", "RFC 7435 §1.2"}}
)

// Server findings: properties of the hosts probed.
var (
	DNSError = report.Definition{ID: "smtp.dns.error", Severity: report.Medium, Inconclusive: true, Refs: []string{"RFC 5321 §5.1"},
		Variants: []report.Variant{
			{Name: "mx", Severity: report.Medium},         // the MX question itself
			{Name: "srv", Severity: report.Medium},        // an RFC 6186 SRV question
			{Name: "submission", Severity: report.Medium}, // the usual submission names
		}}
	HostUnresolved = report.Definition{ID: "smtp.host.unresolved", Severity: report.High, Refs: []string{"RFC 5321 §5.1"},
		Variants: []report.Variant{{Name: "nxdomain", Severity: report.High}}} // the domain itself does not exist
	SubmissionNotFound = report.Definition{ID: "smtp.submission.not_found", Severity: report.Info, Refs: []string{"RFC 6186 §3.1", "RFC 8314 §5.1"}}
	// RFC 8314 §3.3: one of 587 and 465 is enough, so a submission port
	// that fails while the other works is only information ("other_port").
	ConnectRefused = report.Definition{ID: "smtp.connect.refused", Severity: report.High, Refs: []string{"RFC 5321 §3.1"},
		Variants: []report.Variant{{Name: "other_port", Severity: report.Info}}}
	ConnectFailed = report.Definition{ID: "smtp.connect.failed", Severity: report.High, Refs: []string{"RFC 5321 §3.1"},
		Variants: []report.Variant{{Name: "other_port", Severity: report.Info}}}
	BannerRefused     = report.Definition{ID: "smtp.banner.refused", Severity: report.High, Refs: []string{"RFC 5321 §3.1", "RFC 5321 §4.2.3"}}
	BannerUnavailable = report.Definition{ID: "smtp.banner.unavailable", Severity: report.Medium, Inconclusive: true, Refs: []string{"RFC 5321 §3.8", "RFC 5321 §4.2.3"},
		Variants: []report.Variant{{Name: "closed", Severity: report.Medium}}} // closed before any greeting
	BannerTimeout = report.Definition{ID: "smtp.banner.timeout", Severity: report.Medium, Inconclusive: true, Refs: []string{"RFC 5321 §4.5.3.2.1"}}
	BannerSlow    = report.Definition{ID: "smtp.banner.slow", Severity: report.Low, Refs: []string{"RFC 5321 §4.5.3.2.1"}}
	// ReplyTimeout: a stall after the greeting, at a bound mailcheck chose
	// (RFC 5321 §4.5.3.2 lets a client wait minutes for each reply): not
	// evidence that the server is broken, so it decides nothing.
	ReplyTimeout  = report.Definition{ID: "smtp.reply.timeout", Severity: report.Medium, Inconclusive: true, Refs: []string{"RFC 5321 §4.5.3.2"}}
	ProtocolError = report.Definition{ID: "smtp.protocol.error", Severity: report.Medium, Refs: []string{"RFC 5321 §4.2"},
		Variants: []report.Variant{
			{Name: "closed", Severity: report.Medium},      // closed the connection mid-session
			{Name: "injected", Severity: report.Medium},    // octets after 220 to STARTTLS (RFC 3207 §6)
			{Name: "starttls_again", Severity: report.Low}, // STARTTLS offered inside TLS (RFC 3207 §4.2)
		}}
	EHLORejected = report.Definition{ID: "smtp.ehlo.rejected", Severity: report.Medium, Refs: []string{"RFC 5321 §4.1.1.1", "RFC 5321 §3.2"},
		Variants: []report.Variant{{Name: "helo_too", Severity: report.Medium}}} // HELO refused as well
	STARTTLSMissing = report.Definition{ID: "smtp.starttls.missing", Severity: report.High, Refs: []string{"RFC 3207 §4", "RFC 8314 §3.3"},
		Variants: []report.Variant{{Name: "submission", Severity: report.Critical}}} // passwords travel in cleartext
	STARTTLSFailed = report.Definition{ID: "smtp.starttls.failed", Severity: report.High, Refs: []string{"RFC 3207 §4", "RFC 8314 §3.3"},
		Variants: []report.Variant{{Name: "reply", Severity: report.High}}} // STARTTLS answered with an error
	NotTLS465   = report.Definition{ID: "smtp.465.not_tls", Severity: report.High, Refs: []string{"RFC 8314 §3.3", "RFC 8314 §7.3"}}
	TLSLegacy   = report.Definition{ID: "smtp.tls.legacy", Severity: report.Medium, Refs: []string{"RFC 8996 §2", "RFC 8314 §4.1"}}
	CertExpired = report.Definition{ID: "smtp.cert.expired", Severity: report.High, Refs: []string{"RFC 5280 §4.1.2.5"},
		Variants: []report.Variant{
			{Name: "submission", Severity: report.Critical},
			{Name: "not_yet_valid", Severity: report.High},
			{Name: "not_yet_valid_submission", Severity: report.Critical},
		}}
	CertExpiring = report.Definition{ID: "smtp.cert.expiring", Severity: report.Low, Refs: []string{"RFC 5280 §4.1.2.5"},
		Variants: []report.Variant{{Name: "week", Severity: report.Medium}}} // less than 7 days left
	CertNameMismatch = report.Definition{ID: "smtp.cert.name_mismatch", Severity: report.Medium, Refs: []string{"RFC 6125 §6", "RFC 7817 §3"},
		Variants: []report.Variant{{Name: "submission", Severity: report.High}}}
	CertUntrusted = report.Definition{ID: "smtp.cert.untrusted", Severity: report.Low, Refs: []string{"RFC 5280 §6", "RFC 7435 §4"},
		Variants: []report.Variant{{Name: "submission", Severity: report.High}}}
	AuthCleartext = report.Definition{ID: "smtp.auth.cleartext", Severity: report.High, Refs: []string{"RFC 4954 §4", "RFC 8314 §3.3"},
		Variants: []report.Variant{{Name: "before_starttls", Severity: report.High}}} // TLS is offered, AUTH is offered before it
	ProbeUnfinished = report.Definition{ID: "smtp.probe.unfinished", Severity: report.Low, Inconclusive: true}
	ProbeSkipped    = report.Definition{ID: "smtp.probe.skipped", Severity: report.Info}
)

// Extension findings (info): what the servers offer, for the record.
var (
	ExtSize                = report.Definition{ID: "smtp.ext.size", Severity: report.Info, Refs: []string{"RFC 1870"}}
	ExtPipelining          = report.Definition{ID: "smtp.ext.pipelining", Severity: report.Info, Refs: []string{"RFC 2920"}}
	Ext8BitMIME            = report.Definition{ID: "smtp.ext.8bitmime", Severity: report.Info, Refs: []string{"RFC 6152"}}
	ExtSMTPUTF8            = report.Definition{ID: "smtp.ext.smtputf8", Severity: report.Info, Refs: []string{"RFC 6531"}}
	ExtRequireTLS          = report.Definition{ID: "smtp.ext.requiretls", Severity: report.Info, Refs: []string{"RFC 8689"}}
	ExtChunking            = report.Definition{ID: "smtp.ext.chunking", Severity: report.Info, Refs: []string{"RFC 3030"}}
	ExtDSN                 = report.Definition{ID: "smtp.ext.dsn", Severity: report.Info, Refs: []string{"RFC 3461"}}
	ExtEnhancedStatusCodes = report.Definition{ID: "smtp.ext.enhancedstatuscodes", Severity: report.Info, Refs: []string{"RFC 2034"}}
	ExtLimits              = report.Definition{ID: "smtp.ext.limits", Severity: report.Info, Refs: []string{"RFC 9422"}}
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

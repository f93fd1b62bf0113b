package message

import "github.com/mailcheck/mailcheck/pkg/report"

// Finding definitions of `mailcheck message` (severities are ours). Their
// words are in the catalogs (internal/i18n/locales/message.*.toml) under
// each ID, and each is explained in docs/findings/message.md. DKIM
// signature findings (dkim.sig.*), reverse DNS (ptr.*) and a missing DMARC
// record (dmarc.record.missing) reuse those packages' IDs, as they mean the
// same.
var (
	HeadersOnly     = report.Definition{ID: "message.input.headers_only", Severity: report.Info, Refs: []string{"RFC 6376 §3.7", "RFC 8617 §4.1.2"}}
	BoundaryGuessed = report.Definition{ID: "message.boundary.guessed", Severity: report.Info, Refs: []string{"RFC 5321 §4.4", "RFC 8601 §2.5"}}
	BoundaryUnknown = report.Definition{ID: "message.boundary.unknown", Severity: report.Info, Inconclusive: true, Refs: []string{"RFC 5321 §4.4", "RFC 7208 §4.1"},
		Variants: []report.Variant{
			// The SPF section's view: no client address (or neither a
			// sender nor a HELO name), so SPF was not re-checked.
			{Name: "spf", Severity: report.Info},
		}}
	ReceiverMissing = report.Definition{ID: "message.receiver.missing", Severity: report.Info, Refs: []string{"RFC 8601 §5"}}
	ReceiverOther   = report.Definition{ID: "message.receiver.other_authserv", Severity: report.Info, Refs: []string{"RFC 8601 §5", "RFC 8601 §7.1"}}
	ReceiverForged  = report.Definition{ID: "message.receiver.forged", Severity: report.High, Refs: []string{"RFC 8601 §5", "RFC 8601 §7.1"}}
	Differs         = report.Definition{ID: "message.recheck.differs", Severity: report.Medium, Refs: []string{"RFC 8601 §2.7"}}
	SPFFail         = report.Definition{ID: "message.spf.fail", Severity: report.High, Refs: []string{"RFC 7208 §2.6.4", "RFC 7208 §8.4"}}
	SPFSoftfail     = report.Definition{ID: "message.spf.softfail", Severity: report.Medium, Refs: []string{"RFC 7208 §2.6.5"}}
	SPFNone         = report.Definition{ID: "message.spf.none", Severity: report.Medium, Refs: []string{"RFC 7208 §2.6.1"}}
	SPFNeutral      = report.Definition{ID: "message.spf.neutral", Severity: report.Low, Refs: []string{"RFC 7208 §2.6.2"}}
	SPFPermerror    = report.Definition{ID: "message.spf.permerror", Severity: report.High, Refs: []string{"RFC 7208 §2.6.7"}}
	DNSTemperror    = report.Definition{ID: "message.dns.temperror", Severity: report.Info, Inconclusive: true, Refs: []string{"RFC 7208 §2.6.6", "RFC 6376 §6.1.2", "RFC 9989 §4.10"},
		Variants: []report.Variant{
			// The same DNS trouble, met by the DMARC and the ARC re-checks
			// (the default is SPF's).
			{Name: "dmarc", Severity: report.Info},
			{Name: "arc", Severity: report.Info},
		}}
	DMARCFail      = report.Definition{ID: "message.dmarc.fail", Severity: report.High, Refs: []string{"RFC 9989 §4.4", "RFC 9989 §4.7"}}
	DMARCPermerror = report.Definition{ID: "message.dmarc.permerror", Severity: report.High, Refs: []string{"RFC 9989 §4.4", "RFC 9989 §4.10"}}
	DMARCUnchecked = report.Definition{ID: "message.dmarc.unchecked", Severity: report.Info, Inconclusive: true, Refs: []string{"RFC 9989 §4.4.1"}}
	ARCFail        = report.Definition{ID: "message.arc.fail", Severity: report.Medium, Refs: []string{"RFC 8617 §5.2"}}
	// The three header fields RFC 5322 §3.6 wants exactly once; the field
	// name is a parameter.
	FromCount        = report.Definition{ID: "message.from.count", Severity: report.High, Refs: []string{"RFC 5322 §3.6", "RFC 9989 §4.4"}}
	DateMissing      = report.Definition{ID: "message.date.missing", Severity: report.Medium, Refs: []string{"RFC 5322 §3.6"}}
	MessageIDMissing = report.Definition{ID: "message.message_id.missing", Severity: report.Medium, Refs: []string{"RFC 5322 §3.6", "RFC 5322 §3.6.4"}}
	ListUnsubMissing = report.Definition{ID: "message.list_unsubscribe.missing", Severity: report.Medium, Refs: []string{"RFC 2369 §3.2", "RFC 8058 §3.1"}}
	ListUnsubNoHTTPS = report.Definition{ID: "message.list_unsubscribe.no_https", Severity: report.Medium, Refs: []string{"RFC 8058 §3.1"}}
	ListUnsubNoPost  = report.Definition{ID: "message.list_unsubscribe.no_one_click", Severity: report.Medium, Refs: []string{"RFC 8058 §3.1"},
		Variants: []report.Variant{
			// No List-Unsubscribe-Post field at all (the default: one
			// with another value).
			{Name: "absent", Severity: report.Medium},
		}}
	TLSMissing = report.Definition{ID: "message.tls.missing", Severity: report.Medium, Refs: []string{"RFC 3848 §1", "RFC 3207"}}
)

// Definitions lists every finding this package makes itself.
var Definitions = []report.Definition{
	HeadersOnly, BoundaryGuessed, BoundaryUnknown, ReceiverMissing, ReceiverOther, ReceiverForged, Differs,
	SPFFail, SPFSoftfail, SPFNone, SPFNeutral, SPFPermerror, DNSTemperror,
	DMARCFail, DMARCPermerror, DMARCUnchecked, ARCFail,
	FromCount, DateMissing, MessageIDMissing,
	ListUnsubMissing, ListUnsubNoHTTPS, ListUnsubNoPost, TLSMissing,
}

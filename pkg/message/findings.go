package message

import "github.com/mailcheck/mailcheck/pkg/report"

// Finding definitions of `mailcheck message`. DKIM signature findings
// (dkim.sig.*), reverse DNS (ptr.*) and a missing DMARC record
// (dmarc.record.missing) reuse those packages' IDs, as they mean the same.
var (
	HeadersOnly = report.Definition{ID: "message.input.headers_only", Severity: report.Info,
		Title: "Only the header section was given: body hashes cannot be checked",
		Refs:  []string{"RFC 6376 §3.7", "RFC 8617 §4.1.2"}}
	BoundaryGuessed = report.Definition{ID: "message.boundary.guessed", Severity: report.Info,
		Title: "The receiving organization's boundary was guessed from the Received fields",
		Refs:  []string{"RFC 5321 §4.4", "RFC 8601 §2.5"}}
	BoundaryUnknown = report.Definition{ID: "message.boundary.unknown", Severity: report.Info, Inconclusive: true,
		Title: "No Received field gives the address the receiver accepted the message from",
		Refs:  []string{"RFC 5321 §4.4", "RFC 7208 §4.1"}}
	ReceiverMissing = report.Definition{ID: "message.receiver.missing", Severity: report.Info,
		Title: "The message carries no Authentication-Results from the receiver",
		Refs:  []string{"RFC 8601 §5"}}
	ReceiverOther = report.Definition{ID: "message.receiver.other_authserv", Severity: report.Info,
		Title: "Authentication-Results from other authserv-ids",
		Refs:  []string{"RFC 8601 §5", "RFC 8601 §7.1"}}
	ReceiverForged = report.Definition{ID: "message.receiver.forged", Severity: report.High,
		Title: "Authentication-Results claiming the receiver's authserv-id arrived with the message",
		Refs:  []string{"RFC 8601 §5", "RFC 8601 §7.1"}}
	Differs = report.Definition{ID: "message.recheck.differs", Severity: report.Medium,
		Title: "The re-check differs from what the receiver recorded",
		Refs:  []string{"RFC 8601 §2.7"}}
	SPFFail = report.Definition{ID: "message.spf.fail", Severity: report.High,
		Title: "SPF fails for the sending address",
		Refs:  []string{"RFC 7208 §2.6.4", "RFC 7208 §8.4"}}
	SPFSoftfail = report.Definition{ID: "message.spf.softfail", Severity: report.Medium,
		Title: "SPF softfails for the sending address",
		Refs:  []string{"RFC 7208 §2.6.5"}}
	SPFNone = report.Definition{ID: "message.spf.none", Severity: report.Medium,
		Title: "SPF gives no result for the envelope sender",
		Refs:  []string{"RFC 7208 §2.6.1"}}
	SPFNeutral = report.Definition{ID: "message.spf.neutral", Severity: report.Low,
		Title: "SPF is neutral about the sending address",
		Refs:  []string{"RFC 7208 §2.6.2"}}
	SPFPermerror = report.Definition{ID: "message.spf.permerror", Severity: report.High,
		Title: "The envelope sender's SPF record cannot be evaluated",
		Refs:  []string{"RFC 7208 §2.6.7"}}
	DNSTemperror = report.Definition{ID: "message.dns.temperror", Severity: report.Info, Inconclusive: true,
		Title: "A DNS error left a re-check undecided",
		Refs:  []string{"RFC 7208 §2.6.6", "RFC 6376 §6.1.2", "RFC 9989 §4.10"}}
	DMARCFail = report.Definition{ID: "message.dmarc.fail", Severity: report.High,
		Title: "DMARC fails: neither SPF nor DKIM passes aligned with From",
		Refs:  []string{"RFC 9989 §4.4", "RFC 9989 §4.7"}}
	DMARCPermerror = report.Definition{ID: "message.dmarc.permerror", Severity: report.High,
		Title: "DMARC cannot be evaluated for this message",
		Refs:  []string{"RFC 9989 §4.4", "RFC 9989 §4.10"}}
	DMARCUnchecked = report.Definition{ID: "message.dmarc.unchecked", Severity: report.Info, Inconclusive: true,
		Title: "DMARC depends on a DKIM body hash that cannot be checked without the body",
		Refs:  []string{"RFC 9989 §4.4.1"}}
	ARCFail = report.Definition{ID: "message.arc.fail", Severity: report.Medium,
		Title: "The ARC chain does not validate",
		Refs:  []string{"RFC 8617 §5.2"}}
	FromCount = report.Definition{ID: "message.from.count", Severity: report.High,
		Title: "The message does not have exactly one From field",
		Refs:  []string{"RFC 5322 §3.6", "RFC 9989 §4.4"}}
	DateMissing = report.Definition{ID: "message.date.missing", Severity: report.Medium,
		Title: "The message does not have exactly one Date field",
		Refs:  []string{"RFC 5322 §3.6"}}
	MessageIDMissing = report.Definition{ID: "message.message_id.missing", Severity: report.Medium,
		Title: "The message does not have exactly one Message-ID field",
		Refs:  []string{"RFC 5322 §3.6", "RFC 5322 §3.6.4"}}
	ListUnsubMissing = report.Definition{ID: "message.list_unsubscribe.missing", Severity: report.Medium,
		Title: "Bulk mail without one-click List-Unsubscribe",
		Refs:  []string{"RFC 2369 §3.2", "RFC 8058 §3.1"}}
	ListUnsubNoHTTPS = report.Definition{ID: "message.list_unsubscribe.no_https", Severity: report.Medium,
		Title: "List-Unsubscribe has no https URI",
		Refs:  []string{"RFC 8058 §3.1"}}
	ListUnsubNoPost = report.Definition{ID: "message.list_unsubscribe.no_one_click", Severity: report.Medium,
		Title: "List-Unsubscribe-Post is not List-Unsubscribe=One-Click",
		Refs:  []string{"RFC 8058 §3.1"}}
	TLSMissing = report.Definition{ID: "message.tls.missing", Severity: report.Medium,
		Title: "The message reached the receiver without TLS",
		Refs:  []string{"RFC 3848 §1", "RFC 3207"}}
)

// Definitions lists every finding this package makes itself.
var Definitions = []report.Definition{
	HeadersOnly, BoundaryGuessed, BoundaryUnknown, ReceiverMissing, ReceiverOther, ReceiverForged, Differs,
	SPFFail, SPFSoftfail, SPFNone, SPFNeutral, SPFPermerror, DNSTemperror,
	DMARCFail, DMARCPermerror, DMARCUnchecked, ARCFail,
	FromCount, DateMissing, MessageIDMissing,
	ListUnsubMissing, ListUnsubNoHTTPS, ListUnsubNoPost, TLSMissing,
}

package bounce

import "github.com/mailcheck/mailcheck/pkg/report"

// Finding definitions. Each has an entry in docs/findings/bounce.md; their
// words are in the catalogs (internal/i18n/locales/bounce.*.toml) under each
// ID. One finding per recipient, its ID from the reason's family, so that a
// gate (--fail-on) and a script can tell "fix your setup" from "fix the
// address".
var (
	findSenderAuth      = report.Definition{ID: "bounce.sender.auth", Severity: report.High, Refs: []string{"RFC 7489 §6.6", "RFC 7372 §3"}}
	findSenderPTR       = report.Definition{ID: "bounce.sender.ptr", Severity: report.High, Refs: []string{"RFC 8601 §2.7.3", "RFC 5321 §4.1.4"}}
	findSenderBlocked   = report.Definition{ID: "bounce.sender.blocked", Severity: report.High, Refs: []string{"RFC 5782", "RFC 3463 §3.8"}}
	findSenderRate      = report.Definition{ID: "bounce.sender.rate", Severity: report.Medium, Refs: []string{"RFC 3463 §3.8", "RFC 7372 §3"}}
	findSenderRefused   = report.Definition{ID: "bounce.sender.refused", Severity: report.High, Refs: []string{"RFC 3463 §3.2", "RFC 5321 §4.2"}}
	findRecipientGone   = report.Definition{ID: "bounce.recipient.unknown", Severity: report.Medium, Refs: []string{"RFC 3463 §3.2"}}
	findRecipientBox    = report.Definition{ID: "bounce.recipient.mailbox", Severity: report.Medium, Refs: []string{"RFC 3463 §3.3"}}
	findRecipientDomain = report.Definition{ID: "bounce.recipient.domain", Severity: report.Medium, Refs: []string{"RFC 3463 §3.2", "RFC 7505"}}
	findRecipientServer = report.Definition{ID: "bounce.recipient.server", Severity: report.Medium, Refs: []string{"RFC 3463 §3.5", "RFC 3463 §3.6"}}
	findContentSpam     = report.Definition{ID: "bounce.content.spam", Severity: report.High, Refs: []string{"RFC 3463 §3.8"}}
	findContentVirus    = report.Definition{ID: "bounce.content.virus", Severity: report.High, Refs: []string{"RFC 3463 §3.8"}}
	findContentFormat   = report.Definition{ID: "bounce.content.format", Severity: report.Medium, Refs: []string{"RFC 3463 §3.4", "RFC 3463 §3.7", "RFC 5322"}}
	findDelayed         = report.Definition{ID: "bounce.delayed", Severity: report.Low, Refs: []string{"RFC 3464 §2.3.3"}}
	findDelivered       = report.Definition{ID: "bounce.delivered", Severity: report.Info, Refs: []string{"RFC 3464 §2.3.3"}}
	findUnclear         = report.Definition{ID: "bounce.unclear", Severity: report.Low, Refs: []string{"RFC 3464 §2.3.6"}}
	findAutoReply       = report.Definition{ID: "bounce.autoreply", Severity: report.Info, Refs: []string{"RFC 3834 §5"}}
	findFeedback        = report.Definition{ID: "bounce.feedback", Severity: report.Medium, Refs: []string{"RFC 5965 §3"}}
	findNotReport       = report.Definition{ID: "bounce.not_report", Severity: report.Info, Refs: []string{"RFC 3464 §2", "RFC 6522 §3"}}
	findTruncated       = report.Definition{ID: "bounce.truncated", Severity: report.Info, Refs: []string{"RFC 2046 §5.1"}}
	findUnreadable      = report.Definition{ID: "bounce.unreadable", Severity: report.High, Refs: []string{"RFC 5322"},
		// Why, when the error is of a known kind; otherwise the system's
		// own words are the detail's parameter.
		Variants: []report.Variant{
			{Name: "empty", Severity: report.High}, {Name: "missing", Severity: report.High},
			{Name: "permission", Severity: report.High}, {Name: "too_large", Severity: report.High},
			{Name: "too_deep", Severity: report.High}, {Name: "too_many", Severity: report.High},
		}}
)

// Definitions lists every bounce finding, for the docs test and tooling.
var Definitions = []report.Definition{
	findSenderAuth, findSenderPTR, findSenderBlocked, findSenderRate, findSenderRefused,
	findRecipientGone, findRecipientBox, findRecipientDomain, findRecipientServer,
	findContentSpam, findContentVirus, findContentFormat,
	findDelayed, findDelivered, findUnclear, findAutoReply, findFeedback,
	findNotReport, findTruncated, findUnreadable,
}

// recipientFindings are the definitions of a recipient's fate: they share
// one detail and fix template (the address, what happened, the facts).
var recipientFindings = []report.Definition{
	findSenderAuth, findSenderPTR, findSenderBlocked, findSenderRate, findSenderRefused,
	findRecipientGone, findRecipientBox, findRecipientDomain, findRecipientServer,
	findContentSpam, findContentVirus, findContentFormat,
	findDelayed, findDelivered, findUnclear, findAutoReply, findFeedback,
}

// definitionFor picks the finding of a recipient from its reason.
func definitionFor(r *Recipient) report.Definition {
	if r.Action == "delayed" && r.Reason != "delivered" {
		return findDelayed
	}
	switch r.Reason {
	case "authfailure":
		return findSenderAuth
	case "requireptr":
		return findSenderPTR
	case "blocked", "badreputation":
		return findSenderBlocked
	case "speeding", "toomanyconn":
		return findSenderRate
	case "rejected", "norelaying", "securityerror", "syntaxerror":
		return findSenderRefused
	case "userunknown", "hasmoved":
		return findRecipientGone
	case "mailboxfull", "suspend", "filtered", "exceedlimit":
		return findRecipientBox
	case "hostunknown", "notaccept":
		return findRecipientDomain
	case "expired", "networkerror", "systemerror", "systemfull", "mailererror":
		return findRecipientServer
	case "spamdetected", "policyviolation":
		return findContentSpam
	case "virusdetected":
		return findContentVirus
	case "mesgtoobig", "contenterror", "notcompliantrfc":
		return findContentFormat
	case "delivered":
		return findDelivered
	case "vacation":
		return findAutoReply
	case "feedback":
		return findFeedback
	}
	return findUnclear
}

package bounce

import "github.com/mailcheck/mailcheck/pkg/report"

// Finding definitions. Each has an entry in docs/findings/bounce.md. One
// finding per recipient, its ID from the reason's family, so that a gate
// (--fail-on) and a script can tell "fix your setup" from "fix the address".
var (
	findSenderAuth      = def("bounce.sender.auth", report.High, "Refused: the message failed authentication (SPF, DKIM, DMARC)", "RFC 7489 §6.6", "RFC 7372 §3")
	findSenderPTR       = def("bounce.sender.ptr", report.High, "Refused: the sending IP address has no matching reverse DNS", "RFC 8601 §2.7.3", "RFC 5321 §4.1.4")
	findSenderBlocked   = def("bounce.sender.blocked", report.High, "Refused: the sending IP address or domain is blocked or has a poor reputation", "RFC 5782", "RFC 3463 §3.8")
	findSenderRate      = def("bounce.sender.rate", report.Medium, "Deferred or refused: too much mail or too many connections at once", "RFC 3463 §3.8", "RFC 7372 §3")
	findSenderRefused   = def("bounce.sender.refused", report.High, "Refused: the sender address, relay or session was not accepted", "RFC 3463 §3.2", "RFC 5321 §4.2")
	findRecipientGone   = def("bounce.recipient.unknown", report.Medium, "The recipient address does not exist", "RFC 3463 §3.2")
	findRecipientBox    = def("bounce.recipient.mailbox", report.Medium, "The recipient's mailbox refused it (full, disabled or filtered)", "RFC 3463 §3.3")
	findRecipientDomain = def("bounce.recipient.domain", report.Medium, "The recipient's domain has no working mail server", "RFC 3463 §3.2", "RFC 7505")
	findRecipientServer = def("bounce.recipient.server", report.Medium, "The recipient's server could not be reached or failed", "RFC 3463 §3.5", "RFC 3463 §3.6")
	findContentSpam     = def("bounce.content.spam", report.High, "Refused: the content was taken for spam or broke a policy", "RFC 3463 §3.8")
	findContentVirus    = def("bounce.content.virus", report.High, "Refused: a virus was found in the message", "RFC 3463 §3.8")
	findContentFormat   = def("bounce.content.format", report.Medium, "Refused: the message's size or format", "RFC 3463 §3.4", "RFC 3463 §3.7", "RFC 5322")
	findDelayed         = def("bounce.delayed", report.Low, "Delayed: the sending server is still retrying", "RFC 3464 §2.3.3")
	findDelivered       = def("bounce.delivered", report.Info, "Delivered (a success notification)", "RFC 3464 §2.3.3")
	findUnclear         = def("bounce.unclear", report.Low, "The bounce does not say why delivery failed", "RFC 3464 §2.3.6")
	findAutoReply       = def("bounce.autoreply", report.Info, "An automatic reply, not a bounce: the message was delivered", "RFC 3834 §5")
	findFeedback        = def("bounce.feedback", report.Medium, "A feedback report: a recipient marked the message as spam", "RFC 5965 §3")
	findNotReport       = def("bounce.not_report", report.Info, "Not a delivery report", "RFC 3464 §2", "RFC 6522 §3")
	findTruncated       = def("bounce.truncated", report.Info, "The input was cut at a size or nesting limit", "RFC 2046 §5.1")
	findUnreadable      = def("bounce.unreadable", report.High, "The input could not be read", "RFC 5322")
)

func def(id string, sev report.Severity, title string, refs ...string) report.Definition {
	return report.Definition{ID: id, Severity: sev, Title: title, Refs: refs}
}

// Definitions lists every bounce finding, for the docs test and tooling.
var Definitions = []report.Definition{
	findSenderAuth, findSenderPTR, findSenderBlocked, findSenderRate, findSenderRefused,
	findRecipientGone, findRecipientBox, findRecipientDomain, findRecipientServer,
	findContentSpam, findContentVirus, findContentFormat,
	findDelayed, findDelivered, findUnclear, findAutoReply, findFeedback,
	findNotReport, findTruncated, findUnreadable,
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

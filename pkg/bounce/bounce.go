// Package bounce reads a bounce (a non-delivery report) and says, per
// recipient, why the mail did not arrive, who must act and what to do.
//
// It reads RFC 3464 delivery status notifications inside RFC 6522
// multipart/report messages (and RFC 6533 message/global-delivery-status),
// the plain-text bounces of MTAs that send none (Exim, qmail, Sendmail's
// older forms, Exchange, Gmail, Yahoo, Domino, ...), Amazon SES JSON
// notifications, and text pasted from a mail client with its headers lost.
// Auto-replies (RFC 3834) and feedback reports (RFC 5965) are recognized as
// what they are. Each recipient is classified into the field's common reason
// vocabulary (the one Sisimai uses), hard or soft, and who must act.
//
// The package never touches the network: Analyze is a pure function of the
// bytes, bounded in time and memory (see the limits in mime.go).
package bounce

import "github.com/mailcheck/mailcheck/pkg/report"

// Kind is what a message turned out to be.
type Kind string

const (
	// KindBounce is a delivery status report: at least one recipient failed,
	// was delayed, or (in a success DSN) was delivered.
	KindBounce Kind = "bounce"
	// KindAutoReply is an RFC 3834 automatic response (vacation, out of office).
	KindAutoReply Kind = "auto-reply"
	// KindFeedback is an RFC 5965 abuse or feedback-loop report.
	KindFeedback Kind = "feedback"
	// KindNone is a message that is none of these.
	KindNone Kind = "none"
)

// Responsible parties: who must act for the mail to arrive.
const (
	RespSender    = "sender"    // the sender's setup: authentication, IP reputation, PTR, TLS
	RespRecipient = "recipient" // the address: unknown, full, suspended, moved
	RespContent   = "content"   // the message itself: spam, virus, size, format
	RespNobody    = "nobody"    // transient: the sending server retries
	RespUnknown   = "unknown"   // the bounce does not say enough
)

// Bounce classes (hard, soft, none) as JSON shows them.
const (
	Hard = "hard"
	Soft = "soft"
	None = "none"
)

// Result is everything read from one message.
type Result struct {
	// Kind: "bounce", "auto-reply", "feedback" or "none" (not a report).
	Kind Kind `json:"kind"`
	// Format names the layout recognized: "rfc3464", "amazonses-json",
	// "text" (a plain-text bounce), "arf", "rfc3834".
	Format string `json:"format"`
	// Subject, From and To are the bounce's own header fields.
	Subject string `json:"subject,omitempty"`
	From    string `json:"from,omitempty"`
	To      string `json:"to,omitempty"`
	// ReportingMTA and ArrivalDate are the DSN's per-message fields
	// (RFC 3464 §2.2).
	ReportingMTA string `json:"reporting_mta,omitempty"`
	ArrivalDate  string `json:"arrival_date,omitempty"`
	// Recipients lists each recipient the report is about, in its order.
	Recipients []Recipient `json:"recipients"`
	// Original is the message that bounced, when the bounce carries it.
	Original *Original `json:"original,omitempty"`
	// Feedback holds the fields of a feedback report.
	Feedback *Feedback `json:"feedback,omitempty"`
	// HeadersMissing is true when the input had no message header (pasted text).
	HeadersMissing bool `json:"headers_missing,omitempty"`
	// Truncated is true when a size or nesting bound cut the message short.
	Truncated bool `json:"truncated,omitempty"`
}

// Recipient is one recipient's fate (RFC 3464 §2.3) and its diagnosis.
type Recipient struct {
	// Address is the final recipient (RFC 3464 §2.3.2); OriginalAddress
	// the one the sender gave, when the report names it (§2.3.1).
	Address         string `json:"address"`
	OriginalAddress string `json:"original_address,omitempty"`
	// Action: failed, delayed, delivered, relayed or expanded (RFC 3464 §2.3.3).
	Action string `json:"action"`
	// Status is the RFC 3463 enhanced status code. When the bounce carries
	// none, it is built from the reply code's class ("5.0.0") and
	// StatusInferred is true.
	Status         string `json:"status"`
	StatusInferred bool   `json:"status_inferred,omitempty"`
	// ReplyCode is the RFC 5321 reply code the remote server answered.
	ReplyCode string `json:"reply_code"`
	// Diagnostic is what the remote server (or the reporting MTA) said,
	// on one line; DiagnosticType its RFC 3464 §2.3.6 type (SMTP, X-UNIX).
	Diagnostic     string `json:"diagnostic"`
	DiagnosticType string `json:"diagnostic_type,omitempty"`
	// RemoteMTA is the server that answered (§2.3.5); ReportingMTA the one
	// that wrote the report (§2.2.2); LastAttempt the time of the last try.
	RemoteMTA    string `json:"remote_mta"`
	ReportingMTA string `json:"reporting_mta,omitempty"`
	LastAttempt  string `json:"last_attempt,omitempty"`
	// Command is the SMTP command the failure answered (RCPT, DATA, ...).
	Command string `json:"smtp_command,omitempty"`
	// ClientIP is the sending address the remote server names in its reply
	// (a blocklist rejection usually quotes it).
	ClientIP string `json:"client_ip,omitempty"`

	// Reason is the cause in the field's common vocabulary (Sisimai's
	// reason names: userunknown, mailboxfull, authfailure, blocked, ...).
	Reason string `json:"reason"`
	// Bounce is "hard" (the address or domain does not exist or moved),
	// "soft" (may succeed after a fix or a retry) or "none" (delivered,
	// an auto-reply, a feedback report).
	Bounce string `json:"bounce"`
	// Responsible is who must act: "sender" (the sender's setup),
	// "recipient", "content", "nobody" (transient: the sender retries) or
	// "unknown".
	Responsible string `json:"responsible"`
	// Explanation says in plain words what happened (a catalog message:
	// the reason's, or the provider code's); Provider names the provider
	// whose code explained it ("Gmail", "Microsoft", "Orange").
	Explanation report.Msg `json:"explanation"`
	Provider    string     `json:"provider,omitempty"`
	// ProviderCode is the provider's code that explained it ("550 5.7.26",
	// "S3150", "TSS04").
	ProviderCode string `json:"provider_code,omitempty"`
	// NextStep says what to do; Checks are the mailcheck commands that
	// confirm the cause, built from the bounce's own facts.
	NextStep report.Msg   `json:"next_step"`
	Checks   []Suggestion `json:"checks,omitempty"`
}

// Suggestion is one mailcheck check that confirms a cause.
type Suggestion struct {
	// Check is the mailcheck command: dmarc, spf, dkim, dnsbl or mx.
	Check string `json:"check"`
	// Target is the domain or IP address it checks; IP is the sending
	// address given to mx --ip.
	Target string `json:"target"`
	IP     string `json:"ip,omitempty"`
	// Command is the command line to run (a catalog message: the
	// command's flags are the CLI's words, not this package's).
	Command report.Msg `json:"command"`
}

func suggest(check, target, ip string) Suggestion {
	return Suggestion{Check: check, Target: target, IP: ip,
		Command: report.T("bounce.command", report.Params{"check": check, "target": target, "ip": ip})}
}

// Key identifies a suggestion (its check, target and address).
func (s Suggestion) Key() string { return s.Check + " " + s.Target + " " + s.IP }

// Suggestions lists the distinct checks the recipients of res point at, in
// order of first mention.
func Suggestions(res *Result) []Suggestion {
	var out []Suggestion
	seen := map[string]bool{}
	for _, r := range res.Recipients {
		for _, s := range r.Checks {
			if !seen[s.Key()] {
				seen[s.Key()] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// Original is what the bounce shows of the message that failed.
type Original struct {
	// From, To, Subject and MessageID are the original's header fields.
	From      string `json:"from,omitempty"`
	To        string `json:"to,omitempty"`
	Subject   string `json:"subject,omitempty"`
	MessageID string `json:"message_id,omitempty"`
	// SendingIP is the client address of the newest Received field
	// (RFC 5321 §4.4) that names a public one: the sender's server as the
	// recipient's side saw it when that side bounced the message, the
	// submitting host when the sender's own server did.
	SendingIP string `json:"sending_ip,omitempty"`
	// FromDomain is the domain of From, the one DMARC evaluates.
	FromDomain string `json:"from_domain,omitempty"`
}

// Feedback is an RFC 5965 report's summary.
type Feedback struct {
	// Type is the Feedback-Type (abuse, fraud, virus, auth-failure, ...,
	// RFC 5965 §3.1); UserAgent the reporter's software; SourceIP the
	// address the complained-of message came from; Reporter the reporting
	// MTA or domain.
	Type      string `json:"type"`
	UserAgent string `json:"user_agent,omitempty"`
	SourceIP  string `json:"source_ip,omitempty"`
	Reporter  string `json:"reporter,omitempty"`
}

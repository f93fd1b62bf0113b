package mtasts

import "github.com/mailcheck/mailcheck/pkg/report"

var refs = struct{ rec, pol, fetch, match, mode []string }{
	rec:   []string{"RFC 8461 §3.1"},
	pol:   []string{"RFC 8461 §3.2"},
	fetch: []string{"RFC 8461 §3.3"},
	match: []string{"RFC 8461 §4.1"},
	mode:  []string{"RFC 8461 §5"},
}

// Finding definitions of the MTA-STS check (RFC 8461; severities are ours).
var (
	defAbsent        = report.Definition{ID: "mtasts.absent", Severity: report.Low, Title: "No MTA-STS record", Refs: refs.rec}
	defRecordInvalid = report.Definition{ID: "mtasts.record.invalid", Severity: report.High, Title: "MTA-STS record invalid or not unique", Refs: refs.rec}
	defUnfetchable   = report.Definition{ID: "mtasts.policy.unfetchable", Severity: report.High, Title: "MTA-STS policy cannot be fetched", Refs: refs.fetch}
	defFetchTimeout  = report.Definition{ID: "mtasts.policy.timeout", Severity: report.Medium, Inconclusive: true, Title: "MTA-STS policy fetch timed out", Refs: refs.fetch}
	defSkipped       = report.Definition{ID: "mtasts.policy.skipped", Severity: report.Info, Inconclusive: true, Title: "MTA-STS policy not fetched (offline)", Refs: refs.fetch}
	defSyntax        = report.Definition{ID: "mtasts.policy.syntax", Severity: report.High, Title: "MTA-STS policy syntax error", Refs: refs.pol}
	defContentType   = report.Definition{ID: "mtasts.policy.content_type", Severity: report.Low, Title: "MTA-STS policy not served as text/plain", Refs: refs.fetch}
	defModeTesting   = report.Definition{ID: "mtasts.mode.testing", Severity: report.Low, Title: "MTA-STS policy in testing mode", Refs: refs.mode}
	defModeNone      = report.Definition{ID: "mtasts.mode.none", Severity: report.Info, Title: "MTA-STS policy in mode none (withdrawn)", Refs: refs.mode}
	defMaxAgeShort   = report.Definition{ID: "mtasts.max_age.short", Severity: report.Low, Title: "MTA-STS max_age shorter than a day", Refs: refs.pol}
	defMXUncovered   = report.Definition{ID: "mtasts.mx.uncovered", Severity: report.Critical, Title: "MX host not covered by the MTA-STS policy", Refs: refs.match}
	defMXStale       = report.Definition{ID: "mtasts.mx.stale", Severity: report.Low, Title: "MTA-STS mx pattern matches no MX host", Refs: refs.match}
	defCertInvalid   = report.Definition{ID: "mtasts.mx.cert_invalid", Severity: report.Critical, Title: "An MX host's certificate fails the checks MTA-STS senders make", Refs: []string{"RFC 8461 §4.2"}}
	defDNSError      = report.Definition{ID: "mtasts.dns.temperror", Severity: report.Medium, Inconclusive: true, Title: "MTA-STS record lookup failed", Refs: refs.rec}
)

// Definitions lists every finding this package can report.
var Definitions = []report.Definition{
	defAbsent, defRecordInvalid, defUnfetchable, defFetchTimeout, defSkipped, defSyntax,
	defContentType, defModeTesting, defModeNone, defMaxAgeShort, defMXUncovered, defMXStale, defCertInvalid, defDNSError,
}

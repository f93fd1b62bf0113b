package reports

import "github.com/mailcheck/mailcheck/pkg/report"

// Finding definitions of `mailcheck reports` (docs/findings/reports.md).
var (
	defUnreadable = report.Definition{ID: "reports.file.unreadable", Severity: report.Medium,
		Title: "A file could not be read as a report", Refs: []string{"RFC 7489 Appendix C", "RFC 8460 §4"}}
	defRecovered = report.Definition{ID: "reports.file.recovered", Severity: report.Info,
		Title: "A damaged report was read after a repair", Refs: []string{"RFC 7489 Appendix C"}}
	defNoReports = report.Definition{ID: "reports.none", Severity: report.Medium,
		Title: "No report could be read", Refs: []string{"RFC 7489 §7.2"}}
	defDuplicate = report.Definition{ID: "reports.duplicate", Severity: report.Info,
		Title: "Duplicate reports counted once", Refs: []string{"RFC 7489 Appendix C"}}
	defFailing = report.Definition{ID: "reports.source.failing", Severity: report.High,
		Title: "A legitimate sender fails DMARC", Refs: []string{"RFC 7489 §3.1", "RFC 7489 §4.2"}}
	defUnauthorized = report.Definition{ID: "reports.source.unauthorized", Severity: report.Medium,
		Title: "Unauthorized sources send as the domain", Refs: []string{"RFC 7489 §6.3"}}
	defForwarded = report.Definition{ID: "reports.source.forwarded", Severity: report.Info,
		Title: "Forwarded mail: SPF fails, DKIM survives", Refs: []string{"RFC 7489 §4.2", "RFC 7960 §3"}}
	defReady = report.Definition{ID: "reports.policy.ready", Severity: report.Info,
		Title: "Safe to move to a stricter DMARC policy", Refs: []string{"RFC 7489 §6.3", "RFC 9989 §4.7"}}
	defHold = report.Definition{ID: "reports.policy.hold", Severity: report.Medium,
		Title: "Not yet safe to enforce: legitimate mail would be rejected", Refs: []string{"RFC 7489 §6.3"}}
	defLosing = report.Definition{ID: "reports.policy.losing_mail", Severity: report.High,
		Title: "The enforced policy quarantines or rejects legitimate mail", Refs: []string{"RFC 7489 §6.3"}}
	defEnforced = report.Definition{ID: "reports.policy.enforced", Severity: report.Info,
		Title: "Policy is p=reject and legitimate mail passes", Refs: []string{"RFC 7489 §6.3"}}
	defNoEvidence = report.Definition{ID: "reports.policy.unknown", Severity: report.Low, Inconclusive: true,
		Title: "No legitimate mail in the reports: the policy cannot be judged", Refs: []string{"RFC 7489 §6.3"}}
	defStale = report.Definition{ID: "reports.stale", Severity: report.Low,
		Title: "The newest aggregate report is old", Refs: []string{"RFC 7489 §7.2"}}
	defTLSFailures = report.Definition{ID: "reports.tls.failures", Severity: report.Medium,
		Title: "Sending servers failed to set up TLS to the domain's MX", Refs: []string{"RFC 8460 §4.3"}}
	defDNSIncomplete = report.Definition{ID: "reports.dns.incomplete", Severity: report.Low,
		Title: "Some DNS lookups failed: sources or policy partly unknown", Refs: []string{"RFC 8601 §3", "RFC 9989 §4.10"}}
	defFailureReports = report.Definition{ID: "reports.failure.received", Severity: report.Info,
		Title: "DMARC failure reports received", Refs: []string{"RFC 6591 §3"}}
)

// Definitions lists every finding this package can report.
var Definitions = []report.Definition{
	defUnreadable, defRecovered, defNoReports, defDuplicate,
	defFailing, defUnauthorized, defForwarded,
	defReady, defHold, defLosing, defEnforced, defNoEvidence,
	defStale, defTLSFailures, defFailureReports, defDNSIncomplete,
}

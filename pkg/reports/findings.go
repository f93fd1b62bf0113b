package reports

import "github.com/mailcheck/mailcheck/pkg/report"

// Finding definitions of `mailcheck reports` (docs/findings/reports.md).
// Their words are in the catalogs (internal/i18n/locales/reports.*.toml)
// under each ID; the severities are ours.
var (
	defUnreadable = report.Definition{ID: "reports.file.unreadable", Severity: report.Medium, Refs: []string{"RFC 7489 Appendix C", "RFC 8460 §4"}}
	defRecovered  = report.Definition{ID: "reports.file.recovered", Severity: report.Info, Refs: []string{"RFC 7489 Appendix C"}}
	defNoReports  = report.Definition{ID: "reports.none", Severity: report.Medium, Refs: []string{"RFC 7489 §7.2"}}
	defDuplicate  = report.Definition{ID: "reports.duplicate", Severity: report.Info, Refs: []string{"RFC 7489 Appendix C"}}
	defFailing    = report.Definition{ID: "reports.source.failing", Severity: report.High, Refs: []string{"RFC 7489 §3.1", "RFC 7489 §4.2"},
		Variants: []report.Variant{
			// The senders past the ones listed one by one, summed.
			{Name: "more", Severity: report.High},
		}}
	defUnauthorized = report.Definition{ID: "reports.source.unauthorized", Severity: report.Medium, Refs: []string{"RFC 7489 §6.3"}}
	defForwarded    = report.Definition{ID: "reports.source.forwarded", Severity: report.Info, Refs: []string{"RFC 7489 §4.2", "RFC 7960 §3"}}
	defReady        = report.Definition{ID: "reports.policy.ready", Severity: report.Info, Refs: []string{"RFC 7489 §6.3", "RFC 9989 §4.7"},
		Variants: []report.Variant{
			// p=none to p=quarantine, p=reject being the step after it.
			{Name: "step", Severity: report.Info},
			// t=y taken out (RFC 9989): receivers then apply the policy.
			{Name: "testing", Severity: report.Info},
		}}
	defHold           = report.Definition{ID: "reports.policy.hold", Severity: report.Medium, Refs: []string{"RFC 7489 §6.3"}}
	defLosing         = report.Definition{ID: "reports.policy.losing_mail", Severity: report.High, Refs: []string{"RFC 7489 §6.3"}}
	defEnforced       = report.Definition{ID: "reports.policy.enforced", Severity: report.Info, Refs: []string{"RFC 7489 §6.3"}}
	defNoEvidence     = report.Definition{ID: "reports.policy.unknown", Severity: report.Low, Inconclusive: true, Refs: []string{"RFC 7489 §6.3"}}
	defStale          = report.Definition{ID: "reports.stale", Severity: report.Low, Refs: []string{"RFC 7489 §7.2"}}
	defTLSFailures    = report.Definition{ID: "reports.tls.failures", Severity: report.Medium, Refs: []string{"RFC 8460 §4.3"}}
	defDNSIncomplete  = report.Definition{ID: "reports.dns.incomplete", Severity: report.Low, Refs: []string{"RFC 8601 §3", "RFC 9989 §4.10"}}
	defFailureReports = report.Definition{ID: "reports.failure.received", Severity: report.Info, Refs: []string{"RFC 6591 §3"}}
)

// Definitions lists every finding this package can report.
var Definitions = []report.Definition{
	defUnreadable, defRecovered, defNoReports, defDuplicate,
	defFailing, defUnauthorized, defForwarded,
	defReady, defHold, defLosing, defEnforced, defNoEvidence,
	defStale, defTLSFailures, defFailureReports, defDNSIncomplete,
}

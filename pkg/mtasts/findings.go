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
// Their words are in the catalogs (internal/i18n/locales/mtasts.*.toml)
// under each ID, and each is explained in docs/findings/mtasts.md.
var (
	defAbsent        = report.Definition{ID: "mtasts.absent", Severity: report.Low, Refs: refs.rec}
	defRecordInvalid = report.Definition{ID: "mtasts.record.invalid", Severity: report.High, Refs: refs.rec,
		Variants: []report.Variant{
			{Name: "multiple", Severity: report.High}, // several records: senders ignore MTA-STS (§3.1)
			{Name: "name", Severity: report.High},     // _mta-sts.<domain> is not a valid name
		}}
	defUnfetchable = report.Definition{ID: "mtasts.policy.unfetchable", Severity: report.High, Refs: refs.fetch,
		Variants: []report.Variant{
			{Name: "certificate", Severity: report.High},
			{Name: "redirect", Severity: report.High}, // senders must not follow redirects (§3.3)
			{Name: "too_large", Severity: report.High},
			{Name: "name", Severity: report.High}, // mta-sts.<domain> is not a valid name
		}}
	defFetchTimeout = report.Definition{ID: "mtasts.policy.timeout", Severity: report.Medium, Inconclusive: true, Refs: refs.fetch}
	defSkipped      = report.Definition{ID: "mtasts.policy.skipped", Severity: report.Info, Inconclusive: true, Refs: refs.fetch}
	defSyntax       = report.Definition{ID: "mtasts.policy.syntax", Severity: report.High, Refs: refs.pol}
	defContentType  = report.Definition{ID: "mtasts.policy.content_type", Severity: report.Low, Refs: refs.fetch}
	defModeTesting  = report.Definition{ID: "mtasts.mode.testing", Severity: report.Low, Refs: refs.mode}
	defModeNone     = report.Definition{ID: "mtasts.mode.none", Severity: report.Info, Refs: refs.mode}
	defMaxAgeShort  = report.Definition{ID: "mtasts.max_age.short", Severity: report.Low, Refs: refs.pol}
	defMXUncovered  = report.Definition{ID: "mtasts.mx.uncovered", Severity: report.Critical, Refs: refs.match,
		Variants: []report.Variant{
			// mode testing: mail is still delivered (RFC 8461 §5)
			{Name: "testing", Severity: report.Medium},
		}}
	defMXStale     = report.Definition{ID: "mtasts.mx.stale", Severity: report.Low, Refs: refs.match}
	defCertInvalid = report.Definition{ID: "mtasts.mx.cert_invalid", Severity: report.Critical, Refs: []string{"RFC 8461 §4.2"},
		Variants: []report.Variant{
			// mode testing: senders report the failure but deliver (RFC 8461 §5)
			{Name: "testing", Severity: report.Medium},
		}}
	defDNSError = report.Definition{ID: "mtasts.dns.temperror", Severity: report.Medium, Inconclusive: true, Refs: refs.rec}
)

// Definitions lists every finding this package can report.
var Definitions = []report.Definition{
	defAbsent, defRecordInvalid, defUnfetchable, defFetchTimeout, defSkipped, defSyntax,
	defContentType, defModeTesting, defModeNone, defMaxAgeShort, defMXUncovered, defMXStale, defCertInvalid, defDNSError,
}

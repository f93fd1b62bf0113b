package bimi

import "github.com/mailcheck/mailcheck/pkg/report"

var refs = []string{"draft-blank-ietf-bimi"}

// Finding definitions (rules from draft-blank-ietf-bimi; IDs and severities
// are ours). Their words are in the catalogs
// (internal/i18n/locales/bimi.*.toml) under each ID, and each is explained
// in docs/findings/bimi.md.
var (
	defAbsent   = report.Definition{ID: "bimi.absent", Severity: report.Info, Refs: refs}
	defDeclined = report.Definition{ID: "bimi.declined", Severity: report.Info, Refs: refs}
	defInvalid  = report.Definition{ID: "bimi.record.invalid", Severity: report.Medium, Refs: refs,
		Variants: []report.Variant{
			{Name: "multiple", Severity: report.Medium}, // receivers ignore them all
			{Name: "name", Severity: report.Medium},     // <selector>._bimi.<domain> is not a valid name
		}}
	defDMARC = report.Definition{ID: "bimi.dmarc.not_enforced", Severity: report.Medium, Refs: []string{"draft-blank-ietf-bimi", "RFC 9989 §4.7"},
		Variants: []report.Variant{
			{Name: "absent", Severity: report.Medium},    // no DMARC record applies
			{Name: "no_policy", Severity: report.Medium}, // the record found is not valid
		}}
	defNoAuthority     = report.Definition{ID: "bimi.authority.missing", Severity: report.Low, Refs: refs}
	defLogoUnfetchable = report.Definition{ID: "bimi.logo.unfetchable", Severity: report.Medium, Refs: refs}
	defLogoInvalid     = report.Definition{ID: "bimi.logo.invalid", Severity: report.Medium, Refs: []string{"draft-svg-tiny-ps-abrotman"},
		Variants: []report.Variant{
			{Name: "too_large", Severity: report.Medium}, // the fetch stopped at the size limit
		}}
	defLogoTimeout = report.Definition{ID: "bimi.logo.timeout", Severity: report.Low, Inconclusive: true, Refs: refs}
	defLogoSkipped = report.Definition{ID: "bimi.logo.skipped", Severity: report.Info, Inconclusive: true, Refs: refs}
	defDNSError    = report.Definition{ID: "bimi.dns.temperror", Severity: report.Medium, Inconclusive: true, Refs: refs,
		Variants: []report.Variant{
			{Name: "dmarc", Severity: report.Medium}, // DMARC discovery failed
		}}
)

// Definitions lists every finding this package can report.
var Definitions = []report.Definition{
	defAbsent, defDeclined, defInvalid, defDMARC, defNoAuthority,
	defLogoUnfetchable, defLogoInvalid, defLogoTimeout, defLogoSkipped, defDNSError,
}

package mx

import "github.com/mailcheck/mailcheck/pkg/report"

// Finding definitions of the MX check (RFC 5321 §5.1, RFC 7505; severities
// are ours). Their words are in the catalogs (internal/i18n/locales) under
// each ID, and each is explained in docs/findings/mx.md.
var (
	defMissing = report.Definition{ID: "mx.missing", Severity: report.Medium, Refs: []string{"RFC 5321 §5.1"},
		Variants: []report.Variant{
			{Name: "no_address", Severity: report.High}, // nor any A/AAAA: no mail can be delivered
			{Name: "nxdomain", Severity: report.High},   // the domain does not exist
		}}
	defNull = report.Definition{ID: "mx.null", Severity: report.Info, Refs: []string{"RFC 7505 §3", "RFC 7505 §4"},
		Variants: []report.Variant{
			// RFC 7505 §3: a sending domain with a null MX cannot receive
			// bounces or replies, and receivers MAY reject its mail (RFC
			// 7505 §4, 550 5.7.27).
			{Name: "sending", Severity: report.High},
		}}
	defNullMixed       = report.Definition{ID: "mx.null_mixed", Severity: report.High, Refs: []string{"RFC 7505 §3"}}
	defTargetCNAME     = report.Definition{ID: "mx.target_cname", Severity: report.Medium, Refs: []string{"RFC 2181 §10.3", "RFC 5321 §5.1"}}
	defTargetIPLiteral = report.Definition{ID: "mx.target_ip_literal", Severity: report.High, Refs: []string{"RFC 5321 §5.1", "RFC 1035 §3.3.9"}}
	defTargetNoAddress = report.Definition{ID: "mx.target_no_address", Severity: report.High, Refs: []string{"RFC 5321 §5.1"}}
	defTargetBogon     = report.Definition{ID: "mx.target_bogon", Severity: report.High, Refs: []string{"RFC 6890", "RFC 1918"}}
	defSingle          = report.Definition{ID: "mx.single", Severity: report.Info, Refs: []string{"RFC 5321 §5.1"}}
	defOmitted         = report.Definition{ID: "mx.hosts.unchecked", Severity: report.Info, Refs: []string{"RFC 5321 §5.1"}}
	defDNSError        = report.Definition{ID: "mx.dns.temperror", Severity: report.High, Inconclusive: true, Refs: []string{"RFC 5321 §5.1"},
		Variants: []report.Variant{{Name: "host", Severity: report.High}}} // a target's addresses, not the MX question
)

// Definitions lists every finding this package can report.
var Definitions = []report.Definition{
	defMissing, defNull, defNullMixed, defTargetCNAME, defTargetIPLiteral,
	defTargetNoAddress, defTargetBogon, defSingle, defOmitted, defDNSError,
}

package rdns

import "github.com/mailcheck/mailcheck/pkg/report"

// Finding definitions of reverse DNS (RFC 8601 §3 iprev; RFC 5321 §4.1.1.1 HELO).
// Our severities are those of a sending address; for an address that only
// receives (an MX) the missing and unconfirmed findings are the declared
// "receiving" variants, medium: receivers judge the connecting (sending)
// address (https://support.google.com/a/answer/81126). Their words are in
// the catalogs (internal/i18n/locales/rdns.*.toml) under each ID.
var (
	defMissing = report.Definition{ID: "ptr.missing", Severity: report.High, Refs: []string{"RFC 1035 §3.5", "RFC 8601 §3"},
		Variants: []report.Variant{{Name: "receiving", Severity: report.Medium}}}
	defNotFCrDNS = report.Definition{ID: "ptr.not_fcrdns", Severity: report.High, Refs: []string{"RFC 8601 §3"},
		Variants: []report.Variant{{Name: "receiving", Severity: report.Medium}}}
	defMultiple = report.Definition{ID: "ptr.multiple", Severity: report.Low, Refs: []string{"RFC 8601 §3"}}
	defGeneric  = report.Definition{ID: "ptr.generic", Severity: report.Medium, Refs: []string{"RFC 8601 §3"}}
	defDNSError = report.Definition{ID: "ptr.dns.temperror", Severity: report.High, Inconclusive: true, Refs: []string{"RFC 8601 §3"},
		Variants: []report.Variant{{Name: "forward", Severity: report.High}}} // the PTR name's addresses, not the PTR question
)

// Definitions lists every finding this package can report.
var Definitions = []report.Definition{defMissing, defNotFCrDNS, defMultiple, defGeneric, defDNSError}

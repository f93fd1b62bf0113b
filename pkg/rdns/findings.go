package rdns

import "github.com/mailcheck/mailcheck/pkg/report"

// Finding definitions of reverse DNS (RFC 8601 §3 iprev; RFC 5321 §4.1.1.1 HELO).
// Our severities are those
// of a sending address; for an address that only receives (an MX) the
// missing and unconfirmed findings are lowered to medium.
var (
	defMissing = report.Definition{ID: "ptr.missing", Severity: report.High,
		Title: "Address has no reverse DNS (PTR)", Refs: []string{"RFC 1035 §3.5", "RFC 8601 §3"}}
	defNotFCrDNS = report.Definition{ID: "ptr.not_fcrdns", Severity: report.High,
		Title: "Reverse DNS name does not resolve back to the address", Refs: []string{"RFC 8601 §3"}}
	defMultiple = report.Definition{ID: "ptr.multiple", Severity: report.Low,
		Title: "More than one PTR record", Refs: []string{"RFC 8601 §3"}}
	defGeneric = report.Definition{ID: "ptr.generic", Severity: report.Medium,
		Title: "Reverse DNS name looks generic or dynamic (heuristic)", Refs: []string{"RFC 8601 §3"}}
	defDNSError = report.Definition{ID: "ptr.dns.temperror", Severity: report.High, Inconclusive: true,
		Title: "Reverse or forward lookup failed", Refs: []string{"RFC 8601 §3"}}
)

// Definitions lists every finding this package can report.
var Definitions = []report.Definition{defMissing, defNotFCrDNS, defMultiple, defGeneric, defDNSError}

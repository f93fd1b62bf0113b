package mx

import "github.com/mailcheck/mailcheck/pkg/report"

// Finding definitions of the MX check (RFC 5321 §5.1, RFC 7505; severities are ours).
var (
	defMissing = report.Definition{ID: "mx.missing", Severity: report.Medium,
		Title: "No MX records (implicit MX)", Refs: []string{"RFC 5321 §5.1"}}
	defNull = report.Definition{ID: "mx.null", Severity: report.Info,
		Title: "Null MX: the domain accepts no mail", Refs: []string{"RFC 7505 §3", "RFC 7505 §4"}}
	defNullMixed = report.Definition{ID: "mx.null_mixed", Severity: report.High,
		Title: "Null MX published together with other MX records", Refs: []string{"RFC 7505 §3"}}
	defTargetCNAME = report.Definition{ID: "mx.target_cname", Severity: report.Medium,
		Title: "MX target is an alias (CNAME)", Refs: []string{"RFC 2181 §10.3", "RFC 5321 §5.1"}}
	defTargetIPLiteral = report.Definition{ID: "mx.target_ip_literal", Severity: report.High,
		Title: "MX target is an IP address, not a host name", Refs: []string{"RFC 5321 §5.1", "RFC 1035 §3.3.9"}}
	defTargetNoAddress = report.Definition{ID: "mx.target_no_address", Severity: report.High,
		Title: "MX target has no A or AAAA record", Refs: []string{"RFC 5321 §5.1"}}
	defTargetBogon = report.Definition{ID: "mx.target_bogon", Severity: report.High,
		Title: "MX target resolves to a private or reserved address", Refs: []string{"RFC 6890", "RFC 1918"}}
	defSingle = report.Definition{ID: "mx.single", Severity: report.Info,
		Title: "Only one MX host", Refs: []string{"RFC 5321 §5.1"}}
	defOmitted = report.Definition{ID: "mx.hosts.unchecked", Severity: report.Info,
		Title: "More MX hosts than mailcheck checks", Refs: []string{"RFC 5321 §5.1"}}
	defDNSError = report.Definition{ID: "mx.dns.temperror", Severity: report.High, Inconclusive: true,
		Title: "MX or address lookup failed", Refs: []string{"RFC 5321 §5.1"}}
)

// Definitions lists every finding this package can report.
var Definitions = []report.Definition{
	defMissing, defNull, defNullMixed, defTargetCNAME, defTargetIPLiteral,
	defTargetNoAddress, defTargetBogon, defSingle, defOmitted, defDNSError,
}

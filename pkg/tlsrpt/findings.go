package tlsrpt

import "github.com/mailcheck/mailcheck/pkg/report"

var refs = []string{"RFC 8460 §3"}

// Finding definitions (RFC 8460 §3; severities are ours). Their words are
// in the catalogs (internal/i18n/locales/tlsrpt.*.toml) under each ID, and
// each is explained in docs/findings/tlsrpt.md.
var (
	defAbsent = report.Definition{ID: "tlsrpt.absent", Severity: report.Low, Refs: refs,
		Variants: []report.Variant{
			// MTA-STS or DANE is deployed: its failures go unseen (RFC 8460 §1)
			{Name: "transport_policy", Severity: report.Medium},
		}}
	defInvalid = report.Definition{ID: "tlsrpt.invalid", Severity: report.Medium, Refs: refs,
		Variants: []report.Variant{
			{Name: "multiple", Severity: report.Medium}, // §3: senders then assume no TLS-RPT
			{Name: "name", Severity: report.Medium},     // _smtp._tls.<domain> is not a valid name
		}}
	defUndeliverable = report.Definition{ID: "tlsrpt.rua.undeliverable", Severity: report.Medium, Refs: []string{"RFC 8460 §3", "RFC 5321 §5.1"},
		Variants: []report.Variant{
			{Name: "nxdomain", Severity: report.Medium},
			{Name: "null_mx", Severity: report.Medium},
			{Name: "no_address", Severity: report.Medium},
		}}
	defDNSError = report.Definition{ID: "tlsrpt.dns.temperror", Severity: report.Medium, Inconclusive: true, Refs: refs}
)

// Definitions lists every finding this package can report.
var Definitions = []report.Definition{defAbsent, defInvalid, defUndeliverable, defDNSError}

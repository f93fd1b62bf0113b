package dnsbl

import "github.com/mailcheck/mailcheck/pkg/report"

// Finding definitions. IDs and default severities follow the project brief;
// dnsbl.resolver.public and dnsbl.targets.unknown are this package's own.
// Their words are in the catalogs (internal/i18n/locales/dnsbl.*.toml) under
// each ID, and each is explained in docs/findings/dnsbl.md.
var (
	DefIPListedMajor = report.Definition{ID: "dnsbl.ip.listed.major", Severity: report.Critical,
		Refs: []string{"RFC 5782 §2", "Spamhaus return codes: https://docs.spamhaus.com"}}
	DefIPListedPBL = report.Definition{ID: "dnsbl.ip.listed.pbl", Severity: report.Medium,
		Refs: []string{"RFC 5782 §2", "https://www.spamhaus.org/pbl/"},
		Variants: []report.Variant{
			// Our severity: high when the address delivers direct-to-MX,
			// which an SPF-authorized host does by declaration.
			{Name: "sending", Severity: report.High},
		}}
	DefIPListedMinor = report.Definition{ID: "dnsbl.ip.listed.minor", Severity: report.Medium,
		Refs: []string{"RFC 5782 §2", "Spamhaus return codes: https://docs.spamhaus.com"},
		Variants: []report.Variant{
			// Our severity: UCEPROTECT L2/L3 and weak signals are info.
			{Name: "informational", Severity: report.Info},
		}}
	DefDomainListed = report.Definition{ID: "dnsbl.domain.listed", Severity: report.Critical,
		Refs: []string{"RFC 5782 §3", "Spamhaus return codes: https://docs.spamhaus.com"}}
	DefDomainGrey = report.Definition{ID: "dnsbl.domain.grey", Severity: report.Low,
		Refs: []string{"RFC 5782 §3", "Spamhaus return codes: https://docs.spamhaus.com"},
		Variants: []report.Variant{
			// Our severity: informational domain lists.
			{Name: "informational", Severity: report.Info},
		}}
	DefQueryRefused = report.Definition{ID: "dnsbl.query.refused", Severity: report.Medium, Inconclusive: true,
		Refs: []string{"https://www.spamhaus.org/news/article/788", "https://uribl.com/refused.shtml"},
		Variants: []report.Variant{
			// The list refuses public or shared resolvers: the fix is a
			// resolver of one's own, not waiting.
			{Name: "public", Severity: report.Medium},
		}}
	// DefQueryFailed is a query that got no usable DNS answer at all
	// (SERVFAIL, timeout, network trouble): not a refusal by the list, and
	// its fix is different (the resolver or the list's servers are down).
	DefQueryFailed = report.Definition{ID: "dnsbl.query.failed", Severity: report.Medium, Inconclusive: true,
		Refs: []string{"RFC 1035 §4.1.1", "RFC 5782 §2"}}
	DefAnswerBogus = report.Definition{ID: "dnsbl.answer.bogus", Severity: report.Medium, Inconclusive: true,
		Refs: []string{"RFC 5782 §2.3"}}
	DefZoneUnhealthy = report.Definition{ID: "dnsbl.zone.unhealthy", Severity: report.Medium, Inconclusive: true,
		Refs: []string{"RFC 5782 §5", "RFC 5782 §7"}}
	DefZoneDefunct = report.Definition{ID: "dnsbl.zone.defunct", Severity: report.Info,
		Refs: []string{"RFC 5782 §5"}}
	DefResolverPublic = report.Definition{ID: "dnsbl.resolver.public", Severity: report.Info,
		Refs: []string{"https://www.spamhaus.org/news/article/788"}}
	DefTargetsUnknown = report.Definition{ID: "dnsbl.targets.unknown", Severity: report.Medium, Inconclusive: true,
		Refs: []string{"RFC 7208 §5", "RFC 5321 §5.1"}}
)

// Definitions lists every finding this package can produce.
var Definitions = []report.Definition{
	DefIPListedMajor,
	DefIPListedPBL,
	DefIPListedMinor,
	DefDomainListed,
	DefDomainGrey,
	DefQueryRefused,
	DefQueryFailed,
	DefAnswerBogus,
	DefZoneUnhealthy,
	DefZoneDefunct,
	DefResolverPublic,
	DefTargetsUnknown,
}

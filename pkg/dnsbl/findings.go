package dnsbl

import "github.com/mailcheck/mailcheck/pkg/report"

// Finding definitions. IDs and default severities follow the project brief;
// dnsbl.resolver.public and dnsbl.targets.unknown are this package's own.
var (
	DefIPListedMajor = report.Definition{
		ID:       "dnsbl.ip.listed.major",
		Severity: report.Critical,
		Title:    "Address is on a major blocklist",
		Refs:     []string{"RFC 5782 §2", "Spamhaus return codes: https://docs.spamhaus.com"},
	}
	DefIPListedPBL = report.Definition{
		ID:       "dnsbl.ip.listed.pbl",
		Severity: report.Medium,
		Title:    "Address is on a policy blocklist (Spamhaus PBL)",
		Refs:     []string{"RFC 5782 §2", "https://www.spamhaus.org/pbl/"},
	}
	DefIPListedMinor = report.Definition{
		ID:       "dnsbl.ip.listed.minor",
		Severity: report.Medium,
		Title:    "Address is on a smaller blocklist",
		Refs:     []string{"RFC 5782 §2", "Spamhaus return codes: https://docs.spamhaus.com"},
	}
	DefDomainListed = report.Definition{
		ID:       "dnsbl.domain.listed",
		Severity: report.Critical,
		Title:    "Domain is on a domain blocklist",
		Refs:     []string{"RFC 5782 §3", "Spamhaus return codes: https://docs.spamhaus.com"},
	}
	DefDomainGrey = report.Definition{
		ID:       "dnsbl.domain.grey",
		Severity: report.Low,
		Title:    "Domain is on a grey or minor domain list",
		Refs:     []string{"RFC 5782 §3", "Spamhaus return codes: https://docs.spamhaus.com"},
	}
	DefQueryRefused = report.Definition{
		ID:           "dnsbl.query.refused",
		Severity:     report.Medium,
		Inconclusive: true,
		Title:        "Blocklist refused the query",
		Refs:         []string{"https://www.spamhaus.org/news/article/788", "https://uribl.com/refused.shtml"},
	}
	// DefQueryFailed is a query that got no usable DNS answer at all
	// (SERVFAIL, timeout, network trouble): not a refusal by the list, and
	// its fix is different (the resolver or the list's servers are down).
	DefQueryFailed = report.Definition{
		ID:           "dnsbl.query.failed",
		Severity:     report.Medium,
		Inconclusive: true,
		Title:        "Blocklist query failed (SERVFAIL or no answer)",
		Refs:         []string{"RFC 1035 §4.1.1", "RFC 5782 §2"},
	}
	DefAnswerBogus = report.Definition{
		ID:           "dnsbl.answer.bogus",
		Severity:     report.Medium,
		Inconclusive: true,
		Title:        "Blocklist answer is not a listing code",
		Refs:         []string{"RFC 5782 §2.3"},
	}
	DefZoneUnhealthy = report.Definition{
		ID:           "dnsbl.zone.unhealthy",
		Severity:     report.Medium,
		Inconclusive: true,
		Title:        "Blocklist fails its RFC 5782 test entries",
		Refs:         []string{"RFC 5782 §5", "RFC 5782 §7"},
	}
	DefZoneDefunct = report.Definition{
		ID:       "dnsbl.zone.defunct",
		Severity: report.Info,
		Title:    "Configured blocklist is defunct and was not queried",
		Refs:     []string{"RFC 5782 §5"},
	}
	DefResolverPublic = report.Definition{
		ID:       "dnsbl.resolver.public",
		Severity: report.Info,
		Title:    "Blocklists are being queried through a public resolver",
		Refs:     []string{"https://www.spamhaus.org/news/article/788"},
	}
	DefTargetsUnknown = report.Definition{
		ID:           "dnsbl.targets.unknown",
		Severity:     report.Medium,
		Inconclusive: true,
		Title:        "Some addresses to check could not be found",
		Refs:         []string{"RFC 7208 §5", "RFC 5321 §5.1"},
	}
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

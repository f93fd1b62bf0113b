package dnssec

import "github.com/mailcheck/mailcheck/pkg/report"

// Finding definitions. Status findings say what validating resolvers make
// of each zone; hygiene findings say what in a signed zone is about to
// break or is weak.
var (
	defBogus = report.Definition{ID: "dnssec.zone.bogus", Severity: report.Critical,
		Title: "The zone is signed but does not validate (bogus)", Refs: []string{"RFC 4035 §5.5", "RFC 4035 §3.2.2"}}
	defInsecure = report.Definition{ID: "dnssec.zone.insecure", Severity: report.Info,
		Title: "The zone is not signed with DNSSEC", Refs: []string{"RFC 4035 §4.3", "RFC 7672 §2.2"}}
	defIsland = report.Definition{ID: "dnssec.zone.island", Severity: report.Medium,
		Title: "The zone is signed but its parent has no DS record, so nobody validates it", Refs: []string{"RFC 4035 §5.2", "RFC 4509 §2"}}
	defUnknown = report.Definition{ID: "dnssec.zone.unknown", Severity: report.Info, Inconclusive: true,
		Title: "Whether the zone validates is unknown", Refs: []string{"RFC 4035 §4.9.3"}}
	defNotValidating = report.Definition{ID: "dnssec.resolver.not_validating", Severity: report.Info, Inconclusive: true,
		Title: "The resolver does not validate DNSSEC", Refs: []string{"RFC 4035 §4.9.3", "RFC 6840 §5.8"}}
	defOffline = report.Definition{ID: "dnssec.offline", Severity: report.Info, Inconclusive: true,
		Title: "Zone files are not validated offline", Refs: []string{"RFC 4035 §5"}}

	defExpired = report.Definition{ID: "dnssec.rrsig.expired", Severity: report.Critical,
		Title: "A DNSSEC signature has expired", Refs: []string{"RFC 4034 §3.1.5", "RFC 4035 §5.3.1"}}
	defExpiring = report.Definition{ID: "dnssec.rrsig.expiring", Severity: report.High,
		Title: "A DNSSEC signature expires within 7 days", Refs: []string{"RFC 4034 §3.1.5", "RFC 6781 §4.4.2"}}
	defNotYetValid = report.Definition{ID: "dnssec.rrsig.not_yet_valid", Severity: report.High,
		Title: "A DNSSEC signature is not valid yet", Refs: []string{"RFC 4034 §3.1.5", "RFC 4035 §5.3.1"}}
	defInvalid = report.Definition{ID: "dnssec.rrsig.invalid", Severity: report.Critical,
		Title: "A DNSSEC signature does not verify with the zone's keys", Refs: []string{"RFC 4035 §5.3.1", "RFC 4034 §3.1.8.1"}}
	defAlgMustNot = report.Definition{ID: "dnssec.algorithm.deprecated", Severity: report.High,
		Title: "The zone is signed with an algorithm that must not be used for signing", Refs: []string{"RFC 8624 §3.1", "draft-ietf-dnsop-must-not-sha1"}}
	defAlgNotRecommended = report.Definition{ID: "dnssec.algorithm.not_recommended", Severity: report.Low,
		Title: "The zone is signed with an algorithm not recommended for signing", Refs: []string{"RFC 8624 §3.1"}}
	defIterations = report.Definition{ID: "dnssec.nsec3.iterations", Severity: report.Medium,
		Title: "NSEC3 uses extra hash iterations", Refs: []string{"RFC 9276 §3.1", "RFC 9276 §3.2"}}
	defSalt = report.Definition{ID: "dnssec.nsec3.salt", Severity: report.Low,
		Title: "NSEC3 uses a salt", Refs: []string{"RFC 9276 §3.1"}}
	defDSMismatch = report.Definition{ID: "dnssec.ds.mismatch", Severity: report.Critical,
		Title: "No DS record at the parent matches a DNSKEY of the zone", Refs: []string{"RFC 4035 §5.2", "RFC 4034 §5.1.4"}}
	defDSStale = report.Definition{ID: "dnssec.ds.stale", Severity: report.Low,
		Title: "A DS record at the parent matches no DNSKEY of the zone", Refs: []string{"RFC 4035 §5.2", "RFC 6781 §4.1.2"}}
	defDSSHA1 = report.Definition{ID: "dnssec.ds.sha1", Severity: report.Low,
		Title: "The DS records at the parent use only SHA-1 digests", Refs: []string{"RFC 8624 §3.3"}}
)

// Definitions lists every finding this package can report.
var Definitions = []report.Definition{
	defBogus, defInsecure, defIsland, defUnknown, defNotValidating, defOffline,
	defExpired, defExpiring, defNotYetValid, defInvalid, defAlgMustNot, defAlgNotRecommended,
	defIterations, defSalt, defDSMismatch, defDSStale, defDSSHA1,
}

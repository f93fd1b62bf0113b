package dnssec

import "github.com/mailcheck/mailcheck/pkg/report"

// Finding definitions. Status findings say what validating resolvers make
// of each zone; hygiene findings say what in a signed zone is about to
// break or is weak.
var (
	defBogus = report.Definition{ID: "dnssec.zone.bogus", Severity: report.Critical, Refs: []string{"RFC 4035 §5.5", "RFC 4035 §3.2.2"},
		Variants: []report.Variant{{Name: "ds", Severity: report.Critical}}} // no key matches the DS: publish the right one
	defInsecure = report.Definition{ID: "dnssec.zone.insecure", Severity: report.Info, Refs: []string{"RFC 4035 §4.3", "RFC 7672 §2.2"},
		Variants: []report.Variant{
			{Name: "retired", Severity: report.Info},         // signed with an algorithm the validator dropped
			{Name: "parent_unsigned", Severity: report.Info}, // a DS, but the chain of trust breaks above
		}}
	defIsland  = report.Definition{ID: "dnssec.zone.island", Severity: report.Medium, Refs: []string{"RFC 4035 §5.2", "RFC 4509 §2"}}
	defUnknown = report.Definition{ID: "dnssec.zone.unknown", Severity: report.Info, Inconclusive: true, Refs: []string{"RFC 4035 §4.9.3"},
		Variants: []report.Variant{
			{Name: "no_dnssec", Severity: report.Info},         // the resolver cannot ask DNSSEC questions
			{Name: "no_zone", Severity: report.Info},           // the SOA question found no zone
			{Name: "no_answer", Severity: report.Info},         // a DNSKEY or DS question got no answer
			{Name: "servfail_unsigned", Severity: report.Info}, // SERVFAILs in a zone without DS: not DNSSEC
		}}
	defNotValidating = report.Definition{ID: "dnssec.resolver.not_validating", Severity: report.Info, Inconclusive: true, Refs: []string{"RFC 4035 §4.9.3", "RFC 6840 §5.8"}}
	defOffline       = report.Definition{ID: "dnssec.offline", Severity: report.Info, Inconclusive: true, Refs: []string{"RFC 4035 §5"}}

	defExpired           = report.Definition{ID: "dnssec.rrsig.expired", Severity: report.Critical, Refs: []string{"RFC 4034 §3.1.5", "RFC 4035 §5.3.1"}}
	defExpiring          = report.Definition{ID: "dnssec.rrsig.expiring", Severity: report.High, Refs: []string{"RFC 4034 §3.1.5", "RFC 6781 §4.4.2"}}
	defNotYetValid       = report.Definition{ID: "dnssec.rrsig.not_yet_valid", Severity: report.High, Refs: []string{"RFC 4034 §3.1.5", "RFC 4035 §5.3.1"}}
	defInvalid           = report.Definition{ID: "dnssec.rrsig.invalid", Severity: report.Critical, Refs: []string{"RFC 4035 §5.3.1", "RFC 4034 §3.1.8.1"}}
	defAlgMustNot        = report.Definition{ID: "dnssec.algorithm.deprecated", Severity: report.High, Refs: []string{"RFC 8624 §3.1", "draft-ietf-dnsop-must-not-sha1"}}
	defAlgNotRecommended = report.Definition{ID: "dnssec.algorithm.not_recommended", Severity: report.Low, Refs: []string{"RFC 8624 §3.1"}}
	defIterations        = report.Definition{ID: "dnssec.nsec3.iterations", Severity: report.Medium, Refs: []string{"RFC 9276 §3.1", "RFC 9276 §3.2"}}
	defSalt              = report.Definition{ID: "dnssec.nsec3.salt", Severity: report.Low, Refs: []string{"RFC 9276 §3.1"}}
	defDSMismatch        = report.Definition{ID: "dnssec.ds.mismatch", Severity: report.Critical, Refs: []string{"RFC 4035 §5.2", "RFC 4034 §5.1.4"}}
	defDSStale           = report.Definition{ID: "dnssec.ds.stale", Severity: report.Low, Refs: []string{"RFC 4035 §5.2", "RFC 6781 §4.1.2"}}
	defDSSHA1            = report.Definition{ID: "dnssec.ds.sha1", Severity: report.Low, Refs: []string{"RFC 8624 §3.3"}}
)

// Definitions lists every finding this package can report.
var Definitions = []report.Definition{
	defBogus, defInsecure, defIsland, defUnknown, defNotValidating, defOffline,
	defExpired, defExpiring, defNotYetValid, defInvalid, defAlgMustNot, defAlgNotRecommended,
	defIterations, defSalt, defDSMismatch, defDSStale, defDSSHA1,
}

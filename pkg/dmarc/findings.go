package dmarc

import "github.com/mailcheck/mailcheck/pkg/report"

// Finding definitions (RFC 9989, RFC 7489; severities are ours). Their
// words are in the catalogs (internal/i18n/locales/dmarc.*.toml) under each
// ID, and each has an entry in docs/findings/dmarc.md.
var (
	findRecordMissing = report.Definition{ID: "dmarc.record.missing", Severity: report.High, Refs: []string{"RFC 9989 §4.10"},
		Variants: []report.Variant{
			// A public suffix's _dmarc name did not answer: the walk is
			// decided up to the organizational domain only.
			{Name: "up_to_org", Severity: report.High},
			{Name: "own_org", Severity: report.High}, // ... and the domain is its own organizational domain
		}}
	findRecordMultiple     = report.Definition{ID: "dmarc.record.multiple", Severity: report.Critical, Refs: []string{"RFC 9989 §4.10", "RFC 7489 §6.6.3"}}
	findRecordAtApex       = report.Definition{ID: "dmarc.record.at_apex", Severity: report.Medium, Refs: []string{"RFC 9989 §4.10"}}
	findRecordSPFFound     = report.Definition{ID: "dmarc.record.spf_found", Severity: report.High, Refs: []string{"RFC 9989 §4.10"}}
	findRecordUnrelatedTXT = report.Definition{ID: "dmarc.record.unrelated_txt", Severity: report.Low, Refs: []string{"RFC 9989 §4.10"}}
	findRecordLeadingSpace = report.Definition{ID: "dmarc.record.leading_space", Severity: report.High, Refs: []string{"RFC 9989 §4.7"}}
	findVersionInvalid     = report.Definition{ID: "dmarc.version.invalid", Severity: report.Critical, Refs: []string{"RFC 9989 §4.7"}}
	findSyntaxInvalid      = report.Definition{ID: "dmarc.syntax.invalid", Severity: report.High, Refs: []string{"RFC 9989 §4.7"},
		Variants: []report.Variant{
			{Name: "np", Severity: report.High},  // an invalid np= value (none applies to non-existent subdomains)
			{Name: "tag", Severity: report.High}, // another tag's invalid value
		}}
	findPMissing        = report.Definition{ID: "dmarc.p.missing", Severity: report.Medium, Refs: []string{"RFC 9989 §4.7", "RFC 7489 §6.3"}}
	findNoPolicy        = report.Definition{ID: "dmarc.record.no_policy", Severity: report.High, Refs: []string{"RFC 7489 §6.6.3", "RFC 9989 §4.7"}}
	findPNotSecond      = report.Definition{ID: "dmarc.p.not_second", Severity: report.Low, Refs: []string{"RFC 7489 §6.4"}}
	findPInvalid        = report.Definition{ID: "dmarc.p.invalid", Severity: report.High, Refs: []string{"RFC 9989 §4.7", "RFC 7489 §6.6.3"}}
	findSPInvalid       = report.Definition{ID: "dmarc.sp.invalid", Severity: report.High, Refs: []string{"RFC 9989 §4.7", "RFC 7489 §6.6.3"}}
	findPolicyNone      = report.Definition{ID: "dmarc.policy.none", Severity: report.Medium, Refs: []string{"RFC 9989 §4.7"}}
	findSPWeaker        = report.Definition{ID: "dmarc.sp.weaker", Severity: report.Medium, Refs: []string{"RFC 9989 §4.7"}}
	findNPMissing       = report.Definition{ID: "dmarc.np.missing", Severity: report.Low, Refs: []string{"RFC 9989 §4.7"}}
	findTestingMode     = report.Definition{ID: "dmarc.t.testing", Severity: report.Medium, Refs: []string{"RFC 9989 §4.7"}}
	findTagRemoved      = report.Definition{ID: "dmarc.tag.removed", Severity: report.Low, Refs: []string{"RFC 9989 Appendix C"}}
	findPctPartial      = report.Definition{ID: "dmarc.pct.partial", Severity: report.Medium, Refs: []string{"RFC 7489 §6.3"}}
	findTagUnknown      = report.Definition{ID: "dmarc.tag.unknown", Severity: report.Low, Refs: []string{"RFC 9989 §4.7"}}
	findRUAMissing      = report.Definition{ID: "dmarc.rua.missing", Severity: report.Medium, Refs: []string{"RFC 9990"}}
	findRUAInvalid      = report.Definition{ID: "dmarc.rua.invalid", Severity: report.High, Refs: []string{"RFC 9989 §4.7"}}
	findRUAUnauthorized = report.Definition{ID: "dmarc.rua.unauthorized", Severity: report.Medium, Refs: []string{"RFC 9990 §4", "RFC 7489 §7.1"}}
	findRUANoMX         = report.Definition{ID: "dmarc.rua.no_mx", Severity: report.Medium, Refs: []string{"RFC 9990"},
		Variants: []report.Variant{
			{Name: "null_mx", Severity: report.Medium},    // the destination publishes a null MX
			{Name: "no_address", Severity: report.Medium}, // no MX and no address record
		}} // default: the destination domain does not exist
	findRUATooMany       = report.Definition{ID: "dmarc.rua.too_many", Severity: report.Low, Refs: []string{"RFC 9990"}}
	findURISizeSuffix    = report.Definition{ID: "dmarc.uri.size_suffix", Severity: report.Low, Refs: []string{"RFC 7489 §6.2"}}
	findFONoRUF          = report.Definition{ID: "dmarc.fo.no_ruf", Severity: report.Low, Refs: []string{"RFC 9991"}}
	findFORedundant      = report.Definition{ID: "dmarc.fo.redundant", Severity: report.Low, Refs: []string{"RFC 9991"}}
	findAlignStrict      = report.Definition{ID: "dmarc.align.strict", Severity: report.Info, Refs: []string{"RFC 9989 §4.7"}}
	findParkedNotReject  = report.Definition{ID: "dmarc.parked.not_reject", Severity: report.Low, Refs: []string{"RFC 9989 §4.7"}}
	findInherited        = report.Definition{ID: "dmarc.inherited", Severity: report.Info, Refs: []string{"RFC 9989 §4.10"}}
	findOrgDomainDiffers = report.Definition{ID: "dmarc.orgdomain.differs", Severity: report.Info, Refs: []string{"RFC 9989 §4.10.2", "RFC 7489 §3.2"}}
	findPSDUnchecked     = report.Definition{ID: "dmarc.psd.unchecked", Severity: report.Info, Refs: []string{"RFC 9989 §4.10", "RFC 9091 §4"}}
	findDNSError         = report.Definition{ID: "dmarc.dns.error", Severity: report.Info, Inconclusive: true, Refs: []string{"RFC 9989 §4.10"},
		Variants: []report.Variant{
			{Name: "parent", Severity: report.Info},      // a parent's _dmarc name, when the domain has no record
			{Name: "report_auth", Severity: report.Info}, // a destination's report authorization record
			{Name: "dest_mx", Severity: report.Info},     // whether a destination receives mail
		}} // default: the domain's own _dmarc name
)

// Definitions lists every DMARC finding, for the docs test and tooling.
var Definitions = []report.Definition{
	findRecordMissing, findRecordMultiple, findRecordAtApex, findRecordSPFFound,
	findRecordUnrelatedTXT, findRecordLeadingSpace, findVersionInvalid, findSyntaxInvalid,
	findPMissing, findNoPolicy, findPNotSecond, findPInvalid, findSPInvalid, findPolicyNone,
	findSPWeaker, findNPMissing, findTestingMode, findTagRemoved, findPctPartial,
	findTagUnknown, findRUAMissing, findRUAInvalid, findRUAUnauthorized, findRUANoMX,
	findRUATooMany, findURISizeSuffix, findFONoRUF, findFORedundant, findAlignStrict,
	findParkedNotReject, findInherited, findOrgDomainDiffers, findPSDUnchecked, findDNSError,
}

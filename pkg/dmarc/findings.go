package dmarc

import "github.com/mailcheck/mailcheck/pkg/report"

// Finding definitions (RFC 9989, RFC 7489; severities are ours). Each has an entry in
// docs/findings/dmarc.md.
var (
	findRecordMissing      = def("dmarc.record.missing", report.High, "No DMARC record", "RFC 9989 §4.10")
	findRecordMultiple     = def("dmarc.record.multiple", report.Critical, "More than one DMARC record: no policy applies", "RFC 9989 §4.10", "RFC 7489 §6.6.3")
	findRecordAtApex       = def("dmarc.record.at_apex", report.Medium, "DMARC record published at the domain itself, where it has no effect", "RFC 9989 §4.10")
	findRecordSPFFound     = def("dmarc.record.spf_found", report.High, "An SPF record answers at the _dmarc name", "RFC 9989 §4.10")
	findRecordUnrelatedTXT = def("dmarc.record.unrelated_txt", report.Low, "Other TXT records at the _dmarc name", "RFC 9989 §4.10")
	findRecordLeadingSpace = def("dmarc.record.leading_space", report.High, "DMARC record begins with a space and is not recognized", "RFC 9989 §4.7")
	findVersionInvalid     = def("dmarc.version.invalid", report.Critical, "DMARC record has a wrong or misplaced version tag and is ignored", "RFC 9989 §4.7")
	findSyntaxInvalid      = def("dmarc.syntax.invalid", report.High, "DMARC record is malformed", "RFC 9989 §4.7")
	findPMissing           = def("dmarc.p.missing", report.Medium, "No p= tag", "RFC 9989 §4.7", "RFC 7489 §6.3")
	findNoPolicy           = def("dmarc.record.no_policy", report.High, "No valid p= and no rua=: receivers apply no DMARC", "RFC 7489 §6.6.3", "RFC 9989 §4.7")
	findPNotSecond         = def("dmarc.p.not_second", report.Low, "p= is not right after v=", "RFC 7489 §6.4")
	findPInvalid           = def("dmarc.p.invalid", report.High, "Invalid p= value", "RFC 9989 §4.7", "RFC 7489 §6.6.3")
	findSPInvalid          = def("dmarc.sp.invalid", report.High, "Invalid sp= value", "RFC 9989 §4.7", "RFC 7489 §6.6.3")
	findPolicyNone         = def("dmarc.policy.none", report.Medium, "Policy is none: monitoring only, spoofed mail is delivered", "RFC 9989 §4.7")
	findSPWeaker           = def("dmarc.sp.weaker", report.Medium, "Subdomain policy is weaker than the domain's", "RFC 9989 §4.7")
	findNPMissing          = def("dmarc.np.missing", report.Low, "Non-existent subdomains are not rejected", "RFC 9989 §4.7")
	findTestingMode        = def("dmarc.t.testing", report.Medium, "Test mode (t=y): receivers are asked not to apply the policy", "RFC 9989 §4.7")
	findTagRemoved         = def("dmarc.tag.removed", report.Low, "Tag removed by RFC 9989", "RFC 9989 Appendix C")
	findPctPartial         = def("dmarc.pct.partial", report.Medium, "pct below 100: only part of failing mail gets the policy at RFC 7489 receivers", "RFC 7489 §6.3")
	findTagUnknown         = def("dmarc.tag.unknown", report.Low, "Unknown tag, ignored by receivers", "RFC 9989 §4.7")
	findRUAMissing         = def("dmarc.rua.missing", report.Medium, "No aggregate report address (rua)", "RFC 9990")
	findRUAInvalid         = def("dmarc.rua.invalid", report.High, "Report address is not a valid URI", "RFC 9989 §4.7")
	findRUAUnauthorized    = def("dmarc.rua.unauthorized", report.Medium, "External report destination has not authorized your reports", "RFC 9990 §4", "RFC 7489 §7.1")
	findRUANoMX            = def("dmarc.rua.no_mx", report.Medium, "Report destination domain cannot receive mail", "RFC 9990")
	findRUATooMany         = def("dmarc.rua.too_many", report.Low, "More than two report destinations", "RFC 9990")
	findURISizeSuffix      = def("dmarc.uri.size_suffix", report.Low, "Report URI has a !size suffix, obsolete in RFC 9989", "RFC 7489 §6.2")
	findFONoRUF            = def("dmarc.fo.no_ruf", report.Low, "fo= without ruf= has no effect", "RFC 9991")
	findFORedundant        = def("dmarc.fo.redundant", report.Low, "fo=0:1 is redundant: 1 already covers 0", "RFC 9991")
	findAlignStrict        = def("dmarc.align.strict", report.Info, "Strict alignment: subdomain senders will not align", "RFC 9989 §4.7")
	findParkedNotReject    = def("dmarc.parked.not_reject", report.Low, "Domain sends no mail but its DMARC policy is not reject", "RFC 9989 §4.7")
	findInherited          = def("dmarc.inherited", report.Info, "Policy inherited from a parent domain", "RFC 9989 §4.10")
	findOrgDomainDiffers   = def("dmarc.orgdomain.differs", report.Info, "RFC 7489 and RFC 9989 disagree on the organizational domain", "RFC 9989 §4.10.2", "RFC 7489 §3.2")
	findPSDUnchecked       = def("dmarc.psd.unchecked", report.Info, "The public suffix's _dmarc name did not answer", "RFC 9989 §4.10", "RFC 9091 §4")
	findDNSError           = report.Definition{ID: "dmarc.dns.error", Severity: report.Info, Inconclusive: true,
		Title: "DMARC lookup failed", Refs: []string{"RFC 9989 §4.10"}}
)

func def(id string, sev report.Severity, title string, refs ...string) report.Definition {
	return report.Definition{ID: id, Severity: sev, Title: title, Refs: refs}
}

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

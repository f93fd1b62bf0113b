package spf

import "github.com/mailcheck/mailcheck/pkg/report"

// The findings of the SPF check (RFC 7208; severities are ours). Each is documented in
// docs/findings/spf.md.
var (
	defRecordMissing = report.Definition{ID: "spf.record.missing", Severity: report.High,
		Title: "No SPF record", Refs: []string{"RFC 7208 §4.5", "RFC 7208 §2.6.1"}}
	defRecordMultiple = report.Definition{ID: "spf.record.multiple", Severity: report.Critical,
		Title: "More than one SPF record", Refs: []string{"RFC 7208 §3.2", "RFC 7208 §4.5"}}
	defSPFRRType = report.Definition{ID: "spf.record.spf_rrtype", Severity: report.Low,
		Title: "Obsolete SPF (type 99) record published", Refs: []string{"RFC 7208 §3.1", "RFC 7208 §14.1"}}
	defVersionMalformed = report.Definition{ID: "spf.record.version_malformed", Severity: report.High,
		Title: "TXT record looks like SPF but is not selected", Refs: []string{"RFC 7208 §4.5"}}
	defSenderID = report.Definition{ID: "spf.record.sender_id", Severity: report.Info,
		Title: "Sender ID (spf2.0) record published", Refs: []string{"RFC 7208 §4.5"}}
	defSyntaxInvalid = report.Definition{ID: "spf.syntax.invalid", Severity: report.Critical,
		Title: "SPF record has a syntax error", Refs: []string{"RFC 7208 §4.6", "RFC 7208 §12"}}
	defGluedAll = report.Definition{ID: "spf.syntax.glued_all", Severity: report.Critical,
		Title: "An \"all\" is glued to the previous term", Refs: []string{"RFC 7208 §3.3"}}
	defModifierDuplicate = report.Definition{ID: "spf.modifier.duplicate", Severity: report.Critical,
		Title: "redirect or exp appears more than once", Refs: []string{"RFC 7208 §6"}}
	defAllPass = report.Definition{ID: "spf.all.pass", Severity: report.Critical,
		Title: "SPF authorizes every host", Refs: []string{"RFC 7208 §5.1", "RFC 7208 §5.6"}}
	defAllNeutral = report.Definition{ID: "spf.all.neutral", Severity: report.Medium,
		Title: "SPF ends in ?all (no assertion)", Refs: []string{"RFC 7208 §5.1"}}
	defAllMissing = report.Definition{ID: "spf.all.missing", Severity: report.Medium,
		Title: "SPF has neither all nor redirect", Refs: []string{"RFC 7208 §4.7"}}
	defAllSoftfail = report.Definition{ID: "spf.all.softfail", Severity: report.Info,
		Title: "SPF ends in ~all", Refs: []string{"RFC 7208 §5.1", "RFC 7489 §10.1"}}
	defTermsAfterAll = report.Definition{ID: "spf.terms.after_all", Severity: report.Low,
		Title: "Terms after \"all\" are ignored", Refs: []string{"RFC 7208 §5.1"}}
	defRedirectIgnored = report.Definition{ID: "spf.redirect.ignored", Severity: report.Low,
		Title: "redirect is ignored because the record has \"all\"", Refs: []string{"RFC 7208 §5.1", "RFC 7208 §6.1"}}
	defIPBroad = report.Definition{ID: "spf.ip.broad", Severity: report.Medium,
		Title: "Unusually broad IP range authorized", Refs: []string{"RFC 7208 §5.6"}}
	defLookupsExceeded = report.Definition{ID: "spf.lookups.exceeded", Severity: report.Critical,
		Title: "More than 10 DNS-querying terms", Refs: []string{"RFC 7208 §4.6.4"}}
	defLookupsNearLimit = report.Definition{ID: "spf.lookups.near_limit", Severity: report.Low,
		Title: "DNS-querying terms close to the limit of 10", Refs: []string{"RFC 7208 §4.6.4"}}
	defVoidExceeded = report.Definition{ID: "spf.void.exceeded", Severity: report.Critical,
		Title: "More than 2 void lookups", Refs: []string{"RFC 7208 §4.6.4"}}
	defMXTooMany = report.Definition{ID: "spf.mx.too_many", Severity: report.Critical,
		Title: "An mx term's domain has more than 10 MX names", Refs: []string{"RFC 7208 §4.6.4"}}
	defAOrMXEmpty = report.Definition{ID: "spf.a_or_mx.empty", Severity: report.Medium,
		Title: "An a or mx term points at a name without addresses", Refs: []string{"RFC 7208 §5.3", "RFC 7208 §5.4", "RFC 7208 §4.6.4"}}
	defIncludeNoRecord = report.Definition{ID: "spf.include.no_record", Severity: report.Critical,
		Title: "include target has no SPF record", Refs: []string{"RFC 7208 §5.2"}}
	defRedirectNoRecord = report.Definition{ID: "spf.redirect.no_record", Severity: report.Critical,
		Title: "redirect target has no SPF record", Refs: []string{"RFC 7208 §6.1"}}
	defIncludeLoop = report.Definition{ID: "spf.include.loop", Severity: report.Critical,
		Title: "include/redirect loop", Refs: []string{"RFC 7208 §4.6.4", "RFC 7208 §5.2"}}
	defIncludeDuplicate = report.Definition{ID: "spf.include.duplicate", Severity: report.Low,
		Title: "Same domain included more than once", Refs: []string{"RFC 7208 §4.6.4"}}
	defPTRUsed = report.Definition{ID: "spf.ptr.used", Severity: report.Medium,
		Title: "ptr mechanism used", Refs: []string{"RFC 7208 §5.5"}}
	defMacroPUsed = report.Definition{ID: "spf.macro.p_used", Severity: report.Medium,
		Title: "%{p} macro used", Refs: []string{"RFC 7208 §7.2"}}
	defMacroExpOnly = report.Definition{ID: "spf.macro.exp_only_letter", Severity: report.Critical,
		Title: "%{c}, %{r} or %{t} outside exp text", Refs: []string{"RFC 7208 §7.1", "RFC 7208 §7.2"}}
	defExpUnresolvable = report.Definition{ID: "spf.exp.unresolvable", Severity: report.Low,
		Title: "exp= target does not give one TXT record", Refs: []string{"RFC 7208 §6.2"}}
	defSizeUDP = report.Definition{ID: "spf.size.udp", Severity: report.Low,
		Title: "TXT answer too large for a safe UDP reply", Refs: []string{"RFC 7208 §3.4"}}
	defHELOMissing = report.Definition{ID: "spf.helo.missing", Severity: report.Low,
		Title: "HELO name has no SPF record", Refs: []string{"RFC 7208 §2.3"}}
	defParkedNotStrict = report.Definition{ID: "spf.parked.not_strict", Severity: report.Low,
		Title: "Domain sends no mail but its SPF is not \"v=spf1 -all\"", Refs: []string{"RFC 7208 §5.1", "RFC 7505 §3"}}
	defDNSTempError = report.Definition{ID: "spf.dns.temperror", Severity: report.High, Inconclusive: true,
		Title: "DNS error while reading SPF", Refs: []string{"RFC 7208 §4.4", "RFC 7208 §2.6.6"}}
)

// Definitions lists every finding the SPF check can report.
var Definitions = []report.Definition{
	defRecordMissing, defRecordMultiple, defSPFRRType, defVersionMalformed, defSenderID,
	defSyntaxInvalid, defGluedAll, defModifierDuplicate,
	defAllPass, defAllNeutral, defAllMissing, defAllSoftfail, defTermsAfterAll, defRedirectIgnored,
	defIPBroad, defLookupsExceeded, defLookupsNearLimit, defVoidExceeded, defMXTooMany, defAOrMXEmpty,
	defIncludeNoRecord, defRedirectNoRecord, defIncludeLoop, defIncludeDuplicate,
	defPTRUsed, defMacroPUsed, defMacroExpOnly, defExpUnresolvable, defSizeUDP,
	defHELOMissing, defParkedNotStrict, defDNSTempError,
}

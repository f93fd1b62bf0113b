package spf

import "github.com/mailcheck/mailcheck/pkg/report"

// The findings of the SPF check (RFC 7208; severities are ours). Their words
// are in the catalogs (internal/i18n/locales/spf.*.toml) under each ID, and
// each is documented in docs/findings/spf.md.
var (
	defRecordMissing     = report.Definition{ID: "spf.record.missing", Severity: report.High, Refs: []string{"RFC 7208 §4.5", "RFC 7208 §2.6.1"}}
	defRecordMultiple    = report.Definition{ID: "spf.record.multiple", Severity: report.Critical, Refs: []string{"RFC 7208 §3.2", "RFC 7208 §4.5"}}
	defSPFRRType         = report.Definition{ID: "spf.record.spf_rrtype", Severity: report.Low, Refs: []string{"RFC 7208 §3.1", "RFC 7208 §14.1"}}
	defVersionMalformed  = report.Definition{ID: "spf.record.version_malformed", Severity: report.High, Refs: []string{"RFC 7208 §4.5"}}
	defSenderID          = report.Definition{ID: "spf.record.sender_id", Severity: report.Info, Refs: []string{"RFC 7208 §4.5"}}
	defSyntaxInvalid     = report.Definition{ID: "spf.syntax.invalid", Severity: report.Critical, Refs: []string{"RFC 7208 §4.6", "RFC 7208 §12"}}
	defGluedAll          = report.Definition{ID: "spf.syntax.glued_all", Severity: report.Critical, Refs: []string{"RFC 7208 §3.3"}}
	defModifierDuplicate = report.Definition{ID: "spf.modifier.duplicate", Severity: report.Critical, Refs: []string{"RFC 7208 §6"}}
	defAllPass           = report.Definition{ID: "spf.all.pass", Severity: report.Critical, Refs: []string{"RFC 7208 §5.1", "RFC 7208 §5.6"},
		Variants: []report.Variant{{Name: "range", Severity: report.Critical}}} // ip4:0.0.0.0/0 or ip6:::/0 rather than +all
	defAllNeutral       = report.Definition{ID: "spf.all.neutral", Severity: report.Medium, Refs: []string{"RFC 7208 §5.1"}}
	defAllMissing       = report.Definition{ID: "spf.all.missing", Severity: report.Medium, Refs: []string{"RFC 7208 §4.7"}}
	defAllSoftfail      = report.Definition{ID: "spf.all.softfail", Severity: report.Info, Refs: []string{"RFC 7208 §5.1", "RFC 7489 §10.1"}}
	defTermsAfterAll    = report.Definition{ID: "spf.terms.after_all", Severity: report.Low, Refs: []string{"RFC 7208 §5.1"}}
	defRedirectIgnored  = report.Definition{ID: "spf.redirect.ignored", Severity: report.Low, Refs: []string{"RFC 7208 §5.1", "RFC 7208 §6.1"}}
	defIPBroad          = report.Definition{ID: "spf.ip.broad", Severity: report.Medium, Refs: []string{"RFC 7208 §5.6"}}
	defLookupsExceeded  = report.Definition{ID: "spf.lookups.exceeded", Severity: report.Critical, Refs: []string{"RFC 7208 §4.6.4"}}
	defLookupsNearLimit = report.Definition{ID: "spf.lookups.near_limit", Severity: report.Low, Refs: []string{"RFC 7208 §4.6.4"}}
	defVoidExceeded     = report.Definition{ID: "spf.void.exceeded", Severity: report.Critical, Refs: []string{"RFC 7208 §4.6.4"}}
	defMXTooMany        = report.Definition{ID: "spf.mx.too_many", Severity: report.Critical, Refs: []string{"RFC 7208 §4.6.4"}}
	defAOrMXEmpty       = report.Definition{ID: "spf.a_or_mx.empty", Severity: report.Medium, Refs: []string{"RFC 7208 §5.3", "RFC 7208 §5.4", "RFC 7208 §4.6.4"},
		Variants: []report.Variant{{Name: "mx", Severity: report.Medium}}} // an mx term: no MX records rather than no addresses
	defIncludeNoRecord  = report.Definition{ID: "spf.include.no_record", Severity: report.Critical, Refs: []string{"RFC 7208 §5.2"}}
	defRedirectNoRecord = report.Definition{ID: "spf.redirect.no_record", Severity: report.Critical, Refs: []string{"RFC 7208 §6.1"}}
	defIncludeLoop      = report.Definition{ID: "spf.include.loop", Severity: report.Critical, Refs: []string{"RFC 7208 §4.6.4", "RFC 7208 §5.2"}}
	defIncludeDuplicate = report.Definition{ID: "spf.include.duplicate", Severity: report.Low, Refs: []string{"RFC 7208 §4.6.4"}}
	defPTRUsed          = report.Definition{ID: "spf.ptr.used", Severity: report.Medium, Refs: []string{"RFC 7208 §5.5"}}
	defMacroPUsed       = report.Definition{ID: "spf.macro.p_used", Severity: report.Medium, Refs: []string{"RFC 7208 §7.2"}}
	defMacroExpOnly     = report.Definition{ID: "spf.macro.exp_only_letter", Severity: report.Critical, Refs: []string{"RFC 7208 §7.1", "RFC 7208 §7.2"}}
	defExpUnresolvable  = report.Definition{ID: "spf.exp.unresolvable", Severity: report.Low, Refs: []string{"RFC 7208 §6.2"}}
	defSizeUDP          = report.Definition{ID: "spf.size.udp", Severity: report.Low, Refs: []string{"RFC 7208 §3.4"},
		Variants: []report.Variant{{Name: "wire", Severity: report.Low}}} // the answer is also over 512 octets
	defHELOMissing     = report.Definition{ID: "spf.helo.missing", Severity: report.Low, Refs: []string{"RFC 7208 §2.3"}}
	defParkedNotStrict = report.Definition{ID: "spf.parked.not_strict", Severity: report.Low, Refs: []string{"RFC 7208 §5.1", "RFC 7505 §3"}}
	defDNSTempError    = report.Definition{ID: "spf.dns.temperror", Severity: report.High, Inconclusive: true, Refs: []string{"RFC 7208 §4.4", "RFC 7208 §2.6.6"},
		Variants: []report.Variant{
			{Name: "term", Severity: report.High},       // the lookup of an a, mx, exists or exp term
			{Name: "helo", Severity: report.High},       // the HELO name's TXT lookup
			{Name: "evaluation", Severity: report.High}, // check_host() for the given client
		}}
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

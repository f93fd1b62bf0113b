package dkim

import "github.com/mailcheck/mailcheck/pkg/report"

// Finding definitions. IDs and severities are ours; the rules come from
// RFC 6376 §3.6.1 and RFC 8301 §3; the two marked "added" cover conditions beyond those (an explicitly
// named selector without a key, and DNS trouble), and are documented in
// docs/findings/dkim.md like the others. Their words are in the catalogs
// (internal/i18n/locales/dkim.*.toml) under each ID.
var (
	SelectorUnverified = report.Definition{
		ID: "dkim.selector.unverified", Severity: report.Info, Inconclusive: true,
		Refs: []string{"RFC 6376 §3.1", "RFC 6376 §3.6.2.1"},
	}
	// KeyMissing is added: a selector the user named (or a message's s=)
	// has no key record.
	KeyMissing = report.Definition{
		ID: "dkim.key.missing", Severity: report.High,
		Refs: []string{"RFC 6376 §3.6.2.2", "RFC 6376 §6.1.2"},
		Variants: []report.Variant{
			// the only TXT record there is something else (a wildcard)
			{Name: "not_key", Severity: report.High},
		},
	}
	// DNSTemperror is added: the key record could not be fetched.
	DNSTemperror = report.Definition{
		ID: "dkim.dns.temperror", Severity: report.Info, Inconclusive: true,
		Refs: []string{"RFC 6376 §6.1.2"},
		Variants: []report.Variant{
			// the key of a message's signature, not a planned lookup
			{Name: "message", Severity: report.Info},
		},
	}
	RecordMultiple = report.Definition{
		ID: "dkim.record.multiple", Severity: report.High,
		Refs: []string{"RFC 6376 §3.6.2.2"},
	}
	RecordSyntax = report.Definition{
		ID: "dkim.record.syntax", Severity: report.High,
		Refs: []string{"RFC 6376 §3.2", "RFC 6376 §3.6.1"},
		Variants: []report.Variant{
			// a selector that is not a DNS label: the name cannot be asked
			{Name: "selector", Severity: report.High},
		},
	}
	RecordVersion = report.Definition{
		ID: "dkim.record.version", Severity: report.High,
		Refs: []string{"RFC 6376 §3.6.1"},
	}
	KeyRevoked = report.Definition{
		ID: "dkim.key.revoked", Severity: report.Medium,
		Refs: []string{"RFC 6376 §3.6.1"},
		Variants: []report.Variant{
			// another selector has a live key: a finished rotation
			{Name: "rotated", Severity: report.Info},
		},
	}
	KeyUnparseable = report.Definition{
		ID: "dkim.key.unparseable", Severity: report.High,
		Refs: []string{"RFC 6376 §3.6.1", "RFC 8463 §4.2"},
	}
	KeyRSALt1024 = report.Definition{
		ID: "dkim.key.rsa_lt_1024", Severity: report.Critical,
		Refs: []string{"RFC 8301 §3.2"},
	}
	KeyRSA1024 = report.Definition{
		ID: "dkim.key.rsa_1024", Severity: report.Medium,
		Refs: []string{"RFC 8301 §3.2"},
	}
	KeyRSAGt4096 = report.Definition{
		ID: "dkim.key.rsa_gt_4096", Severity: report.Low,
		Refs: []string{"RFC 8301 §3.2"},
	}
	KeyTypeUnknown = report.Definition{
		ID: "dkim.key.type_unknown", Severity: report.High,
		Refs: []string{"RFC 6376 §3.6.1", "RFC 8463 §4"},
	}
	KeyEd25519Only = report.Definition{
		ID: "dkim.key.ed25519_only", Severity: report.Medium,
		Refs: []string{"RFC 8463 §1"},
	}
	KeySHA1Only = report.Definition{
		ID: "dkim.key.sha1_only", Severity: report.High,
		Refs: []string{"RFC 8301 §3.1", "RFC 6376 §3.6.1"},
	}
	KeyTesting = report.Definition{
		ID: "dkim.key.testing", Severity: report.Low,
		Refs: []string{"RFC 6376 §3.6.1"},
	}
	KeyService = report.Definition{
		ID: "dkim.key.service", Severity: report.High,
		Refs: []string{"RFC 6376 §3.6.1"},
	}
	KeyDNSSize = report.Definition{
		ID: "dkim.key.dns_size", Severity: report.Low,
		Refs: []string{"RFC 1035 §4.2.1", "RFC 6891 §6.2.3", "RFC 6376 §3.6.2.2"},
	}
	SigMissing = report.Definition{
		ID: "dkim.sig.missing", Severity: report.High,
		Refs: []string{"RFC 6376 §3.5"},
	}
	SigInvalid = report.Definition{
		ID: "dkim.sig.invalid", Severity: report.High,
		Refs: []string{"RFC 6376 §6.1", "RFC 6376 §6.3"},
		Variants: []report.Variant{
			// the DKIM-Signature is not a valid tag-list (RFC 6376 §3.2)
			{Name: "malformed", Severity: report.High},
			// the verifier could not read the message at all
			{Name: "unreadable", Severity: report.High},
			// did not verify, by cause (the fix differs)
			{Name: "body_hash", Severity: report.High},
			{Name: "signature", Severity: report.High},
			{Name: "no_key", Severity: report.High},
			{Name: "key_type", Severity: report.High},
		},
	}
	SigSHA1 = report.Definition{
		ID: "dkim.sig.sha1", Severity: report.High,
		Refs: []string{"RFC 8301 §3.1"},
	}
	SigFromUnsigned = report.Definition{
		ID: "dkim.sig.from_unsigned", Severity: report.Critical,
		Refs: []string{"RFC 6376 §5.4"},
	}
	SigFromNotOversigned = report.Definition{
		ID: "dkim.sig.from_not_oversigned", Severity: report.Low,
		Refs: []string{"RFC 6376 §5.4.2", "RFC 6376 §8.15"},
	}
	SigBodyLength = report.Definition{
		ID: "dkim.sig.body_length", Severity: report.Medium,
		Refs: []string{"RFC 6376 §3.5", "RFC 6376 §8.2"},
	}
	SigUnaligned = report.Definition{
		ID: "dkim.sig.unaligned", Severity: report.Medium,
		Refs: []string{"RFC 7489 §3.1.1"},
	}
	SigListUnsubUnsigned = report.Definition{
		ID: "dkim.sig.list_unsub_unsigned", Severity: report.Medium,
		Refs: []string{"RFC 8058 §4"},
	}
)

// Definitions lists every finding this check can make, for the catalog and
// its documentation test.
var Definitions = []report.Definition{
	SelectorUnverified,
	KeyMissing,
	DNSTemperror,
	RecordMultiple,
	RecordSyntax,
	RecordVersion,
	KeyRevoked,
	KeyUnparseable,
	KeyRSALt1024,
	KeyRSA1024,
	KeyRSAGt4096,
	KeyTypeUnknown,
	KeyEd25519Only,
	KeySHA1Only,
	KeyTesting,
	KeyService,
	KeyDNSSize,
	SigMissing,
	SigInvalid,
	SigSHA1,
	SigFromUnsigned,
	SigFromNotOversigned,
	SigBodyLength,
	SigUnaligned,
	SigListUnsubUnsigned,
}

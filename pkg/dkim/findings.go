package dkim

import "github.com/mailcheck/mailcheck/pkg/report"

// Finding definitions. IDs and severities are ours; the rules come from
// RFC 6376 §3.6.1 and RFC 8301 §3; the two marked "added" cover conditions beyond those (an explicitly
// named selector without a key, and DNS trouble), and are documented in
// docs/findings/dkim.md like the others.
var (
	SelectorUnverified = report.Definition{
		ID: "dkim.selector.unverified", Severity: report.Info, Inconclusive: true,
		Title: "No DKIM key found under the guessed selectors",
		Refs:  []string{"RFC 6376 §3.1", "RFC 6376 §3.6.2.1"},
	}
	// KeyMissing is added: a selector the user named (or a message's s=)
	// has no key record.
	KeyMissing = report.Definition{
		ID: "dkim.key.missing", Severity: report.High,
		Title: "No DKIM key record at the selector",
		Refs:  []string{"RFC 6376 §3.6.2.2", "RFC 6376 §6.1.2"},
	}
	// DNSTemperror is added: the key record could not be fetched.
	DNSTemperror = report.Definition{
		ID: "dkim.dns.temperror", Severity: report.Info, Inconclusive: true,
		Title: "DNS lookup of a DKIM key failed",
		Refs:  []string{"RFC 6376 §6.1.2"},
	}
	RecordMultiple = report.Definition{
		ID: "dkim.record.multiple", Severity: report.High,
		Title: "More than one TXT record at the selector",
		Refs:  []string{"RFC 6376 §3.6.2.2"},
	}
	RecordSyntax = report.Definition{
		ID: "dkim.record.syntax", Severity: report.High,
		Title: "DKIM key record is not a valid tag-list",
		Refs:  []string{"RFC 6376 §3.2", "RFC 6376 §3.6.1"},
	}
	RecordVersion = report.Definition{
		ID: "dkim.record.version", Severity: report.High,
		Title: "DKIM key record has a bad v= tag",
		Refs:  []string{"RFC 6376 §3.6.1"},
	}
	KeyRevoked = report.Definition{
		ID: "dkim.key.revoked", Severity: report.Medium,
		Title: "DKIM key is revoked (empty p=)",
		Refs:  []string{"RFC 6376 §3.6.1"},
	}
	KeyUnparseable = report.Definition{
		ID: "dkim.key.unparseable", Severity: report.High,
		Title: "DKIM public key cannot be decoded",
		Refs:  []string{"RFC 6376 §3.6.1", "RFC 8463 §4.2"},
	}
	KeyRSALt1024 = report.Definition{
		ID: "dkim.key.rsa_lt_1024", Severity: report.Critical,
		Title: "RSA key shorter than 1024 bits",
		Refs:  []string{"RFC 8301 §3.2"},
	}
	KeyRSA1024 = report.Definition{
		ID: "dkim.key.rsa_1024", Severity: report.Medium,
		Title: "RSA key shorter than 2048 bits",
		Refs:  []string{"RFC 8301 §3.2"},
	}
	KeyRSAGt4096 = report.Definition{
		ID: "dkim.key.rsa_gt_4096", Severity: report.Low,
		Title: "RSA key longer than 4096 bits",
		Refs:  []string{"RFC 8301 §3.2"},
	}
	KeyTypeUnknown = report.Definition{
		ID: "dkim.key.type_unknown", Severity: report.High,
		Title: "Unknown DKIM key type (k=)",
		Refs:  []string{"RFC 6376 §3.6.1", "RFC 8463 §4"},
	}
	KeyEd25519Only = report.Definition{
		ID: "dkim.key.ed25519_only", Severity: report.Medium,
		Title: "Only Ed25519 DKIM keys found",
		Refs:  []string{"RFC 8463 §1"},
	}
	KeySHA1Only = report.Definition{
		ID: "dkim.key.sha1_only", Severity: report.High,
		Title: "DKIM key allows only sha1",
		Refs:  []string{"RFC 8301 §3.1", "RFC 6376 §3.6.1"},
	}
	KeyTesting = report.Definition{
		ID: "dkim.key.testing", Severity: report.Low,
		Title: "DKIM key is in testing mode (t=y)",
		Refs:  []string{"RFC 6376 §3.6.1"},
	}
	KeyService = report.Definition{
		ID: "dkim.key.service", Severity: report.High,
		Title: "DKIM key is not for email (s=)",
		Refs:  []string{"RFC 6376 §3.6.1"},
	}
	KeyDNSSize = report.Definition{
		ID: "dkim.key.dns_size", Severity: report.Low,
		Title: "DKIM key answer is larger than 512 octets",
		Refs:  []string{"RFC 1035 §4.2.1", "RFC 6891 §6.2.3", "RFC 6376 §3.6.2.2"},
	}
	SigMissing = report.Definition{
		ID: "dkim.sig.missing", Severity: report.High,
		Title: "Message has no DKIM-Signature",
		Refs:  []string{"RFC 6376 §3.5"},
	}
	SigInvalid = report.Definition{
		ID: "dkim.sig.invalid", Severity: report.High,
		Title: "DKIM signature does not verify",
		Refs:  []string{"RFC 6376 §6.1", "RFC 6376 §6.3"},
	}
	SigSHA1 = report.Definition{
		ID: "dkim.sig.sha1", Severity: report.High,
		Title: "DKIM signature uses rsa-sha1",
		Refs:  []string{"RFC 8301 §3.1"},
	}
	SigFromUnsigned = report.Definition{
		ID: "dkim.sig.from_unsigned", Severity: report.Critical,
		Title: "From is not in the signature's h=",
		Refs:  []string{"RFC 6376 §5.4"},
	}
	SigFromNotOversigned = report.Definition{
		ID: "dkim.sig.from_not_oversigned", Severity: report.Low,
		Title: "From is signed but not oversigned",
		Refs:  []string{"RFC 6376 §5.4.2", "RFC 6376 §8.15"},
	}
	SigBodyLength = report.Definition{
		ID: "dkim.sig.body_length", Severity: report.Medium,
		Title: "DKIM signature uses a body length limit (l=)",
		Refs:  []string{"RFC 6376 §3.5", "RFC 6376 §8.2"},
	}
	SigUnaligned = report.Definition{
		ID: "dkim.sig.unaligned", Severity: report.Medium,
		Title: "No valid DKIM signature is aligned with the From domain",
		Refs:  []string{"RFC 7489 §3.1.1"},
	}
	SigListUnsubUnsigned = report.Definition{
		ID: "dkim.sig.list_unsub_unsigned", Severity: report.Medium,
		Title: "List-Unsubscribe is not covered by a valid DKIM signature",
		Refs:  []string{"RFC 8058 §4"},
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

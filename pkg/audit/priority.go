package audit

import (
	"strings"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// Priorities of fixes, by what they change for delivery: the first fix
// on the list is the one that changes most about whether mail arrives or
// can be forged. Severity says how bad a finding is in its own check;
// priority compares findings across checks. A finding not listed gets
// its severity's default (severityPriority).
const (
	// Mail is refused or fails authentication now: a void SPF or DMARC,
	// a blocklisting, no way to receive mail.
	prioMailFails = 100
	// A mechanism is missing: receivers that require it (Gmail and Yahoo
	// bulk-sender rules) refuse or junk the mail.
	prioMechanismMissing = 90
	// Anyone can send mail as the domain and have it delivered.
	prioSpoofable = 70
	// Protection applies only in part (pct, sp, np, testing flags) or
	// transport security is weak.
	prioPartial = 50
	// Reports, which show what to fix next, are lost.
	prioReportsLost = 40
	// Hygiene.
	prioHygiene = 20
)

var priorities = map[string]int{
	// Void records: receivers get a permerror and the mechanism counts as failing.
	"spf.record.multiple":    prioMailFails,
	"spf.syntax.invalid":     prioMailFails,
	"spf.lookups.exceeded":   prioMailFails,
	"spf.void.exceeded":      prioMailFails,
	"spf.include.loop":       prioMailFails,
	"spf.include.no_record":  prioMailFails,
	"spf.redirect.no_record": prioMailFails,
	"dmarc.record.multiple":  prioMailFails,
	"dmarc.syntax.invalid":   prioMailFails,
	"dmarc.version.invalid":  prioMailFails,
	"dmarc.p.missing":        prioMailFails,
	"dmarc.p.invalid":        prioMailFails,
	"dkim.key.revoked":       prioMailFails,
	"dkim.key.rsa_lt_1024":   prioMailFails,
	"dkim.key.unparseable":   prioMailFails,
	"dkim.record.syntax":     prioMailFails,
	"mx.missing":             prioMailFails,
	"mx.target_no_address":   prioMailFails,
	"dnsbl.ip.listed.major":  prioMailFails,
	"dnsbl.domain.listed":    prioMailFails,

	"spf.record.missing":   prioMechanismMissing,
	"dkim.key.missing":     prioMechanismMissing,
	"dmarc.record.missing": prioMechanismMissing,

	// A domain to be parked (--parked): forged mail first, then the
	// senders SPF still names, then the MX that still takes mail.
	"audit.parked.dmarc": prioSpoofable + 10,
	"audit.parked.spf":   prioSpoofable + 8,
	"audit.parked.mx":    prioSpoofable + 6,

	"dmarc.policy.none": prioSpoofable,
	"spf.all.pass":      prioSpoofable,
	"spf.all.neutral":   prioSpoofable,
	"spf.all.missing":   prioSpoofable,
	"dmarc.sp.weaker":   prioSpoofable,
	"dmarc.t.testing":   prioSpoofable,

	// The reverse DNS of the MX hosts' (or --ip) addresses: receivers
	// that require it refuse mail only when the host also sends.
	"ptr.missing":    prioSpoofable - 5,
	"ptr.not_fcrdns": prioSpoofable - 5,

	"dmarc.pct.partial":      prioPartial,
	"dmarc.np.missing":       prioPartial,
	"dkim.key.rsa_1024":      prioPartial,
	"dkim.key.testing":       prioPartial,
	"spf.lookups.near_limit": prioPartial,
	"mtasts.mode.testing":    prioPartial,
	"mtasts.mode.none":       prioPartial,

	"dmarc.rua.missing":        prioReportsLost,
	"dmarc.rua.unauthorized":   prioReportsLost,
	"dmarc.rua.no_mx":          prioReportsLost,
	"dmarc.rua.invalid":        prioReportsLost,
	"tlsrpt.absent":            prioReportsLost,
	"tlsrpt.rua.undeliverable": prioReportsLost,

	"dmarc.tag.removed": prioHygiene,
	"dmarc.tag.unknown": prioHygiene,
}

// Priority is the rank of a finding among fixes (higher first).
func Priority(f report.Finding) int {
	if p, ok := priorities[f.ID]; ok {
		return p
	}
	return severityPriority(f.Severity)
}

// severityPriority places an unlisted finding by its severity, below the
// listed findings of the same weight: critical among the failures, high
// among the missing mechanisms, and so on.
func severityPriority(s report.Severity) int {
	switch s {
	case report.Critical:
		return prioMailFails - 5
	case report.High:
		return prioMechanismMissing - 5
	case report.Medium:
		return prioPartial - 5
	case report.Low:
		return prioHygiene
	}
	return 0
}

// isEnvironment: findings about this machine (env.*) are never a fix for
// the domain.
func isEnvironment(id string) bool { return strings.HasPrefix(id, "env.") }

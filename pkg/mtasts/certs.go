package mtasts

import (
	"slices"
	"sort"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// MXCertificate is what a STARTTLS handshake with one MX host showed (the
// SMTP probe of `mailcheck domain` provides it).
type MXCertificate struct {
	Host string
	// Valid: the chain is trusted (PKIX), names the host, and is within
	// its validity period: what RFC 8461 §4.2 requires of an MX host.
	Valid bool
	// Problem says why it is not valid, in English; Reason, when set, is
	// the same in words for a report (a catalog message), and is used
	// instead.
	Problem string
	Reason  report.Msg
}

// CheckCertificates judges the MX certificates a caller observed against
// the policy in sec (a section made by Check): in enforce mode, a sender
// that honours MTA-STS refuses to deliver to an MX host whose certificate
// fails (RFC 8461 §4.2, §5), so a failing host is critical; in testing
// mode it is reported (through TLS-RPT) but mail still flows: medium.
// Hosts the policy does not cover are mtasts.mx.uncovered already.
func CheckCertificates(sec *report.Section, certs []MXCertificate) {
	data, ok := sec.Data.(*Data)
	if !ok || data.Policy == nil || (data.Policy.Mode != ModeEnforce && data.Policy.Mode != ModeTesting) {
		return
	}
	sort.Slice(certs, func(i, j int) bool { return certs[i].Host < certs[j].Host })
	added := false
	for _, c := range certs {
		if c.Valid || slices.Contains(data.Uncovered, c.Host) {
			continue
		}
		problem := c.Reason
		if problem.IsZero() {
			problem = report.Lit(c.Problem)
		}
		p := report.Params{"host": c.Host, "problem": problem}
		if data.Policy.Mode == ModeTesting {
			sec.Findings = append(sec.Findings, defCertInvalid.Alt("testing", p))
		} else {
			sec.Findings = append(sec.Findings, defCertInvalid.With(p))
		}
		added = true
	}
	if added && sec.Status != report.StatusUnknown {
		report.SortFindings(sec.Findings)
		sec.Status = report.StatusOf(sec.Findings)
	}
}

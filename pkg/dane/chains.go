package dane

import (
	"crypto/x509"
	"sort"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// CheckChains matches the certificate chains a caller saw in STARTTLS
// handshakes (host name -> chain, leaf first) against the validated TLSA
// records in sec (a section made by Check). DANE applies only to records
// that DNSSEC validated (RFC 7672 §2.2); for those, a chain that no usable
// record matches makes DANE-aware senders (Postfix, Exim) defer all mail to
// the host: dane.tlsa.mismatch, critical.
func CheckChains(sec *report.Section, chains map[string][]*x509.Certificate) {
	data, ok := sec.Data.(*Data)
	if !ok {
		return
	}
	hosts := make([]string, 0, len(chains))
	for h := range chains {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	added := false
	for _, h := range hosts {
		for _, host := range data.Hosts {
			if host.Host != h || !host.Authentic || !anyUsable(host.Records) || len(chains[h]) == 0 {
				continue
			}
			if MatchChain(host.Records, chains[h]) {
				continue
			}
			sec.Findings = append(sec.Findings, defMismatch.With(report.Params{"host": h, "count": len(host.Records),
				"name": host.Name, "leaf": chains[h][0].Subject.String()}))
			added = true
		}
	}
	if added && sec.Status != report.StatusUnknown {
		report.SortFindings(sec.Findings)
		sec.Status = report.StatusOf(sec.Findings)
	}
}

// anyUsable: with only unusable records (PKIX usages, bad parameters) RFC
// 7672 §2.2 senders fall back to unauthenticated TLS instead of deferring,
// so only a set with a usable record can mismatch.
func anyUsable(records []TLSA) bool {
	for _, r := range records {
		if r.Usable() && (r.Usage == UsageDANEEE || r.Usage == UsageDANETA) {
			return true
		}
	}
	return false
}

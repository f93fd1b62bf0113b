package dane

import (
	"crypto/x509"
	"fmt"
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
			sec.Findings = append(sec.Findings, defMismatch.New(
				fmt.Sprintf("%s publishes %d validated TLSA record(s) at %s, but none matches the certificate chain the server presents (leaf %s). Senders that use DANE defer every message to this host.", h, len(host.Records), host.Name, chains[h][0].Subject),
				"Publish a TLSA record for the current key (3 1 1 and the SHA-256 of its SubjectPublicKeyInfo) next to the old one before changing certificates, and keep both during the rollover (RFC 7671 §8.1)."))
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
		if r.Problem() == "" && (r.Usage == UsageDANEEE || r.Usage == UsageDANETA) {
			return true
		}
	}
	return false
}

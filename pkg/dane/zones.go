package dane

import (
	"strings"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// ZoneStatus is what pkg/dnssec found for the zone of one MX host.
type ZoneStatus struct {
	Zone   string
	Status string // "secure", "insecure", "bogus" or "unknown"
	Reason string
}

// NoteZones explains DANE findings with the DNSSEC status of each MX host's
// zone (host name -> status), which pkg/dnssec finds beside this check: a
// TLSA lookup that failed in a bogus zone is broken signatures, not a DNS
// outage, and DANE senders defer mail to the host (RFC 7672 §2.2); TLSA
// records in an insecure zone are ignored by senders.
//
// validating says pkg/dnssec saw the resolver validate (an AD bit
// anywhere, or a SERVFAIL that CD lifts): DANE's own evidence (the AD bit on
// the MX, TLSA and top-level-domain answers) may have missed it, and then
// TLSA records in unsigned zones are "insecure", not "unknown".
func NoteZones(sec *report.Section, validating bool, zones map[string]ZoneStatus) {
	data, ok := sec.Data.(*Data)
	if !ok || len(data.Hosts) == 0 {
		return
	}
	if validating && data.Resolver != Validating {
		data.Resolver = Validating
		sec.Findings = findings(data, true)
		sec.Summary, sec.Display = report.Lit(summary(data)), display(data)
	}
	for _, h := range data.Hosts {
		z, ok := zones[h.Host]
		if !ok {
			continue
		}
		for i := range sec.Findings {
			f := &sec.Findings[i]
			if !strings.Contains(f.Detail, h.Name) {
				continue
			}
			switch {
			case f.ID == defDNSError.ID && z.Status == "bogus":
				f.Detail += ". The zone " + z.Zone + " is DNSSEC-bogus (" + z.Reason + "): validating resolvers answer SERVFAIL, so DANE senders defer mail to " + h.Host + "; see the DNSSEC section."
				f.Fix = "Fix the DNSSEC signatures of " + z.Zone + " (the DNSSEC section says which)."
			case f.ID == defInsecure.ID && z.Status == "insecure":
				f.Detail += " The zone " + z.Zone + " is insecure (" + z.Reason + ")."
			}
		}
	}
	report.SortFindings(sec.Findings)
	sec.Status = report.StatusOf(sec.Findings)
}

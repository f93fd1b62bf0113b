package dane

import (
	"github.com/mailcheck/mailcheck/pkg/report"
)

// ZoneStatus is what pkg/dnssec found for the zone of one MX host.
type ZoneStatus struct {
	Zone   string
	Status string // "secure", "insecure", "bogus" or "unknown"
	Reason report.Msg
}

// NoteZones explains DANE findings with the DNSSEC status of each MX host's
// zone (host name -> status), which pkg/dnssec finds beside this check: a
// TLSA lookup that failed in a bogus zone is broken signatures, not a DNS
// outage, and DANE senders defer mail to the host (RFC 7672 §2.2); TLSA
// records in an insecure zone are ignored by senders. The findings are
// made again knowing the zones (declared variants, never patched ones);
// findings CheckChains added are kept.
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
	if validating {
		data.Resolver = Validating
	}
	fs := findings(data, data.Resolver == Validating, zones)
	for _, f := range sec.Findings {
		if f.ID == defMismatch.ID {
			fs = append(fs, f)
		}
	}
	report.SortFindings(fs)
	sec.Findings = fs
	sec.Status = report.StatusOf(fs)
	sec.Summary = summary(data)
	if sec.Display.Facts != nil || sec.Display.Tables != nil {
		sec.Display = display(data) // only when Check made one (not with check.Env.NoDisplay)
	}
}

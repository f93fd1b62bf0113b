package audit

import (
	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// rejects: the DMARC check found a policy of reject for the domain.
func rejects(sections []report.Section) bool {
	for _, s := range sections {
		if d, ok := s.Data.(*dmarc.Data); ok && d != nil {
			return d.EffectivePolicy == dmarc.PolicyReject
		}
	}
	return false
}

// finish adds what a reader needs first to a scored report: the fixes in
// order (Fixes) and one sentence saying what the score means.
func finish(rep *report.Report, parked bool) {
	rep.TopFixes = fixes(rep.Sections, 5, parked)
	if rep.Score != nil {
		rep.Score.Summary = report.Lit(meaning(rep.Target, rep.Score, rep.TopFixes, parked, rejects(rep.Sections)))
		if nullMX, spfNone := parkedState(rep.Sections); !parked && spfNone && !nullMX && rejects(rep.Sections) {
			// Sends no mail but still has an MX: either a domain that only
			// receives, or a parked one with a leftover MX. Only its owner
			// knows which; the report says how to see the parked judgement.
			rep.Score.Summary = rep.Score.Summary.Append(" It sends no mail (SPF authorizes no one, DMARC rejects) but still receives it: if it should receive none either, add --parked to see what to publish.")
		}
	}
}

// meaning is one sentence about the domain's mail, from the most urgent
// fix: what a merchant would want to know before any detail.
func meaning(domain string, sc *report.Score, fixes []report.TopFix, parked, reject bool) string {
	top := 0
	if len(fixes) > 0 {
		top = fixes[0].Priority
	}
	switch {
	case parked && top < prioPartial && reject:
		return domain + " is parked: it sends and receives no mail and says so, so receivers refuse mail forged in its name."
	case parked && top < prioPartial:
		return domain + " is parked: it sends and receives no mail and says so (its DMARC policy could not be checked)."
	case parked:
		return domain + " is judged as parked (it sends and receives no mail), but its records still let mail in or out: make the fixes below."
	case top >= prioMailFails:
		return "Some mail from " + domain + " is refused or fails authentication now: make fix 1 first."
	case top >= prioMechanismMissing:
		return domain + " lacks an authentication record that Gmail, Yahoo and Outlook require of senders: some of its mail goes to spam or is refused."
	case top >= prioSpoofable-5:
		return "Mail from " + domain + " authenticates, but anyone can still send mail as " + domain + " and have it delivered."
	case sc.Grade == "A" && top < prioPartial:
		return domain + "'s mail is authenticated and protected against spoofing; nothing urgent to change."
	default:
		return "Mail from " + domain + " is authenticated and protected; the fixes below close smaller gaps."
	}
}

package audit

import "github.com/mailcheck/mailcheck/pkg/report"

// finish adds what a reader needs first to a scored report: the fixes in
// order (Fixes) and one sentence saying what the score means.
func finish(rep *report.Report) {
	rep.TopFixes = Fixes(rep.Sections, 5)
	if rep.Score != nil {
		rep.Score.Summary = meaning(rep.Target, rep.Score, rep.TopFixes)
	}
}

// meaning is one sentence about the domain's mail, from the most urgent
// fix: what a merchant would want to know before any detail.
func meaning(domain string, sc *report.Score, fixes []report.TopFix) string {
	top := 0
	if len(fixes) > 0 {
		top = fixes[0].Priority
	}
	switch {
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

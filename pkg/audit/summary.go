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
		p := report.Params{"domain": rep.Target}
		// Sends no mail but still has an MX: either a domain that only
		// receives, or a parked one with a leftover MX. Only its owner
		// knows which; the report says how to see the parked judgement.
		if nullMX, spfNone := parkedState(rep.Sections); !parked && spfNone && !nullMX && rejects(rep.Sections) {
			p["receives_only"] = true
		}
		rep.Score.Summary = meaningKeys.T(meaning(rep.Score, rep.TopFixes, parked, rejects(rep.Sections)), p)
	}
}

// meaning is the sentence about the domain's mail, from the most urgent
// fix: what a merchant would want to know before any detail. It returns
// the sentence's name in the catalogs (audit.meaning.<name>).
func meaning(sc *report.Score, fixes []report.TopFix, parked, reject bool) string {
	top := 0
	if len(fixes) > 0 {
		top = fixes[0].Priority
	}
	switch {
	case parked && top < prioPartial && reject:
		return "parked"
	case parked && top < prioPartial:
		return "parked_unknown"
	case parked:
		return "parked_open"
	case top >= prioMailFails:
		return "mail_fails"
	case top >= prioMechanismMissing:
		return "mechanism_missing"
	case top >= prioSpoofable-5:
		return "spoofable"
	case sc.Grade == "A" && top < prioPartial:
		return "protected"
	default:
		return "gaps"
	}
}

// meaningKeys joins audit.meaning.<meaning> once (report.Keys).
var meaningKeys = report.NewKeys("audit.meaning.")

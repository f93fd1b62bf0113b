package smtpprobe

import (
	"github.com/mailcheck/mailcheck/pkg/report"
)

// References are hosts of well-known, unrelated mail providers, probed
// only to tell "this network blocks the port" from "that server is down":
// connect, read the greeting, QUIT, never more (probe.go). Port 25 is
// compared on MX hosts, port 587 on submission hosts: when every MX
// reference is silent on 25 while a submission reference greets on 587,
// the network blocks port 25 (Diagnose).
type References struct {
	MX         []string // probed on the smtp-role ports
	Submission []string // probed on port 587 (465 would need a TLS handshake first)
}

// DefaultReferences are the MX and submission hosts of three unrelated
// providers (their public MX records and documented submission servers).
var DefaultReferences = References{
	MX: []string{
		"gmail-smtp-in.l.google.com",
		"outlook-com.olc.protection.outlook.com",
		"mta5.am0.yahoodns.net",
	},
	Submission: []string{
		"smtp.gmail.com",
		"smtp.mail.yahoo.com",
	},
}

// IsZero reports whether there is no reference at all.
func (r References) IsZero() bool { return len(r.MX) == 0 && len(r.Submission) == 0 }

// PlanReferences is a plan with no host of the user's: only the
// references are probed, to answer "does outbound SMTP get out from here?".
func PlanReferences(opts Options) Plan {
	plan := Plan{Target: "this machine", Facts: []report.Fact{{Label: report.T("smtp.fact.hosts", nil), Value: report.T("smtp.fact.references_only", nil)}}}
	// The hosts named by Options.References (--reference), when given,
	// are the references to probe.
	plan.addReferences(opts.withDefaults())
	return plan
}

// AddReferences adds the reference targets to the plan for the ports
// given: MX references on the smtp-role ports, submission references on
// 587 when it is among them.
func (plan *Plan) AddReferences(refs References, ports []Port) {
	for _, r := range refs.MX {
		h, err := normalizeHost(r)
		if err != nil {
			continue
		}
		for _, p := range ports {
			if p.Role == RoleSMTP && !plan.has(h, p.Number) {
				plan.Targets = append(plan.Targets, Target{Host: h, Port: p, Source: SourceReference})
			}
		}
	}
	for _, r := range refs.Submission {
		h, err := normalizeHost(r)
		if err != nil {
			continue
		}
		for _, p := range ports {
			if p.Role == RoleSubmission && p.Number == 587 && !plan.has(h, p.Number) {
				plan.Targets = append(plan.Targets, Target{Host: h, Port: p, Source: SourceReference})
			}
		}
	}
	if len(refs.MX)+len(refs.Submission) > 0 {
		plan.Facts = append(plan.Facts, report.Fact{Label: report.T("smtp.fact.references", nil),
			Value: report.T("smtp.fact.references_hosts", report.Params{"hosts": append(append([]string{}, refs.MX...), refs.Submission...)})})
	}
}

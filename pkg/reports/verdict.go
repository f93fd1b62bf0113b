package reports

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

func sourceFindings(domain string, groups []ServiceGroup) []report.Finding {
	var fs []report.Finding
	var unauth, unauthMsgs, fwd, fwdMsgs int64
	var moreFailing, moreFailingMsgs int64
	failing := 0
	for _, g := range groups {
		switch g.Class {
		case ClassFailing:
			if failing++; failing > maxFailingFindings {
				moreFailing++
				moreFailingMsgs += g.Messages - g.DMARCPass
				continue
			}
			failed := g.Messages - g.DMARCPass
			f := defFailing.With(report.Params{"service": g.Name, "messages": count("messages", g.Messages), "domain": domain,
				"failed": failed, "percent": share(failed, g.Messages), "fix": g.Fix})
			if g.SPFRecord != "" {
				f.Record = report.TXTRecord(domain, g.SPFRecord)
			}
			fs = append(fs, f)
		case ClassUnauthorized:
			unauth += int64(g.Sources)
			unauthMsgs += g.Messages
		case ClassForwarded:
			fwd += int64(g.Sources)
			fwdMsgs += g.Messages
		}
	}
	if moreFailing > 0 {
		fs = append(fs, defFailing.Alt("more", report.Params{"count": moreFailing, "domain": domain, "messages": count("messages", moreFailingMsgs)}))
	}
	if unauth > 0 {
		fs = append(fs, defUnauthorized.With(report.Params{"messages": count("messages", unauthMsgs), "count": unauth, "domain": domain}))
	}
	if fwd > 0 {
		fs = append(fs, defForwarded.With(report.Params{"messages": count("messages", fwdMsgs), "relays": count("relays", fwd), "domain": domain}))
	}
	return fs
}

// maxFailingFindings bounds the failing-sender findings of a domain; the
// rest are summed in one.
const maxFailingFindings = 10

// verdict computes the share of legitimate volume at risk and the next
// policy step: none → quarantine → reject (RFC 7489 §6.3, RFC 9989 §4.7),
// one step at a time.
func verdict(ctx context.Context, env check.Env, d *domainAgg, srcs []classified, opts Options) (*Verdict, *report.Msg) {
	var dmarcErr *report.Msg
	v := &Verdict{Policy: d.policy.P, PolicyFrom: "reports"}
	var rec *dmarc.Record
	recName := d.domain
	if !opts.NoDNS && env.Resolver != nil {
		if dom, err := dnsname.ParseAny(d.domain); err == nil {
			disc := dmarc.Discover(ctx, env.Resolver, dom)
			for _, st := range disc.Steps {
				if st.Result == "error" && disc.Found < 0 {
					// The step's error is English; asked again (from the
					// run's cache), the resolver's typed error is worded.
					m := report.Lit(truncate(st.Error, 120))
					if _, _, err := resolver.LookupTXT(ctx, env.Resolver, "_dmarc."+st.Domain); err != nil {
						m = check.ErrMsg(err)
					}
					dmarcErr = &m
					break
				}
			}
			if disc.Found >= 0 && disc.Steps[disc.Found].Result == "record" {
				for _, t := range disc.Steps[disc.Found].TXT {
					if !dmarc.IsCandidate(t) {
						continue
					}
					if r, err := dmarc.Parse(t); err == nil {
						rec, recName = r, disc.Steps[disc.Found].Domain
						v.Policy, v.PolicyFrom = string(r.EffectivePolicy()), "dns"
						if recName != d.domain {
							v.Policy = string(r.EffectiveSubdomainPolicy())
						}
					}
					break
				}
			}
		}
	}
	for _, s := range srcs {
		v.Messages += s.Messages
		switch s.Class {
		case ClassUnauthorized:
			v.Unauthorized += s.Messages
		default:
			v.Legitimate += s.Messages - s.Others
			v.AtRisk += s.Messages - s.Others - s.DMARCPass
			v.Unauthorized += s.Others
		}
	}
	if v.Legitimate > 0 {
		// Rounded up: a share shown as 0.50% must not be one that fails
		// the 0.5% bar (0.5049% truncated read "0.50%" beside "hold").
		v.AtRiskPercent = math.Ceil(10000*float64(v.AtRisk)/float64(v.Legitimate)) / 100
	}
	v.Ready = v.Legitimate > 0 && float64(v.AtRisk) <= ReadyShare*float64(v.Legitimate)
	if rec != nil {
		v.Testing = rec.Testing
	} else {
		v.Testing = d.policy.Testing == "y"
	}
	v.Next = v.Policy
	// A policy in test mode (t=y, RFC 9989) is not applied by receivers:
	// taking it out of test mode is the next step, before a stricter p.
	leaveTesting := v.Ready && v.Testing && (v.Policy == "quarantine" || v.Policy == "reject")
	if v.Ready && !leaveTesting {
		switch v.Policy {
		case "", "none":
			v.Next = "quarantine"
		case "quarantine":
			v.Next = "reject"
		}
	}
	if v.Next != v.Policy || v.Policy == "" || leaveTesting {
		next := v.Next
		if next == "" {
			next = "none"
		}
		var text string
		if rec != nil && recName == d.domain {
			text = rec.With("p", next)
			if leaveTesting {
				if r, err := dmarc.Parse(text); err == nil {
					text = r.With("t", "")
				}
			}
		} else {
			text = recordFromPublished(d.policy, next, v.Testing && !leaveTesting)
		}
		v.Record = report.TXTRecord("_dmarc."+d.domain, text)
	}
	return v, dmarcErr
}

// recordFromPublished builds a record from a report's policy_published,
// which has no rua or ruf: the fix says to keep them.
func recordFromPublished(p PolicyPublished, next string, testing bool) string {
	parts := []string{"v=DMARC1", "p=" + next}
	if p.SP != "" && p.SP != p.P {
		parts = append(parts, "sp="+p.SP)
	}
	if p.NP != "" && p.NP != p.SP && p.NP != p.P {
		parts = append(parts, "np="+p.NP)
	}
	if p.ADKIM == "s" {
		parts = append(parts, "adkim=s")
	}
	if p.ASPF == "s" {
		parts = append(parts, "aspf=s")
	}
	if testing {
		parts = append(parts, "t=y")
	}
	return strings.Join(parts, "; ")
}

func verdictFinding(domain string, v *Verdict) report.Finding {
	// The detail answers the merchant's question first (is p=reject, or
	// the next step, safe today?), then gives the figures it rests on.
	basis := report.T("reports.basis", report.Params{"count": v.AtRisk, "legitimate": v.Legitimate, "percent": v.AtRiskPercent,
		"begin": day(v.Begin), "end": day(v.End), "unauthorized": count("messages", v.Unauthorized)})
	p := report.Params{"domain": domain, "basis": basis, "policy": orNone(v.Policy), "next": orNone(v.Next),
		"keep": v.PolicyFrom == "reports", "from": report.T("reports.from."+v.PolicyFrom, nil)}
	var f report.Finding
	switch {
	case v.Legitimate == 0:
		return defNoEvidence.With(report.Params{"count": v.Messages, "domain": domain})
	case v.Ready && v.Testing && v.Next == v.Policy && v.Record != nil:
		f = defReady.Alt("testing", p)
	case v.Ready && v.Next == "reject" && v.Policy != "reject":
		f = defReady.With(p)
	case v.Ready && v.Next != v.Policy:
		f = defReady.Alt("step", p)
	case v.Ready:
		return defEnforced.With(p)
	case v.Policy == "quarantine" || v.Policy == "reject":
		return defLosing.With(p)
	default:
		p["ready_percent"] = 100 * ReadyShare
		f = defHold.With(p)
	}
	f.Record = v.Record
	return f
}

func orNone(p string) string {
	if p == "" {
		return "none"
	}
	return p
}

func tlsFindings(domain string, rs []*Report) []report.Finding {
	byType := map[string]int64{}
	var failed, total int64
	for _, r := range rs {
		if r.Kind != KindTLS {
			continue
		}
		for _, p := range r.TLSPolicies {
			failed += p.Failed
			total += p.Failed + p.Successful
			for _, f := range p.Failures {
				byType[f.Name] += f.Count
			}
		}
	}
	if failed == 0 {
		return nil
	}
	var types []string
	for _, c := range sortedCounts(byType) {
		types = append(types, fmt.Sprintf("%s %d", c.Name, c.Count))
	}
	return []report.Finding{defTLSFailures.With(report.Params{"failed": failed, "total": total, "domain": domain,
		"percent": share(failed, total), "types": types})}
}

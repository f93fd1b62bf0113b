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
			f := defFailing.New(
				fmt.Sprintf("%s sent %d messages as %s; %d (%s) failed DMARC and would be quarantined or rejected under enforcement.", g.Name, g.Messages, domain, g.Messages-g.DMARCPass, pct(g.Messages-g.DMARCPass, g.Messages)),
				g.Fix)
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
		fs = append(fs, defFailing.New(fmt.Sprintf("%d more legitimate senders of %s fail DMARC, %s in all; the largest are listed above.", moreFailing, domain, plural(int(moreFailingMsgs), "message")),
			"See the per-source table (--format csv or json) for each one's fix."))
	}
	if unauth > 0 {
		fs = append(fs, defUnauthorized.New(
			fmt.Sprintf("%s from %s that are neither a known service nor authorized by SPF or DKIM failed DMARC for %s: spoofing, or a sender you forgot.", plural(int(unauthMsgs), "message"), plural(int(unauth), "source"), domain),
			"If one of them is yours, set up SPF and DKIM for it; the rest is what an enforced policy (p=quarantine or p=reject) stops."))
	}
	if fwd > 0 {
		fs = append(fs, defForwarded.New(fmt.Sprintf("%s reached receivers through %s (forwarders or lists): SPF fails there, as expected; DKIM decides.", plural(int(fwdMsgs), "message"), plural(int(fwd), "relay")),
			"Nothing to change in DNS: sign all your mail with DKIM d="+domain+", which survives forwarding."))
	}
	return fs
}

// maxFailingFindings bounds the failing-sender findings of a domain; the
// rest are summed in one.
const maxFailingFindings = 10

func pct(n, of int64) string {
	if of == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

// verdict computes the share of legitimate volume at risk and the next
// policy step: none → quarantine → reject (RFC 7489 §6.3, RFC 9989 §4.7),
// one step at a time.
func verdict(ctx context.Context, env check.Env, d *domainAgg, srcs []classified, opts Options) (*Verdict, string) {
	dmarcErr := ""
	v := &Verdict{Policy: d.policy.P, PolicyFrom: "reports"}
	var rec *dmarc.Record
	recName := d.domain
	if !opts.NoDNS && env.Resolver != nil {
		if dom, err := dnsname.ParseAny(d.domain); err == nil {
			disc := dmarc.Discover(ctx, env.Resolver, dom)
			for _, st := range disc.Steps {
				if st.Result == "error" && disc.Found < 0 {
					dmarcErr = truncate(st.Error, 120)
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
	basis := fmt.Sprintf("%d of its %d legitimate messages (%.2f%%) fail DMARC; reports from %s to %s, and %d more messages from unauthorized sources, which enforcement stops.",
		v.AtRisk, v.Legitimate, v.AtRiskPercent, v.Begin.Format("2006-01-02"), v.End.Format("2006-01-02"), v.Unauthorized)
	keep := ""
	if v.PolicyFrom == "reports" {
		keep = " Keep your rua= (and ruf=) tags: reports do not show them."
	}
	from := map[string]string{"dns": "DNS", "reports": "the reports"}[v.PolicyFrom]
	switch {
	case v.Legitimate == 0:
		return defNoEvidence.New(fmt.Sprintf("Every one of the %d messages reported for %s came from unauthorized sources: nothing shows which senders are yours.", v.Messages, domain),
			"Send mail through your usual services and read a few days of reports again.")
	case v.Ready && v.Testing && v.Next == v.Policy && v.Record != nil:
		f := defReady.New(fmt.Sprintf("Taking %s's p=%s out of test mode (t=y) is safe today: %s", domain, v.Policy, basis),
			"Publish the record below (t=y removed), so receivers apply the policy."+keep+" Read the reports again after a week or two before the next step.")
		f.Record = v.Record
		return f
	case v.Ready && v.Next == "reject" && v.Policy != "reject":
		f := defReady.New(fmt.Sprintf("p=reject is safe for %s today: %s", domain, basis),
			"Publish the record below (the policy in "+from+", p=quarantine changed to p=reject)."+keep)
		f.Record = v.Record
		return f
	case v.Ready && v.Next != v.Policy:
		f := defReady.New(fmt.Sprintf("p=%s is safe for %s today (p=reject is the step after it): %s", v.Next, domain, basis),
			"Publish the record below (the policy in "+from+", p="+orNone(v.Policy)+" changed to p="+v.Next+")."+keep+" After a week or two at p="+v.Next+", read the reports again: if they still pass, p=reject is next.")
		f.Record = v.Record
		return f
	case v.Ready:
		return defEnforced.New(fmt.Sprintf("%s is at p=reject and its legitimate mail passes: %s", domain, basis), "")
	case v.Policy == "quarantine" || v.Policy == "reject":
		return defLosing.New(fmt.Sprintf("%s is at p=%s and loses mail now: %s", domain, v.Policy, basis),
			"Fix the failing senders listed above first; if that takes time, go back to p=none meanwhile.")
	default:
		f := defHold.New(fmt.Sprintf("p=reject is not safe for %s today, nor p=quarantine: stay at p=%s. %s", domain, orNone(v.Policy), basis),
			fmt.Sprintf("Fix the failing senders listed above, then read new reports: at %.1f%% or less failing, p=quarantine is safe.", 100*ReadyShare))
		f.Record = v.Record
		return f
	}
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
	detail := fmt.Sprintf("%d of %d TLS sessions to %s's mail servers failed (%s)", failed, total, domain, pct(failed, total))
	if len(types) > 0 {
		detail += ": " + strings.Join(types, ", ")
	}
	return []report.Finding{defTLSFailures.New(detail+".",
		"Run 'mailcheck mx "+domain+"' to see the certificate and MTA-STS or DANE problem behind these result types (RFC 8460 §4.3).")}
}

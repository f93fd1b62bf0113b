// Package bimi checks Brand Indicators for Message Identification
// (draft-blank-ietf-bimi, not an RFC): the assertion record at
// default._bimi.<domain> (or at the Organizational Domain), the DMARC
// enforcement receivers require before showing a logo, and the logo itself
// (SVG Tiny PS) when it can be fetched over HTTPS. BIMI never affects
// delivery; its findings are at most medium and score nothing.
//
// DNS names queried: default._bimi.<domain> TXT, then
// default._bimi.<organizational domain> TXT; the DMARC discovery of
// pkg/dmarc (_dmarc.<domain> and parents). HTTPS: the l= URI, through
// check.Env.HTTPClient only.
package bimi

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/fetch"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// DefaultSelector is the selector receivers use without a BIMI-Selector header.
const DefaultSelector = "default"

// DefaultFetchTimeout bounds the logo fetch.
const DefaultFetchTimeout = 30 * time.Second

// Options tune the check.
type Options struct {
	// Selector defaults to DefaultSelector.
	Selector     string
	FetchTimeout time.Duration
	// DMARCDiscovery, when set, gives the DMARC tree walk of the domain
	// checked (dmarc.Discover's result) instead of walking it again.
	DMARCDiscovery func() dmarc.Discovery
}

// Data is Section.Data of the "bimi" section.
type Data struct {
	RecordName string          `json:"record_name"`
	Record     string          `json:"record,omitempty"`
	Location   string          `json:"l,omitempty"`
	Authority  string          `json:"a,omitempty"`
	DMARC      string          `json:"dmarc_policy,omitempty"` // the policy that applies, e.g. "reject"
	Logo       *fetch.Response `json:"logo,omitempty"`
}

// Check runs the BIMI check.
func Check(ctx context.Context, env check.Env, target dnsname.Domain, opts Options) report.Section {
	data := &Data{}
	sec := report.Section{Check: "bimi", Title: "BIMI", Target: target.String(), Data: data}
	fs := run(ctx, env, target, opts, data)
	report.SortFindings(fs)
	sec.Findings = fs
	sec.Status = report.StatusOfSkipped(fs, defLogoSkipped.ID) // offline: the fetch is not applicable, not a doubt
	switch {
	case data.Location != "":
		sec.Summary = report.T("bimi.summary.logo", report.Params{"url": data.Location})
	case len(fs) > 0:
		sec.Summary = fs[0].TitleMsg()
	}
	if env.NoDisplay {
		return sec
	}
	for _, f := range []report.Fact{{Label: report.T("bimi.label.record", nil), Value: report.Lit(data.Record)}, {Label: report.T("bimi.label.dmarc", nil), Value: report.Lit(data.DMARC)}} {
		if f.Value.String() != "" {
			sec.Display.Facts = append(sec.Display.Facts, f)
		}
	}
	return sec
}

func run(ctx context.Context, env check.Env, target dnsname.Domain, opts Options, data *Data) []report.Finding {
	sel := opts.Selector
	if sel == "" {
		sel = DefaultSelector
	}
	// The record at the domain, else at its Organizational Domain (draft §4.4).
	var disc dmarc.Discovery
	if opts.DMARCDiscovery != nil {
		disc = opts.DMARCDiscovery()
	} else {
		disc = dmarc.Discover(ctx, env.Resolver, target)
	}
	names := []dnsname.Domain{target}
	org := dnsname.OrganizationalPSL(target)
	if d, err := dnsname.ParseAny(disc.OrgDomain); err == nil {
		org = d
	}
	if !org.Equal(target) {
		names = append(names, org)
	}
	var cands []string
	for _, d := range names {
		name, err := d.Child(sel + "._bimi")
		if err != nil {
			return []report.Finding{defInvalid.Alt("name", report.Params{"selector": sel, "domain": d.String(), "error": check.ErrMsg(err)})}
		}
		data.RecordName = name.String()
		txts, _, err := resolver.LookupTXT(ctx, env.Resolver, name.FQDN())
		if err != nil {
			return []report.Finding{defDNSError.With(report.Params{"name": name.String(), "error": check.ErrMsg(err)})}
		}
		for _, t := range txts {
			if IsBIMI(t.Text()) {
				cands = append(cands, t.Text())
			}
		}
		if len(cands) > 0 {
			break
		}
	}
	if len(cands) == 0 {
		return []report.Finding{defAbsent.With(report.Params{"name": sel + "._bimi." + target.String()})}
	}
	if len(cands) > 1 {
		return []report.Finding{defInvalid.Alt("multiple", report.Params{"count": len(cands), "name": data.RecordName})}
	}
	data.Record = cands[0]
	rec, err := Parse(cands[0])
	if err != nil {
		return []report.Finding{defInvalid.With(report.Params{"name": data.RecordName, "problem": parseProblem(err)})}
	}
	if rec.Declined() {
		return []report.Finding{defDeclined.With(report.Params{"name": data.RecordName})}
	}
	data.Location, data.Authority = rec.Location, rec.Authority
	var fs []report.Finding
	if f, ok := dmarcFinding(disc, target, data); ok {
		fs = append(fs, f)
	}
	if rec.Authority == "" {
		fs = append(fs, defNoAuthority.With(nil))
	}
	if rec.Location == "" {
		return fs
	}
	if env.HTTPClient == nil {
		return append(fs, defLogoSkipped.With(report.Params{"url": rec.Location}))
	}
	timeout := opts.FetchTimeout
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	resp, err := fetch.Get(ctx, env.HTTPClient, rec.Location, fetch.Limits{MaxBytes: MaxLogoSize, Timeout: timeout})
	data.Logo = &resp
	p := report.Params{"url": rec.Location, "error": check.ErrMsg(err)}
	switch {
	case errors.Is(err, fetch.ErrTimeout):
		// A stalled handshake or response says nothing about the logo.
		fs = append(fs, defLogoTimeout.With(p))
	case errors.Is(err, fetch.ErrTooLarge):
		fs = append(fs, defLogoInvalid.Alt("too_large", p))
	case err != nil:
		fs = append(fs, defLogoUnfetchable.With(p))
	default:
		if err := CheckSVG(resp.Body); err != nil {
			fs = append(fs, defLogoInvalid.With(report.Params{"url": rec.Location, "problems": report.Clauses(svgProblems(err))}))
		}
	}
	return fs
}

// dmarcFinding checks the BIMI prerequisite (draft-blank-ietf-bimi): the DMARC
// policy that applies to target is quarantine or reject, not weakened by
// pct < 100 (RFC 7489) or t=y (RFC 9989), and the Organizational Domain's
// own policy is enforced with no sp=none.
func dmarcFinding(disc dmarc.Discovery, target dnsname.Domain, data *Data) (report.Finding, bool) {
	p := report.Params{"domain": target.String()}
	for _, s := range disc.Steps {
		if s.Result == "error" {
			p["name"], p["error"] = "_dmarc."+s.Domain, s.Error
			return defDNSError.Alt("dmarc", p), true
		}
		if s.Result != "none" {
			break
		}
	}
	if disc.Found < 0 {
		return defDMARC.Alt("absent", p), true
	}
	step := disc.Steps[disc.Found]
	rec := parseStep(step)
	if rec == nil {
		p["name"], p["result"] = "_dmarc."+step.Domain, step.Result
		return defDMARC.Alt("no_policy", p), true
	}
	pol := rec.EffectivePolicy()
	if step.Domain != target.String() {
		pol = rec.EffectiveSubdomainPolicy()
	}
	data.DMARC = string(pol)
	var why []report.Msg
	if pol.Rank() < dmarc.PolicyQuarantine.Rank() {
		why = append(why, report.T("bimi.why.policy", report.Params{"domain": target.String(), "policy": string(pol)}))
	}
	if rec.Percent != nil && *rec.Percent < 100 {
		why = append(why, report.Lit(fmt.Sprintf("pct=%d", *rec.Percent)))
	}
	if rec.Testing {
		why = append(why, report.Lit("t=y"))
	}
	// The Organizational Domain must be enforced too, sp included.
	switch org := orgRecord(disc); {
	case disc.OrgDomain == "" || disc.OrgDomain == step.Domain:
		if rec.SubdomainPolicy == dmarc.PolicyNone {
			why = append(why, report.T("bimi.why.sp_none", report.Params{"domain": step.Domain}))
		}
	case org == nil:
		why = append(why, report.T("bimi.why.org_invalid", report.Params{"org": disc.OrgDomain}))
	case org.EffectivePolicy().Rank() < dmarc.PolicyQuarantine.Rank():
		why = append(why, report.T("bimi.why.org_policy", report.Params{"org": disc.OrgDomain, "policy": string(org.EffectivePolicy())}))
	case org.SubdomainPolicy == dmarc.PolicyNone:
		why = append(why, report.T("bimi.why.org_sp_none", report.Params{"org": disc.OrgDomain}))
	}
	if len(why) == 0 {
		return report.Finding{}, false
	}
	p["why"] = report.Clauses(why)
	return defDMARC.With(p), true
}

func orgRecord(disc dmarc.Discovery) *dmarc.Record {
	for _, s := range disc.Steps {
		if s.Domain == disc.OrgDomain {
			return parseStep(s)
		}
	}
	return nil
}

func parseStep(s dmarc.Step) *dmarc.Record {
	if s.Result != "record" {
		return nil
	}
	for _, t := range s.TXT {
		if dmarc.IsCandidate(t) {
			if rec, err := dmarc.Parse(t); err == nil {
				return rec
			}
		}
	}
	return nil
}

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
	"strings"
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

var refs = []string{"draft-blank-ietf-bimi"}

// Finding definitions (rules from draft-blank-ietf-bimi; IDs and severities are ours).
var (
	defAbsent = report.Definition{ID: "bimi.absent", Severity: report.Info,
		Title: "No BIMI record", Refs: refs}
	defDeclined = report.Definition{ID: "bimi.declined", Severity: report.Info,
		Title: "BIMI declination record (no logo)", Refs: refs}
	defInvalid = report.Definition{ID: "bimi.record.invalid", Severity: report.Medium,
		Title: "BIMI record invalid or not unique", Refs: refs}
	defDMARC = report.Definition{ID: "bimi.dmarc.not_enforced", Severity: report.Medium,
		Title: "DMARC not at enforcement: receivers will not show the logo", Refs: []string{"draft-blank-ietf-bimi", "RFC 9989 §4.7"}}
	defNoAuthority = report.Definition{ID: "bimi.authority.missing", Severity: report.Low,
		Title: "No mark certificate (a=): Gmail and Apple Mail show no logo", Refs: refs}
	defLogoUnfetchable = report.Definition{ID: "bimi.logo.unfetchable", Severity: report.Medium,
		Title: "BIMI logo cannot be fetched", Refs: refs}
	defLogoInvalid = report.Definition{ID: "bimi.logo.invalid", Severity: report.Medium,
		Title: "BIMI logo is not valid SVG Tiny PS", Refs: []string{"draft-svg-tiny-ps-abrotman"}}
	defLogoTimeout = report.Definition{ID: "bimi.logo.timeout", Severity: report.Low, Inconclusive: true,
		Title: "BIMI logo fetch timed out", Refs: refs}
	defLogoSkipped = report.Definition{ID: "bimi.logo.skipped", Severity: report.Info, Inconclusive: true,
		Title: "BIMI logo not fetched (offline)", Refs: refs}
	defDNSError = report.Definition{ID: "bimi.dns.temperror", Severity: report.Medium, Inconclusive: true,
		Title: "BIMI or DMARC lookup failed", Refs: refs}
)

// Definitions lists every finding this package can report.
var Definitions = []report.Definition{
	defAbsent, defDeclined, defInvalid, defDMARC, defNoAuthority,
	defLogoUnfetchable, defLogoInvalid, defLogoTimeout, defLogoSkipped, defDNSError,
}

// Options tune the check.
type Options struct {
	// Selector defaults to DefaultSelector.
	Selector     string
	FetchTimeout time.Duration
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
		sec.Summary = report.Lit("logo " + data.Location)
	case len(fs) > 0:
		sec.Summary = report.Lit(fs[0].Title)
	}
	for _, f := range []report.Fact{{Label: report.Lit("record"), Value: report.Lit(data.Record)}, {Label: report.Lit("DMARC policy"), Value: report.Lit(data.DMARC)}} {
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
	disc := dmarc.Discover(ctx, env.Resolver, target)
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
			return []report.Finding{defInvalid.New(err.Error(), "")}
		}
		data.RecordName = name.String()
		txts, _, err := resolver.LookupTXT(ctx, env.Resolver, name.FQDN())
		if err != nil {
			return []report.Finding{defDNSError.New(fmt.Sprintf("TXT %s: %v", name, err), "Retry later.")}
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
		return []report.Finding{defAbsent.New("No BIMI record at "+sel+"._bimi."+target.String()+" or its organizational domain: receivers show no brand logo.",
			"Optional. Once DMARC is at p=quarantine or p=reject, publish an SVG Tiny PS logo and a record pointing at it.")}
	}
	if len(cands) > 1 {
		return []report.Finding{defInvalid.New(fmt.Sprintf("%d BIMI records at %s; receivers ignore them all.", len(cands), data.RecordName), "Keep exactly one record.")}
	}
	data.Record = cands[0]
	rec, err := Parse(cands[0])
	if err != nil {
		return []report.Finding{defInvalid.New(data.RecordName+": "+err.Error(), "Publish \"v=BIMI1; l=https://<host>/logo.svg; a=https://<host>/vmc.pem\".")}
	}
	if rec.Declined() {
		return []report.Finding{defDeclined.New(data.RecordName+" declines BIMI: no logo is shown.", "")}
	}
	data.Location, data.Authority = rec.Location, rec.Authority
	var fs []report.Finding
	if f, ok := dmarcFinding(disc, target, data); ok {
		fs = append(fs, f)
	}
	if rec.Authority == "" {
		fs = append(fs, defNoAuthority.New("The record has no a= tag: Gmail requires a Verified Mark Certificate or Common Mark Certificate, Apple Mail a VMC; Yahoo may show the logo without one.",
			"Obtain a VMC or CMC for the logo and publish its PEM URL in a=."))
	}
	if rec.Location == "" {
		return fs
	}
	if env.HTTPClient == nil {
		return append(fs, defLogoSkipped.New("No HTTP client (offline run): "+rec.Location+" was not fetched.", ""))
	}
	timeout := opts.FetchTimeout
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	resp, err := fetch.Get(ctx, env.HTTPClient, rec.Location, fetch.Limits{MaxBytes: MaxLogoSize, Timeout: timeout})
	data.Logo = &resp
	switch {
	case errors.Is(err, fetch.ErrTimeout):
		// A stalled handshake or response says nothing about the logo.
		fs = append(fs, defLogoTimeout.New(rec.Location+": "+err.Error(), "Check that the logo host answers quickly from the Internet, then run again."))
	case errors.Is(err, fetch.ErrTooLarge):
		fs = append(fs, defLogoInvalid.New(rec.Location+": "+ErrSVGTooLarge.Error()+".", "Simplify the SVG (no embedded fonts or rasters) until it is under 32 KiB."))
	case err != nil:
		fs = append(fs, defLogoUnfetchable.New(rec.Location+": "+err.Error(), "Serve the logo at that https URL with status 200 and a valid certificate."))
	default:
		if err := CheckSVG(resp.Body); err != nil {
			fs = append(fs, defLogoInvalid.New(rec.Location+": "+strings.ReplaceAll(err.Error(), "\n", "; ")+".",
				"Export the logo as SVG Tiny PS: <svg version=\"1.2\" baseProfile=\"tiny-ps\"> with a <title>, no x/y on the root, no scripts, rasters or external references."))
		}
	}
	return fs
}

// dmarcFinding checks the BIMI prerequisite (draft-blank-ietf-bimi): the DMARC
// policy that applies to target is quarantine or reject, not weakened by
// pct < 100 (RFC 7489) or t=y (RFC 9989), and the Organizational Domain's
// own policy is enforced with no sp=none.
func dmarcFinding(disc dmarc.Discovery, target dnsname.Domain, data *Data) (report.Finding, bool) {
	fix := "Move DMARC to p=quarantine or p=reject (no pct below 100, no sp=none, no t=y) at " + target.String() + " and its organizational domain."
	for _, s := range disc.Steps {
		if s.Result == "error" {
			return defDNSError.New("DMARC discovery failed at _dmarc."+s.Domain+": "+s.Error, "Retry later."), true
		}
		if s.Result != "none" {
			break
		}
	}
	if disc.Found < 0 {
		return defDMARC.New("No DMARC record applies to "+target.String()+".", fix), true
	}
	step := disc.Steps[disc.Found]
	rec := parseStep(step)
	if rec == nil {
		return defDMARC.New("The DMARC record at _dmarc."+step.Domain+" is "+step.Result+", so no policy applies.", fix), true
	}
	pol := rec.EffectivePolicy()
	if step.Domain != target.String() {
		pol = rec.EffectiveSubdomainPolicy()
	}
	data.DMARC = string(pol)
	var why []string
	if pol.Rank() < dmarc.PolicyQuarantine.Rank() {
		why = append(why, "the policy for "+target.String()+" is "+string(pol))
	}
	if rec.Percent != nil && *rec.Percent < 100 {
		why = append(why, fmt.Sprintf("pct=%d", *rec.Percent))
	}
	if rec.Testing {
		why = append(why, "t=y")
	}
	// The Organizational Domain must be enforced too, sp included.
	switch org := orgRecord(disc); {
	case disc.OrgDomain == "" || disc.OrgDomain == step.Domain:
		if rec.SubdomainPolicy == dmarc.PolicyNone {
			why = append(why, "sp=none at "+step.Domain)
		}
	case org == nil:
		why = append(why, "the organizational domain "+disc.OrgDomain+" has no valid DMARC record")
	case org.EffectivePolicy().Rank() < dmarc.PolicyQuarantine.Rank():
		why = append(why, "the organizational domain "+disc.OrgDomain+" has p="+string(org.EffectivePolicy()))
	case org.SubdomainPolicy == dmarc.PolicyNone:
		why = append(why, "the organizational domain "+disc.OrgDomain+" has sp=none")
	}
	if len(why) == 0 {
		return report.Finding{}, false
	}
	return defDMARC.New("BIMI needs DMARC at enforcement, but "+strings.Join(why, "; ")+".", fix), true
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

// Package mtasts checks SMTP MTA Strict Transport Security (RFC 8461) for a
// domain: the TXT record at _mta-sts.<domain> (§3.1), the policy file at
// https://mta-sts.<domain>/.well-known/mta-sts.txt fetched as senders must
// fetch it (§3.3: certificate valid for mta-sts.<domain>, no redirects,
// bounded size and time), its syntax (§3.2), and whether its mx patterns
// cover the domain's MX hosts and nothing else (§4.1).
//
// DNS names queried: _mta-sts.<domain> TXT. HTTPS: mta-sts.<domain>:443,
// through check.Env.HTTPClient only.
package mtasts

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/fetch"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// Bounds of the policy fetch. RFC 8461 §3.3 asks for a sensible timeout;
// mox uses about a minute and 64 KiB, and so do we.
const (
	MaxPolicySize       = 64 << 10
	DefaultFetchTimeout = time.Minute
	// ShortMaxAge is one day: below it a policy protects little against
	// a downgrade attack (mox warns; weeks are recommended, RFC 8461 §3.2).
	ShortMaxAge = 86400
)

// Options tune the check.
type Options struct {
	// MXHosts are the domain's MX host names (the domain itself for an
	// implicit MX). Coverage is checked only when MXKnown is set: an MX
	// lookup that failed must not make every pattern look stale.
	MXHosts []string
	MXKnown bool
	// FetchTimeout bounds the HTTPS fetch; zero means DefaultFetchTimeout.
	FetchTimeout time.Duration
}

// Data is the evidence, Section.Data of the "mtasts" section.
type Data struct {
	RecordName string          `json:"record_name"`
	TXT        []string        `json:"txt,omitempty"`
	Record     string          `json:"record,omitempty"`
	ID         string          `json:"id,omitempty"`
	PolicyURL  string          `json:"policy_url,omitempty"`
	Fetch      *fetch.Response `json:"fetch,omitempty"`
	Policy     *PolicyData     `json:"policy,omitempty"`
	Uncovered  []string        `json:"uncovered_mx,omitempty"`
	Stale      []string        `json:"stale_patterns,omitempty"`
}

// PolicyData is the parsed policy.
type PolicyData struct {
	Version string   `json:"version"`
	Mode    Mode     `json:"mode"`
	MaxAge  int      `json:"max_age"`
	MX      []string `json:"mx"`
}

// Check runs the MTA-STS check. It never fails: DNS and HTTPS trouble are findings.
func Check(ctx context.Context, env check.Env, target dnsname.Domain, opts Options) (sec report.Section) {
	sec = report.Section{Check: "mtasts", Title: "MTA-STS", Target: target.String()}
	data := &Data{}
	sec.Data = data
	var fs []report.Finding
	defer func() {
		report.SortFindings(fs)
		sec.Findings = fs
		sec.Status = report.StatusOfSkipped(fs, defSkipped.ID) // offline: the fetch is not applicable, not a doubt
		sec.Summary = summary(data, fs)
		if !env.NoDisplay {
			sec.Display = display(data)
		}
	}()

	name, err := target.Child("_mta-sts")
	if err != nil {
		fs = append(fs, defRecordInvalid.Alt("name", report.Params{"domain": target.String(), "error": check.ErrMsg(err)}))
		return sec
	}
	data.RecordName = name.String()
	txts, _, err := resolver.LookupTXT(ctx, env.Resolver, name.FQDN())
	if err != nil {
		fs = append(fs, defDNSError.With(report.Params{"name": name.String(), "domain": target.String(), "error": check.ErrMsg(err)}))
		return sec
	}
	var cands []string
	for _, t := range txts {
		s := t.Text()
		data.TXT = append(data.TXT, s)
		if IsSTS(s) {
			cands = append(cands, s)
		}
	}
	// The record to publish, made only for the findings that show it (a
	// domain with a valid record needs none).
	example := func() *report.Record { return exampleRecord(name, env.Clock()) }
	switch len(cands) {
	case 0:
		f := defAbsent.With(report.Params{"name": name.String(), "domain": target.String()})
		f.Record = example()
		fs = append(fs, f)
		return sec
	case 1:
	default:
		// §3.1: if the number of resulting records is not one, senders
		// assume the domain has no policy.
		f := defRecordInvalid.Alt("multiple", report.Params{"name": name.String(), "count": len(cands)})
		f.Record = example()
		fs = append(fs, f)
		return sec
	}
	rec, err := ParseRecord(cands[0])
	data.Record = cands[0]
	if err != nil {
		f := defRecordInvalid.With(report.Params{"name": name.String(), "problem": recordProblem(err)})
		f.Record = example()
		fs = append(fs, f)
		return sec
	}
	data.ID = rec.ID

	host, err := target.Child("mta-sts")
	if err != nil {
		fs = append(fs, defUnfetchable.Alt("name", report.Params{"domain": target.String(), "error": check.ErrMsg(err)}))
		return sec
	}
	data.PolicyURL = "https://" + host.String() + "/.well-known/mta-sts.txt"
	if env.HTTPClient == nil {
		fs = append(fs, defSkipped.With(report.Params{"url": data.PolicyURL}))
		return sec
	}
	timeout := opts.FetchTimeout
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	resp, err := fetch.Get(ctx, env.HTTPClient, data.PolicyURL, fetch.Limits{MaxBytes: MaxPolicySize, Timeout: timeout})
	data.Fetch = &resp
	if err != nil {
		fs = append(fs, fetchFinding(err, data.PolicyURL, host.String()))
		return sec
	}
	// §3.3: the media type should be text/plain.
	if resp.MediaType != "text/plain" {
		fs = append(fs, defContentType.With(report.Params{"content_type": fmt.Sprintf("%q", resp.ContentType)}))
	}
	pol, perr := ParsePolicy(string(resp.Body))
	data.Policy = &PolicyData{Version: pol.Version, Mode: pol.Mode, MaxAge: pol.MaxAge, MX: pol.MX}
	if perr != nil {
		fs = append(fs, defSyntax.With(report.Params{"problems": report.Clauses(policyProblems(perr)), "example": examplePolicy(pol, opts)}))
	}
	switch pol.Mode {
	case ModeTesting:
		fs = append(fs, defModeTesting.With(nil))
	case ModeNone:
		fs = append(fs, defModeNone.With(nil))
	}
	if pol.MaxAge >= 0 && pol.MaxAge < ShortMaxAge && (perr == nil || !errors.Is(perr, ErrPolicyMaxAge)) && hasKey(resp.Body, "max_age") {
		fs = append(fs, defMaxAgeShort.With(report.Params{"max_age": pol.MaxAge}))
	}
	if opts.MXKnown && pol.Mode != ModeNone && len(pol.MX) > 0 {
		cov := Cover(pol.MX, opts.MXHosts)
		data.Uncovered, data.Stale = cov.Uncovered, cov.Stale
		for _, h := range cov.Uncovered {
			p := report.Params{"host": h, "patterns": pol.MX}
			if pol.Mode == ModeTesting {
				// RFC 8461 §5: only enforce mode refuses delivery, so critical only then.
				fs = append(fs, defMXUncovered.Alt("testing", p))
				continue
			}
			fs = append(fs, defMXUncovered.With(p))
		}
		for _, p := range cov.Stale {
			fs = append(fs, defMXStale.With(report.Params{"pattern": fmt.Sprintf("%q", p), "hosts": trimDots(opts.MXHosts)}))
		}
	}
	return sec
}

func fetchFinding(err error, url, host string) report.Finding {
	p := report.Params{"url": url, "host": host, "error": check.ErrMsg(err)}
	switch {
	case errors.Is(err, fetch.ErrTimeout):
		return defFetchTimeout.With(p)
	case errors.Is(err, fetch.ErrCertificate):
		return defUnfetchable.Alt("certificate", p)
	case errors.Is(err, fetch.ErrRedirect):
		return defUnfetchable.Alt("redirect", p)
	case errors.Is(err, fetch.ErrTooLarge):
		return defUnfetchable.Alt("too_large", p)
	}
	return defUnfetchable.With(p)
}

// hasKey reports whether a policy body has a line for key, so that a
// missing max_age (MaxAge 0) is reported as a syntax error only.
func hasKey(body []byte, key string) bool {
	for _, l := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(l, key+":") {
			return true
		}
	}
	return false
}

func exampleRecord(name dnsname.Domain, now time.Time) *report.Record {
	return &report.Record{Name: name.String(), Type: "TXT", Value: `"` + (Record{ID: now.UTC().Format("20060102150405")}).String() + `"`}
}

// examplePolicy proposes a valid policy, keeping what was readable and
// covering the known MX hosts.
func examplePolicy(p Policy, opts Options) string {
	q := Policy{Version: "STSv1", Mode: p.Mode, MaxAge: p.MaxAge, MX: p.MX}
	if q.Mode == "" {
		q.Mode = ModeTesting
	}
	if q.MaxAge < ShortMaxAge {
		q.MaxAge = 604800
	}
	if len(q.MX) == 0 && opts.MXKnown {
		q.MX = trimDots(opts.MXHosts)
	}
	return strings.ReplaceAll(q.String(), "\r\n", "\n")
}

func trimDots(hosts []string) []string {
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = strings.TrimSuffix(h, ".")
	}
	return out
}

func summary(d *Data, fs []report.Finding) report.Msg {
	switch {
	case d.Policy != nil && d.Policy.Mode != "":
		return report.T("mtasts.summary.policy", report.Params{"mode": string(d.Policy.Mode), "max_age": d.Policy.MaxAge, "count": len(d.Policy.MX)})
	case d.Record != "":
		return report.T("mtasts.summary.record", report.Params{"record": d.Record})
	case len(fs) > 0:
		return fs[0].TitleMsg()
	}
	return report.Msg{}
}

func display(d *Data) report.Display {
	var facts []report.Fact
	add := func(l, v string) {
		if v != "" {
			facts = append(facts, report.Fact{Label: report.T("mtasts.label."+l, nil), Value: report.Lit(v)})
		}
	}
	add("record", d.Record)
	add("policy", d.PolicyURL)
	if d.Fetch != nil && d.Fetch.Status != 0 {
		add("http", strconv.Itoa(d.Fetch.Status)+" "+d.Fetch.ContentType)
	}
	if p := d.Policy; p != nil {
		add("mode", string(p.Mode))
		add("max_age", strconv.Itoa(p.MaxAge))
		add("mx", strings.Join(p.MX, ", "))
	}
	add("uncovered", strings.Join(d.Uncovered, ", "))
	add("stale", strings.Join(d.Stale, ", "))
	return report.Display{Facts: facts}
}

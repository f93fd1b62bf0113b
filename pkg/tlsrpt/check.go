// Package tlsrpt checks SMTP TLS Reporting (RFC 8460): the TXT record at
// _smtp._tls.<domain> that tells sending servers where to report TLS
// failures, which MTA-STS and DANE deployments depend on to see problems.
//
// DNS names queried: _smtp._tls.<domain> TXT; MX of each mailto: report
// domain (at most MaxDestinations).
package tlsrpt

import (
	"context"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// MaxDestinations bounds the report domains whose MX is checked.
const MaxDestinations = 5

// Options tune the check.
type Options struct {
	// TransportPolicy says MTA-STS or DANE is deployed, which makes a
	// missing TLS-RPT record matter more: failures of those policies go
	// unseen (RFC 8460 §1).
	TransportPolicy bool
}

// Data is Section.Data of the "tlsrpt" section.
type Data struct {
	RecordName string   `json:"record_name"`
	TXT        []string `json:"txt,omitempty"`
	Record     string   `json:"record,omitempty"`
	RUA        []string `json:"rua,omitempty"`
}

// Check runs the TLS-RPT check.
func Check(ctx context.Context, env check.Env, target dnsname.Domain, opts Options) report.Section {
	data := &Data{}
	sec := report.Section{Check: "tlsrpt", Title: "TLS-RPT", Target: target.String(), Data: data}
	fs := findings(ctx, env.Resolver, target, opts, data)
	report.SortFindings(fs)
	sec.Findings = fs
	sec.Status = report.StatusOf(fs)
	switch {
	case data.Record != "" && len(data.RUA) > 0:
		sec.Summary = report.T("tlsrpt.summary.rua", report.Params{"rua": data.RUA})
	case len(fs) > 0:
		sec.Summary = fs[0].TitleMsg()
	}
	if data.Record != "" && !env.NoDisplay {
		sec.Display.Facts = []report.Fact{{Label: report.T("tlsrpt.label.record", nil), Value: report.Lit(data.Record)}}
	}
	return sec
}

func findings(ctx context.Context, r resolver.Resolver, target dnsname.Domain, opts Options, data *Data) []report.Finding {
	name, err := target.Child("_smtp._tls")
	if err != nil {
		return []report.Finding{defInvalid.Alt("name", report.Params{"domain": target.String(), "error": check.ErrMsg(err)})}
	}
	data.RecordName = name.String()
	example := &report.Record{Name: name.String(), Type: "TXT", Value: `"v=TLSRPTv1; rua=mailto:tlsrpt@` + target.String() + `"`}
	txts, _, err := resolver.LookupTXT(ctx, r, name.FQDN())
	if err != nil {
		return []report.Finding{defDNSError.With(report.Params{"name": name.String(), "domain": target.String(), "error": check.ErrMsg(err)})}
	}
	var cands []string
	for _, t := range txts {
		s := t.Text()
		data.TXT = append(data.TXT, s)
		if IsTLSRPT(s) {
			cands = append(cands, s)
		}
	}
	switch len(cands) {
	case 0:
		f := defAbsent.With(report.Params{"name": name.String()})
		if opts.TransportPolicy {
			f = defAbsent.Alt("transport_policy", f.Params)
		}
		f.Record = example
		return []report.Finding{f}
	case 1:
	default:
		// §3: more than one record means senders assume no TLS-RPT.
		f := defInvalid.Alt("multiple", report.Params{"count": len(cands), "name": name.String()})
		f.Record = example
		return []report.Finding{f}
	}
	data.Record = cands[0]
	rec, err := Parse(cands[0])
	if err != nil {
		f := defInvalid.With(report.Params{"name": name.String(), "problem": parseProblem(err)})
		f.Record = example
		return []report.Finding{f}
	}
	data.RUA = rec.RUA
	var fs []report.Finding
	seen := map[string]bool{}
	for _, u := range rec.RUA {
		d := MailtoDomain(u)
		if d == "" || seen[d] || len(seen) == MaxDestinations {
			continue
		}
		seen[d] = true
		if why := undeliverable(ctx, r, d); why != "" {
			fs = append(fs, defUndeliverable.Alt(why, report.Params{"uri": u, "domain": d}))
		}
	}
	return fs
}

// undeliverable says why mail to domain d cannot be delivered, as the
// variant of tlsrpt.rua.undeliverable: nxdomain, a null MX (RFC 7505), or
// neither MX nor address records (RFC 5321 §5.1). A lookup failure says
// nothing.
func undeliverable(ctx context.Context, r resolver.Resolver, d string) string {
	mxs, ans, err := resolver.LookupMX(ctx, r, d)
	if err != nil {
		return ""
	}
	if ans.Outcome == resolver.NXDomain {
		return "nxdomain"
	}
	for _, m := range mxs {
		if m.Host == "." && len(mxs) == 1 {
			return "null_mx"
		}
	}
	if len(mxs) > 0 {
		return ""
	}
	for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
		a, err := r.Lookup(ctx, d, qt)
		if err != nil || a.Outcome == resolver.Found {
			return ""
		}
	}
	return "no_address"
}

// RaiseForTransportPolicy applies what Options.TransportPolicy would have
// done to a section checked without it: tlsrpt.absent becomes its
// transport_policy variant (medium). It lets a caller look up TLS-RPT at
// the same time as MTA-STS and DANE instead of after them.
func RaiseForTransportPolicy(sec *report.Section) {
	changed := false
	for i := range sec.Findings {
		f := &sec.Findings[i]
		if f.ID == defAbsent.ID && f.Variant == "" {
			raised := defAbsent.Alt("transport_policy", f.Params)
			raised.Record = f.Record
			*f = raised
			changed = true
		}
	}
	if changed && sec.Status != report.StatusUnknown {
		sec.Status = report.StatusOf(sec.Findings)
	}
}

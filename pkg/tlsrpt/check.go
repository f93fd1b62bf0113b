// Package tlsrpt checks SMTP TLS Reporting (RFC 8460): the TXT record at
// _smtp._tls.<domain> that tells sending servers where to report TLS
// failures, which MTA-STS and DANE deployments depend on to see problems.
//
// DNS names queried: _smtp._tls.<domain> TXT; MX of each mailto: report
// domain (at most MaxDestinations).
package tlsrpt

import (
	"context"
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// MaxDestinations bounds the report domains whose MX is checked.
const MaxDestinations = 5

var refs = []string{"RFC 8460 §3"}

// Finding definitions (RFC 8460 §3; severities are ours).
var (
	defAbsent = report.Definition{ID: "tlsrpt.absent", Severity: report.Low,
		Title: "No TLS-RPT record", Refs: refs}
	defInvalid = report.Definition{ID: "tlsrpt.invalid", Severity: report.Medium,
		Title: "TLS-RPT record invalid or not unique", Refs: refs}
	defUndeliverable = report.Definition{ID: "tlsrpt.rua.undeliverable", Severity: report.Medium,
		Title: "TLS-RPT mailto: destination cannot receive mail", Refs: []string{"RFC 8460 §3", "RFC 5321 §5.1"}}
	defDNSError = report.Definition{ID: "tlsrpt.dns.temperror", Severity: report.Medium, Inconclusive: true,
		Title: "TLS-RPT record lookup failed", Refs: refs}
)

// Definitions lists every finding this package can report.
var Definitions = []report.Definition{defAbsent, defInvalid, defUndeliverable, defDNSError}

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
		sec.Summary = report.Lit("reports to " + strings.Join(data.RUA, ", "))
	case len(fs) > 0:
		sec.Summary = report.Lit(fs[0].Title)
	}
	if data.Record != "" {
		sec.Display.Facts = []report.Fact{{Label: report.Lit("record"), Value: report.Lit(data.Record)}}
	}
	return sec
}

func findings(ctx context.Context, r resolver.Resolver, target dnsname.Domain, opts Options, data *Data) []report.Finding {
	name, err := target.Child("_smtp._tls")
	if err != nil {
		return []report.Finding{defInvalid.New(err.Error(), "")}
	}
	data.RecordName = name.String()
	example := &report.Record{Name: name.String(), Type: "TXT", Value: `"v=TLSRPTv1; rua=mailto:tlsrpt@` + target.String() + `"`}
	txts, _, err := resolver.LookupTXT(ctx, r, name.FQDN())
	if err != nil {
		return []report.Finding{defDNSError.New(fmt.Sprintf("TXT %s: %v", name, err), "Retry; if it persists, check the DNS servers of "+target.String()+".")}
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
		f := defAbsent.New("No TLS-RPT record at "+name.String()+": sending servers have nowhere to report failed TLS deliveries.",
			"Publish a TLS-RPT record naming a mailbox (or HTTPS endpoint) that collects the daily JSON reports.")
		if opts.TransportPolicy {
			raise(&f)
		}
		f.Record = example
		return []report.Finding{f}
	case 1:
	default:
		// §3: more than one record means senders assume no TLS-RPT.
		f := defInvalid.New(fmt.Sprintf("%d TLS-RPT records at %s; senders then ignore all of them.", len(cands), name), "Keep exactly one record; list several destinations in its rua, comma-separated.")
		f.Record = example
		return []report.Finding{f}
	}
	data.Record = cands[0]
	rec, err := Parse(cands[0])
	if err != nil {
		f := defInvalid.New(fmt.Sprintf("%s: %v.", name, err), "Publish the record in the form shown: v=TLSRPTv1 first, then rua= with mailto: or https: URIs.")
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
			fs = append(fs, defUndeliverable.New(u+": "+why+"; reports sent there bounce.", "Use a mailbox at a domain that receives mail, or fix the MX records of "+d+"."))
		}
	}
	return fs
}

// undeliverable says why mail to domain d cannot be delivered: a null MX
// (RFC 7505), or neither MX nor address records (RFC 5321 §5.1). A lookup
// failure says nothing.
func undeliverable(ctx context.Context, r resolver.Resolver, d string) string {
	mxs, ans, err := resolver.LookupMX(ctx, r, d)
	if err != nil {
		return ""
	}
	if ans.Outcome == resolver.NXDomain {
		return d + " does not exist"
	}
	for _, m := range mxs {
		if m.Host == "." && len(mxs) == 1 {
			return d + " has a null MX (accepts no mail)"
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
	return d + " has neither MX nor address records"
}

const policyNote = " MTA-STS or DANE is deployed, so delivery failures caused by it would go unnoticed."

func raise(f *report.Finding) {
	f.Severity = report.Medium
	f.Detail += policyNote
}

// RaiseForTransportPolicy applies what Options.TransportPolicy would have
// done to a section checked without it: tlsrpt.absent becomes medium. It
// lets a caller look up TLS-RPT at the same time as MTA-STS and DANE
// instead of after them.
func RaiseForTransportPolicy(sec *report.Section) {
	changed := false
	for i := range sec.Findings {
		f := &sec.Findings[i]
		if f.ID == defAbsent.ID && f.Severity == defAbsent.Severity && !strings.HasSuffix(f.Detail, policyNote) {
			raise(f)
			changed = true
		}
	}
	if changed && sec.Status != report.StatusUnknown {
		sec.Status = report.StatusOf(sec.Findings)
	}
}

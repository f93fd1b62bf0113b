// Package mx checks a domain's mail exchangers (RFC 5321 §5.1): the MX
// RRset, null MX (RFC 7505), and each target's aliases and addresses.
//
// DNS names queried: <domain> MX; each target's A and AAAA (the domain's
// own for an implicit MX); <domain> TXT only for a null MX, to tell whether
// the domain also sends mail (its SPF record).
package mx

import (
	"context"
	"strconv"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// Options tune the check.
type Options struct {
	// Sending says the caller knows the domain sends mail (for example a
	// sending IP was given), which makes a null MX a problem.
	Sending bool
}

// Check looks up and judges the MX records of target.
func Check(ctx context.Context, env check.Env, target dnsname.Domain, opts Options) report.Section {
	res := Lookup(ctx, env.Resolver, target)
	if res.Null && len(res.Hosts) == 0 && !opts.Sending {
		opts.Sending = sendsMail(ctx, env.Resolver, target)
	}
	return section(res, opts, !env.NoDisplay)
}

// Section judges a Result; Check is Lookup followed by Section.
func Section(res Result, opts Options) report.Section { return section(res, opts, true) }

func section(res Result, opts Options, withDisplay bool) report.Section {
	sec := report.Section{Check: "mx", Title: "MX", Target: res.Domain, Data: &res}
	fs := findings(res, opts)
	report.SortFindings(fs)
	sec.Findings = fs
	sec.Status = report.StatusOf(fs)
	sec.Summary = summary(res)
	if withDisplay {
		sec.Display = display(res)
	}
	return sec
}

func findings(res Result, opts Options) []report.Finding {
	d := res.Domain
	if res.Err != nil {
		return []report.Finding{defDNSError.With(report.Params{"domain": d, "error": check.ErrMsg(res.Err)})}
	}
	var fs []report.Finding
	switch {
	case res.Null && len(res.Hosts) > 0:
		fs = append(fs, defNullMixed.With(report.Params{"domain": d, "count": len(res.Hosts)}))
	case res.Null:
		p := report.Params{"domain": d}
		if res.NullPreference != 0 {
			p["preference"] = int(res.NullPreference)
		}
		if opts.Sending {
			return append(fs, defNull.Alt("sending", p))
		}
		return append(fs, defNull.With(p))
	case res.Implicit:
		p := report.Params{"domain": d}
		f := defMissing.With(p)
		if h := res.Hosts[0]; h.NoAddress {
			if res.Outcome == resolver.NXDomain {
				f = defMissing.Alt("nxdomain", p)
			} else {
				p["null_mx"] = report.Record{Name: d, Type: "MX", Value: "0 ."}.String()
				f = defMissing.Alt("no_address", p)
			}
		}
		f.Record = &report.Record{Name: d, Type: "MX", Value: "10 mail." + d + "."}
		fs = append(fs, f)
	}
	for _, h := range res.Hosts {
		fs = append(fs, hostFindings(h, res.Implicit)...)
	}
	if res.Omitted > 0 {
		fs = append(fs, defOmitted.With(report.Params{"domain": d, "count": len(res.Hosts) + res.Omitted,
			"checked": len(res.Hosts), "omitted": res.Omitted}))
	}
	if !res.Implicit && !res.Null && len(res.Hosts) == 1 {
		fs = append(fs, defSingle.With(report.Params{"domain": d, "host": res.Hosts[0].Name}))
	}
	return fs
}

func hostFindings(h Host, implicit bool) []report.Finding {
	var fs []report.Finding
	if h.IPLiteral {
		return append(fs, defTargetIPLiteral.With(report.Params{"host": h.Name, "address": strings.Trim(h.Name, "[]")}))
	}
	if len(h.CNAMEs) > 0 && !implicit {
		fs = append(fs, defTargetCNAME.With(report.Params{"host": h.Name,
			"chain": strings.Join(h.CNAMEs, " → "), "target": h.CNAMEs[len(h.CNAMEs)-1]}))
	}
	switch {
	case h.Error != "":
		fs = append(fs, defDNSError.Alt("host", report.Params{"host": h.Name, "error": h.Error}))
	case h.NoAddress && !implicit:
		fs = append(fs, defTargetNoAddress.With(report.Params{"host": h.Name}))
	}
	var bad []report.Msg
	for _, a := range h.Addrs {
		if what, rfc := bogon(a); what != "" {
			bad = append(bad, report.T("mx.bogon.address", report.Params{"address": a.String(), "kind": bogonKeys.T(what, nil), "rfc": rfc}))
		}
	}
	if len(bad) > 0 {
		fs = append(fs, defTargetBogon.With(report.Params{"host": h.Name, "addresses": bad}))
	}
	return fs
}

// sendsMail guesses whether the domain sends mail from its SPF record: any
// mechanism other than a bare "all" means someone is authorized. A lookup
// failure answers false: a null MX stays info rather than guessing.
func sendsMail(ctx context.Context, r resolver.Resolver, d dnsname.Domain) bool {
	txts, _, err := resolver.LookupTXT(ctx, r, d.FQDN())
	if err != nil {
		return false
	}
	for _, t := range txts {
		s := strings.ToLower(t.Text())
		terms := strings.Fields(s)
		if len(terms) == 0 || terms[0] != "v=spf1" {
			continue
		}
		for _, term := range terms[1:] {
			switch strings.TrimLeft(term, "+-~?") {
			case "all":
				if term == "all" || term == "+all" {
					return true
				}
			default:
				if !strings.Contains(term, "=") { // modifiers (exp=, redirect=) aside
					return true
				}
				if strings.HasPrefix(term, "redirect=") {
					return true
				}
			}
		}
	}
	return false
}

func summary(res Result) report.Msg {
	switch {
	case res.Err != nil:
		return report.T("mx.summary.failed", nil)
	case res.Null && len(res.Hosts) == 0:
		return report.T("mx.summary.null", nil)
	case res.Implicit:
		return report.T("mx.summary.implicit", report.Params{"domain": res.Domain})
	}
	names := res.HostNames()
	if res.Omitted > 0 {
		return report.T("mx.summary.omitted", report.Params{"count": len(names) + res.Omitted, "checked": len(names), "omitted": res.Omitted, "hosts": names})
	}
	return report.T("mx.summary.hosts", report.Params{"count": len(names), "hosts": names})
}

func display(res Result) report.Display {
	if res.Err != nil || len(res.Hosts) == 0 {
		return report.Display{}
	}
	t := report.Table{Title: report.T("mx.table.hosts", nil), Columns: []report.Msg{
		report.T("mx.col.pref", nil), report.T("mx.col.host", nil), report.T("mx.col.addresses", nil), report.T("mx.col.note", nil)}}
	for _, h := range res.Hosts {
		addrs := make([]string, len(h.Addrs))
		for i, a := range h.Addrs {
			addrs[i] = a.String()
		}
		var note []report.Msg
		if res.Implicit {
			note = append(note, report.T("mx.note.implicit", nil))
		}
		if len(h.CNAMEs) > 0 {
			note = append(note, report.T("mx.note.alias", report.Params{"target": h.CNAMEs[len(h.CNAMEs)-1]}))
		}
		switch {
		case h.IPLiteral:
			note = append(note, report.T("mx.note.ip_literal", nil))
		case h.NoAddress:
			note = append(note, report.T("mx.note.no_address", nil))
		case h.Error != "":
			note = append(note, report.T("mx.note.lookup_failed", nil))
		}
		for _, a := range h.Addrs {
			if Bogon(a) != "" {
				note = append(note, report.T("mx.note.unreachable", nil))
				break
			}
		}
		t.Rows = append(t.Rows, []report.Msg{report.Lit(strconv.Itoa(int(h.Preference))), report.Lit(h.Name),
			report.Lit(strings.Join(addrs, " ")), report.T("list", report.Params{"items": note})})
	}
	return report.Display{Tables: []report.Table{t}}
}

// bogonKeys joins mx.bogon.<kind> once (report.Keys).
var bogonKeys = report.NewKeys("mx.bogon.")

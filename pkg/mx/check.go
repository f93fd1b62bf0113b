// Package mx checks a domain's mail exchangers (RFC 5321 §5.1): the MX
// RRset, null MX (RFC 7505), and each target's aliases and addresses.
//
// DNS names queried: <domain> MX; each target's A and AAAA (the domain's
// own for an implicit MX); <domain> TXT only for a null MX, to tell whether
// the domain also sends mail (its SPF record).
package mx

import (
	"context"
	"fmt"
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
	return Section(res, opts)
}

// Section judges a Result; Check is Lookup followed by Section.
func Section(res Result, opts Options) report.Section {
	sec := report.Section{Check: "mx", Title: "MX", Target: res.Domain, Data: &res}
	fs := findings(res, opts)
	report.SortFindings(fs)
	sec.Findings = fs
	sec.Status = report.StatusOf(fs)
	sec.Summary = summary(res)
	sec.Display = display(res)
	return sec
}

func findings(res Result, opts Options) []report.Finding {
	d := res.Domain
	if res.Err != nil {
		return []report.Finding{defDNSError.New(fmt.Sprintf("MX %s: %v", d, res.Err),
			"Retry; if it persists, check that the authoritative servers of "+d+" answer.")}
	}
	var fs []report.Finding
	switch {
	case res.Null && len(res.Hosts) > 0:
		f := defNullMixed.New(fmt.Sprintf("%s publishes a null MX (\".\") and %d other MX record(s); RFC 7505 §3 forbids mixing them, and senders may treat the domain as accepting no mail.", d, len(res.Hosts)),
			"If the domain receives mail, delete the \"MX 0 .\" record; if it does not, delete the other MX records.")
		fs = append(fs, f)
	case res.Null:
		f := defNull.New(d+" declares that it accepts no mail (RFC 7505): senders fail at once instead of retrying.", "")
		if res.NullPreference != 0 {
			f.Detail += fmt.Sprintf(" Its preference is %d; RFC 7505 §3 says 0.", res.NullPreference)
		}
		if opts.Sending {
			// RFC 7505 §3: a sending domain with a null MX cannot receive
			// bounces or replies, and receivers MAY reject its mail (RFC 7505 §4, 550 5.7.27).
			f.Severity = report.High
			f.Detail += " But the domain sends mail (it publishes an SPF record that authorizes senders): replies and bounces cannot reach it, and receivers may reject its mail with 550 5.7.27."
			f.Fix = "Publish MX records for a host that accepts mail for " + d + ", or stop sending from it."
		}
		return append(fs, f)
	case res.Implicit:
		f := defMissing.New(d+" has no MX records; senders fall back to its own A/AAAA addresses (implicit MX, RFC 5321 §5.1).",
			"Publish an MX record naming the host that receives mail for "+d+"; if the domain receives no mail, publish a null MX instead.")
		f.Record = &report.Record{Name: d, Type: "MX", Value: "10 mail." + d + "."}
		if h := res.Hosts[0]; h.NoAddress {
			f.Severity = report.High
			if res.Outcome == resolver.NXDomain {
				f.Detail = d + " does not exist (NXDOMAIN): no mail can be delivered to it."
			} else {
				f.Detail += " It has no A/AAAA addresses either, so no mail can be delivered to it."
			}
			nullRec := &report.Record{Name: d, Type: "MX", Value: "0 ."}
			if res.Outcome != resolver.NXDomain {
				f.Fix += " To say so explicitly: " + nullRec.String()
			}
		}
		fs = append(fs, f)
	}
	for _, h := range res.Hosts {
		fs = append(fs, hostFindings(h, res.Implicit)...)
	}
	if res.Omitted > 0 {
		fs = append(fs, defOmitted.New(fmt.Sprintf("%s has %d MX hosts; the %d most preferred were checked and %d were not (their addresses, reverse DNS, TLS and reachability are unknown).", d, len(res.Hosts)+res.Omitted, len(res.Hosts), res.Omitted),
			"Nothing is required by RFC 5321; most domains need two to five MX hosts, and removing the unused ones makes the setup easier to check and to keep right."))
	}
	if !res.Implicit && !res.Null && len(res.Hosts) == 1 {
		fs = append(fs, defSingle.New("Only "+res.Hosts[0].Name+" receives mail for "+d+"; while it is down, senders queue and retry (RFC 5321 §4.5.4).",
			"Nothing is required: senders retry for days. A second MX, preferably elsewhere, shortens outages."))
	}
	return fs
}

func hostFindings(h Host, implicit bool) []report.Finding {
	var fs []report.Finding
	if h.IPLiteral {
		return append(fs, defTargetIPLiteral.New("MX target "+h.Name+" is an IP address; senders look it up as a host name and find nothing.",
			"Publish an A record for a host name (mail.example. IN A "+strings.Trim(h.Name, "[]")+") and point the MX at that name."))
	}
	if len(h.CNAMEs) > 0 && !implicit {
		fs = append(fs, defTargetCNAME.New(fmt.Sprintf("MX target %s is an alias for %s; RFC 2181 §10.3 forbids aliases as MX targets and some senders refuse them.", h.Name, strings.Join(h.CNAMEs, " → ")),
			"Point the MX directly at "+h.CNAMEs[len(h.CNAMEs)-1]+"."))
	}
	switch {
	case h.Error != "":
		fs = append(fs, defDNSError.New("Addresses of "+h.Name+": "+h.Error, "Retry; if it persists, check the DNS servers of "+h.Name+"."))
	case h.NoAddress && !implicit:
		fs = append(fs, defTargetNoAddress.New("MX target "+h.Name+" has no A or AAAA record: senders cannot connect to it.",
			"Publish an A (and AAAA) record for "+h.Name+", or remove this MX record."))
	}
	var bad []string
	for _, a := range h.Addrs {
		if why := Bogon(a); why != "" {
			bad = append(bad, a.String()+" is "+why)
		}
	}
	if len(bad) > 0 {
		fs = append(fs, defTargetBogon.New("Mail host "+h.Name+" resolves to addresses senders on the Internet cannot reach: "+strings.Join(bad, "; ")+".",
			"Publish the host's public address; keep private addresses in an internal (split-horizon) view only."))
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

func summary(res Result) string {
	switch {
	case res.Err != nil:
		return "MX lookup failed"
	case res.Null && len(res.Hosts) == 0:
		return "null MX: accepts no mail"
	case res.Implicit:
		return "no MX; implicit MX " + res.Domain
	}
	names := res.HostNames()
	if res.Omitted > 0 {
		return fmt.Sprintf("%d MX hosts; the first %d checked (%d not checked): %s", len(names)+res.Omitted, len(names), res.Omitted, strings.Join(names, ", "))
	}
	return fmt.Sprintf("%d MX host(s): %s", len(names), strings.Join(names, ", "))
}

func display(res Result) report.Display {
	if res.Err != nil || len(res.Hosts) == 0 {
		return report.Display{}
	}
	t := report.Table{Title: "MX hosts", Columns: []string{"pref", "host", "addresses", "note"}}
	for _, h := range res.Hosts {
		addrs := make([]string, len(h.Addrs))
		for i, a := range h.Addrs {
			addrs[i] = a.String()
		}
		var note []string
		if res.Implicit {
			note = append(note, "implicit MX")
		}
		if len(h.CNAMEs) > 0 {
			note = append(note, "alias for "+h.CNAMEs[len(h.CNAMEs)-1])
		}
		switch {
		case h.IPLiteral:
			note = append(note, "IP literal")
		case h.NoAddress:
			note = append(note, "no address")
		case h.Error != "":
			note = append(note, "lookup failed")
		}
		for _, a := range h.Addrs {
			if Bogon(a) != "" {
				note = append(note, "unreachable address")
				break
			}
		}
		t.Rows = append(t.Rows, []string{strconv.Itoa(int(h.Preference)), h.Name, strings.Join(addrs, " "), strings.Join(note, "; ")})
	}
	return report.Display{Tables: []report.Table{t}}
}

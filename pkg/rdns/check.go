// Package rdns checks reverse DNS of mail addresses: the PTR names of an
// address, and whether one of them resolves back to it (forward-confirmed
// reverse DNS, "iprev" in RFC 8601 §3), which Gmail and Yahoo require of
// every sending address. It also flags names that look assigned by an
// access provider (a heuristic).
//
// DNS names queried: <reversed address>.in-addr.arpa or .ip6.arpa PTR, and
// A or AAAA (the address's family) of each PTR name, at most MaxNames.
package rdns

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
	"golang.org/x/sync/errgroup"
)

// MaxNames bounds the PTR names followed forward per address, as SPF's
// ptr mechanism does (RFC 7208 §5.5: at most 10).
const MaxNames = 10

// MaxAddrs bounds the addresses checked in one run.
const MaxAddrs = 32

// Role says why an address is checked.
type Role string

const (
	RoleSending Role = "sending" // named by the user (--ip) or by SPF
	RoleMX      Role = "mx"      // an address of an MX host
)

// Target is an address to check.
type Target struct {
	Addr netip.Addr
	Role Role
	// Host is the MX host name, for RoleMX.
	Host string
}

// Options say which addresses to check.
type Options struct {
	Targets []Target
}

// Result is the evidence for one address.
type Result struct {
	Addr  netip.Addr `json:"addr"`
	Roles []Role     `json:"roles"`
	Hosts []string   `json:"mx_hosts,omitempty"`
	PTR   []string   `json:"ptr"`
	// Confirmed is the PTR name whose forward addresses include Addr.
	Confirmed string `json:"confirmed,omitempty"`
	FCrDNS    bool   `json:"fcrdns"`
	Generic   string `json:"generic,omitempty"`
	Error     string `json:"error,omitempty"`
}

// Data is Section.Data of the "rdns" section.
type Data struct {
	Addrs   []Result `json:"addrs"`
	Omitted int      `json:"omitted,omitempty"`
}

// Check checks every target address. target names the domain for the report.
func Check(ctx context.Context, env check.Env, target dnsname.Domain, opts Options) report.Section {
	data := &Data{Addrs: []Result{}} // docs/json.md: an array, empty when there is nothing to check
	for _, t := range opts.Targets {
		i := slices.IndexFunc(data.Addrs, func(r Result) bool { return r.Addr == t.Addr })
		if i < 0 {
			if len(data.Addrs) == MaxAddrs {
				data.Omitted++
				continue
			}
			data.Addrs = append(data.Addrs, Result{Addr: t.Addr, PTR: []string{}})
			i = len(data.Addrs) - 1
		}
		r := &data.Addrs[i]
		if !slices.Contains(r.Roles, t.Role) {
			r.Roles = append(r.Roles, t.Role)
		}
		if t.Host != "" && !slices.Contains(r.Hosts, t.Host) {
			r.Hosts = append(r.Hosts, t.Host)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i := range data.Addrs {
		g.Go(func() error { examine(gctx, env.Resolver, &data.Addrs[i]); return nil })
	}
	_ = g.Wait()

	sec := report.Section{Check: "rdns", Title: "Reverse DNS", Target: target.String(), Data: data}
	var fs []report.Finding
	for _, r := range data.Addrs {
		fs = append(fs, findings(r)...)
	}
	report.SortFindings(fs)
	sec.Findings = fs
	sec.Status = report.StatusOf(fs)
	if len(data.Addrs) == 0 {
		sec.Status = report.StatusSkipped
		sec.Summary = report.Lit("no addresses to check")
	} else {
		n := 0
		for _, r := range data.Addrs {
			if r.FCrDNS {
				n++
			}
		}
		sec.Summary = report.Lit(fmt.Sprintf("%d of %d address(es) with forward-confirmed reverse DNS", n, len(data.Addrs)))
	}
	sec.Display = display(data)
	return sec
}

// examine follows RFC 8601 §3 (iprev): PTR names of the address, then the
// address records of each name in the address's family.
func examine(ctx context.Context, r resolver.Resolver, res *Result) {
	names, ans, err := resolver.LookupPTR(ctx, r, res.Addr)
	if err != nil {
		res.Error = "PTR: " + err.Error()
		return
	}
	if ans.Void() {
		return
	}
	res.PTR = names
	qtype := dns.TypeA
	if res.Addr.Is6() && !res.Addr.Is4In6() {
		qtype = dns.TypeAAAA
	}
	var errs []string
	for _, name := range names[:min(len(names), MaxNames)] {
		addrs, _, err := resolver.LookupAddrs(ctx, r, name, qtype)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		if slices.Contains(addrs, res.Addr.Unmap()) || slices.Contains(addrs, res.Addr) {
			res.Confirmed, res.FCrDNS = strings.TrimSuffix(name, "."), true
			break
		}
	}
	if !res.FCrDNS && len(errs) > 0 {
		res.Error = strings.Join(errs, "; ")
	}
	name := res.Confirmed
	if name == "" {
		name = names[0]
	}
	res.Generic = Generic(name, res.Addr)
}

func findings(r Result) []report.Finding {
	who := r.Addr.String()
	sending := slices.Contains(r.Roles, RoleSending)
	if !sending {
		who += " (MX " + strings.Join(r.Hosts, ", ") + ")"
	}
	// lower relaxes a sending-address finding for an address that only receives:
	// receivers judge the connecting (sending) address (https://support.google.com/a/answer/81126).
	lower := func(f report.Finding) report.Finding {
		if !sending && f.Severity.AtLeast(report.High) {
			f.Severity = report.Medium
			f.Detail += " This address only receives mail here; it matters if the host also sends."
		}
		return f
	}
	var fs []report.Finding
	if r.Error != "" && !r.FCrDNS && len(r.PTR) == 0 {
		return append(fs, defDNSError.New(who+": "+r.Error, "Retry; if it persists, ask whoever runs the reverse zone."))
	}
	if len(r.PTR) == 0 {
		return append(fs, lower(defMissing.New(who+" has no PTR record. Gmail, Yahoo and most receivers reject or junk mail from addresses without reverse DNS.",
			"Ask the owner of the address (your hosting or access provider) to set its PTR to the server's host name, and give that name an A/AAAA record with this address.")))
	}
	if len(r.PTR) > 1 {
		fs = append(fs, defMultiple.New(fmt.Sprintf("%s has %d PTR records (%s); receivers pick one, and some only ever look at the first.", who, len(r.PTR), strings.Join(trim(r.PTR), ", ")),
			"Keep one PTR record: the host name the server uses in EHLO."))
	}
	switch {
	case r.FCrDNS:
	case r.Error != "":
		fs = append(fs, defDNSError.New(who+": forward lookup of the PTR name failed: "+r.Error, "Retry; if it persists, check the DNS servers of the PTR name."))
	default:
		name := strings.TrimSuffix(r.PTR[0], ".")
		rr := "A"
		if r.Addr.Is6() && !r.Addr.Is4In6() {
			rr = "AAAA"
		}
		f := lower(defNotFCrDNS.New(fmt.Sprintf("%s has PTR %s, but %s does not resolve back to %s, so reverse DNS is not confirmed (iprev fails).", who, strings.Join(trim(r.PTR), ", "), name, r.Addr),
			"Publish the forward record for the PTR name, or change the PTR to a name that resolves to this address."))
		f.Record = &report.Record{Name: name, Type: rr, Value: r.Addr.Unmap().String()}
		fs = append(fs, f)
	}
	if r.Generic != "" {
		name := r.Confirmed
		if name == "" {
			name = strings.TrimSuffix(r.PTR[0], ".")
		}
		fs = append(fs, defGeneric.New(fmt.Sprintf("%s has PTR %s, which %s: receivers take such names for end-user or unmanaged hosts and score them as spam sources. (Heuristic.)", who, name, r.Generic),
			"Use a PTR name of your own domain that names the mail server, such as mail.example.com, with a matching A/AAAA record."))
	}
	return fs
}

func trim(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.TrimSuffix(n, ".")
	}
	return out
}

func display(d *Data) report.Display {
	if len(d.Addrs) == 0 {
		return report.Display{}
	}
	t := report.Table{Title: report.Lit("Reverse DNS"), Columns: report.Lits("address", "role", "PTR", "FCrDNS")}
	for _, r := range d.Addrs {
		roles := make([]string, len(r.Roles))
		for i, x := range r.Roles {
			roles[i] = string(x)
		}
		fc := "no"
		switch {
		case r.FCrDNS:
			fc = "yes"
		case r.Error != "":
			fc = "unknown"
		}
		t.Rows = append(t.Rows, report.Lits(r.Addr.String(), strings.Join(roles, ", "), strings.Join(trim(r.PTR), " "), fc))
	}
	return report.Display{Tables: []report.Table{t}}
}

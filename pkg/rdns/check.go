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
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/mailcheck/mailcheck/internal/workers"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
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
	// Generic says why the name looks assigned by an access provider.
	Generic report.Msg `json:"generic,omitzero"`
	// Error is the lookup failures as the resolver reported them (raw
	// evidence; the findings word them in the report's language).
	Error string `json:"error,omitempty"`

	why report.Msg // Error, worded
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
	var g workers.Group
	g.SetLimit(8)
	for i := range data.Addrs {
		g.Go(func() { examine(ctx, env.Resolver, &data.Addrs[i]) })
	}
	g.Wait()

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
		sec.Summary = report.T("rdns.summary.none", nil)
	} else {
		n := 0
		for _, r := range data.Addrs {
			if r.FCrDNS {
				n++
			}
		}
		sec.Summary = report.T("rdns.summary.fcrdns", report.Params{"confirmed": n, "count": len(data.Addrs)})
	}
	if !env.NoDisplay {
		sec.Display = display(data)
	}
	return sec
}

// examine follows RFC 8601 §3 (iprev): PTR names of the address, then the
// address records of each name in the address's family.
func examine(ctx context.Context, r resolver.Resolver, res *Result) {
	names, ans, err := resolver.LookupPTR(ctx, r, res.Addr)
	if err != nil {
		res.Error, res.why = "PTR: "+err.Error(), check.ErrMsg(err)
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
	var raw []string
	var whys []report.Msg
	for _, name := range names[:min(len(names), MaxNames)] {
		addrs, _, err := resolver.LookupAddrs(ctx, r, name, qtype)
		if err != nil {
			raw = append(raw, err.Error())
			whys = append(whys, check.ErrMsg(err))
			continue
		}
		if slices.Contains(addrs, res.Addr.Unmap()) || slices.Contains(addrs, res.Addr) {
			res.Confirmed, res.FCrDNS = strings.TrimSuffix(name, "."), true
			break
		}
	}
	if !res.FCrDNS && len(raw) > 0 {
		res.Error, res.why = strings.Join(raw, "; "), report.T("list", report.Params{"items": whys})
	}
	name := res.Confirmed
	if name == "" {
		name = names[0]
	}
	res.Generic = Generic(name, res.Addr)
}

func findings(r Result) []report.Finding {
	p := report.Params{"address": r.Addr.String()}
	sending := slices.Contains(r.Roles, RoleSending)
	if !sending {
		p["mx"] = strings.Join(r.Hosts, ", ")
	}
	// An address that only receives gets the "receiving" variant: receivers
	// judge the connecting (sending) address.
	judged := func(d report.Definition, p report.Params) report.Finding {
		if !sending {
			return d.Alt("receiving", p)
		}
		return d.With(p)
	}
	with := func(more report.Params) report.Params {
		q := maps.Clone(p)
		maps.Copy(q, more)
		return q
	}
	var fs []report.Finding
	if r.Error != "" && !r.FCrDNS && len(r.PTR) == 0 {
		return append(fs, defDNSError.With(with(report.Params{"error": r.why})))
	}
	if len(r.PTR) == 0 {
		return append(fs, judged(defMissing, p))
	}
	ptrs := trim(r.PTR)
	if len(r.PTR) > 1 {
		fs = append(fs, defMultiple.With(with(report.Params{"count": len(r.PTR), "names": ptrs})))
	}
	switch {
	case r.FCrDNS:
	case r.Error != "":
		fs = append(fs, defDNSError.Alt("forward", with(report.Params{"error": r.why})))
	default:
		name := ptrs[0]
		rr := "A"
		if r.Addr.Is6() && !r.Addr.Is4In6() {
			rr = "AAAA"
		}
		f := judged(defNotFCrDNS, with(report.Params{"names": ptrs, "name": name}))
		f.Record = &report.Record{Name: name, Type: rr, Value: r.Addr.Unmap().String()}
		fs = append(fs, f)
	}
	if !r.Generic.IsZero() {
		name := r.Confirmed
		if name == "" {
			name = ptrs[0]
		}
		fs = append(fs, defGeneric.With(with(report.Params{"name": name, "why": r.Generic})))
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
	t := report.Table{Title: report.T("rdns.table", nil), Columns: []report.Msg{
		report.T("rdns.col.address", nil), report.T("rdns.col.role", nil), report.Lit("PTR"), report.Lit("FCrDNS")}}
	for _, r := range d.Addrs {
		roles := make([]report.Msg, len(r.Roles))
		for i, x := range r.Roles {
			roles[i] = report.T("rdns.role."+string(x), nil)
		}
		fc := "no"
		switch {
		case r.FCrDNS:
			fc = "yes"
		case r.Error != "":
			fc = "unknown"
		}
		t.Rows = append(t.Rows, []report.Msg{report.Lit(r.Addr.String()), report.T("list", report.Params{"items": roles}),
			report.Lit(strings.Join(trim(r.PTR), " ")), report.T("rdns.fcrdns."+fc, nil)})
	}
	return report.Display{Tables: []report.Table{t}}
}

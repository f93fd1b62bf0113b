package mx

import (
	"cmp"
	"context"
	"net/netip"
	"slices"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// MaxHosts bounds how many MX hosts are resolved; RFC 5321 sets no limit,
// but real RRsets have a handful and each host costs two queries.
const MaxHosts = 20

// Host is one mail exchanger and what its name resolves to.
type Host struct {
	Preference uint16 `json:"preference"`
	// Name is the target without the trailing dot; for an implicit MX it
	// is the domain itself.
	Name string `json:"name"`
	// CNAMEs is the alias chain from Name to the address records.
	CNAMEs    []string     `json:"cnames,omitempty"`
	IPLiteral bool         `json:"ip_literal,omitempty"`
	Addrs     []netip.Addr `json:"addrs"`
	// Authentic is the AD bit of the address answers.
	Authentic bool `json:"authentic"`
	// NoAddress is set when both A and AAAA came back NXDOMAIN or NODATA.
	NoAddress bool `json:"no_address,omitempty"`
	// Error is set when an address lookup failed (timeout, SERVFAIL).
	Error string `json:"error,omitempty"`
}

// Result is the domain's MX RRset with its hosts resolved.
type Result struct {
	Domain string `json:"domain"`
	// Outcome of the MX question: found, nodata or nxdomain.
	Outcome resolver.Outcome `json:"outcome,omitempty"`
	// Err is set when the MX question got no answer; nothing else is then known.
	Err error `json:"-"`
	// Null is a null MX (RFC 7505): a target of ".".
	Null bool `json:"null"`
	// NullPreference is the preference of the null MX record (RFC 7505 §3 says 0).
	NullPreference uint16 `json:"null_preference,omitempty"`
	// Implicit is set when there is no MX: senders use the domain's own
	// addresses (RFC 5321 §5.1), and Hosts holds the domain.
	Implicit bool `json:"implicit"`
	// Authentic is the AD bit of the MX answer.
	Authentic bool   `json:"authentic"`
	Hosts     []Host `json:"hosts"`
	// Omitted counts MX records beyond MaxHosts, not resolved.
	Omitted int `json:"omitted,omitempty"`
}

// Known reports whether the MX question was answered.
func (r Result) Known() bool { return r.Err == nil }

// HostNames returns the names of the hosts senders would try, in order.
func (r Result) HostNames() []string {
	out := make([]string, 0, len(r.Hosts))
	for _, h := range r.Hosts {
		out = append(out, h.Name)
	}
	return out
}

// Lookup asks for the domain's MX records and the addresses of each target.
// It never fails: an unanswered MX question is in Result.Err, an unanswered
// address question in Host.Error.
func Lookup(ctx context.Context, r resolver.Resolver, domain dnsname.Domain) Result {
	res := Result{Domain: domain.String(), Hosts: []Host{}} // an array in JSON even when empty
	mxs, ans, err := resolver.LookupMX(ctx, r, domain.FQDN())
	if err != nil {
		res.Err = err
		return res
	}
	res.Outcome, res.Authentic = ans.Outcome, ans.Authentic
	for _, m := range mxs {
		if m.Host == "." {
			res.Null, res.NullPreference = true, m.Preference
			continue
		}
		res.Hosts = append(res.Hosts, Host{Preference: m.Preference, Name: strings.TrimSuffix(m.Host, ".")})
	}
	if len(mxs) == 0 {
		// RFC 5321 §5.1: no MX at all means the domain itself is the
		// implicit MX, preference 0.
		res.Implicit = true
		res.Hosts = []Host{{Name: domain.String()}}
	}
	slices.SortStableFunc(res.Hosts, func(a, b Host) int {
		return cmp.Or(cmp.Compare(a.Preference, b.Preference), strings.Compare(a.Name, b.Name))
	})
	res.Hosts = slices.CompactFunc(res.Hosts, func(a, b Host) bool { return a.Name == b.Name && a.Preference == b.Preference })
	if len(res.Hosts) > MaxHosts {
		res.Omitted = len(res.Hosts) - MaxHosts
		res.Hosts = res.Hosts[:MaxHosts]
	}
	// Every host's A and AAAA at once, in one batch: one round trip
	// whatever the number of hosts, and no goroutine per question.
	qs := make([]resolver.Question, 0, 2*len(res.Hosts))
	asked := make([]*Host, 0, len(res.Hosts))
	for i := range res.Hosts {
		h := &res.Hosts[i]
		if isIPLiteral(h.Name) {
			// RFC 5321 §5.1: the target must be a domain name; an
			// address-looking target is not resolved as an address.
			h.IPLiteral = true
			continue
		}
		fqdn := h.Name + "." // one string for both questions
		qs = append(qs, resolver.Question{Name: fqdn, Type: dns.TypeA}, resolver.Question{Name: fqdn, Type: dns.TypeAAAA})
		asked = append(asked, h)
	}
	if len(qs) > 0 {
		got := resolver.LookupBatch(ctx, r, qs, 16)
		for i, h := range asked {
			resolveHost(h, got[2*i:2*i+2])
		}
	}
	return res
}

// resolveHost fills in the addresses of one host from its A and AAAA
// results.
func resolveHost(h *Host, got []resolver.Result) {
	var (
		voids  int
		errs   []string
		authAD = true
	)
	for _, g := range got {
		if g.Err != nil {
			errs = append(errs, g.Err.Error())
			continue
		}
		ans := g.Answer
		if len(ans.CNAMEs) > len(h.CNAMEs) {
			h.CNAMEs = trim(ans.CNAMEs)
		}
		authAD = authAD && ans.Authentic
		if ans.Void() {
			voids++
		}
		h.Addrs = append(h.Addrs, resolver.AddrRecords(ans)...)
	}
	slices.SortFunc(h.Addrs, func(a, b netip.Addr) int { return a.Compare(b) })
	h.Addrs = slices.Compact(h.Addrs)
	h.Authentic = authAD && len(errs) == 0
	switch {
	case voids == 2:
		h.NoAddress = true
	case len(errs) > 0 && len(h.Addrs) == 0:
		slices.Sort(errs)
		h.Error = strings.Join(errs, "; ")
	}
}

func trim(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.TrimSuffix(n, ".")
	}
	return out
}

// isIPLiteral reports a target that reads as an IPv4 or IPv6 address, with
// or without brackets: a zone typo such as "MX 10 192.0.2.1." or a
// confusion with RFC 5321 address literals.
func isIPLiteral(name string) bool {
	return dnsname.IsIPAddress(strings.Trim(name, "[]"))
}

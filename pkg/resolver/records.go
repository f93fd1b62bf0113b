package resolver

import (
	"net/netip"

	"github.com/miekg/dns"
)

// AddrRecords returns the addresses of an A or AAAA answer, as
// LookupAddrs does: for the results of a LookupBatch.
func AddrRecords(ans Answer) []netip.Addr {
	var out []netip.Addr
	if len(ans.RRs) > 1 {
		out = make([]netip.Addr, 0, len(ans.RRs)) // one allocation, not one per doubling
	}
	for _, rr := range ans.RRs {
		switch v := rr.(type) {
		case *dns.A:
			if a, ok := netip.AddrFromSlice(v.A.To4()); ok {
				out = append(out, a)
			}
		case *dns.AAAA:
			if a, ok := netip.AddrFromSlice(v.AAAA.To16()); ok {
				out = append(out, a)
			}
		}
	}
	if len(out) == 0 {
		return nil // as before: nil, not empty, when there are none
	}
	return out
}

// MXRecords returns the mail exchangers of an MX answer in the order
// received, as LookupMX does.
func MXRecords(ans Answer) []MX {
	var out []MX
	if len(ans.RRs) > 1 {
		out = make([]MX, 0, len(ans.RRs)) // one allocation, not one per doubling
	}
	for _, rr := range ans.RRs {
		if m, ok := rr.(*dns.MX); ok {
			out = append(out, MX{Preference: m.Preference, Host: Canonical(m.Mx)})
		}
	}
	if len(out) == 0 {
		return nil // as before: nil, not empty, when there are none
	}
	return out
}

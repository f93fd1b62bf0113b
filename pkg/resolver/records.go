package resolver

import (
	"net/netip"

	"github.com/miekg/dns"
)

// AddrRecords returns the addresses of an A or AAAA answer, as
// LookupAddrs does: for the results of a LookupBatch.
func AddrRecords(ans Answer) []netip.Addr {
	var out []netip.Addr
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
	return out
}

// MXRecords returns the mail exchangers of an MX answer in the order
// received, as LookupMX does.
func MXRecords(ans Answer) []MX {
	var out []MX
	for _, rr := range ans.RRs {
		if m, ok := rr.(*dns.MX); ok {
			out = append(out, MX{Preference: m.Preference, Host: Canonical(m.Mx)})
		}
	}
	return out
}

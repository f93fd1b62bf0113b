package resolver

import (
	"context"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// TXT is one TXT resource record with its character-strings kept apart, as
// they were on the wire (RFC 1035 §3.3.14).
type TXT struct {
	Strings []string
}

// Text joins the character-strings without separators, as RFC 7208 §3.3 and
// RFC 6376 §3.6.2.2 require; joining with spaces would hide split-string bugs.
func (t TXT) Text() string { return strings.Join(t.Strings, "") }

// LookupTXT asks for TXT records and returns them with their strings intact.
func LookupTXT(ctx context.Context, r Resolver, name string) ([]TXT, Answer, error) {
	ans, err := r.Lookup(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, ans, err
	}
	var out []TXT
	for _, rr := range ans.RRs {
		if t, ok := rr.(*dns.TXT); ok {
			out = append(out, TXT{Strings: append([]string(nil), t.Txt...)})
		}
	}
	return out, ans, nil
}

// MX is one mail exchanger.
type MX struct {
	Preference uint16
	Host       string // canonical, with the trailing dot; "." for null MX
}

// LookupMX asks for MX records, in the order received.
func LookupMX(ctx context.Context, r Resolver, name string) ([]MX, Answer, error) {
	ans, err := r.Lookup(ctx, name, dns.TypeMX)
	if err != nil {
		return nil, ans, err
	}
	var out []MX
	for _, rr := range ans.RRs {
		if m, ok := rr.(*dns.MX); ok {
			out = append(out, MX{Preference: m.Preference, Host: Canonical(m.Mx)})
		}
	}
	return out, ans, nil
}

// LookupAddrs asks for A (qtype dns.TypeA) or AAAA (dns.TypeAAAA) records.
func LookupAddrs(ctx context.Context, r Resolver, name string, qtype uint16) ([]netip.Addr, Answer, error) {
	ans, err := r.Lookup(ctx, name, qtype)
	if err != nil {
		return nil, ans, err
	}
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
	return out, ans, nil
}

// LookupPTR asks for the PTR names of an address (RFC 1035 §3.5, RFC 3596 §2.5).
func LookupPTR(ctx context.Context, r Resolver, addr netip.Addr) ([]string, Answer, error) {
	name, err := dns.ReverseAddr(addr.String())
	if err != nil {
		return nil, Answer{}, &Error{Name: addr.String(), Type: dns.TypePTR, Kind: KindName, Err: err}
	}
	ans, err := r.Lookup(ctx, name, dns.TypePTR)
	if err != nil {
		return nil, ans, err
	}
	var out []string
	for _, rr := range ans.RRs {
		if p, ok := rr.(*dns.PTR); ok {
			out = append(out, Canonical(p.Ptr))
		}
	}
	return out, ans, nil
}

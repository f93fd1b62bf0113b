package resolver

import (
	"context"
	"net/netip"
	"strconv"
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

// LookupTXT asks for TXT records and returns them with their strings intact,
// as the octets on the wire.
func LookupTXT(ctx context.Context, r Resolver, name string) ([]TXT, Answer, error) {
	ans, err := r.Lookup(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, ans, err
	}
	return TXTRecords(ans), ans, nil
}

// TXTOf converts the strings of a miekg/dns TXT (or SPF type 99) record,
// which it keeps in presentation form (\" for a quote, \DDD for other
// octets, RFC 1035 §5.1), into the raw octets.
func TXTOf(presentation []string) TXT {
	out := make([]string, len(presentation))
	for i, s := range presentation {
		out[i] = Unescape(s)
	}
	return TXT{Strings: out}
}

// Unescape turns presentation form (\X and \DDD escapes) into octets.
func Unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		if i+3 < len(s) && isDigits(s[i+1:i+4]) {
			if n, _ := strconv.Atoi(s[i+1 : i+4]); n <= 255 {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i+1])
		i++
	}
	return b.String()
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
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
	return MXRecords(ans), ans, nil
}

// LookupAddrs asks for A (qtype dns.TypeA) or AAAA (dns.TypeAAAA) records.
func LookupAddrs(ctx context.Context, r Resolver, name string, qtype uint16) ([]netip.Addr, Answer, error) {
	ans, err := r.Lookup(ctx, name, qtype)
	if err != nil {
		return nil, ans, err
	}
	return AddrRecords(ans), ans, nil
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

package dnsbl

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// KindOf returns the query kind for an address: IPv4 for a 4-byte address,
// IPv6 for a 16-byte one. An IPv4-mapped IPv6 address (::ffff:7f00:2) is
// IPv6 here on purpose: it is RFC 5782 §5's IPv6 test entry and must be asked
// with the 32-nibble name. (net.IP's To4 would turn it into 127.0.0.2 and ask
// the IPv4 name; netip keeps the two forms apart.)
func KindOf(a netip.Addr) Kind {
	if a.Is4() {
		return KindIPv4
	}
	return KindIPv6
}

// hexDigits are the nibbles in lower case, as ip6.arpa and RFC 5782 §2.4 write them.
const hexDigits = "0123456789abcdef"

// ReverseAddr returns the query prefix for an address, without the zone:
// RFC 5782 §2.1 reverses the four octets of an IPv4 address
// (192.0.2.99 -> 99.2.0.192); §2.4 writes an IPv6 address as 32 nibbles,
// least significant first, one per label, like ip6.arpa.
func ReverseAddr(a netip.Addr) string {
	if a.Is4() {
		b := a.As4()
		return fmt.Sprintf("%d.%d.%d.%d", b[3], b[2], b[1], b[0])
	}
	b := a.As16()
	var sb strings.Builder
	sb.Grow(64)
	for i := len(b) - 1; i >= 0; i-- {
		sb.WriteByte(hexDigits[b[i]&0x0f])
		sb.WriteByte('.')
		sb.WriteByte(hexDigits[b[i]>>4])
		if i > 0 {
			sb.WriteByte('.')
		}
	}
	return sb.String()
}

// ErrNameTooLong is returned when a domain prefixed to a zone exceeds the DNS
// limits (RFC 1035 §2.3.4).
var ErrNameTooLong = errors.New("query name too long")

// AddrQueryName is the name to ask (type A) for an address on a zone, as a
// fully qualified name.
func AddrQueryName(a netip.Addr, zone string) string {
	return ReverseAddr(a) + "." + zone + "."
}

// DomainQueryName is the name to ask for a domain on a domain list (RFC 5782
// §3: the domain prefixed to the zone as is, lower-cased).
func DomainQueryName(domain, zone string) (string, error) {
	// One string with the root dot; the checks read it without.
	fqdn := strings.ToLower(strings.TrimSuffix(domain, ".")) + "." + zone + "."
	name := fqdn[:len(fqdn)-1]
	if len(name) > dnsname.MaxNameLength {
		return "", fmt.Errorf("%s: %w", name, ErrNameTooLong)
	}
	for rest, more := name, true; more; {
		var l string
		l, rest, more = strings.Cut(rest, ".")
		if l == "" || len(l) > dnsname.MaxLabelLength {
			return "", fmt.Errorf("%s: %w: bad label", name, ErrNameTooLong)
		}
	}
	return fqdn, nil
}

// RFC 5782 §5 test entries: every list MUST list the first and MUST NOT list
// the second. The IPv6 pair is the IPv4-mapped form of 127.0.0.2/127.0.0.1,
// asked with the nibble name (not ::1).
var (
	TestListedIPv4    = netip.AddrFrom4([4]byte{127, 0, 0, 2})
	TestNotListedIPv4 = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	TestListedIPv6    = netip.AddrFrom16([16]byte{10: 0xff, 11: 0xff, 12: 0x7f, 15: 0x02})
	TestNotListedIPv6 = netip.AddrFrom16([16]byte{10: 0xff, 11: 0xff, 12: 0x7f, 15: 0x01})
)

// RFC 5782 §5 test entries of domain lists.
const (
	TestListedDomain    = "test"
	TestNotListedDomain = "invalid"
)

// probe is one health-check question.
type probe struct {
	label string // what is asked, for display: "127.0.0.2", "test"
	qname string
}

// testProbes returns the two RFC 5782 §5 questions for a list and kind, and
// false when the list's health check is disabled.
func testProbes(l *List, k Kind) (listed, notListed probe, ok bool) {
	if l.Test != nil && l.Test.Skip {
		return probe{}, probe{}, false
	}
	switch k {
	case KindIPv4:
		return probe{TestListedIPv4.String(), AddrQueryName(TestListedIPv4, l.Zone)},
			probe{TestNotListedIPv4.String(), AddrQueryName(TestNotListedIPv4, l.Zone)}, true
	case KindIPv6:
		return probe{"::ffff:7f00:2", AddrQueryName(TestListedIPv6, l.Zone)},
			probe{"::ffff:7f00:1", AddrQueryName(TestNotListedIPv6, l.Zone)}, true
	}
	yes, no := TestListedDomain, TestNotListedDomain
	if l.Test != nil && l.Test.Listed != "" {
		yes = l.Test.Listed
	}
	if l.Test != nil && l.Test.NotListed != "" {
		no = l.Test.NotListed
	}
	qy, err1 := DomainQueryName(yes, l.Zone)
	qn, err2 := DomainQueryName(no, l.Zone)
	if err1 != nil || err2 != nil {
		return probe{}, probe{}, false
	}
	return probe{yes, qy}, probe{no, qn}, true
}

// reservedPrefixes are ranges whose addresses say nothing about reputation
// and would leak internal addressing to list operators if queried
// (RFC 6890 special-purpose ranges). Addresses the user names are queried anyway.
var reservedPrefixes = []struct {
	prefix netip.Prefix
	why    string // catalog key dnsbl.reserved.<why>
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "this_network"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "cgnat"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link_local"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.0.0.0/24"), "ietf"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation4"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation4"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation4"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("::ffff:0:0/96"), "ipv4_mapped"},
	{netip.MustParsePrefix("100::/64"), "discard"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation6"},
	{netip.MustParsePrefix("fc00::/7"), "unique_local"},
	{netip.MustParsePrefix("fe80::/10"), "link_local"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

// Reserved reports whether an address is private, loopback or otherwise
// reserved, and why.
func Reserved(a netip.Addr) (report.Msg, bool) {
	a = a.WithZone("")
	for _, r := range reservedPrefixes {
		if r.prefix.Contains(a) {
			return reservedKeys.T(r.why, nil), true
		}
	}
	return report.Msg{}, false
}

package mx

import "net/netip"

// bogons are address blocks no public MX can be reached at (RFC 6890
// special-purpose registries). Documentation blocks (RFC 5737, RFC 3849,
// RFC 9637) are deliberately absent: examples, test zones and demos use
// them, and flagging them would make every example fail.
var bogons = []struct {
	prefix netip.Prefix
	what   string // the kind of block: catalog key mx.bogon.<what>
	rfc    string // the registry that reserves it
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "this_network", "RFC 6890"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private", "RFC 1918"},
	{netip.MustParsePrefix("100.64.0.0/10"), "cgnat", "RFC 6598"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback", "RFC 1122"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link_local", "RFC 3927"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private", "RFC 1918"},
	{netip.MustParsePrefix("192.0.0.0/24"), "ietf", "RFC 6890"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private", "RFC 1918"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking", "RFC 2544"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast", "RFC 5771"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved", "RFC 1112"},
	{netip.MustParsePrefix("::/128"), "unspecified", "RFC 4291"},
	{netip.MustParsePrefix("::1/128"), "loopback", "RFC 4291"},
	{netip.MustParsePrefix("::ffff:0:0/96"), "ipv4_mapped", "RFC 4291"},
	{netip.MustParsePrefix("100::/64"), "discard", "RFC 6666"},
	{netip.MustParsePrefix("fc00::/7"), "unique_local", "RFC 4193"},
	{netip.MustParsePrefix("fe80::/10"), "link_local", "RFC 4291"},
	{netip.MustParsePrefix("ff00::/8"), "multicast", "RFC 4291"},
}

// Bogon says why addr cannot be a public MX address, as the kind of block
// it is in ("private", "loopback"...), or "" when it can.
func Bogon(addr netip.Addr) string {
	what, _ := bogon(addr)
	return what
}

func bogon(addr netip.Addr) (what, rfc string) {
	for _, b := range bogons {
		if b.prefix.Contains(addr) {
			return b.what, b.rfc
		}
	}
	return "", ""
}

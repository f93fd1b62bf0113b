package dnsbl

import (
	"net"
	"net/netip"
)

// publicResolvers are well-known open resolvers. Spamhaus answers their
// queries with 127.255.255.254, URIBL and SURBL with 127.0.0.1, DNSWL with
// 127.0.X.255, and Barracuda not at all (https://www.spamhaus.org/news/article/788,
// https://uribl.com/refused.shtml), so results
// through them are mostly refusals.
var publicResolvers = map[netip.Addr]string{}

func init() {
	for name, addrs := range map[string][]string{
		"Google Public DNS": {"8.8.8.8", "8.8.4.4", "2001:4860:4860::8888", "2001:4860:4860::8844"},
		"Cloudflare":        {"1.1.1.1", "1.0.0.1", "1.1.1.2", "1.0.0.2", "1.1.1.3", "1.0.0.3", "2606:4700:4700::1111", "2606:4700:4700::1001"},
		"Quad9":             {"9.9.9.9", "149.112.112.112", "9.9.9.10", "149.112.112.10", "9.9.9.11", "149.112.112.11", "2620:fe::fe", "2620:fe::9"},
		"OpenDNS":           {"208.67.222.222", "208.67.220.220", "208.67.222.123", "208.67.220.123", "2620:119:35::35", "2620:119:53::53"},
		"AdGuard DNS":       {"94.140.14.14", "94.140.15.15", "2a10:50c0::ad1:ff", "2a10:50c0::ad2:ff"},
		"CleanBrowsing":     {"185.228.168.9", "185.228.169.9"},
		"Level3":            {"4.2.2.1", "4.2.2.2", "4.2.2.3", "4.2.2.4", "4.2.2.5", "4.2.2.6"},
		"Comodo Secure DNS": {"8.26.56.26", "8.20.247.20"},
		"Yandex DNS":        {"77.88.8.8", "77.88.8.1"},
		"UltraDNS Public":   {"64.6.64.6", "64.6.65.6"},
	} {
		for _, a := range addrs {
			publicResolvers[netip.MustParseAddr(a)] = name
		}
	}
}

// PublicResolver reports whether server ("host:port", "host" or an address)
// is a well-known public resolver, and whose.
func PublicResolver(server string) (string, bool) {
	host := server
	if h, _, err := net.SplitHostPort(server); err == nil {
		host = h
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return "", false
	}
	name, ok := publicResolvers[a.Unmap().WithZone("")]
	return name, ok
}

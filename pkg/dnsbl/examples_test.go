package dnsbl_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsbl"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// The question for an address is its reversed octets (IPv6: 32 reversed
// nibbles) under the list's zone, RFC 5782 §2.1 and §2.4; a domain is
// asked as itself on a domain list, §3.
func ExampleAddrQueryName() {
	fmt.Println(dnsbl.AddrQueryName(netip.MustParseAddr("192.0.2.99"), "zen.spamhaus.org"))
	fmt.Println(dnsbl.AddrQueryName(netip.MustParseAddr("2001:db8::1"), "zen.spamhaus.org"))
	name, err := dnsbl.DomainQueryName("Shop.Example", "dbl.spamhaus.org")
	fmt.Println(name, err)
	// Output:
	// 99.2.0.192.zen.spamhaus.org.
	// 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org.
	// shop.example.dbl.spamhaus.org. <nil>
}

// ReadCodes classifies a list's answer through the catalog of its codes: a
// listing has a class and the list's meaning; a refusal code (Spamhaus
// 127.255.255.254 for queries through public resolvers) is never a listing,
// and an answer outside 127.0.0.0/8 is a resolver rewriting NXDOMAIN.
func ExampleReadCodes() {
	zen, _ := dnsbl.DefaultCatalog().Lookup("zen.spamhaus.org")
	for _, a := range []string{"127.0.0.4", "127.0.0.10", "127.255.255.254", "192.0.2.1"} {
		r := dnsbl.ReadCodes(zen, []netip.Addr{netip.MustParseAddr(a)})
		fmt.Printf("%-15s %-8s class=%s public-resolver=%v\n", a, r.Verdict, r.Class, r.PublicResolver)
	}
	r := dnsbl.ReadCodes(zen, []netip.Addr{netip.MustParseAddr("127.0.0.4")})
	fmt.Println(r.Codes[0].Meaning.Text[:3]) // the catalog's words: data, as the list documents them
	// Output:
	// 127.0.0.4       listed   class=major public-resolver=false
	// 127.0.0.10      listed   class=policy public-resolver=false
	// 127.255.255.254 refused  class= public-resolver=true
	// 192.0.2.1       bogus    class= public-resolver=false
	// XBL
}

// Query checks addresses against a list, here one served from zone text
// (offline): the list passes its RFC 5782 §5 self-test (127.0.0.2 listed,
// 127.0.0.1 not), so its answers count; an A record at the reversed address
// is a listing, NXDOMAIN is not, and the list's refusal code for the third
// address reads as unknown, never as listed. (For a domain, Check asks
// the domain on domain lists and the addresses of its MX hosts and SPF
// senders on IP lists.)
func ExampleQuery() {
	zone, err := resolver.ZoneText("bl.example.", `
$TTL 300
@            IN SOA ns.bl.example. hostmaster.bl.example. 1 3600 600 86400 300
2.0.0.127    IN A   127.0.0.2
99.2.0.192   IN A   127.0.0.2
99.2.0.192   IN TXT "seen at spam traps"
7.2.0.192    IN A   127.255.255.254
`)
	if err != nil {
		panic(err)
	}
	cat, err := dnsbl.ParseCatalog([]byte(`{"version": "example", "lists": [
		{"zone": "bl.example", "kinds": ["ipv4"], "class": "major", "default": true,
		 "codes": [{"code": "127.0.0.2", "meaning": "spam source"}]}]}`))
	if err != nil {
		panic(err)
	}
	var targets []dnsbl.Target
	for _, a := range []string{"192.0.2.99", "192.0.2.1", "192.0.2.7"} {
		targets = append(targets, dnsbl.AddressTarget(netip.MustParseAddr(a)))
	}
	data, sec := dnsbl.Query(context.Background(), check.Env{Resolver: zone}, targets, dnsbl.Options{Catalog: cat})
	for _, a := range data.Answers {
		fmt.Printf("%-10s %-10s %-8s %q\n", a.Target, a.Verdict, a.Status, a.Reason)
	}
	fmt.Println(data.Lists[0].Health[0].Status)
	for _, f := range sec.Findings {
		fmt.Println(f.ID, f.Severity, f.Inconclusive)
	}
	fmt.Println(sec.Status)
	// Output:
	// 192.0.2.99 listed     listed   "seen at spam traps"
	// 192.0.2.1  not_listed clean    ""
	// 192.0.2.7  refused    unknown  ""
	// healthy
	// dnsbl.ip.listed.major critical false
	// dnsbl.query.refused medium true
	// fail
}

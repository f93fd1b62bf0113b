package resolver_test

import (
	"context"
	"fmt"

	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// A Resolver answers questions; ZoneText builds one from a zone, offline.
func ExampleZoneText() {
	r, err := resolver.ZoneText("example.com.", `
$TTL 300
@    IN SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 300
@    IN MX  10 mx.example.com.
@    IN TXT "v=spf1 mx -all"
mx   IN A   192.0.2.25
`)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	mx, err := r.Lookup(ctx, "example.com.", dns.TypeMX)
	fmt.Println(mx.Outcome, len(mx.RRs), err)
	none, _ := r.Lookup(ctx, "nothere.example.com.", dns.TypeA)
	fmt.Println(none.Outcome)
	// A name outside the zone is unknown (REFUSED), never "absent".
	_, err = r.Lookup(ctx, "other.test.", dns.TypeA)
	fmt.Println(resolver.KindOf(err))
	// Output:
	// found 1 <nil>
	// nxdomain
	// refused
}

// LookupTXT reads the TXT strings of a name, joined per record as RFC 7208
// §3.3 says.
func ExampleLookupTXT() {
	r, _ := resolver.ZoneText("example.com.", `
@ IN SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 300
_dmarc IN TXT "v=DMARC1; p=reject; " "rua=mailto:d@example.com"
`)
	txts, _, err := resolver.LookupTXT(context.Background(), r, "_dmarc.example.com.")
	for _, t := range txts {
		fmt.Println(t.Text())
	}
	fmt.Println(err)
	// Output:
	// v=DMARC1; p=reject; rua=mailto:d@example.com
	// <nil>
}

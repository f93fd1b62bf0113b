package spf_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/mailcheck/mailcheck/pkg/spf"
)

// zone is a shop that sends from its own network and through a provider.
const zone = `
$TTL 300
@         IN SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 300
@         IN MX  10 mx.example.com.
@         IN TXT "v=spf1 ip4:192.0.2.0/24 include:_spf.esp.example.com ~all"
_spf.esp  IN TXT "v=spf1 ip4:198.51.100.0/24 -all"
mx        IN A   192.0.2.25
`

// Parse reads one record: its terms, and which of them query the DNS
// (RFC 7208 §4.6.4 counts them against the limit of 10).
func ExampleParse() {
	rec, err := spf.Parse("v=spf1 ip4:192.0.2.0/24 include:_spf.example.net mx -all")
	fmt.Println(err)
	for _, t := range rec.Terms {
		fmt.Println(t.String(), t.Queries())
	}
	// Output:
	// <nil>
	// ip4:192.0.2.0/24 false
	// include:_spf.example.net true
	// mx true
	// -all false
}

// A record with syntax errors gives every term that parsed and a
// *SyntaxError naming each one that did not, with a typed reason.
func ExampleParse_syntaxError() {
	_, err := spf.Parse("v=spf1 ip4:192.0.2.0/33 a:example.com -all")
	var se *spf.SyntaxError
	if errors.As(err, &se) {
		for _, te := range se.Errs {
			fmt.Println(te.Index, te.Term, te.Reason, te.N, te.Max)
		}
	}
	fmt.Println(errors.Is(err, spf.ErrSyntax))
	// Output:
	// 1 ip4:192.0.2.0/33 cidr_too_long 33 32
	// true
}

// Evaluate runs check_host() (RFC 7208 §4) for one client, as a receiver
// does, and says which term decided.
func ExampleEvaluate() {
	r, err := resolver.ZoneText("example.com.", zone)
	if err != nil {
		panic(err)
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, ip := range []string{"198.51.100.7", "203.0.113.9"} {
		ev := spf.Evaluate(context.Background(), r, spf.Query{
			IP: netip.MustParseAddr(ip), Sender: "orders@example.com", HELO: "mx.example.com", Now: now})
		fmt.Println(ip, ev.Result, ev.Term, ev.TermDomain, ev.Lookups)
	}
	// Output:
	// 198.51.100.7 pass include:_spf.esp.example.com example.com 1
	// 203.0.113.9 softfail ~all example.com 1
}

// Analyze checks a domain's policy: the include tree with what each branch
// costs, the worst-case counts, and the findings (IDs and parameters; the
// words are in the catalogs).
func ExampleAnalyze() {
	r, err := resolver.ZoneText("example.com.", zone)
	if err != nil {
		panic(err)
	}
	data, findings := spf.Analyze(context.Background(), check.Env{Resolver: r}, dnsname.MustParse("example.com"), spf.Options{})
	fmt.Println(data.Record)
	fmt.Println(data.DNSTerms, data.VoidIPv4, data.VoidIPv6)
	for _, n := range data.Tree.Children {
		fmt.Println(n.Via, n.Domain, n.Cost, n.Status)
	}
	for _, f := range findings {
		fmt.Println(f.ID, f.Severity, f.Inconclusive)
	}
	// Output:
	// v=spf1 ip4:192.0.2.0/24 include:_spf.esp.example.com ~all
	// 1 0 0
	// include _spf.esp.example.com 1 ok
	// spf.all.softfail info false
}

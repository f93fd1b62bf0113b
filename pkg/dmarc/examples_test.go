package dmarc_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/mailcheck/mailcheck/pkg/taglist"
)

// exampleZone (com.): the organizational domain publishes a policy;
// shop.example.com has none of its own and inherits it.
const exampleZone = `
$TTL 300
@                IN SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 300
example          IN MX  10 mx.example.com.
mx.example       IN A   192.0.2.25
_dmarc.example   IN TXT "v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:dmarc@example.com"
shop.example     IN MX  10 mx.example.com.
`

// Parse reads a record; Effective* apply the defaults of RFC 9989 §4.7.
// Invalid tag values are typed problems, so the rest can still be used.
func ExampleParse() {
	rec, err := dmarc.Parse("v=DMARC1; p=quarantine; adkim=x; rua=mailto:d@example.com")
	fmt.Println(err)
	fmt.Println(rec.EffectivePolicy(), rec.EffectiveSubdomainPolicy(), rec.EffectiveNonexistentPolicy())
	for _, p := range rec.Problems {
		fmt.Println(p.Tag, p.Kind, p.Value)
	}
	fmt.Println(rec.RUA[0].Address, rec.Valid())
	// Output:
	// <nil>
	// quarantine quarantine quarantine
	// adkim alignment x
	// d@example.com false
}

// A malformed tag list is ErrSyntax, wrapping the *taglist.Error that says
// where; tag names are case-insensitive.
func ExampleParse_syntaxError() {
	_, err := dmarc.Parse("v=DMARC1; P=reject; p=none")
	var te *taglist.Error
	fmt.Println(errors.Is(err, dmarc.ErrSyntax), errors.As(err, &te))
	fmt.Println(te.Kind, te.Tag, te.Index)
	_, err = dmarc.Parse("v=spf1 -all")
	fmt.Println(errors.Is(err, dmarc.ErrNotDMARC))
	// Output:
	// true true
	// duplicate p 3
	// true
}

// Discover walks the DNS tree of RFC 9989 §4.10: the policy that applies
// to shop.example.com is the organizational domain's.
func ExampleDiscover() {
	r, err := resolver.ZoneText("com.", exampleZone)
	if err != nil {
		panic(err)
	}
	disc := dmarc.Discover(context.Background(), r, dnsname.MustParse("shop.example.com"))
	for _, s := range disc.Steps {
		fmt.Println(s.Domain, s.Result)
	}
	fmt.Println(disc.Steps[disc.Found].Domain, disc.OrgDomain)
	// Output:
	// shop.example.com none
	// example.com record
	// com none
	// example.com example.com
}

// Analyze checks a domain's DMARC: the policy that applies to its mail
// (here sp=, since the record is inherited and the domain exists), and the
// findings by ID (their words are in the catalogs).
func ExampleAnalyze() {
	r, err := resolver.ZoneText("com.", exampleZone)
	if err != nil {
		panic(err)
	}
	data, findings := dmarc.Analyze(context.Background(), check.Env{Resolver: r}, dnsname.MustParse("shop.example.com"), dmarc.Options{})
	fmt.Println(data.PolicyDomain, data.Inherited, data.EffectivePolicy, data.EffectivePolicySource)
	for _, f := range findings {
		fmt.Println(f.ID, f.Severity)
	}
	// Output:
	// example.com true quarantine sp
	// dmarc.sp.weaker medium
	// dmarc.inherited info
}

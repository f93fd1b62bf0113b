package zone

import (
	"reflect"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

const lookupZone = `$ORIGIN shop.example.
$TTL 3600
@ SOA ns1 hostmaster 7 3600 600 1209600 300
@ MX 10 mx
mx A 192.0.2.1
*.wild TXT "any"
a.b.c A 192.0.2.2
`

func loadLookupZone(t *testing.T) *Data {
	t.Helper()
	d := New()
	if err := d.Load(strings.NewReader(lookupZone), "shop.example.", "lookup.zone"); err != nil {
		t.Fatal(err)
	}
	return d
}

// A negative answer carries the zone's SOA, a copy of its own each time:
// a caller may change its TTL without touching the zone or other answers.
func TestNegativeAnswerSOA(t *testing.T) {
	d := loadLookupZone(t)
	soa := d.apexes["shop.example."]
	for _, q := range []struct {
		name  string
		qtype uint16
		rcode int
	}{
		{"nope.shop.example.", dns.TypeA, dns.RcodeNameError},
		{"mx.shop.example.", dns.TypeAAAA, dns.RcodeSuccess}, // NODATA
		{"b.c.shop.example.", dns.TypeA, dns.RcodeSuccess},   // empty non-terminal
	} {
		res := d.Lookup(q.name, q.qtype)
		if res.Rcode != q.rcode || len(res.Answer) != 0 || len(res.Authority) != 1 {
			t.Fatalf("%s: %+v", q.name, res)
		}
		got := res.Authority[0].(*dns.SOA)
		if got == soa || !reflect.DeepEqual(got, dns.Copy(soa)) {
			t.Errorf("%s: authority %v, want a copy of %v", q.name, got, soa)
		}
		got.Hdr.Ttl, got.Serial = 1, 99
		if soa.Hdr.Ttl == 1 || soa.Serial == 99 {
			t.Fatal("changing the answer changed the zone")
		}
	}
	a, b := d.Lookup("x.shop.example.", dns.TypeA), d.Lookup("y.shop.example.", dns.TypeA)
	if a.Authority[0] == b.Authority[0] {
		t.Error("two answers share one SOA")
	}
}

// Wildcards answer for names that do not exist below their parent, owned
// by the query name (RFC 4592 §3.3.1), and not for the parent itself.
func TestWildcardLookup(t *testing.T) {
	d := loadLookupZone(t)
	res := d.Lookup("Anything.Wild.shop.example", dns.TypeTXT)
	if res.Rcode != dns.RcodeSuccess || len(res.Answer) != 1 || res.Answer[0].Header().Name != "anything.wild.shop.example." {
		t.Fatalf("wildcard: %+v", res)
	}
	if res := d.Lookup("a.b.wild.shop.example.", dns.TypeTXT); len(res.Answer) != 1 {
		t.Errorf("deeper name under the wildcard: %+v", res)
	}
	if res := d.Lookup("x.mx.shop.example.", dns.TypeTXT); res.Rcode != dns.RcodeNameError {
		t.Errorf("no wildcard there: %+v", res)
	}
	if n := testing.AllocsPerRun(50, func() { d.Lookup("nope.shop.example.", dns.TypeA) }); n > 1 {
		t.Errorf("an NXDOMAIN answer costs %v allocations, want 1 (the SOA and its slice)", n)
	}
}

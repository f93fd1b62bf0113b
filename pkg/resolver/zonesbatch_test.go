package resolver_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// A batch from zone files answers each question as Lookup does, in order:
// records, aliases, NODATA, NXDOMAIN, a name outside the files (refused)
// and a bad name; and a canceled context is each question's error.
func TestZonesLookupBatch(t *testing.T) {
	z, err := resolver.ZoneText("example.com.", `
$TTL 300
@     IN SOA ns.example.com. host.example.com. 1 3600 600 86400 300
@     IN MX 10 mx.example.com.
mx    IN A 192.0.2.25
www   IN CNAME mx.example.com.
@     IN TXT "v=spf1 -all"
`)
	if err != nil {
		t.Fatal(err)
	}
	qs := []resolver.Question{
		{Name: "example.com.", Type: dns.TypeMX},
		{Name: "www.example.com.", Type: dns.TypeA},
		{Name: "mx.example.com.", Type: dns.TypeAAAA},
		{Name: "nothing.example.com.", Type: dns.TypeTXT},
		{Name: "example.org.", Type: dns.TypeTXT},
		{Name: "bad..example.com.", Type: dns.TypeTXT},
		{Name: "example.com.", Type: dns.TypeTXT},
	}
	ctx := context.Background()
	got := resolver.LookupBatch(ctx, z, qs, 0)
	for i, q := range qs {
		ans, err := z.Lookup(ctx, q.Name, q.Type)
		if !reflect.DeepEqual(got[i].Answer, ans) || !reflect.DeepEqual(got[i].Err, err) {
			t.Errorf("%s %s: batch %+v %v, lookup %+v %v", q.Name, dns.TypeToString[q.Type], got[i].Answer, got[i].Err, ans, err)
		}
	}
	if len(got[0].Answer.RRs) != 1 || got[4].Err == nil || got[6].Err != nil {
		t.Errorf("answers not as the zone says: %+v", got)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	for i, r := range resolver.LookupBatch(canceled, z, qs[:2], 0) {
		if resolver.KindOf(r.Err) != resolver.KindCanceled {
			t.Errorf("question %d with a canceled context: %v", i, r.Err)
		}
	}
}

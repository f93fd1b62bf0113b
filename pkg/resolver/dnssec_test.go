package resolver_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

func signedShop(t *testing.T) *dnstest.Signed {
	return dnstest.Sign(t, "shop.example.", "@ SOA ns.shop.example. h.shop.example. 1 3600 600 86400 300\n@ MX 10 mx.shop.example.\n", dnstest.SignOptions{Corrupt: []string{"shop.example. MX"}})
}

// The DNSSEC query sets DO (so RRSIGs come back), keeps SERVFAIL as a
// reply, and sets CD on demand: with it the bogus MX answers.
func TestQueryDNSSECBits(t *testing.T) {
	s := signedShop(t)
	v := dnstest.StartValidating(t, dnstest.ValidatingOptions{Anchors: s.Anchor()}, dnstest.ZoneText("shop.example.", s.Text))
	c := resolver.NewCache(v.Resolver(t))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	rep, err := resolver.QueryDNSSEC(ctx, c, "shop.example", dns.TypeSOA, false)
	if err != nil || rep.Rcode != dns.RcodeSuccess || !rep.Authentic {
		t.Fatalf("SOA: %+v %v", rep, err)
	}
	sigs := 0
	for _, rr := range rep.Answer {
		if rr.Header().Rrtype == dns.TypeRRSIG {
			sigs++
		}
	}
	if sigs != 1 {
		t.Errorf("SOA with DO: %d RRSIGs", sigs)
	}

	rep, err = resolver.QueryDNSSEC(ctx, c, "shop.example", dns.TypeMX, false)
	if err != nil || rep.Rcode != dns.RcodeServerFailure || len(rep.Extended) != 1 || rep.Extended[0].Code != dns.ExtendedErrorCodeDNSBogus {
		t.Fatalf("bogus MX without CD: %+v %v", rep, err)
	}
	rep, err = resolver.QueryDNSSEC(ctx, c, "shop.example", dns.TypeMX, true)
	if err != nil || rep.Rcode != dns.RcodeSuccess || rep.Authentic || len(rep.Answer) != 2 {
		t.Fatalf("bogus MX with CD: %+v %v", rep, err)
	}
	// The ordinary lookup sees the SERVFAIL as an error, as before.
	if _, err := c.Lookup(ctx, "shop.example", dns.TypeMX); !errors.Is(err, resolver.ErrServFail) {
		t.Errorf("Lookup: %v", err)
	}
}

// A resolver that cannot send DNSSEC queries says so.
func TestQueryDNSSECUnsupported(t *testing.T) {
	var r resolver.Resolver = lookupOnly{}
	if _, err := resolver.QueryDNSSEC(context.Background(), r, "shop.example", dns.TypeSOA, false); !errors.Is(err, resolver.ErrNoDNSSEC) {
		t.Errorf("err %v", err)
	}
}

type lookupOnly struct{}

func (lookupOnly) Lookup(context.Context, string, uint16) (resolver.Answer, error) {
	return resolver.Answer{}, nil
}

// Offline, the zone files answer with their RRSIGs and list them per zone.
func TestZonesDNSSEC(t *testing.T) {
	s := signedShop(t)
	path := filepath.Join(t.TempDir(), "shop.example.zone")
	if err := os.WriteFile(path, []byte(s.Text), 0o644); err != nil {
		t.Fatal(err)
	}
	z, err := resolver.LoadZones(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := resolver.QueryDNSSEC(context.Background(), resolver.NewCache(z), "mx.shop.example", dns.TypeA, false)
	if err != nil || !rep.Offline || rep.Rcode != dns.RcodeNameError || len(rep.Authority) != 2 {
		t.Fatalf("negative answer %+v %v", rep, err)
	}
	rrs, err := resolver.NewCache(z).ZoneRecords("shop.example.", dns.TypeRRSIG)
	if err != nil || len(rrs) != 4 { // SOA, MX, DNSKEY, NSEC
		t.Fatalf("RRSIGs %d %v", len(rrs), err)
	}
	// Read once per (apex, type): a change to the file is not seen, and a
	// caller's change to its copy does not reach the next caller.
	rrs[0].Header().Name = "changed.example."
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := z.ZoneRecords("shop.example.", dns.TypeRRSIG)
	if err != nil || len(again) != 4 || again[0].Header().Name == "changed.example." {
		t.Fatalf("second listing %d %v %v", len(again), err, again)
	}
	if rep, _ := z.QueryDNSSEC(context.Background(), "other.example", dns.TypeSOA, false); rep.Rcode != dns.RcodeRefused {
		t.Errorf("outside the files: rcode %d", rep.Rcode)
	}
}

// The run's cache asks each (name, type, CD) once, however many ask at
// once, and counts it in Stats.
func TestCacheDNSSECOnce(t *testing.T) {
	s := signedShop(t)
	v := dnstest.StartValidating(t, dnstest.ValidatingOptions{Anchors: s.Anchor()}, dnstest.ZoneText("shop.example.", s.Text))
	c := resolver.NewCache(v.Resolver(t))
	ctx := context.Background()
	done := make(chan struct{})
	for i := 0; i < 8; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			_, _ = c.QueryDNSSEC(ctx, "shop.example", dns.TypeDNSKEY, i%2 == 0)
		}()
	}
	for i := 0; i < 8; i++ {
		<-done
	}
	if n := len(v.Log()); n != 2 {
		t.Errorf("%d queries upstream, want 2 (with and without CD)", n)
	}
	if st := c.Stats(); st.Lookups != 8 || st.Distinct != 2 {
		t.Errorf("stats %+v", st)
	}
}

package resolver_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// Thousands of concurrent questions over the shared sockets: every one gets
// its own answer. (A reply's ID is free again as soon as it is delivered;
// the query that next takes it must not lose its entry when the previous
// owner cleans up.)
func TestClientSharedSocketsManyQueries(t *testing.T) {
	t.Parallel()
	srv := dnstest.Start(t, dnstest.ZoneText("many.example.", "@ SOA ns. h. 1 1 1 1 1\n* TXT \"v=any\"\n"))
	c, err := resolver.NewClient(resolver.ClientOptions{Server: srv.Addr, Timeout: 5 * time.Second, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	const n = 6000
	var failed, wrong atomic.Int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, 256)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			name := fmt.Sprintf("n%d.many.example", i)
			ans, err := c.Lookup(context.Background(), name, dns.TypeTXT)
			switch {
			case err != nil:
				failed.Add(1)
			case len(ans.RRs) != 1 || ans.RRs[0].Header().Name != name+".":
				wrong.Add(1)
			}
		}()
	}
	wg.Wait()
	if failed.Load() != 0 || wrong.Load() != 0 {
		t.Fatalf("%d of %d lookups failed, %d got another question's answer", failed.Load(), n, wrong.Load())
	}
	if got := srv.Queries(); got != n {
		t.Errorf("server got %d queries for %d questions (retries mean lost replies)", got, n)
	}
}

// A query whose caller gives up leaves nothing behind: the next ones on the
// same sockets still work, and a late reply goes nowhere.
func TestClientSharedSocketsCanceled(t *testing.T) {
	t.Parallel()
	srv := dnstest.Start(t, dnstest.ZoneText("late.example.", "@ SOA ns. h. 1 1 1 1 1\nslow TXT \"x\"\nfast TXT \"y\"\n"))
	srv.SetFault("slow.late.example", 0, dnstest.Delay(300*time.Millisecond))
	c := srv.Resolver(t)
	for range 8 {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		_, err := c.Lookup(ctx, "slow.late.example", dns.TypeTXT)
		cancel()
		if err == nil {
			t.Fatal("a lookup past its deadline succeeded")
		}
	}
	for range 8 {
		if _, err := c.Lookup(context.Background(), "fast.late.example", dns.TypeTXT); err != nil {
			t.Fatalf("after canceled lookups: %v", err)
		}
	}
}

// resolv.conf with several nameservers: a silent, failing or refusing first
// server hands the question to the next, as the system resolver does.
func TestClientFallbacks(t *testing.T) {
	t.Parallel()
	zone := dnstest.ZoneText("fb.example.", "@ SOA ns. h. 1 1 1 1 1\nwww A 192.0.2.1\n")
	for _, tc := range []struct {
		name  string
		fault dnstest.Fault
	}{{"silent", dnstest.Silence}, {"servfail", dnstest.ServFail}, {"refused", dnstest.Refused}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bad := dnstest.Start(t, zone)
			bad.SetFault("www.fb.example", 0, tc.fault)
			good := dnstest.Start(t, zone)
			c, err := resolver.NewClient(resolver.ClientOptions{Server: bad.Addr, Fallbacks: []string{good.Addr},
				Timeout: 200 * time.Millisecond, Retries: -1})
			if err != nil {
				t.Fatal(err)
			}
			ans, err := c.Lookup(context.Background(), "www.fb.example", dns.TypeA)
			if err != nil || ans.Outcome != resolver.Found {
				t.Fatalf("got %v, %v; want the second server's answer", ans.Outcome, err)
			}
			if bad.Queries() != 1 || good.Queries() != 1 {
				t.Errorf("queries: first %d, second %d; want 1 and 1", bad.Queries(), good.Queries())
			}
		})
	}
	t.Run("all fail", func(t *testing.T) {
		t.Parallel()
		a, b := dnstest.Start(t, zone), dnstest.Start(t, zone)
		a.SetFault("www.fb.example", 0, dnstest.ServFail)
		b.SetFault("www.fb.example", 0, dnstest.ServFail)
		c, _ := resolver.NewClient(resolver.ClientOptions{Server: a.Addr, Fallbacks: []string{b.Addr}, Timeout: time.Second})
		_, err := c.Lookup(context.Background(), "www.fb.example", dns.TypeA)
		if resolver.KindOf(err) != resolver.KindServFail {
			t.Fatalf("got %v, want SERVFAIL: unknown, never an answer", err)
		}
		if a.Queries() != 1 || b.Queries() != 1 {
			t.Errorf("queries %d and %d: an answered SERVFAIL is not retried", a.Queries(), b.Queries())
		}
	})
}

func TestSystemOptions(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "resolv.conf")
	conf := "# comment\nnameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 2001:db8::53\noptions timeout:2 attempts:3 rotate\n"
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	o, err := resolver.SystemOptions(path)
	if err != nil {
		t.Fatal(err)
	}
	if o.Server != "192.0.2.1:53" || len(o.Fallbacks) != 2 || o.Fallbacks[0] != "192.0.2.2:53" || o.Fallbacks[1] != "[2001:db8::53]:53" {
		t.Errorf("servers %q then %q", o.Server, o.Fallbacks)
	}
	if o.Timeout != 2*time.Second || o.Retries != 2 || !o.Rotate {
		t.Errorf("timeout %v retries %d rotate %v; want 2s, 2, true", o.Timeout, o.Retries, o.Rotate)
	}
	c, err := resolver.NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Servers(); len(got) != 3 {
		t.Errorf("client servers %q", got)
	}
	if err := os.WriteFile(path, []byte("search example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := resolver.SystemOptions(path); err == nil {
		t.Error("a resolv.conf without nameserver gave no error")
	}
}

// options rotate: each query starts at the next server in turn.
func TestClientRotate(t *testing.T) {
	t.Parallel()
	zone := dnstest.ZoneText("rot.example.", "@ SOA ns. h. 1 1 1 1 1\n* A 192.0.2.1\n")
	a, b := dnstest.Start(t, zone), dnstest.Start(t, zone)
	c, err := resolver.NewClient(resolver.ClientOptions{Server: a.Addr, Fallbacks: []string{b.Addr}, Rotate: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if _, err := c.Lookup(context.Background(), fmt.Sprintf("n%d.rot.example", i), dns.TypeA); err != nil {
			t.Fatal(err)
		}
	}
	if a.Queries() != 5 || b.Queries() != 5 {
		t.Errorf("queries %d and %d, want 5 and 5 with rotate", a.Queries(), b.Queries())
	}
}

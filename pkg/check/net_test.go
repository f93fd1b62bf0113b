package check_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/httpstest"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/check"
)

// recorder dials only the addresses it has a route for, and records every
// address it was asked for.
type recorder struct {
	mu     sync.Mutex
	routes map[string]string
	asked  []string
}

func (r *recorder) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	r.mu.Lock()
	r.asked = append(r.asked, network+" "+addr)
	to, ok := r.routes[addr]
	r.mu.Unlock()
	if !ok {
		return nil, errors.New("no route to " + addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", to)
}

const zone = `@ SOA ns.shop.example. h.shop.example. 1 3600 600 86400 300
www A 192.0.2.1
www AAAA 2001:db8::1
v6only AAAA 2001:db8::2
`

func TestResolvingDialer(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("shop.example.", zone))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	rec := &recorder{routes: map[string]string{"[2001:db8::1]:25": ln.Addr().String(), "192.0.2.9:25": ln.Addr().String()}}
	d := check.ResolvingDialer{Resolver: srv.Resolver(t), Dialer: rec}
	ctx := context.Background()

	// A first; the AAAA address is tried when the A address fails.
	c, err := d.DialContext(ctx, "tcp", "www.shop.example:25")
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if got := strings.Join(rec.asked, ", "); got != "tcp 192.0.2.1:25, tcp [2001:db8::1]:25" {
		t.Errorf("dialed %s", got)
	}
	// The family of the network decides the record type.
	rec.asked = nil
	if _, err := d.DialContext(ctx, "tcp4", "v6only.shop.example:25"); !errors.Is(err, check.ErrNoAddress) {
		t.Errorf("tcp4 to an IPv6-only host: %v", err)
	}
	if len(rec.asked) != 0 {
		t.Errorf("dialed %v", rec.asked)
	}
	// A literal is dialed as is, without DNS.
	before := srv.Queries()
	c, err = d.DialContext(ctx, "tcp", "192.0.2.9:25")
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if srv.Queries() != before {
		t.Errorf("a literal address was looked up")
	}
	// The names were asked of the given resolver, and nothing else.
	for _, want := range []string{"www.shop.example.", "v6only.shop.example."} {
		found := false
		for _, q := range srv.Log() {
			found = found || q.Name == want
		}
		if !found {
			t.Errorf("%s not asked of the resolver", want)
		}
	}
}

// The HTTP client dials through the given dialer only and verifies
// certificates at the given clock: a certificate valid only ten years from
// the suite's clock passes at that instant and fails at the suite's clock.
func TestHTTPClientVia(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("shop.example.", zone))
	ca := httpstest.NewCA(t)
	later := testclock.Now().Add(9 * 365 * 24 * time.Hour)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	https := httpstest.Serve(t, h, ca.Issue(t, []string{"www.shop.example"}, later.Add(-time.Hour), later.Add(time.Hour)))
	rec := &recorder{routes: map[string]string{"192.0.2.1:443": https.Listener.Addr().String()}}
	d := check.ResolvingDialer{Resolver: srv.Resolver(t), Dialer: rec}
	base := httpstest.NewRouter().Client(ca) // its own dialer must not be used

	get := func(now func() time.Time) error {
		c := check.HTTPClientVia(base, d, now)
		resp, err := c.Get("https://www.shop.example/")
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := get(func() time.Time { return later }); err != nil {
		t.Fatalf("at the certificate's time: %v", err)
	}
	if err := get(testclock.Now); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("before the certificate's validity: %v", err)
	}
	if len(rec.asked) == 0 || rec.asked[0] != "tcp 192.0.2.1:443" {
		t.Errorf("dialed %v", rec.asked)
	}
}

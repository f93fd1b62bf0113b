package mtasts

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
)

type dialTo string

func (a dialTo) DialContext(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, string(a))
}

// mta-sts.<domain> accepts TCP and never answers the TLS handshake: the
// policy is unknown (mtasts.policy.timeout), not "cannot be fetched" (high).
func TestStalledTLSHandshakeIsUnknown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	defer func() { close(done); ln.Close() }()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { <-done; c.Close() }() // never read from, never written to
		}
	}()
	srv := dnstest.Start(t, dnstest.ZoneText("shop.example.", zoneHead+`_mta-sts IN TXT "v=STSv1; id=1"`+"\n"))
	client := check.HTTPClientVia(&http.Client{Transport: &http.Transport{TLSHandshakeTimeout: 150 * time.Millisecond}},
		dialTo(ln.Addr().String()), testclock.Func())
	env := check.Env{Resolver: srv.Resolver(t), HTTPClient: client, Now: testclock.Func()}
	sec := Check(context.Background(), env, dnsname.MustParse("shop.example"), Options{FetchTimeout: 5 * time.Second})
	if sec.Status != report.StatusUnknown || len(sec.Findings) != 1 || sec.Findings[0].ID != "mtasts.policy.timeout" {
		t.Errorf("status %s, findings %+v", sec.Status, sec.Findings)
	}
}

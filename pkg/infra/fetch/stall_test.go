package fetch_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/infra/fetch"
)

// stallServer accepts TCP connections on loopback and never sends a byte:
// a TLS handshake to it stalls.
func stallServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { <-done; c.Close() }()
		}
	}()
	return ln.Addr().String()
}

type toAddr string

func (a toAddr) DialContext(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, string(a))
}

// A stalled TLS handshake is a timeout (unknown), like a stalled response,
// whether the transport's handshake limit or the fetch deadline ends it.
func TestStalledHandshakeIsTimeout(t *testing.T) {
	addr := stallServer(t)
	base := &http.Client{Transport: &http.Transport{TLSHandshakeTimeout: 150 * time.Millisecond}}
	client := check.HTTPClientVia(base, toAddr(addr), testclock.Func())
	for _, lim := range []fetch.Limits{{Timeout: 5 * time.Second}, {Timeout: 150 * time.Millisecond}} {
		_, err := fetch.Get(context.Background(), client, "https://mta-sts.shop.example/.well-known/mta-sts.txt", lim)
		if !errors.Is(err, fetch.ErrTimeout) {
			t.Errorf("fetch limit %s: %v, want ErrTimeout", lim.Timeout, err)
		}
	}
}

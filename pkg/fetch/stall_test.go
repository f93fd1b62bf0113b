package fetch_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/httpstest"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/fetch"
)

// A stalled TLS handshake is a timeout (unknown), like a stalled response,
// whether the transport's handshake limit or the fetch deadline ends it.
func TestStalledHandshakeIsTimeout(t *testing.T) {
	addr := httpstest.Stalled(t)
	base := &http.Client{Transport: &http.Transport{TLSHandshakeTimeout: 150 * time.Millisecond}}
	client := check.HTTPClientVia(base, httpstest.DialTo(addr), testclock.Func())
	for _, lim := range []fetch.Limits{{Timeout: 5 * time.Second}, {Timeout: 150 * time.Millisecond}} {
		_, err := fetch.Get(context.Background(), client, "https://mta-sts.shop.example/.well-known/mta-sts.txt", lim)
		if !errors.Is(err, fetch.ErrTimeout) {
			t.Errorf("fetch limit %s: %v, want ErrTimeout", lim.Timeout, err)
		}
	}
}

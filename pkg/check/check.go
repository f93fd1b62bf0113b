// Package check holds what every check is given: its only doors to the
// world. A check reads DNS through Env.Resolver, dials through Env.Dialer,
// fetches through Env.HTTPClient and reads the clock through Env.Now, so
// tests can point each at loopback servers and a fixed time.
//
// A nil Dialer and HTTPClient mean an offline run (--zone): a check then
// opens no socket and reports what needs the network as skipped. A CLI run
// gets a ResolvingDialer, so every host name it connects to is resolved by
// Env.Resolver, and an HTTP client built with HTTPClientVia over it.
package check

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// Dialer opens network connections; *net.Dialer satisfies it.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Env is passed to every check.
type Env struct {
	Resolver   resolver.Resolver
	Dialer     Dialer
	HTTPClient *http.Client
	Now        func() time.Time
	// NoDisplay tells the checks that nothing will render
	// Section.Display (JSON and JSON Lines carry Data, not Display): a
	// check may leave it empty instead of building tables and facts no one
	// reads, a tenth of a bulk run's allocations. Findings, Data, Summary
	// and Status are the same either way.
	NoDisplay bool
}

// Clock returns Env.Now, or time.Now when it is unset.
func (e Env) Clock() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

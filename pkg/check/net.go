package check

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// ResolvingDialer dials "host:port" by looking the host up through Resolver
// (A, then AAAA) and dialing the addresses it returns through Dialer, one
// after the other until one connects. So every name mailcheck connects to,
// for any protocol, is resolved by mailcheck's own resolver (--resolver,
// --zone) and never by /etc/resolv.conf or the Go net resolver, and Dialer
// only ever sees IP addresses. An address literal is dialed as is.
type ResolvingDialer struct {
	Resolver resolver.Resolver
	Dialer   Dialer
}

// ErrNoAddress is returned when the host has no address of the network's
// family.
var ErrNoAddress = errors.New("no address for host")

// DialContext implements Dialer.
func (d ResolvingDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if d.Dialer == nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("no dialer (offline run)")}
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return d.Dialer.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
	}
	if d.Resolver == nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("%s: no resolver", host)}
	}
	var qtypes []uint16
	switch network {
	case "tcp4", "udp4":
		qtypes = []uint16{dns.TypeA}
	case "tcp6", "udp6":
		qtypes = []uint16{dns.TypeAAAA}
	default:
		qtypes = []uint16{dns.TypeA, dns.TypeAAAA}
	}
	var addrs []netip.Addr
	var lookupErr error
	for _, qt := range qtypes {
		as, _, err := resolver.LookupAddrs(ctx, d.Resolver, dns.Fqdn(host), qt)
		if err != nil {
			lookupErr = err
			continue
		}
		addrs = append(addrs, as...)
	}
	if len(addrs) == 0 {
		if lookupErr != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("looking up %s: %w", host, lookupErr)}
		}
		return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("%w %s", ErrNoAddress, host)}
	}
	var firstErr error
	for _, a := range addrs {
		c, err := d.Dialer.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return c, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, firstErr
}

// HTTPClientVia returns a copy of base (nil: a plain client) whose every
// connection goes through dialer and whose certificates are verified at
// now (crypto/tls uses the wall clock unless tls.Config.Time is set): no
// proxy from the environment, no dialer of its own, no other door. The
// base client's roots and TLS settings are kept, and redirects are never
// followed (RFC 8461 §3.3 for MTA-STS; no check wants one).
func HTTPClientVia(base *http.Client, dialer Dialer, now func() time.Time) *http.Client {
	c := &http.Client{}
	if base != nil {
		*c = *base
	}
	var tr *http.Transport
	if t, ok := c.Transport.(*http.Transport); ok && t != nil {
		tr = t.Clone()
	} else {
		tr = &http.Transport{
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 30 * time.Second,
			MaxIdleConns:          16,
			IdleConnTimeout:       30 * time.Second,
		}
	}
	tr.Proxy = nil
	tr.DialContext = dialer.DialContext
	tr.DialTLSContext = nil
	//lint:ignore SA1019 cleared so that no dial bypasses DialContext
	tr.Dial = nil
	//lint:ignore SA1019 cleared so that no dial bypasses DialContext
	tr.DialTLS = nil
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if tr.TLSClientConfig != nil {
		cfg = tr.TLSClientConfig.Clone()
	}
	if now != nil {
		cfg.Time = now
	}
	tr.TLSClientConfig = cfg
	c.Transport = tr
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

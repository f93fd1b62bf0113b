// Package httpstest serves HTTPS on 127.0.0.1 for tests of checks that
// fetch documents (MTA-STS policies, BIMI logos): a certificate authority
// made in the test, server certificates for the names a test chooses
// (right, wrong or expired), and an *http.Client, to be injected through
// check.Env.HTTPClient, whose dialer sends the chosen host names to the
// loopback server and refuses every other address, so no test leaves
// loopback.
package httpstest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/testclock"
)

// CA is a certificate authority that exists only in one test.
type CA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

// NewCA makes a CA valid from five years before testclock.Now to ten years
// after it. Like every piece of test material it takes its time from the
// suite's clock, never the machine's.
func NewCA(t testing.TB) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailcheck test CA"},
		NotBefore:             testclock.Now().Add(-5 * 365 * 24 * time.Hour),
		NotAfter:              testclock.Now().Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{cert: cert, key: key, pool: pool}
}

// Pool returns the roots to trust: this CA only.
func (ca *CA) Pool() *x509.CertPool { return ca.pool }

// Issue signs a server certificate for names, valid in [notBefore, notAfter].
func (ca *CA) Issue(t testing.TB, names []string, notBefore, notAfter time.Time) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: names[0]},
		DNSNames:     names,
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// Valid issues a certificate for names, valid at testclock.Now.
func (ca *CA) Valid(t testing.TB, names ...string) tls.Certificate {
	now := testclock.Now()
	return ca.Issue(t, names, now.Add(-time.Hour), now.Add(90*24*time.Hour))
}

// Serve starts an HTTPS server on 127.0.0.1 presenting cert, closed when
// the test ends.
func Serve(t testing.TB, h http.Handler, cert tls.Certificate) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// Router is a dialer that sends chosen "host:port" addresses to loopback
// servers and refuses all others.
type Router struct {
	mu     sync.Mutex
	routes map[string]string
	dials  map[string]int
}

// NewRouter returns an empty router.
func NewRouter() *Router { return &Router{routes: map[string]string{}, dials: map[string]int{}} }

// Route sends hostport ("mta-sts.shop.example:443") to srv.
func (r *Router) Route(hostport string, srv *httptest.Server) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.routes[strings.ToLower(hostport)] = srv.Listener.Addr().String()
}

// Dials counts the connections made to hostport.
func (r *Router) Dials(hostport string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dials[strings.ToLower(hostport)]
}

// DialContext is the transport's dialer.
func (r *Router) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	r.mu.Lock()
	to, ok := r.routes[strings.ToLower(addr)]
	if ok {
		r.dials[strings.ToLower(addr)]++
	}
	r.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("httpstest: no route to %s (tests stay on loopback)", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, to)
}

// Client returns a client that trusts only ca, dials through r and checks
// certificates at testclock.Now (as the product checks them at Env.Now). It
// is a new client each time, never http.DefaultClient.
func (r *Router) Client(ca *CA) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			DialContext:       r.DialContext,
			TLSClientConfig:   &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12, Time: testclock.Now},
			Proxy:             nil,
			DisableKeepAlives: true,
			ForceAttemptHTTP2: false,
		},
	}
}

// Stalled starts a hostile server on 127.0.0.1 that accepts TCP
// connections and never sends a byte (a TLS handshake to it stalls), closed
// when the test ends, and returns its address.
func Stalled(t testing.TB) string {
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

// DialTo is a dialer that sends every connection to one loopback address,
// whatever was asked.
type DialTo string

// DialContext dials the fixed address.
func (a DialTo) DialContext(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, string(a))
}

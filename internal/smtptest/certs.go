package smtptest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/testclock"
)

// CA is a certificate authority made for one test. Trust it by passing
// Pool to the code under test (smtpprobe.Options.Roots).
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	Pool *x509.CertPool
}

// CertOptions describe a leaf certificate. Zero NotBefore/NotAfter mean
// "valid from an hour before testclock.Now for 90 days": test material takes
// its time from the suite's clock, never the machine's, so a test that fakes
// Env.Now with testclock passes on any date.
type CertOptions struct {
	DNSNames  []string
	IPs       []net.IP
	NotBefore time.Time
	NotAfter  time.Time
}

func (o CertOptions) validity() (time.Time, time.Time) {
	nb, na := o.NotBefore, o.NotAfter
	if nb.IsZero() {
		nb = testclock.Now().Add(-time.Hour)
	}
	if na.IsZero() {
		na = nb.Add(90 * 24 * time.Hour)
	}
	return nb, na
}

// NewCA makes a CA with an ECDSA P-256 key (fast to generate).
func NewCA(t testing.TB) *CA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: serial(t),
		Subject:      pkix.Name{CommonName: "smtptest CA", Organization: []string{"mailcheck tests"}},
		// Valid long before any leaf a test issues, as real CAs are.
		NotBefore:             testclock.Now().Add(-5 * 365 * 24 * time.Hour),
		NotAfter:              testclock.Now().Add(10 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{Cert: cert, Key: key, Pool: pool}
}

// Issue makes a server certificate signed by the CA.
func (ca *CA) Issue(t testing.TB, o CertOptions) tls.Certificate {
	t.Helper()
	return leaf(t, o, ca.Cert, ca.Key)
}

// SelfSigned makes a server certificate that signs itself.
func SelfSigned(t testing.TB, o CertOptions) tls.Certificate {
	t.Helper()
	return leaf(t, o, nil, nil)
}

func leaf(t testing.TB, o CertOptions, parent *x509.Certificate, parentKey crypto.Signer) tls.Certificate {
	key := newKey(t)
	nb, na := o.validity()
	cn := "smtptest"
	if len(o.DNSNames) > 0 {
		cn = o.DNSNames[0]
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(t),
		Subject:      pkix.Name{CommonName: cn},
		DNSNames:     o.DNSNames,
		IPAddresses:  o.IPs,
		NotBefore:    nb,
		NotAfter:     na,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// ServerConfig returns a TLS server configuration for cert.
func ServerConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func serial(t testing.TB) *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

package smtpprobe

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"math"
	"time"
)

// inspectTLS records the negotiated parameters and judges the certificate
// chain the server sent: trust (a path to Options.Roots, RFC 5280 §6), the
// name (RFC 6125 §6; SMTP uses the host name dialled, RFC 7817 §3) and
// validity (RFC 5280 §4.1.2.5), each on its own so that every problem is
// reported rather than only the first that x509.Verify would return.
func inspectTLS(cs tls.ConnectionState, host string, roots *x509.CertPool, now time.Time) *TLSInfo {
	info := &TLSInfo{
		Version:    tls.VersionName(cs.Version),
		Cipher:     tls.CipherSuiteName(cs.CipherSuite),
		ServerName: cs.ServerName,
		// RFC 8996 §2: TLS 1.0 and 1.1 are deprecated.
		LegacyTLS: cs.Version < tls.VersionTLS12,
	}
	certs := cs.PeerCertificates
	if len(certs) == 0 {
		info.TrustError = "the server sent no certificate"
		info.noCertificate = true
		return info
	}
	for _, c := range certs {
		info.Chain = append(info.Chain, describeCert(c))
	}
	info.Certificates = certs
	leaf := certs[0]
	info.NotAfter = leaf.NotAfter
	info.Expired = now.After(leaf.NotAfter)
	info.NotYetValid = now.Before(leaf.NotBefore)
	info.DaysLeft = int(math.Floor(leaf.NotAfter.Sub(now).Hours() / 24))

	if err := leaf.VerifyHostname(host); err != nil {
		info.NameError = err.Error()
	} else {
		info.NameMatch = true
	}

	// Judge trust at a moment inside the leaf's validity, so that an expired
	// certificate from a trusted CA is reported as expired, not as untrusted.
	at := now
	switch {
	case info.Expired:
		at = leaf.NotAfter.Add(-time.Second)
	case info.NotYetValid:
		at = leaf.NotBefore.Add(time.Second)
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at})
	if err != nil {
		info.TrustError = err.Error()
		var ua x509.UnknownAuthorityError
		// Self-signed: issued by itself and signed with its own key.
		info.SelfSigned = errors.As(err, &ua) && bytes.Equal(leaf.RawIssuer, leaf.RawSubject) &&
			leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) == nil
	} else {
		info.Trusted = true
	}
	info.Verified = info.Trusted && info.NameMatch && !info.Expired && !info.NotYetValid
	return info
}

func describeCert(c *x509.Certificate) Cert {
	sum := sha256.Sum256(c.Raw)
	out := Cert{
		Subject:   c.Subject.String(),
		Issuer:    c.Issuer.String(),
		DNSNames:  c.DNSNames,
		NotBefore: c.NotBefore.UTC(),
		NotAfter:  c.NotAfter.UTC(),
		SHA256:    hex.EncodeToString(sum[:]),
	}
	for _, ip := range c.IPAddresses {
		out.IPAddresses = append(out.IPAddresses, ip.String())
	}
	return out
}

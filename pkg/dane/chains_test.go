package dane

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"math/big"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/testclock"

	"github.com/mailcheck/mailcheck/pkg/report"
)

func selfSigned(t *testing.T, name string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: testclock.Now().Add(-time.Hour), NotAfter: testclock.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// spki311 is the "3 1 1" record of a certificate: SHA-256 of its
// SubjectPublicKeyInfo.
func spki311(c *x509.Certificate) TLSA {
	sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return TLSA{Usage: UsageDANEEE, Selector: 1, MatchingType: 1, Data: hex.EncodeToString(sum[:])}
}

func TestCheckChains(t *testing.T) {
	served := selfSigned(t, "mx1.shop.example")
	other := selfSigned(t, "mx1.shop.example")
	pkixOnly := TLSA{Usage: 1, Selector: 1, MatchingType: 1, Data: spki311(other).Data}
	tests := []struct {
		name      string
		records   []TLSA
		authentic bool
		want      bool // a mismatch finding
	}{
		{"matching 3 1 1", []TLSA{spki311(served)}, true, false},
		{"old and new key during a rollover", []TLSA{spki311(other), spki311(served)}, true, false},
		{"stale key only", []TLSA{spki311(other)}, true, true},
		{"not validated: DANE does not apply", []TLSA{spki311(other)}, false, false},
		{"only unusable records: senders fall back", []TLSA{pkixOnly}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sec := report.Section{Check: "dane", Status: report.StatusPass, Data: &Data{Hosts: []Host{
				{Host: "mx1.shop.example", Name: "_25._tcp.mx1.shop.example", Authentic: tt.authentic, Records: tt.records},
			}}}
			CheckChains(&sec, map[string][]*x509.Certificate{"mx1.shop.example": {served}})
			got := len(sec.Findings) == 1 && sec.Findings[0].ID == "dane.tlsa.mismatch"
			if got != tt.want || (tt.want && sec.Status != report.StatusFail) || (!tt.want && len(sec.Findings) != 0) {
				t.Errorf("findings %+v, status %s", sec.Findings, sec.Status)
			}
		})
	}
}

package dkim

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"testing"
)

// fakeRSA returns base64 SPKI and PKCS#1 encodings of an RSA public key
// with a modulus of exactly bits bits. The modulus is random, not a product
// of primes: parsing and size checks do not care, and generating real
// 512- or 8192-bit keys is either refused by crypto/rsa or slow.
func fakeRSA(t testing.TB, bits int) (spki, pkcs1 string) {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), uint(bits-1)))
	if err != nil {
		t.Fatal(err)
	}
	n.SetBit(n, bits-1, 1)
	n.SetBit(n, 0, 1)
	pub := &rsa.PublicKey{N: n, E: 65537}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der), base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PublicKey(pub))
}

func ed25519Key(t testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

func TestDecodeKey(t *testing.T) {
	spki2048, _ := fakeRSA(t, 2048)
	_, pkcs1024 := fakeRSA(t, 1024)
	spki512, _ := fakeRSA(t, 512)
	spki8192, _ := fakeRSA(t, 8192)
	edPub, _ := ed25519Key(t)
	edRaw := base64.StdEncoding.EncodeToString(edPub)
	edDER, err := x509.MarshalPKIXPublicKey(edPub)
	if err != nil {
		t.Fatal(err)
	}
	edSPKI := base64.StdEncoding.EncodeToString(edDER)
	// An SPKI-wrapped Ed25519 key published as the RSA key (k= absent).
	folded := spki2048[:100] + " \t" + spki2048[100:200] + "\r\n " + spki2048[200:]

	tests := []struct {
		name       string
		k, p       string
		wantType   string
		wantBits   int
		wantFormat string
		wantErr    error
		errText    string
	}{
		{name: "rsa spki", p: spki2048, wantType: "rsa", wantBits: 2048, wantFormat: FormatSPKI},
		{name: "rsa spki with whitespace", k: "rsa", p: folded, wantType: "rsa", wantBits: 2048, wantFormat: FormatSPKI},
		{name: "rsa pkcs1 fallback", k: "rsa", p: pkcs1024, wantType: "rsa", wantBits: 1024, wantFormat: FormatPKCS1},
		{name: "rsa 512 decodes (judged later)", p: spki512, wantType: "rsa", wantBits: 512, wantFormat: FormatSPKI},
		{name: "rsa 8192", p: spki8192, wantType: "rsa", wantBits: 8192, wantFormat: FormatSPKI},
		{name: "ed25519 raw", k: "ed25519", p: edRaw, wantType: "ed25519", wantBits: 256, wantFormat: FormatRaw},
		{name: "ed25519 spki wrapped", k: "ed25519", p: edSPKI, wantErr: ErrBadKey, errText: "SubjectPublicKeyInfo"},
		{name: "ed25519 short", k: "ed25519", p: base64.StdEncoding.EncodeToString(edPub[:31]), wantErr: ErrBadKey, errText: "31 octets"},
		{name: "ed25519 key under k=rsa", p: edSPKI, wantErr: ErrBadKey, errText: "ed25519"},
		{name: "bad base64", p: "MIIB!!!!", wantErr: ErrBadKey, errText: "base64"},
		{name: "not DER", p: base64.StdEncoding.EncodeToString([]byte("hello world")), wantErr: ErrBadKey},
		{name: "unknown type", k: "dsa", p: spki2048, wantErr: ErrUnknownKeyType},
		{name: "revoked", p: "", wantErr: ErrRevoked},
		{name: "revoked with spaces", p: "  ", wantErr: ErrRevoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := DecodeKey(tt.k, tt.p)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				if tt.errText != "" && !strings.Contains(err.Error(), tt.errText) {
					t.Errorf("error %q does not mention %q", err, tt.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if key.Type != tt.wantType || key.Bits != tt.wantBits || key.Format != tt.wantFormat {
				t.Errorf("got %s %d %s, want %s %d %s", key.Type, key.Bits, key.Format, tt.wantType, tt.wantBits, tt.wantFormat)
			}
		})
	}
}

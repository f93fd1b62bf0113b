package dkim

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"math/big"
	"testing"
)

// spkiCorpus: RSA SubjectPublicKeyInfos of several sizes and exponents
// (marshalled by crypto/x509: no key generation needed), a real record's
// key, and every one of them truncated and with each byte changed.
func spkiCorpus(t testing.TB) (good, all [][]byte) {
	real, err := base64.StdEncoding.DecodeString("MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB")
	if err != nil {
		t.Fatal(err)
	}
	good = append(good, real)
	for _, bits := range []int{256, 512, 1024, 1032, 2048, 3072, 4096, 8192} {
		for _, e := range []int{3, 65537, 1<<31 - 1} {
			n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
			n.Add(n, big.NewInt(int64(bits*7+1)))
			der, err := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: n, E: e})
			if err != nil {
				t.Fatal(err)
			}
			good = append(good, der)
		}
	}
	all = append(all, good...)
	for _, g := range good[:4] {
		for i := range g {
			all = append(all, g[:i])
			for _, v := range []byte{0x00, 0x01, 0x7f, 0x80, 0x81, 0xff, g[i] ^ 0x01} {
				m := append([]byte(nil), g...)
				m[i] = v
				all = append(all, m)
			}
		}
		all = append(all, append(append([]byte(nil), g...), 0))
	}
	return good, all
}

// What parseRSASPKI accepts, crypto/x509 accepts and reads as the same
// key; the common form is accepted.
func TestParseRSASPKIAgreesWithX509(t *testing.T) {
	good, all := spkiCorpus(t)
	for _, der := range good {
		if _, ok := parseRSASPKI(der); !ok {
			t.Errorf("well-formed key not taken by the fast path: %x", der)
		}
	}
	for _, der := range all {
		checkRSASPKI(t, der)
	}
}

func checkRSASPKI(t *testing.T, der []byte) {
	fast, ok := parseRSASPKI(der)
	if !ok {
		return
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatalf("fast path took %x, x509 refuses it: %v", der, err)
	}
	rp, isRSA := pub.(*rsa.PublicKey)
	if !isRSA || rp.N.Cmp(fast.N) != 0 || rp.E != fast.E {
		t.Fatalf("fast path read %x differently: %v/%d, x509 %v", der, fast.N, fast.E, pub)
	}
}

func FuzzParseRSASPKI(f *testing.F) {
	_, all := spkiCorpus(f)
	for _, der := range all[:64] {
		f.Add(der)
	}
	f.Fuzz(checkRSASPKI)
}

func BenchmarkDecodeKeyRSA(b *testing.B) {
	const p = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeKey("rsa", p); err != nil {
			b.Fatal(err)
		}
	}
}

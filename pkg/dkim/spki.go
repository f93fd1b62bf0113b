package dkim

import (
	"bytes"
	"crypto/rsa"
	"math/big"
)

// rsaSPKIPrefix is the DER of an RSA SubjectPublicKeyInfo's algorithm
// (RFC 5280 §4.1.2.7): the rsaEncryption OID 1.2.840.113549.1.1.1 with
// the NULL parameters RFC 3279 §2.3.1 requires.
var rsaSPKIPrefix = []byte{0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00}

// parseRSASPKI reads the common form of an RSA p=: a DER
// SubjectPublicKeyInfo holding rsaEncryption with NULL parameters and an
// RSAPublicKey (RFC 8017 §A.1.1) with a positive modulus and a positive
// exponent. Anything else, even what x509.ParsePKIXPublicKey would
// accept, gives false, and the caller parses it with crypto/x509: what
// this accepts, x509 accepts too and reads as the same key (the tests
// hold it to that). x509's reflection-driven encoding/asn1 took 2 % of a
// bulk run's CPU, half of it growing the workers' stacks.
func parseRSASPKI(der []byte) (*rsa.PublicKey, bool) {
	spki, rest, ok := derElement(der, 0x30)
	if !ok || len(rest) != 0 || !bytes.HasPrefix(spki, rsaSPKIPrefix) {
		return nil, false
	}
	bits, rest, ok := derElement(spki[len(rsaSPKIPrefix):], 0x03)
	if !ok || len(rest) != 0 || len(bits) < 1 || bits[0] != 0 { // no unused bits
		return nil, false
	}
	seq, rest, ok := derElement(bits[1:], 0x30)
	if !ok || len(rest) != 0 {
		return nil, false
	}
	n, seq, ok := derElement(seq, 0x02)
	if !ok || !positiveInteger(n) {
		return nil, false
	}
	e, seq, ok := derElement(seq, 0x02)
	if !ok || len(seq) != 0 || !positiveInteger(e) || len(e) > 4 {
		return nil, false
	}
	exp := 0
	for _, b := range e {
		exp = exp<<8 | int(b)
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}, true
}

// derElement reads one DER element of the given tag (low-tag-number form)
// with a definite length in its shortest form (X.690 §10.1), and returns
// its contents and what follows.
func derElement(b []byte, tag byte) (content, rest []byte, ok bool) {
	if len(b) < 2 || b[0] != tag {
		return nil, nil, false
	}
	n, hdr := int(b[1]), 2
	if n >= 0x80 {
		octets := n & 0x7f
		if octets == 0 || octets > 3 || len(b) < 2+octets || b[2] == 0 {
			return nil, nil, false
		}
		n = 0
		for _, c := range b[2 : 2+octets] {
			n = n<<8 | int(c)
		}
		if n < 0x80 {
			return nil, nil, false // the short form was due
		}
		hdr += octets
	}
	if len(b)-hdr < n {
		return nil, nil, false
	}
	return b[hdr : hdr+n], b[hdr+n:], true
}

// positiveInteger: a DER INTEGER's contents (X.690 §8.3) in minimal
// two's complement, greater than zero.
func positiveInteger(c []byte) bool {
	if len(c) == 0 || c[0]&0x80 != 0 {
		return false
	}
	if len(c) > 1 && c[0] == 0 && c[1]&0x80 == 0 {
		return false // not minimal
	}
	for _, b := range c {
		if b != 0 {
			return true
		}
	}
	return false
}

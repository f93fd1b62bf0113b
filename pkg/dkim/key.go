package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
)

// Errors from DecodeKey; test them with errors.Is.
var (
	// ErrRevoked is an empty p= (RFC 6376 §3.6.1).
	ErrRevoked = errors.New("dkim: key revoked (empty p=)")
	// ErrUnknownKeyType is a k= other than rsa and ed25519.
	ErrUnknownKeyType = errors.New("dkim: unknown key type")
	// ErrBadKey is a p= that is not a usable key of its type: bad base64,
	// bad ASN.1, a key of another algorithm, a wrong Ed25519 length.
	ErrBadKey = errors.New("dkim: unparseable public key")
)

// Key encodings found in p=.
const (
	FormatSPKI  = "spki"  // RSA SubjectPublicKeyInfo (RFC 6376 §3.6.1)
	FormatPKCS1 = "pkcs1" // bare RSAPublicKey (RFC 6376 erratum 3017)
	FormatRaw   = "raw"   // 32 raw octets (RFC 8463 §4.2)
)

// Key is a decoded public key.
type Key struct {
	Type   string // "rsa" or "ed25519"
	Bits   int    // RSA modulus size; 256 for Ed25519
	Format string // FormatSPKI, FormatPKCS1 or FormatRaw
	Public crypto.PublicKey
}

// DecodeKey decodes p= (whitespace already removed or not) for key type k=
// ("" means rsa). RSA keys are SubjectPublicKeyInfo per RFC 6376 §3.6.1; a
// bare PKCS#1 RSAPublicKey is accepted too, as erratum 3017 proposes and as
// go-msgauth and mail-auth do, because real records use it. Ed25519 keys
// are the 32 raw octets of RFC 8463 §4.2; an SPKI-wrapped Ed25519 key (44
// octets) is an error because RFC 8463 verifiers reject it.
func DecodeKey(keyType, p string) (*Key, error) {
	p = stripFWS(p)
	if p == "" {
		return nil, ErrRevoked
	}
	if keyType == "" {
		keyType = "rsa"
	}
	if keyType != "rsa" && keyType != "ed25519" {
		return nil, &Error{Code: "unknown_type", Value: clip(keyType), Err: ErrUnknownKeyType, text: "k=" + clip(keyType)}
	}
	der, err := base64.StdEncoding.DecodeString(p)
	if err != nil {
		return nil, &Error{Code: "base64", Err: ErrBadKey, text: "p= is not valid base64: " + err.Error()}
	}
	switch keyType {
	case "rsa":
		return decodeRSA(der)
	default:
		return decodeEd25519(der)
	}
}

func decodeRSA(der []byte) (*Key, error) {
	if rsaPub, ok := parseRSASPKI(der); ok {
		return &Key{Type: "rsa", Bits: rsaPub.N.BitLen(), Format: FormatSPKI, Public: rsaPub}, nil
	}
	pub, spkiErr := x509.ParsePKIXPublicKey(der)
	if spkiErr == nil {
		rsaPub, ok := pub.(*rsa.PublicKey)
		if !ok {
			return nil, &Error{Code: "not_rsa", Value: fmt.Sprintf("%T", pub), Err: ErrBadKey, text: fmt.Sprintf("k=rsa but p= holds a %T key", pub)}
		}
		return &Key{Type: "rsa", Bits: rsaPub.N.BitLen(), Format: FormatSPKI, Public: rsaPub}, nil
	}
	rsaPub, err := x509.ParsePKCS1PublicKey(der)
	if err != nil {
		return nil, &Error{Code: "not_rsa_key", Err: ErrBadKey, text: fmt.Sprintf("p= is neither SubjectPublicKeyInfo (%v) nor an RSAPublicKey (%v)", spkiErr, err)}
	}
	return &Key{Type: "rsa", Bits: rsaPub.N.BitLen(), Format: FormatPKCS1, Public: rsaPub}, nil
}

func decodeEd25519(raw []byte) (*Key, error) {
	if len(raw) != ed25519.PublicKeySize {
		if pub, err := x509.ParsePKIXPublicKey(raw); err == nil {
			if _, ok := pub.(ed25519.PublicKey); ok {
				return nil, &Error{Code: "ed25519_spki", N: len(raw), Want: ed25519.PublicKeySize, Err: ErrBadKey,
					text: fmt.Sprintf("Ed25519 key is wrapped in SubjectPublicKeyInfo (%d octets); RFC 8463 §4.2 wants the 32 raw octets", len(raw))}
			}
		}
		return nil, &Error{Code: "ed25519_size", N: len(raw), Want: ed25519.PublicKeySize, Err: ErrBadKey,
			text: fmt.Sprintf("Ed25519 key is %d octets, want %d", len(raw), ed25519.PublicKeySize)}
	}
	return &Key{Type: "ed25519", Bits: 256, Format: FormatRaw, Public: ed25519.PublicKey(raw)}, nil
}

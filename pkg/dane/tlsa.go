package dane

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// Certificate usages (RFC 6698 §2.1.1, RFC 7218 acronyms).
const (
	UsagePKIXTA = 0
	UsagePKIXEE = 1
	UsageDANETA = 2
	UsageDANEEE = 3
)

// TLSA is one TLSA record.
type TLSA struct {
	Usage        uint8  `json:"usage"`
	Selector     uint8  `json:"selector"`
	MatchingType uint8  `json:"matching_type"`
	Data         string `json:"data"` // hex, lower case
}

func (t TLSA) String() string {
	return fmt.Sprintf("%d %d %d %s", t.Usage, t.Selector, t.MatchingType, t.Data)
}

// Problem says why a record is unusable for SMTP (catalog keys
// dane.problem.*), or a zero Msg when it is usable (RFC 7672 §3.1: only
// DANE-TA(2) and DANE-EE(3) are usable; RFC 6698 §2.1.2-2.1.3 selectors 0-1
// and matching types 0-2, digest lengths).
func (t TLSA) Problem() report.Msg {
	switch {
	case t.Usage > UsageDANEEE:
		return report.T("dane.problem.usage", report.Params{"value": int(t.Usage)})
	case t.Selector > 1:
		return report.T("dane.problem.selector", report.Params{"value": int(t.Selector)})
	case t.MatchingType > 2:
		return report.T("dane.problem.matching_type", report.Params{"value": int(t.MatchingType)})
	}
	b, err := hex.DecodeString(t.Data)
	switch {
	case err != nil:
		return report.T("dane.problem.not_hex", nil)
	case t.MatchingType == 1 && len(b) != sha256.Size:
		return report.T("dane.problem.sha256_length", report.Params{"count": len(b)})
	case t.MatchingType == 2 && len(b) != sha512.Size:
		return report.T("dane.problem.sha512_length", report.Params{"count": len(b)})
	case t.MatchingType == 0 && len(b) == 0:
		return report.T("dane.problem.empty", nil)
	}
	return report.Msg{}
}

// Usable reports whether the record has no Problem.
func (t TLSA) Usable() bool { return t.Problem().IsZero() }

// Match reports whether a certificate matches the record's selector and
// matching type (RFC 6698 §2.1.2-2.1.3). Usage is the caller's concern: a
// DANE-EE(3) record is compared with the leaf, DANE-TA(2) with the chain.
func (t TLSA) Match(cert *x509.Certificate) bool {
	var data []byte
	switch t.Selector {
	case 0:
		data = cert.Raw
	case 1:
		data = cert.RawSubjectPublicKeyInfo
	default:
		return false
	}
	switch t.MatchingType {
	case 1:
		s := sha256.Sum256(data)
		data = s[:]
	case 2:
		s := sha512.Sum512(data)
		data = s[:]
	case 0:
	default:
		return false
	}
	return strings.EqualFold(hex.EncodeToString(data), t.Data)
}

// MatchChain reports whether any usable record matches the chain a server
// presented (leaf first): DANE-EE(3) against the leaf only (RFC 7672
// §3.1.1), DANE-TA(2) against any certificate of the chain (§3.1.2). It is
// for a caller that has done the STARTTLS handshake.
func MatchChain(records []TLSA, chain []*x509.Certificate) bool {
	if len(chain) == 0 {
		return false
	}
	for _, r := range records {
		if !r.Usable() {
			continue
		}
		switch r.Usage {
		case UsageDANEEE:
			if r.Match(chain[0]) {
				return true
			}
		case UsageDANETA:
			for _, c := range chain {
				if r.Match(c) {
					return true
				}
			}
		}
	}
	return false
}

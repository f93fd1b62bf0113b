package dnssec

import (
	"fmt"

	"github.com/miekg/dns"
)

// Advice is what RFC 8624 §3.1 says about signing with an algorithm.
type Advice string

const (
	MustNot        Advice = "must-not"        // MUST NOT be used for signing
	NotRecommended Advice = "not-recommended" // NOT RECOMMENDED for signing
	Fine           Advice = "ok"              // MUST, RECOMMENDED or MAY
	Unassigned     Advice = "unknown"         // not in the table
)

// signing is RFC 8624 §3.1's "DNSSEC Signing" column. RSASHA1 and
// RSASHA1-NSEC3-SHA1 were NOT RECOMMENDED there and are MUST NOT since
// draft-ietf-dnsop-must-not-sha1 (SHA-1 collisions make forged signatures
// affordable).
var signing = map[uint8]Advice{
	dns.RSAMD5:           MustNot,
	dns.DSA:              MustNot,
	dns.RSASHA1:          MustNot,
	dns.DSANSEC3SHA1:     MustNot,
	dns.RSASHA1NSEC3SHA1: MustNot,
	dns.RSASHA256:        Fine,
	dns.RSASHA512:        NotRecommended,
	dns.ECCGOST:          MustNot,
	dns.ECDSAP256SHA256:  Fine,
	dns.ECDSAP384SHA384:  Fine,
	dns.ED25519:          Fine,
	dns.ED448:            Fine,
}

// SigningAdvice returns RFC 8624's advice for signing with alg.
func SigningAdvice(alg uint8) Advice {
	if a, ok := signing[alg]; ok {
		return a
	}
	return Unassigned
}

// AlgorithmName is the IANA mnemonic ("ECDSAP256SHA256"), or "ALG<n>".
func AlgorithmName(alg uint8) string {
	if s, ok := dns.AlgorithmToString[alg]; ok {
		return s
	}
	return fmt.Sprintf("ALG%d", alg)
}

package message

import (
	"net/netip"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/authres"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// How the boundary was found.
const (
	BoundaryReceiver   = "receiver"    // --receiver named the organization
	BoundaryAuthServID = "authserv-id" // the top Authentication-Results field's authserv-id
	BoundaryHeuristic  = "heuristic"   // the top-most hop from a public address
	BoundaryNone       = "none"        // no hop gives a connecting address
)

// Boundary is the hop where the message entered the receiving
// organization: its client address and HELO are what the receiver's SPF
// check saw.
type Boundary struct {
	// Hop is the Index of the Received field, 0 when none was found.
	Hop int `json:"hop"`
	// Method says how it was found (receiver, authserv-id, heuristic,
	// none); Evidence says what matched, in words.
	Method   string     `json:"method"`
	Evidence report.Msg `json:"evidence"`
	// Receiver is the receiving organization's domain, when known.
	Receiver string `json:"receiver,omitempty"`
	IP       string `json:"ip,omitempty"`
	HELO     string `json:"helo,omitempty"`
}

// findBoundary walks the hops from the top (the final receiver) down
// while they were added inside the receiving organization; the last such
// hop received the message from outside. The organization is receiver
// when given, else the authserv-id of the top-most Authentication-Results
// field (RFC 8601 §2.5: the receiver names itself there). Without either,
// or when no hop matches, the top-most hop whose client address is public
// is taken, and the report says it is a guess.
func findBoundary(hops []Hop, receiver dnsname.Domain, topAR *authres.Results) Boundary {
	try := func(org dnsname.Domain, method string) (Boundary, bool) {
		orgDom := dnsname.OrganizationalPSL(org)
		last := -1
		for i, h := range hops {
			// A hop with no client (no from clause, "by 10.x with HTTP"
			// or Gmail's "by 2002:a05:...") is a hand-off inside the
			// receiver's own systems: pass over it.
			if h.From == "" && h.FromIP == "" {
				continue
			}
			by, err := dnsname.ParseAny(strings.TrimSuffix(h.By, "."))
			if err != nil || !dnsname.OrganizationalPSL(by).Equal(orgDom) {
				break
			}
			last = i
			// A hop whose client is outside the organization is the
			// boundary even when relays below it claim the same domain.
			if ip, err := netip.ParseAddr(h.FromIP); err == nil && isPublic(ip) && !inOrg(h, orgDom) {
				break
			}
		}
		if last < 0 {
			return Boundary{}, false
		}
		h := hops[last]
		if h.FromIP == "" {
			return Boundary{}, false
		}
		return Boundary{Hop: h.Index, Method: method, Receiver: orgDom.String(), IP: h.FromIP, HELO: h.From,
			Evidence: report.T("message.boundary.evidence.org", report.Params{"hop": h.Index, "org": orgDom.String(), "by": h.By})}, true
	}
	if !receiver.IsZero() {
		if b, ok := try(receiver, BoundaryReceiver); ok {
			return b
		}
	}
	if topAR != nil {
		if d, err := dnsname.ParseAny(topAR.AuthServID); err == nil && strings.Contains(topAR.AuthServID, ".") {
			if b, ok := try(d, BoundaryAuthServID); ok {
				return b
			}
		}
	}
	// No authserv-id to go by (Microsoft 365 writes none): the
	// organization that added the top-most Received field with a client
	// is the receiver, and its own relays (Microsoft's internal hops come
	// from public IPv6 addresses) are walked past as above.
	for _, h := range hops {
		if h.From == "" && h.FromIP == "" {
			continue
		}
		if by, err := dnsname.ParseAny(strings.TrimSuffix(h.By, ".")); err == nil && strings.Contains(h.By, ".") {
			if b, ok := try(by, BoundaryHeuristic); ok && publicAddr(b.IP) {
				b.Evidence = report.T("message.boundary.evidence.top_org", report.Params{"hop": b.Hop, "org": b.Receiver})
				return b
			}
		}
		break
	}
	for _, h := range hops {
		ip, err := netip.ParseAddr(h.FromIP)
		if err != nil || !isPublic(ip) {
			continue
		}
		b := Boundary{Hop: h.Index, Method: BoundaryHeuristic, IP: h.FromIP, HELO: h.From,
			Evidence: report.T("message.boundary.evidence.public", report.Params{"hop": h.Index})}
		if by, err := dnsname.ParseAny(strings.TrimSuffix(h.By, ".")); err == nil {
			b.Receiver = dnsname.OrganizationalPSL(by).String()
		}
		return b
	}
	return Boundary{Method: BoundaryNone, Evidence: report.T("message.boundary.evidence.none", nil)}
}

func publicAddr(s string) bool {
	ip, err := netip.ParseAddr(s)
	return err == nil && isPublic(ip)
}

func inOrg(h Hop, org dnsname.Domain) bool {
	for _, n := range []string{h.FromRDNS, h.From} {
		if d, err := dnsname.ParseAny(strings.TrimSuffix(n, ".")); err == nil && dnsname.OrganizationalPSL(d).Equal(org) {
			return true
		}
	}
	return false
}

// isPublic: not loopback, private (RFC 1918, RFC 4193), link-local,
// shared (RFC 6598) or unspecified. Documentation ranges (RFC 5737,
// RFC 3849) count as public so that examples and tests behave like mail.
func isPublic(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() || ip.IsMulticast() {
		return false
	}
	return !netip.MustParsePrefix("100.64.0.0/10").Contains(ip)
}

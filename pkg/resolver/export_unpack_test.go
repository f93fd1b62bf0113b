package resolver

import "github.com/miekg/dns"

// UnpackReply and FastUnpack are the reply parser, for the tests in
// resolver_test (which use internal/dnstest, itself a user of resolver).
var UnpackReply = unpackReply

// FastUnpack is the parser without its fallback: nil where it leaves the
// message to dns.Msg.Unpack.
func FastUnpack(wire []byte) *dns.Msg {
	if b := fastUnpack(wire, ""); b != nil {
		return &b.msg
	}
	return nil
}

// UnpackReplyTo is the parser of the UDP pool's replies, which knows the
// name asked.
func UnpackReplyTo(wire []byte, asked string) (*dns.Msg, error) {
	m, _, err := unpackReplyTo(wire, asked)
	return m, err
}

// ExchangeTCP is the TCP exchange, for its test against dns.Client's.
var ExchangeTCP = exchangeTCP

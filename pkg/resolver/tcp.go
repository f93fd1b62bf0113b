package resolver

import (
	"context"
	"time"

	"github.com/miekg/dns"
)

// exchangeTCP is c.ExchangeContext(ctx, m, server) over TCP (RFC 7766),
// with the reply parsed by unpackReply instead of Msg.Unpack: the same
// dial, the same deadlines (c.Timeout, or ctx's deadline when sooner), the
// same ID check (dns.ErrId). A reply that does not parse is the error
// alone.
func exchangeTCP(ctx context.Context, c *dns.Client, m *dns.Msg, server string) (*dns.Msg, error) {
	co, err := c.DialContext(ctx, server)
	if err != nil {
		return nil, err
	}
	defer co.Close()
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Second // miekg/dns's default
	}
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := co.SetDeadline(deadline); err != nil {
		return nil, err
	}
	if err := co.WriteMsg(m); err != nil {
		return nil, err
	}
	wire, err := co.ReadMsgHeader(nil)
	if err != nil {
		return nil, err
	}
	r, err := unpackReply(wire)
	if err != nil {
		return nil, err
	}
	if r.Id != m.Id {
		return nil, dns.ErrId
	}
	return r, nil
}

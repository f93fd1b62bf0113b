package resolver_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// bigUDPServer answers every TXT question over UDP with records records of
// 250 octets each, never truncating, whatever the query advertised: a
// server that ignores EDNS0's payload size.
func bigUDPServer(t *testing.T, records int) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 65535)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			var q dns.Msg
			if q.Unpack(buf[:n]) != nil || len(q.Question) != 1 {
				continue
			}
			r := new(dns.Msg)
			r.SetReply(&q)
			for range records {
				r.Answer = append(r.Answer, &dns.TXT{
					Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60},
					Txt: []string{strings.Repeat("x", 250)},
				})
			}
			wire, err := r.Pack()
			if err != nil {
				continue
			}
			_, _ = pc.WriteTo(wire, addr)
		}
	}()
	return pc.LocalAddr().String()
}

// A reply larger than the buffer size advertised is read whole (the
// readers' buffers take any UDP payload): one of about 20 KB is an answer,
// one of about 50 KB is over the answer-size bound, not a malformed
// datagram cut short.
func TestClientLargeUDPReplyReadWhole(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		records int
		want    resolver.ErrorKind
	}{{80, ""}, {200, resolver.KindTooLarge}} {
		c, err := resolver.NewClient(resolver.ClientOptions{Server: bigUDPServer(t, tc.records), Timeout: 2 * time.Second, Retries: -1})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ans, err := c.Lookup(ctx, "big.example", dns.TypeTXT)
		cancel()
		if got := resolver.KindOf(err); got != tc.want {
			t.Fatalf("%d records: error %v (kind %q), want kind %q", tc.records, err, got, tc.want)
		}
		if tc.want == "" && len(ans.RRs) != tc.records {
			t.Fatalf("%d records sent, %d read", tc.records, len(ans.RRs))
		}
		var e *resolver.Error
		if tc.want != "" && !errors.As(err, &e) {
			t.Fatalf("not a resolver error: %v", err)
		}
	}
}

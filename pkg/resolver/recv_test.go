package resolver_test

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// bigServer answers every TXT question with records records of 250 octets
// each, over UDP never truncating, whatever the query advertised (a server
// that ignores EDNS0's payload size), and over TCP on the same port. It
// counts the TCP questions in tcp.
func bigServer(t *testing.T, records int, tcp *atomic.Int32) string {
	t.Helper()
	for tries := 0; ; tries++ {
		addr := rawUDPServer(t, func(query []byte) []byte {
			var q dns.Msg
			if q.Unpack(query) != nil || len(q.Question) != 1 {
				return nil
			}
			wire, err := bigAnswer(&q, records).Pack()
			if err != nil {
				return nil
			}
			return wire
		})
		// TCP on the same port number (now and then taken by another
		// socket: another port then).
		ln, err := net.Listen("tcp", addr)
		if err != nil && tries < 5 {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		tcpSrv := &dns.Server{Listener: ln, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
			tcp.Add(1)
			_ = w.WriteMsg(bigAnswer(q, records))
		})}
		started, failed := make(chan struct{}), make(chan error, 1)
		tcpSrv.NotifyStartedFunc = func() { close(started) }
		go func() { failed <- tcpSrv.ActivateAndServe() }()
		select {
		case <-started:
		case err := <-failed:
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tcpSrv.Shutdown() })
		return addr
	}
}

func bigAnswer(q *dns.Msg, records int) *dns.Msg {
	r := new(dns.Msg)
	r.SetReply(q)
	for range records {
		r.Answer = append(r.Answer, &dns.TXT{
			Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60},
			Txt: []string{strings.Repeat("x", 250)},
		})
	}
	return r
}

// A UDP reply larger than the payload size advertised: up to the reader's
// room for it (4 KiB by default) it is read whole; beyond, it is asked
// again over TCP, as a truncated one would be, and the TCP answer is
// judged (here one of about 20 KB, then one over the answer-size bound).
func TestClientOversizeUDPReply(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		records int
		tcp     bool
		want    resolver.ErrorKind
	}{{12, false, ""}, {80, true, ""}, {200, true, resolver.KindTooLarge}} {
		var tcp atomic.Int32
		c, err := resolver.NewClient(resolver.ClientOptions{Server: bigServer(t, tc.records, &tcp), Timeout: 2 * time.Second, Retries: -1})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ans, err := c.Lookup(ctx, "big.example", dns.TypeTXT)
		cancel()
		if got := resolver.KindOf(err); got != tc.want {
			t.Fatalf("%d records: error %v (kind %q), want kind %q", tc.records, err, got, tc.want)
		}
		if tc.want == "" && (len(ans.RRs) != tc.records || ans.Truncated != tc.tcp) {
			t.Errorf("%d records sent: %d read, truncated %v", tc.records, len(ans.RRs), ans.Truncated)
		}
		if (tcp.Load() > 0) != tc.tcp {
			t.Errorf("%d records: %d questions over TCP, want TCP %v", tc.records, tcp.Load(), tc.tcp)
		}
	}
}

package smtpprobe

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/testclock"

	"github.com/mailcheck/mailcheck/internal/smtptest"
	"github.com/mailcheck/mailcheck/pkg/check"
)

var ehloReply = "250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 35882577\r\n250-ETRN\r\n250-STARTTLS\r\n" +
	"250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n"

func BenchmarkReadAndParseEHLO(b *testing.B) {
	r := strings.NewReader(ehloReply)
	br := bufio.NewReaderSize(r, readerBufferLen)
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(ehloReply)
		br.Reset(r)
		rep, err := ReadReply(br)
		if err != nil {
			b.Fatal(err)
		}
		_ = ParseEHLO(rep.Lines)
	}
}

// One full session over loopback: connect, greeting, EHLO, STARTTLS, TLS 1.3
// handshake with certificate verification, EHLO, QUIT.
func BenchmarkProbeSTARTTLS(b *testing.B) {
	ca := smtptest.NewCA(b)
	cert := ca.Issue(b, smtptest.CertOptions{DNSNames: []string{"mx.example.com"}})
	srv := smtptest.Start(b, smtptest.Config{Hostname: "mx.example.com", TLS: smtptest.ServerConfig(cert)})
	ap, err := net.ResolveTCPAddr("tcp4", srv.Addr)
	if err != nil {
		b.Fatal(err)
	}
	opts := Options{HELO: "probe.example.org", Roots: ca.Pool}.withDefaults()
	env := check.Env{Now: testclock.Func(), Dialer: &net.Dialer{}}
	for b.Loop() {
		p := Probe{Host: "mx.example.com", Address: "127.0.0.1", Family: IPv4, Port: Port{ap.Port, RoleSMTP}, Sent: []string{}}
		probe(context.Background(), env, &opts, &p)
		if p.Outcome != OutcomeOK || p.TLS == nil || !p.TLS.Verified {
			b.Fatalf("%s %s", p.Outcome, p.Error)
		}
	}
}

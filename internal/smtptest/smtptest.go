// Package smtptest runs real SMTP servers on 127.0.0.1 for tests: cleartext
// with STARTTLS, or Implicit TLS, with certificates made in the test, and
// with the misbehaviours a probe must survive (no greeting, a 554 greeting,
// an endless line, AUTH offered before TLS). Every command line received is
// recorded, so a test can prove that no mail command was sent.
package smtptest

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Config describes a server's behaviour. The zero value greets with 220,
// answers EHLO with a few extensions, and offers no TLS.
type Config struct {
	// Hostname is the name in the default greeting and EHLO reply (default "mx.test").
	Hostname string
	// Greeting replaces the greeting: complete lines with their codes, e.g.
	// {"220-mx.test ESMTP", "220 ready"} or {"554 5.7.1 go away"}.
	Greeting []string
	// GreetingDelay waits before greeting.
	GreetingDelay time.Duration
	// GreetingPause waits between the lines of a multi-line greeting.
	GreetingPause time.Duration
	// Silent accepts connections and never sends a byte.
	Silent bool
	// EndlessLine sends one line without end instead of a greeting.
	EndlessLine bool
	// Extensions are advertised in EHLO before TLS (default PIPELINING,
	// SIZE 10240000, 8BITMIME). STARTTLS is added when TLS is set and
	// ImplicitTLS is not, unless HideSTARTTLS.
	Extensions []string
	// TLSExtensions are advertised inside TLS (default: Extensions plus
	// AUTH PLAIN LOGIN).
	TLSExtensions []string
	// TLS enables STARTTLS, or Implicit TLS with ImplicitTLS.
	TLS          *tls.Config
	ImplicitTLS  bool
	HideSTARTTLS bool
	// STARTTLSReply replaces "220 2.0.0 Ready to start TLS".
	STARTTLSReply string
	// AdvertiseSTARTTLSInTLS keeps STARTTLS in the EHLO reply inside TLS.
	AdvertiseSTARTTLSInTLS bool
	// RejectEHLO answers EHLO with 502, so a client must fall back to HELO.
	RejectEHLO bool
	// StallEHLO greets, then never answers EHLO (nor anything after it).
	StallEHLO bool
	// InjectAfterSTARTTLS is written in cleartext right after the 220 reply
	// to STARTTLS, as a response-injection attack would (RFC 3207 §6).
	InjectAfterSTARTTLS string
}

// Command is one line the server received.
type Command struct {
	Session int    // 1 for the first connection
	TLS     bool   // received inside TLS
	Line    string // without CRLF
}

// Server is a running test server.
type Server struct {
	// Addr is "127.0.0.1:port".
	Addr string
	Port int

	cfg Config
	ln  net.Listener
	wg  sync.WaitGroup

	mu       sync.Mutex
	commands []Command
	sessions int
	pregreet bool
	conns    map[net.Conn]bool
	closed   bool
}

// MaxLine bounds a command line the server reads.
const MaxLine = 4096

// Start runs a server until the test ends.
func Start(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Hostname == "" {
		cfg.Hostname = "mx.test"
	}
	if cfg.Extensions == nil {
		cfg.Extensions = []string{"PIPELINING", "SIZE 10240000", "8BITMIME"}
	}
	if cfg.TLSExtensions == nil {
		cfg.TLSExtensions = append(append([]string(nil), cfg.Extensions...), "AUTH PLAIN LOGIN")
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), Port: ln.Addr().(*net.TCPAddr).Port, cfg: cfg, ln: ln, conns: map[net.Conn]bool{}}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and ends every session.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.ln.Close()
	s.wg.Wait()
}

// Commands returns every line received so far, in order.
func (s *Server) Commands() []Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Command(nil), s.commands...)
}

// Sessions returns how many connections were accepted.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// MailCommands returns the received lines that start a mail transaction,
// authenticate, or probe mailboxes: what a safe probe never sends.
func (s *Server) MailCommands() []string {
	var out []string
	for _, c := range s.Commands() {
		verb, _, _ := strings.Cut(strings.ToUpper(c.Line), " ")
		switch verb {
		case "MAIL", "RCPT", "DATA", "BDAT", "AUTH", "VRFY", "EXPN", "ETRN", "TURN", "ATRN":
			out = append(out, c.Line)
		}
	}
	return out
}

// RefusedAddr returns a 127.0.0.1 address where nothing listens: connects
// to it are refused at once.
func RefusedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.sessions++
		id := s.sessions
		s.conns[c] = true
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			s.session(id, c)
		}()
	}
}

type conn struct {
	s     *Server
	id    int
	c     net.Conn
	br    *bufio.Reader
	inTLS bool
}

func (s *Server) session(id int, raw net.Conn) {
	cfg := &s.cfg
	sc := &conn{s: s, id: id, c: raw}
	if cfg.ImplicitTLS && cfg.TLS != nil {
		tc := tls.Server(raw, cfg.TLS)
		if err := tc.Handshake(); err != nil {
			return
		}
		sc.c, sc.inTLS = tc, true
	}
	sc.br = bufio.NewReaderSize(sc.c, MaxLine)
	if cfg.Silent {
		// Read and record whatever comes, and never answer.
		for {
			if _, ok := sc.readLine(); !ok {
				return
			}
		}
	}
	if cfg.GreetingDelay > 0 {
		sc.wait(cfg.GreetingDelay)
	}
	if cfg.EndlessLine {
		chunk := []byte(strings.Repeat("x", 1024))
		if _, err := io.WriteString(sc.c, "220 "); err != nil {
			return
		}
		for i := 0; i < 1024; i++ { // 1 MiB at most, then hang up
			if _, err := sc.c.Write(chunk); err != nil {
				return
			}
		}
		return
	}
	greeting := cfg.Greeting
	if greeting == nil {
		greeting = []string{"220 " + cfg.Hostname + " ESMTP smtptest"}
	}
	for i, l := range greeting {
		if i > 0 && cfg.GreetingPause > 0 {
			sc.wait(cfg.GreetingPause)
		}
		if !sc.send(l) {
			return
		}
	}
	if len(greeting) > 0 && !strings.HasPrefix(greeting[len(greeting)-1], "2") {
		// After a refusal, only QUIT gets an answer (RFC 5321 §3.1).
		for {
			line, ok := sc.readLine()
			if !ok {
				return
			}
			if strings.EqualFold(line, "QUIT") {
				sc.send("221 2.0.0 Bye")
				return
			}
			sc.send("503 5.5.1 no service")
		}
	}
	for {
		line, ok := sc.readLine()
		if !ok {
			return
		}
		verb, _, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			if cfg.StallEHLO {
				for {
					if _, ok := sc.readLine(); !ok {
						return
					}
				}
			}
			if cfg.RejectEHLO {
				sc.send("502 5.5.2 Error: command not recognized")
				continue
			}
			sc.send(sc.ehloReply()...)
		case "HELO":
			sc.send("250 " + cfg.Hostname)
		case "STARTTLS":
			if sc.inTLS || cfg.TLS == nil || cfg.ImplicitTLS {
				sc.send("503 5.5.1 TLS already active or not available")
				continue
			}
			if cfg.STARTTLSReply != "" {
				sc.send(cfg.STARTTLSReply)
				continue
			}
			ready := "220 2.0.0 Ready to start TLS"
			if cfg.InjectAfterSTARTTLS != "" {
				ready += "\r\n" + strings.TrimSuffix(cfg.InjectAfterSTARTTLS, "\r\n")
			}
			if !sc.send(ready) {
				return
			}
			tc := tls.Server(sc.c, cfg.TLS)
			if err := tc.Handshake(); err != nil {
				return
			}
			sc.c, sc.inTLS = tc, true
			sc.br = bufio.NewReaderSize(tc, MaxLine)
		case "QUIT":
			sc.send("221 2.0.0 Bye")
			return
		case "NOOP", "RSET":
			sc.send("250 2.0.0 OK")
		case "MAIL", "RCPT", "DATA", "BDAT", "AUTH", "VRFY", "EXPN":
			sc.send("503 5.5.1 smtptest: mail commands are not expected from a probe")
		default:
			sc.send("500 5.5.2 unrecognized command")
		}
	}
}

func (sc *conn) ehloReply() []string {
	cfg := &sc.s.cfg
	exts := cfg.Extensions
	if sc.inTLS {
		exts = cfg.TLSExtensions
	}
	lines := []string{cfg.Hostname + " greets you"}
	lines = append(lines, exts...)
	if cfg.TLS != nil && !cfg.ImplicitTLS && !cfg.HideSTARTTLS && (!sc.inTLS || cfg.AdvertiseSTARTTLSInTLS) {
		lines = append(lines, "STARTTLS")
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		out[i] = "250" + sep + l
	}
	return out
}

func (sc *conn) send(lines ...string) bool {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	_ = sc.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err := io.WriteString(sc.c, b.String())
	return err == nil
}

// readLine reads one bounded line and records it.
func (sc *conn) readLine() (string, bool) {
	line, err := sc.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		sc.send("500 5.5.6 line too long")
		return "", false
	}
	if err != nil {
		return "", false
	}
	s := strings.TrimRight(string(line), "\r\n")
	sc.s.mu.Lock()
	sc.s.commands = append(sc.s.commands, Command{Session: sc.id, TLS: sc.inTLS, Line: s})
	sc.s.mu.Unlock()
	return s, true
}

// Pregreeted reports whether a client sent anything before the greeting was
// complete: what Postfix postscreen punishes (RFC 5321 §4.2 lets the greeting span lines; see Postfix's
// postscreen_greet_action, https://www.postfix.org/POSTSCREEN_README.html).
func (s *Server) Pregreeted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pregreet
}

// wait pauses for d, noting whether the client talks meanwhile. It ends
// early when the connection closes.
func (sc *conn) wait(d time.Duration) {
	end := time.Now().Add(d)
	_ = sc.c.SetReadDeadline(end)
	_, err := sc.br.Peek(1)
	_ = sc.c.SetReadDeadline(time.Time{})
	if err == nil {
		sc.s.mu.Lock()
		sc.s.pregreet = true
		sc.s.mu.Unlock()
		// Keep the rest of the pause: a pregreeting client still waits.
		time.Sleep(time.Until(end))
	}
}

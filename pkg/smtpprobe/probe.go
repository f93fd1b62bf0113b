package smtpprobe

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/mailcheck/mailcheck/pkg/check"
)

// quitTimeout bounds the wait for 221: the probe has its answers by then.
const quitTimeout = 5 * time.Second

// session is one probe's connection. Every read and write runs under a
// deadline that is the earlier of the stage's limit and the caller's
// context; when the context ends, the deadline is moved to the past so any
// blocked read returns at once.
type session struct {
	ctx  context.Context
	opts *Options
	p    *Probe
	now  func() time.Time

	raw  net.Conn
	conn net.Conn // raw, or the TLS connection over it
	br   *bufio.Reader

	mu       sync.Mutex
	canceled bool

	stageStart time.Time
}

// probe runs the probe sequence (see the package doc) against one address. It never
// sends MAIL, RCPT, DATA or AUTH: only EHLO/HELO, STARTTLS and QUIT.
func probe(ctx context.Context, env check.Env, opts *Options, p *Probe) {
	s := &session{ctx: ctx, opts: opts, p: p, now: env.Clock}
	s.enter(StageConnect)
	defer s.finish()

	network := "tcp4"
	if p.Family == IPv6 {
		network = "tcp6"
	}
	dctx, cancel := context.WithTimeout(ctx, opts.ConnectTimeout)
	conn, err := env.Dialer.DialContext(dctx, network, net.JoinHostPort(p.Address, strconv.Itoa(p.Port.Number)))
	cancel()
	if err != nil {
		p.Outcome, p.Error = classifyDial(ctx, err), err.Error()
		return
	}
	defer conn.Close()
	s.raw, s.conn, s.br = conn, conn, newReader(conn)
	stop := context.AfterFunc(ctx, s.cancel)
	defer stop()

	if p.Port.Role.ImplicitTLS() {
		// RFC 8314 §3.3: the handshake comes first, then the greeting.
		s.enter(StageTLS)
		if !s.handshake(true) {
			return
		}
	}

	s.enter(StageGreeting)
	start := time.Now()
	// RFC 5321 §3.1, §4.2: read the whole greeting, multi-line included,
	// before sending anything (Postfix postscreen drops clients that talk first).
	greeting, err := s.read(opts.GreetingTimeout)
	if err != nil {
		s.fail(err, OutcomeNoGreeting)
		return
	}
	p.Greeting = &greeting
	p.GreetingMilliseconds = ms(time.Since(start))
	switch greeting.Class() {
	case 2:
	case 4:
		// RFC 5321 §3.8: 421 means the service is not available now.
		p.Outcome = OutcomeDeferred
		s.quit()
		return
	default:
		// RFC 5321 §3.1: a 554 greeting refuses the session; the client
		// should send QUIT and wait for the close.
		p.Outcome = OutcomeRejected
		s.quit()
		return
	}

	if p.Source == SourceReference {
		// A reference only shows whether the port gets out from here
		// (references.go): greeting read, QUIT, nothing more.
		s.enter(StageQuit)
		s.quit()
		p.Outcome = OutcomeOK
		s.enter(StageDone)
		return
	}

	s.enter(StageEHLO)
	ehlo, ok := s.hello()
	if !ok {
		return
	}
	p.EHLO = &ehlo

	if !p.Port.Role.ImplicitTLS() && ehlo.Has("STARTTLS") {
		s.enter(StageSTARTTLS)
		rep, err := s.cmd("STARTTLS", opts.CommandTimeout)
		if err != nil {
			s.fail(err, OutcomeStalled)
			return
		}
		starttls := rep
		p.STARTTLS = &starttls
		if rep.Code != 220 {
			// 454: TLS not available for a temporary reason (RFC 3207 §4).
			p.TLSError = fmt.Sprintf("STARTTLS answered %d %s", rep.Code, rep.Text())
			p.last = &lastReply{"STARTTLS", rep}
			if rep.Code == 421 {
				p.Outcome, p.Error = OutcomeDeferred, p.TLSError
				return
			}
			s.enter(StageQuit)
			s.quit()
			p.Outcome = OutcomeOK
			s.enter(StageDone)
			return
		}
		// RFC 3207 §6: anything the server sent after its 220 came before
		// TLS and must not be taken as part of the secured session.
		p.DiscardedOctets = s.br.Buffered()
		s.enter(StageTLS)
		if !s.handshake(false) {
			return
		}
		// RFC 3207 §4.2: the client MUST discard what it knew and EHLO again.
		s.enter(StageEHLOTLS)
		again, err := s.cmd("EHLO "+p.HELO, opts.CommandTimeout)
		if err != nil {
			s.fail(err, OutcomeStalled)
			return
		}
		if again.Class() == 2 {
			after := ParseEHLO(again.Lines)
			p.EHLOAfterTLS = &after
			p.AddedByTLS, p.RemovedByTLS = diffKeywords(ehlo, after)
		}
	}

	s.enter(StageQuit)
	s.quit()
	p.Outcome = OutcomeOK
	s.enter(StageDone)
}

// hello sends EHLO, and HELO when EHLO is refused (RFC 5321 §3.2: a server
// that does not support EHLO answers 500/502, and the client may fall back).
func (s *session) hello() (EHLO, bool) {
	p := s.p
	p.HELO = s.opts.HELO
	if p.HELO == "" {
		p.HELO = addressLiteral(s.raw.LocalAddr())
	}
	rep, err := s.cmd("EHLO "+p.HELO, s.opts.CommandTimeout)
	if err != nil {
		s.fail(err, OutcomeStalled)
		return EHLO{}, false
	}
	switch {
	case rep.Class() == 2:
		return ParseEHLO(rep.Lines), true
	case rep.Code == 421:
		p.Outcome = OutcomeDeferred
		p.Error = fmt.Sprintf("EHLO answered %d %s", rep.Code, rep.Text())
		p.last = &lastReply{"EHLO", rep}
		return EHLO{}, false
	}
	p.EHLORejected = &rep
	rep, err = s.cmd("HELO "+p.HELO, s.opts.CommandTimeout)
	if err != nil {
		s.fail(err, OutcomeStalled)
		return EHLO{}, false
	}
	if rep.Class() != 2 {
		p.Outcome = OutcomeRejected
		if rep.Code == 421 {
			p.Outcome = OutcomeDeferred
		}
		p.Error = fmt.Sprintf("HELO answered %d %s", rep.Code, rep.Text())
		p.last = &lastReply{"HELO", rep}
		s.quit()
		return EHLO{}, false
	}
	p.HELOFallback = true
	// A HELO reply carries the server's name and no extensions.
	return ParseEHLO(rep.Lines[:1]), true
}

// handshake sets up TLS over the raw connection. Verification is deferred
// so that a bad certificate is reported with its
// reason instead of ending the probe; inspectTLS verifies afterwards.
func (s *session) handshake(implicit bool) bool {
	p := s.p
	cfg := &tls.Config{
		// Verification happens in inspectTLS, against Options.Roots.
		InsecureSkipVerify: true, //nolint:gosec // deferred verification, see above
		// Accept old versions so that they can be reported (smtp.tls.legacy):
		// refusing them would turn a medium finding into a failed handshake.
		MinVersion: tls.VersionTLS10,
	}
	if _, err := netip.ParseAddr(p.Host); err != nil {
		cfg.ServerName = p.Host // SNI: the name dialled (RFC 6066 §3 forbids IP literals)
	}
	tc := tls.Client(s.raw, cfg)
	if err := s.deadline(s.opts.CommandTimeout); err != nil {
		s.fail(err, OutcomeStalled)
		return false
	}
	if err := tc.HandshakeContext(s.ctx); err != nil {
		p.TLSError = err.Error()
		var rh tls.RecordHeaderError
		switch {
		case ended(s.ctx):
			p.Outcome = OutcomeUnfinished
		case implicit && errors.As(err, &rh) && looksLikeSMTP(rh.RecordHeader[:]):
			// RFC 8314 §3.3: on 465 the server must start TLS; "220 ..." is a
			// cleartext greeting.
			p.Outcome = OutcomeNotTLS
		case isTimeout(err):
			p.Outcome = OutcomeStalled
		default:
			p.Outcome = OutcomeTLSFailed
		}
		return false
	}
	s.conn, s.br = tc, newReader(tc)
	p.TLS = inspectTLS(tc.ConnectionState(), p.Host, s.opts.Roots, s.now())
	return true
}

// looksLikeSMTP reports whether the first octets of a "TLS record" are an
// SMTP reply code followed by a space or hyphen.
func looksLikeSMTP(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	_, _, _, err := parseLine(append(append([]byte(nil), b[:4]...), '\n'))
	return err == nil
}

// cmd sends one command line and reads its reply.
func (s *session) cmd(line string, timeout time.Duration) (Reply, error) {
	s.p.Sent = append(s.p.Sent, line)
	if err := s.deadline(timeout); err != nil {
		return Reply{}, err
	}
	if _, err := io.WriteString(s.conn, line+"\r\n"); err != nil {
		return Reply{}, err
	}
	return ReadReply(s.br)
}

// read reads one reply under a deadline.
func (s *session) read(timeout time.Duration) (Reply, error) {
	if err := s.deadline(timeout); err != nil {
		return Reply{}, err
	}
	return ReadReply(s.br)
}

// quit sends QUIT and waits briefly for 221 (RFC 5321 §4.1.1.10). Errors
// do not change the outcome: the probe already has what it came for.
func (s *session) quit() {
	timeout := min(quitTimeout, s.opts.CommandTimeout)
	if rep, err := s.cmd("QUIT", timeout); err == nil {
		s.p.Quit = &rep
	}
}

// deadline sets the connection deadline to now+d, or the context's deadline
// if earlier. It fails once the context has ended.
func (s *session) deadline(d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.canceled {
		return s.ctx.Err()
	}
	t := time.Now().Add(d)
	if dl, ok := s.ctx.Deadline(); ok && dl.Before(t) {
		t = dl
	}
	return s.raw.SetDeadline(t)
}

// cancel runs when the context ends: it unblocks any read or write.
func (s *session) cancel() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.canceled = true
	_ = s.raw.SetDeadline(time.Unix(1, 0))
}

// fail classifies an error of the current stage. timeoutOutcome is what a
// stage-limit timeout means here (no greeting, or a stalled command).
func (s *session) fail(err error, timeoutOutcome Outcome) {
	p := s.p
	p.Error = err.Error()
	switch {
	case ended(s.ctx):
		p.Outcome = OutcomeUnfinished
		p.Error = "stopped by the time limit while at stage " + string(p.Stage)
	case errors.Is(err, ErrProtocol):
		p.Outcome = OutcomeProtocol
	case isTimeout(err):
		p.Outcome = timeoutOutcome
	default:
		// EOF, connection reset, broken pipe: the server hung up.
		p.Outcome = OutcomeClosed
	}
}

// enter records the time spent in the previous stage and starts the next.
func (s *session) enter(st Stage) {
	now := time.Now()
	if s.p.Stage != "" && s.p.Stage != StageQueued && s.p.Stage != StageDone {
		s.p.Timings = append(s.p.Timings, Timing{Stage: s.p.Stage, Milliseconds: ms(now.Sub(s.stageStart))})
	}
	s.p.Stage, s.stageStart = st, now
}

// finish closes the timing of the stage the probe stopped in.
func (s *session) finish() {
	if s.p.Stage != StageDone {
		s.enter(s.p.Stage)
	}
}

// classifyDial maps a connect error to an outcome (see Diagnose).
func classifyDial(ctx context.Context, err error) Outcome {
	switch {
	case ended(ctx):
		return OutcomeUnfinished
	case errors.Is(err, syscall.ECONNREFUSED):
		return OutcomeRefused
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM), errors.Is(err, syscall.EADDRNOTAVAIL):
		// ICMP unreachable or administratively prohibited, a local firewall
		// (EPERM), or no address of that family on this host.
		return OutcomeUnreachable
	case isTimeout(err), errors.Is(err, context.DeadlineExceeded):
		return OutcomeTimeout
	}
	return OutcomeConnectErr
}

// ended reports whether the caller's context is over. A read deadline set to
// the context's deadline can fire a moment before the context notices, so
// a passed deadline counts too.
func ended(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl)
}

func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// addressLiteral returns the RFC 5321 §4.1.3 address literal of a local
// address: "[192.0.2.1]" or "[IPv6:2001:db8::1]".
func addressLiteral(a net.Addr) string {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return "[127.0.0.1]"
	}
	ip := ap.Addr().Unmap()
	if ip.Is4() {
		return "[" + ip.String() + "]"
	}
	return "[IPv6:" + ip.WithZone("").String() + "]"
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

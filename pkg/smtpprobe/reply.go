package smtpprobe

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Bounds on what a server may send in one reply. RFC 5321 §4.5.3.1.5 limits a
// reply line to 512 octets including the code and CRLF; servers in the wild
// stay well inside that, so four times the limit is generous and still small.
// An EHLO reply lists a few dozen extensions at most.
const (
	MaxLineLength   = 2048
	MaxReplyLines   = 100
	readerBufferLen = MaxLineLength
)

// Protocol errors: what a server sent could not be an SMTP reply. Test with
// errors.Is; each wraps ErrProtocol.
var (
	ErrProtocol      = errors.New("smtp protocol error")
	ErrLineTooLong   = fmt.Errorf("%w: reply line longer than %d octets", ErrProtocol, MaxLineLength)
	ErrTooManyLines  = fmt.Errorf("%w: reply longer than %d lines", ErrProtocol, MaxReplyLines)
	ErrMalformed     = fmt.Errorf("%w: malformed reply line", ErrProtocol)
	ErrCodeMismatch  = fmt.Errorf("%w: reply lines carry different codes", ErrProtocol)
	ErrUnexpectedEOF = fmt.Errorf("%w: connection closed in the middle of a reply", ErrProtocol)
)

// Reply is one SMTP reply: a three-digit code and the text of each line
// (RFC 5321 §4.2). A multi-line reply has several lines, all with one code.
type Reply struct {
	Code  int      `json:"code"`
	Lines []string `json:"lines"`
}

// Text returns the lines joined with newlines.
func (r Reply) Text() string { return strings.Join(r.Lines, "\n") }

// Class returns the first digit of the code: 2 success, 4 transient, 5 permanent.
func (r Reply) Class() int { return r.Code / 100 }

// String returns the reply as it travels on the wire, CRLF after each line:
// "250-" on every line but the last, "250 " on the last (RFC 5321 §4.2.1).
func (r Reply) String() string {
	var b strings.Builder
	lines := r.Lines
	if len(lines) == 0 {
		lines = []string{""}
	}
	for i, l := range lines {
		b.WriteString(strconv.Itoa(r.Code))
		if i < len(lines)-1 {
			b.WriteByte('-')
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	return b.String()
}

// newReader returns the buffered reader the probe reads replies with. Its
// buffer is the line bound: a line that does not fit is an error, so a server
// sending an endless line costs at most MaxLineLength octets of memory.
func newReader(r io.Reader) *bufio.Reader { return bufio.NewReaderSize(r, readerBufferLen) }

// ReadReply reads one complete reply: lines until one whose code is followed
// by a space or ends the line (RFC 5321 §4.2.1: "250-" continues, "250 "
// ends). It reads at most MaxReplyLines lines of MaxLineLength octets. A bare
// LF is accepted as a line end, as most clients do.
func ReadReply(br *bufio.Reader) (Reply, error) {
	var rep Reply
	for n := 0; ; n++ {
		if n == MaxReplyLines {
			return rep, ErrTooManyLines
		}
		line, err := br.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			return rep, ErrLineTooLong
		case errors.Is(err, io.EOF) && (len(line) > 0 || n > 0):
			return rep, ErrUnexpectedEOF
		case err != nil:
			return rep, err
		}
		code, text, last, err := parseLine(line)
		if err != nil {
			return rep, err
		}
		if n == 0 {
			rep.Code = code
		} else if code != rep.Code {
			// RFC 5321 §4.2.1: every line of a multi-line reply carries the same code.
			return rep, fmt.Errorf("%w: %d after %d", ErrCodeMismatch, code, rep.Code)
		}
		rep.Lines = append(rep.Lines, text)
		if last {
			return rep, nil
		}
	}
}

// parseLine splits "250-text\r\n" into its code, text and whether it ends the
// reply. RFC 5321 §4.2: Reply-code [ SP textstring ] CRLF, with "-" in place
// of SP on all lines but the last of a multi-line reply. The code's first
// digit is 2-5, the second 0-5 (§4.2.1).
func parseLine(line []byte) (code int, text string, last bool, err error) {
	s := strings.TrimSuffix(string(line), "\n")
	s = strings.TrimSuffix(s, "\r")
	if len(s) < 3 || s[0] < '2' || s[0] > '5' || s[1] < '0' || s[1] > '5' || s[2] < '0' || s[2] > '9' {
		return 0, "", false, fmt.Errorf("%w: %q", ErrMalformed, truncate(s, 40))
	}
	code = int(s[0]-'0')*100 + int(s[1]-'0')*10 + int(s[2]-'0')
	if len(s) == 3 {
		return code, "", true, nil
	}
	switch s[3] {
	case ' ':
		last = true
	case '-':
	default:
		return 0, "", false, fmt.Errorf("%w: %q", ErrMalformed, truncate(s, 40))
	}
	return code, s[4:], last, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

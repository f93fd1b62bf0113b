package zone

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxLineLength bounds one line of zone text. A TXT record holds at most
// 65535 octets of RDATA (RFC 1035 §3.2.1, RDLENGTH), which \DDD escapes can
// make four times longer in presentation form; 256 KiB leaves room for that
// and keeps the parser's token buffer bounded when a file is one long line.
const MaxLineLength = 256 << 10

// maxQuoted bounds how much of a bad token an error message quotes.
const maxQuoted = 40

// guard reads zone text and fails at the first sign that it is not text:
// a control byte other than tab, CR, LF and form feed (RFC 1035 §5.1 zone
// files are lines of printable text; \DDD escapes stand for other octets),
// or a line over MaxLineLength. Without it, binary noise (a zone of
// /dev/zero) becomes one 16 MiB token that the parser buffers and quotes
// in its error, four times over.
type guard struct {
	r      *bufio.Reader
	line   int
	column int
	err    *FileError // the first refusal; it takes precedence over the parser's error
}

func newGuard(r io.Reader) *guard { return &guard{r: bufio.NewReader(r), line: 1} }

// ReadByte makes guard an io.ByteReader, which the zone parser uses as is.
func (g *guard) ReadByte() (byte, error) {
	c, err := g.r.ReadByte()
	if err != nil {
		return 0, err
	}
	switch {
	case c == '\n':
		g.line++
		g.column = 0
		return c, nil
	case c < 0x20 && c != '\t' && c != '\r' && c != '\f', c == 0x7f:
		g.err = &FileError{Problem: ProblemBinary, Line: g.line, Byte: c}
		return 0, g.err
	}
	g.column++
	if g.column > MaxLineLength {
		g.err = &FileError{Problem: ProblemLongLine, Line: g.line, Limit: MaxLineLength}
		return 0, g.err
	}
	return c, nil
}

// Read serves the parser when it does not use ReadByte.
func (g *guard) Read(p []byte) (int, error) {
	for i := range p {
		c, err := g.ReadByte()
		if err != nil {
			return i, err
		}
		p[i] = c
	}
	return len(p), nil
}

// shortenParseError cuts the token that miekg/dns quotes in a parse error
// (`dns: not a TTL: "..." at line: 1:5`) to maxQuoted characters, so a bad
// file gives one readable line whatever its size.
func shortenParseError(msg string) string {
	end := strings.LastIndex(msg, `" at line: `)
	start := strings.Index(msg, `: "`)
	if start < 0 || end < start+3 {
		if len(msg) > 4*maxQuoted+100 {
			return msg[:4*maxQuoted+100] + "..."
		}
		return msg
	}
	token := msg[start+3 : end]
	if len(token) <= maxQuoted {
		return msg
	}
	cut := token[:maxQuoted]
	// Do not end inside an escape such as \x00 or \u00e9.
	if i := strings.LastIndexByte(cut, '\\'); i >= 0 && i > maxQuoted-6 {
		cut = cut[:i]
	}
	n := len(token)
	if u, err := strconv.Unquote(`"` + token + `"`); err == nil {
		n = utf8.RuneCountInString(u)
	}
	return msg[:start+3] + cut + `"... (` + strconv.Itoa(n) + ` characters)` + msg[end+1:]
}

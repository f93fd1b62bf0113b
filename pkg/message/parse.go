package message

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/dkim"
)

// MaxSize bounds the input: above the 25-35 MB limits of the large
// mailbox providers, so any message that can be delivered fits.
const MaxSize = 64 << 20

// ErrBadInput is input that is not a message or its header section: empty,
// too large, or a first line that is not a header field.
var ErrBadInput = errors.New("not a message")

// Message is the input, normalized to the wire form.
type Message struct {
	// Raw has CRLF line endings and a terminated header section.
	Raw    []byte
	Fields []dkim.Field
	Body   []byte
	// HeadersOnly: no body was supplied (no empty line after the header
	// fields, or nothing after it), as when headers are pasted from a mail
	// client. DKIM body hashes and ARC message signatures cannot then be
	// fully checked.
	HeadersOnly bool
	// Normalized lists the repairs made to the input.
	Normalized []string
}

// Parse reads a message or a pasted header section. It accepts LF line
// endings (converted to CRLF, the form signers hashed, RFC 5322 §2.1), a
// leading mbox "From " line, and leading white space from pasting.
func Parse(b []byte) (*Message, error) {
	if len(b) > MaxSize {
		return nil, fmt.Errorf("%w: larger than %d MiB", ErrBadInput, MaxSize>>20)
	}
	m := &Message{}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, fmt.Errorf("%w: empty input", ErrBadInput)
	}
	crlf := bytes.Count(b, []byte("\r\n"))
	switch lf := bytes.Count(b, []byte("\n")); {
	case crlf == 0 && lf > 0:
		b = bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
		m.Normalized = append(m.Normalized, "LF line endings converted to CRLF")
	case crlf > 0 && lf > crlf:
		// Mixed endings come from copying and pasting; SMTP carries CRLF
		// only (RFC 5321 §2.3.8), so a bare LF was not in the message
		// the signer hashed.
		b = bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
		m.Normalized = append(m.Normalized, "mixed line endings made CRLF")
	default:
		b = bytes.Clone(b)
	}
	if bytes.HasPrefix(b, []byte("From ")) {
		if i := bytes.Index(b, []byte("\r\n")); i >= 0 {
			b = b[i+2:]
			m.Normalized = append(m.Normalized, "mbox \"From \" line removed")
		}
	}
	if trimmed := bytes.TrimLeft(b, " \t\r\n"); len(trimmed) != len(b) {
		b = trimmed
		m.Normalized = append(m.Normalized, "leading blank lines removed")
	}
	if skipped, rest := skipPreamble(b); skipped > 0 {
		b = rest
		m.Normalized = append(m.Normalized, fmt.Sprintf("%d lines before the first header field skipped (a mail client's summary)", skipped))
	}
	end := bytes.Index(b, []byte("\r\n\r\n"))
	switch {
	case end < 0:
		if !bytes.HasSuffix(b, []byte("\r\n")) {
			b = append(b, '\r', '\n')
		}
		b = append(b, '\r', '\n')
		m.HeadersOnly = true
	case len(bytes.TrimSpace(b[end+4:])) == 0:
		m.HeadersOnly = true
	}
	fields, body, err := dkim.SplitMessage(b)
	if err != nil {
		if fixed, n := refold(b); n > 0 {
			if f2, b2, err2 := dkim.SplitMessage(fixed); err2 == nil && len(f2) > 0 {
				b, fields, body, err = fixed, f2, b2, nil
				m.Normalized = append(m.Normalized, fmt.Sprintf("%d lines without a field name joined to the field above (folding lost in pasting)", n))
			}
		}
	}
	if err != nil || len(fields) == 0 {
		first, _, _ := strings.Cut(string(b), "\r\n")
		return nil, fmt.Errorf("%w: the first line %q is not a header field (name \":\" value, RFC 5322 §2.2)", ErrBadInput, clip(first, 60))
	}
	m.Raw, m.Fields, m.Body = b, fields, body
	return m, nil
}

// traceStart are the fields a message as delivered starts with; a paste
// from a mail client's "show original" page may have a summary above them.
var traceStart = []string{"delivered-to:", "received:", "return-path:", "arc-seal:", "authentication-results:", "x-received:", "dkim-signature:", "received-spf:", "x-original-to:"}

// skipPreamble drops lines before the first header field when the first
// line is not one (within the first 64 lines); it returns how many.
func skipPreamble(b []byte) (int, []byte) {
	first, _, _ := bytes.Cut(b, []byte("\r\n"))
	if name, _, ok := bytes.Cut(first, []byte(":")); ok && len(name) > 0 && !bytes.ContainsAny(name, " \t") {
		return 0, b
	}
	rest := b
	for n := 0; n < 64 && len(rest) > 0; n++ {
		lower := bytes.ToLower(rest[:min(len(rest), 32)])
		for _, t := range traceStart {
			if bytes.HasPrefix(lower, []byte(t)) {
				return n, rest
			}
		}
		i := bytes.Index(rest, []byte("\r\n"))
		if i < 0 {
			break
		}
		rest = rest[i+2:]
	}
	return 0, b
}

// refold indents the lines of the header section that are neither a
// field nor a continuation, as happens when a web mail client's copy drops
// the white space that folded them (RFC 5322 §2.2.3). The first line must
// be a field.
func refold(b []byte) ([]byte, int) {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		return b, 0
	}
	lines := bytes.Split(b[:end], []byte("\r\n"))
	if len(lines) == 0 || !isField(lines[0]) {
		return b, 0
	}
	n := 0
	for i := 1; i < len(lines); i++ {
		l := lines[i]
		if len(l) > 0 && (l[0] == ' ' || l[0] == '\t') || isField(l) {
			continue
		}
		lines[i] = append([]byte{' '}, l...)
		n++
	}
	out := append(bytes.Join(lines, []byte("\r\n")), b[end:]...)
	return out, n
}

// isField: a line that starts "name:" with a field name of printable
// US-ASCII other than colon and space (RFC 5322 §3.6.8).
func isField(l []byte) bool {
	name, _, ok := bytes.Cut(l, []byte(":"))
	name = bytes.TrimRight(name, " \t")
	if !ok || len(name) == 0 {
		return false
	}
	for _, c := range name {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// Values returns the values of the fields named name, top first, unfolded.
func (m *Message) Values(name string) []string {
	var out []string
	for _, f := range m.Fields {
		if strings.EqualFold(f.Name, name) {
			out = append(out, unfold(f.Value()))
		}
	}
	return out
}

// First returns the top-most value of the field, "" when absent.
func (m *Message) First(name string) string {
	if v := m.Values(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

func unfold(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\r\n", "", "\n", "").Replace(s))
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

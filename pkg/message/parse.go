package message

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/dkim"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// MaxSize bounds the input: above the 25-35 MB limits of the large
// mailbox providers, so any message that can be delivered fits.
const MaxSize = 64 << 20

// ErrBadInput is input that is not a message or its header section: empty,
// too large, or a first line that is not a header field.
var ErrBadInput = errors.New("not a message")

// Kinds of input that is not a message (InputError.Kind).
const (
	InputTooLarge  = "too_large"  // larger than MaxSize
	InputEmpty     = "empty"      // nothing but white space
	InputNotHeader = "not_header" // the first line is not a header field
)

// InputError says why the input is not a message: a kind and the facts,
// so that the command line words it in its language. It matches
// ErrBadInput.
type InputError struct {
	Kind string
	// Line is the first line (clipped), for InputNotHeader; MaxMiB the
	// bound, for InputTooLarge.
	Line   string
	MaxMiB int
}

// Error says it in English.
func (e *InputError) Error() string {
	switch e.Kind {
	case InputTooLarge:
		return fmt.Sprintf("%v: larger than %d MiB", ErrBadInput, e.MaxMiB)
	case InputEmpty:
		return fmt.Sprintf("%v: empty input", ErrBadInput)
	}
	return fmt.Sprintf("%v: the first line %q is not a header field (name \":\" value, RFC 5322 §2.2)", ErrBadInput, e.Line)
}

// Unwrap makes every InputError match ErrBadInput.
func (e *InputError) Unwrap() error { return ErrBadInput }

// Msg is the error as words (message.input.error.<kind>).
func (e *InputError) Msg() report.Msg {
	return report.T("message.input.error."+e.Kind, report.Params{"line": e.Line, "max": e.MaxMiB})
}

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
	// Normalized lists the repairs made to the input, in words.
	Normalized []report.Msg
}

// Parse reads a message or a pasted header section. It accepts LF line
// endings (converted to CRLF, the form signers hashed, RFC 5322 §2.1), a
// leading mbox "From " line, and leading white space from pasting.
func Parse(b []byte) (*Message, error) {
	if len(b) > MaxSize {
		return nil, &InputError{Kind: InputTooLarge, MaxMiB: MaxSize >> 20}
	}
	m := &Message{}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, &InputError{Kind: InputEmpty}
	}
	crlf := bytes.Count(b, []byte("\r\n"))
	switch lf := bytes.Count(b, []byte("\n")); {
	case crlf == 0 && lf > 0:
		b = bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
		m.Normalized = append(m.Normalized, report.T("message.normalized.lf", nil))
	case crlf > 0 && lf > crlf:
		// Mixed endings come from copying and pasting; SMTP carries CRLF
		// only (RFC 5321 §2.3.8), so a bare LF was not in the message
		// the signer hashed.
		b = bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
		m.Normalized = append(m.Normalized, report.T("message.normalized.mixed", nil))
	default:
		b = bytes.Clone(b)
	}
	if q, n := unquote(b); n > 0 {
		b = q
		m.Normalized = append(m.Normalized, report.T("message.normalized.quoted", report.Params{"count": n}))
	}
	if d, n, w := dedent(b); n > 0 {
		b = d
		m.Normalized = append(m.Normalized, report.T("message.normalized.indented", report.Params{"count": n, "width": w}))
	}
	if bytes.HasPrefix(b, []byte("From ")) {
		if i := bytes.Index(b, []byte("\r\n")); i >= 0 {
			b = b[i+2:]
			m.Normalized = append(m.Normalized, report.T("message.normalized.mbox", nil))
		}
	}
	if trimmed := bytes.TrimLeft(b, " \t\r\n"); len(trimmed) != len(b) {
		b = trimmed
		m.Normalized = append(m.Normalized, report.T("message.normalized.blank", nil))
	}
	if skipped, rest := skipSummary(b); skipped > 0 {
		b = rest
		m.Normalized = append(m.Normalized, report.T("message.normalized.gmail_summary", report.Params{"count": skipped}))
	}
	if skipped, rest := skipPreamble(b); skipped > 0 {
		b = rest
		m.Normalized = append(m.Normalized, report.T("message.normalized.preamble", report.Params{"count": skipped}))
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
				m.Normalized = append(m.Normalized, report.T("message.normalized.refolded", report.Params{"count": n}))
			}
		}
	}
	if err != nil || len(fields) == 0 {
		first, _, _ := strings.Cut(string(b), "\r\n")
		return nil, &InputError{Kind: InputNotHeader, Line: clip(first, 60)}
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

// unquote removes one level of reply quoting (RFC 3676 §4.5 quote marks,
// "> " or ">") when every non-empty line carries it, as when a message's
// headers are pasted from an email reply. It returns how many lines it
// changed (0: the input is not quoted).
func unquote(b []byte) ([]byte, int) {
	lines := bytes.Split(b, []byte("\r\n"))
	quoted := func(l []byte) bool { t := bytes.TrimLeft(l, " \t"); return len(t) > 0 && t[0] == '>' }
	// An attribution line ("On Tue, ... wrote:") may come first.
	for i := 0; i < len(lines) && i < 3; i++ {
		if quoted(lines[i]) {
			lines = lines[i:]
			break
		}
	}
	n := 0
	for _, l := range lines {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		if !quoted(l) {
			return b, 0
		}
		n++
	}
	if n < 2 {
		return b, 0
	}
	for i, l := range lines {
		l = bytes.TrimLeft(l, " \t")
		if len(l) > 0 && l[0] == '>' {
			l = l[1:]
			if len(l) > 0 && l[0] == ' ' {
				l = l[1:]
			}
		}
		lines[i] = l
	}
	return bytes.Join(lines, []byte("\r\n")), n
}

// dedent removes the indentation every non-empty line of the header
// section shares, when the first line has some: a paste that indented
// the whole block. Folded lines keep the white space beyond it (RFC 5322
// §2.2.3). It returns the lines changed and the width removed.
func dedent(b []byte) ([]byte, int, int) {
	lines := bytes.Split(b, []byte("\r\n"))
	first := -1
	for i, l := range lines {
		if len(bytes.TrimSpace(l)) > 0 {
			first = i
			break
		}
	}
	if first < 0 {
		return b, 0, 0
	}
	width := -1
	for _, l := range lines[first:] {
		if len(bytes.TrimSpace(l)) == 0 {
			break // the end of the header section
		}
		w := len(l) - len(bytes.TrimLeft(l, " \t"))
		if width < 0 || w < width {
			width = w
		}
	}
	if width <= 0 {
		return b, 0, 0
	}
	n := 0
	for i, l := range lines {
		w := min(width, len(l)-len(bytes.TrimLeft(l, " \t")))
		if w > 0 {
			lines[i] = l[w:]
			n++
		}
	}
	return bytes.Join(lines, []byte("\r\n")), n, width
}

// gmailSummary are the lines of the block Gmail's "Show original" page
// shows above the message ("Message ID", "Created at:", "SPF:", "DKIM:",
// "DMARC:", "Download original"); From, To and Subject lines also appear
// there, so a copy that starts at them looks like header fields.
var gmailSummary = []string{"original message", "message id", "created at:", "spf:", "dkim:", "dmarc:", "download original", "copy to clipboard"}

// skipSummary drops a Gmail summary block: when one of its marker lines
// is among the first 16 lines, everything up to the first trace field
// after the last marker goes. It returns the lines dropped.
func skipSummary(b []byte) (int, []byte) {
	lines := bytes.SplitAfter(b, []byte("\r\n"))
	last := -1
	for i := 0; i < len(lines) && i < 16; i++ {
		l := bytes.ToLower(bytes.TrimSpace(lines[i]))
		for _, s := range gmailSummary {
			// A marker is the label, then a tab or the end of the line
			// (the page's table), never a field like "DKIM-Signature:".
			if bytes.HasPrefix(l, []byte(s)) && (len(l) == len(s) || l[len(s)] == '\t' || (s[len(s)-1] == ':' && (l[len(s)] == ' ' || l[len(s)] == '\t'))) {
				if s == "spf:" || s == "dkim:" || s == "dmarc:" {
					// "SPF: PASS with IP ...", "DKIM: 'PASS' with domain ..."
					if !bytes.Contains(l, []byte("pass")) && !bytes.Contains(l, []byte("fail")) && !bytes.Contains(l, []byte("neutral")) && !bytes.Contains(l, []byte("none")) {
						continue
					}
				}
				last = i
			}
		}
	}
	if last < 0 {
		return 0, b
	}
	for i := last + 1; i < len(lines) && i < last+8; i++ {
		lower := bytes.ToLower(lines[i])
		for _, t := range traceStart {
			if bytes.HasPrefix(lower, []byte(t)) {
				return i, bytes.Join(lines[i:], nil)
			}
		}
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

package arc

import (
	"bytes"
	"errors"
	"strings"
)

// Field is one header field as it appears in the message: Name as written
// (before the colon, trailing white space removed) and Raw, the whole
// field with its folding and final CRLF, which is what the simple
// canonicalization hashes (RFC 6376 §3.4.1).
type Field struct {
	Name string
	Raw  string
}

// Value is the field body after the colon, folding kept.
func (f Field) Value() string {
	_, v, _ := strings.Cut(f.Raw, ":")
	return strings.TrimRight(v, "\r\n")
}

// ErrHeader is a line in the header section that is neither a field nor
// a continuation line (RFC 5322 §2.2).
var ErrHeader = errors.New("arc: malformed header section")

// SplitMessage splits a message with CRLF line endings into its header
// fields, top first, and its body (after the empty line; nil when the
// message has none). Lines that start with white space continue the field
// above them (RFC 5322 §2.2.3).
func SplitMessage(raw []byte) ([]Field, []byte, error) {
	var head, body []byte
	switch {
	case len(bytes.TrimSpace(raw)) == 0:
		return nil, nil, nil
	case bytes.HasPrefix(raw, []byte("\r\n")):
		return nil, raw[2:], nil
	default:
		if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
			head, body = raw[:i+2], raw[i+4:]
		} else {
			head = raw
			if !bytes.HasSuffix(head, []byte("\r\n")) {
				head = append(bytes.Clone(head), '\r', '\n')
			}
		}
	}
	var fields []Field
	for len(head) > 0 {
		n := bytes.Index(head, []byte("\r\n"))
		if n < 0 {
			n = len(head) - 2
		}
		line := string(head[:n+2])
		head = head[n+2:]
		if line[0] == ' ' || line[0] == '\t' {
			if len(fields) == 0 {
				return nil, nil, ErrHeader
			}
			fields[len(fields)-1].Raw += line
			continue
		}
		name, _, ok := strings.Cut(line, ":")
		name = strings.TrimRight(name, " \t")
		if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") {
			return nil, nil, ErrHeader
		}
		fields = append(fields, Field{Name: name, Raw: line})
	}
	return fields, body, nil
}

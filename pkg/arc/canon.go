package arc

import (
	"bytes"
	"strings"
)

// Canonicalization algorithms (RFC 6376 §3.4).
const (
	Simple  = "simple"
	Relaxed = "relaxed"
)

// CanonHeader canonicalizes one header field (Raw form, CRLF-terminated).
func CanonHeader(alg, raw string) string {
	if alg == Simple {
		return raw
	}
	// RFC 6376 §3.4.2: lower-case the name, unfold, reduce WSP runs to one
	// SP, drop WSP at the end of the value and around the colon.
	name, value, _ := strings.Cut(raw, ":")
	name = strings.ToLower(strings.TrimRight(name, " \t"))
	value = strings.ReplaceAll(value, "\r\n", "")
	var b strings.Builder
	b.Grow(len(name) + len(value) + 3)
	b.WriteString(name)
	b.WriteByte(':')
	ws := false
	started := false
	for i := 0; i < len(value); i++ {
		c := value[i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			ws = true
			continue
		}
		if ws && started {
			b.WriteByte(' ')
		}
		ws = false
		started = true
		b.WriteByte(c)
	}
	b.WriteString("\r\n")
	return b.String()
}

// CanonBody canonicalizes a body (RFC 6376 §3.4.3, §3.4.4), then applies
// a length limit when l >= 0.
func CanonBody(alg string, body []byte, l int64) []byte {
	var out []byte
	if alg == Simple {
		// §3.4.3: strip trailing empty lines; an empty body is one CRLF.
		b := body
		for bytes.HasSuffix(b, []byte("\r\n\r\n")) {
			b = b[:len(b)-2]
		}
		switch {
		case len(b) == 0:
			out = []byte("\r\n")
		case !bytes.HasSuffix(b, []byte("\r\n")):
			out = append(bytes.Clone(b), '\r', '\n')
		default:
			out = b
		}
	} else {
		out = make([]byte, 0, len(body))
		lines := bytes.Split(body, []byte("\r\n"))
		if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
			lines = lines[:len(lines)-1]
		}
		for _, line := range lines {
			ws := false
			for _, c := range line {
				if c == ' ' || c == '\t' {
					ws = true
					continue
				}
				if ws {
					out = append(out, ' ')
				}
				ws = false
				out = append(out, c)
			}
			out = append(out, '\r', '\n')
		}
		// §3.4.4: ignore empty lines at the end; an empty body stays empty.
		for bytes.HasSuffix(out, []byte("\r\n\r\n")) {
			out = out[:len(out)-2]
		}
		if bytes.Equal(out, []byte("\r\n")) {
			out = out[:0]
		}
	}
	if l >= 0 && int64(len(out)) > l {
		out = out[:l]
	}
	return out
}

package bounce

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
)

// Bounds on what one message may cost. A bounce is a few kilobytes; these
// leave room for attached originals while keeping hostile input (deep
// nesting, thousands of parts, a huge base64 body) cheap.
const (
	maxDepth      = 8   // nesting of multiparts and message/rfc822 parts
	maxParts      = 256 // entities in one message, all levels
	maxHeaderSize = 256 << 10
	maxHeaders    = 1000    // header fields in one entity
	maxTextBytes  = 2 << 20 // decoded text kept from all parts together
	maxTextLines  = 5000    // lines of that text searched for recipients
	maxRecipients = 1000    // recipients reported from one message
)

// header is a list of fields in order, names as written. It is read
// leniently: bounces are often pasted, truncated or folded by hand.
type header []field

type field struct{ name, value string }

// get returns the first value of the field name (case-insensitive).
func (h header) get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.name, name) {
			return f.value
		}
	}
	return ""
}

// all returns every value of the field name, in order.
func (h header) all(name string) []string {
	var out []string
	for _, f := range h {
		if strings.EqualFold(f.name, name) {
			out = append(out, f.value)
		}
	}
	return out
}

// isFieldName reports whether s is an RFC 5322 §3.6.8 field name: printable
// ASCII except colon and space.
func isFieldName(s string) bool {
	if s == "" || len(s) > 76 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c > '~' || c == ':' {
			return false
		}
	}
	return true
}

// readHeader reads header fields from the start of b (RFC 5322 §2.2, with
// folding per §2.2.3) up to the empty line, and returns them with the rest.
// It stops at the first line that is neither a field nor a continuation:
// pasted text has no empty line after its headers. ok is false when the
// first line is not a header at all (a pasted body).
func readHeader(b []byte) (h header, rest []byte, ok bool) {
	i := 0
	// An mbox "From " line and a leading empty line are not fields.
	if bytes.HasPrefix(b, []byte("From ")) {
		if j := bytes.IndexByte(b, '\n'); j >= 0 {
			i = j + 1
		}
	}
	for i < len(b) && i < maxHeaderSize && len(h) < maxHeaders {
		j := bytes.IndexByte(b[i:], '\n')
		var line []byte
		next := len(b)
		if j >= 0 {
			line, next = b[i:i+j], i+j+1
		} else {
			line = b[i:]
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			return h, b[next:], len(h) > 0
		}
		if (line[0] == ' ' || line[0] == '\t') && len(h) > 0 {
			last := &h[len(h)-1]
			last.value += " " + strings.TrimSpace(string(line))
			i = next
			continue
		}
		k := bytes.IndexByte(line, ':')
		if k <= 0 || !isFieldName(string(bytes.TrimRight(line[:k], " \t"))) {
			// Not a field: the headers (if any) ended without an empty line.
			return h, b[i:], len(h) > 0
		}
		h = append(h, field{name: string(bytes.TrimRight(line[:k], " \t")), value: strings.TrimSpace(string(line[k+1:]))})
		i = next
	}
	if i > len(b) {
		i = len(b)
	}
	return h, b[i:], len(h) > 0
}

// entity is one MIME part after decoding its transfer encoding.
type entity struct {
	header    header
	mediaType string // lower case; "text/plain" when absent (RFC 2045 §5.2)
	params    map[string]string
	body      []byte
	parts     []*entity // multipart children, or the one message/rfc822 child
}

// walker bounds the whole parse of one message.
type walker struct {
	parts int
	text  int
	// truncated is set when a bound cut the message short.
	truncated bool
}

// parseEntity parses data as one MIME entity at depth d.
func (w *walker) parseEntity(data []byte, d int) *entity {
	h, body, _ := readHeader(data)
	return w.build(h, body, d)
}

func (w *walker) build(h header, body []byte, d int) *entity {
	w.parts++
	e := &entity{header: h, mediaType: "text/plain"}
	if ct := h.get("Content-Type"); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			// A damaged parameter list: keep the type itself.
			mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
			params = map[string]string{}
			if b := boundaryOf(ct); b != "" {
				params["boundary"] = b
			}
		}
		e.mediaType, e.params = mt, params
	}
	switch {
	case strings.HasPrefix(e.mediaType, "multipart/"):
		e.body = body
		if d >= maxDepth || w.parts >= maxParts {
			w.truncated = true
			return e
		}
		boundary := e.params["boundary"]
		if boundary == "" {
			boundary = guessBoundary(body)
		}
		if boundary == "" {
			return e
		}
		mr := multipart.NewReader(bytes.NewReader(body), boundary)
		for w.parts < maxParts {
			p, err := mr.NextRawPart()
			if err != nil {
				break // the end, or a truncated message: keep what was read
			}
			raw, _ := io.ReadAll(io.LimitReader(p, int64(len(body))+1))
			ph := header{}
			for k, vs := range p.Header {
				for _, v := range vs {
					ph = append(ph, field{name: k, value: v})
				}
			}
			e.parts = append(e.parts, w.build(ph, raw, d+1))
		}
		if len(e.parts) == 0 {
			// A boundary that never opens: treat the body as text.
			e.mediaType = "text/plain"
		}
	case isMessageType(e.mediaType):
		dec := decodeTransfer(h.get("Content-Transfer-Encoding"), body)
		if d >= maxDepth || w.parts >= maxParts {
			w.truncated = true
			e.body = dec
			return e
		}
		e.parts = []*entity{w.parseEntity(dec, d+1)}
	default:
		e.body = decodeTransfer(h.get("Content-Transfer-Encoding"), body)
	}
	return e
}

// isMessageType: a part that holds a whole message or its header
// (RFC 2046 §5.2, RFC 6522 §3, RFC 6532 §3.7, RFC 6533 §6.4).
func isMessageType(mt string) bool {
	switch mt {
	case "message/rfc822", "message/global", "message/partial", "message/news":
		return true
	}
	return false
}

// boundaryOf digs a boundary parameter out of a Content-Type the mime
// package refused (duplicate or badly quoted parameters).
func boundaryOf(ct string) string {
	i := strings.Index(asciiLower(ct), "boundary=")
	if i < 0 {
		return ""
	}
	v := ct[i+len("boundary="):]
	if strings.HasPrefix(v, `"`) {
		v = v[1:]
		if j := strings.IndexByte(v, '"'); j >= 0 {
			return v[:j]
		}
		return ""
	}
	if j := strings.IndexAny(v, "; \t"); j >= 0 {
		v = v[:j]
	}
	return v
}

// guessBoundary finds a boundary from the first "--xxx" line, for a
// multipart whose Content-Type lost its parameter (pasted, truncated).
func guessBoundary(body []byte) string {
	for _, line := range bytes.SplitN(body, []byte("\n"), 200) {
		line = bytes.TrimRight(line, "\r \t")
		if len(line) > 2 && len(line) < 72 && bytes.HasPrefix(line, []byte("--")) && !bytes.ContainsAny(line[2:], " \t") {
			return string(line[2:])
		}
	}
	return ""
}

// decodeTransfer undoes a Content-Transfer-Encoding (RFC 2045 §6). A
// damaged encoding gives what decoded before the damage.
func decodeTransfer(cte string, body []byte) []byte {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		clean := make([]byte, 0, len(body))
		for _, c := range body {
			if c > ' ' {
				clean = append(clean, c)
			}
		}
		if n := len(clean) % 4; n != 0 {
			clean = clean[:len(clean)-n]
		}
		out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
		n, err := base64.StdEncoding.Decode(out, clean)
		if err != nil && n == 0 {
			return body
		}
		return out[:n]
	case "quoted-printable":
		out, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		return out
	}
	return body
}

var wordDecoder = mime.WordDecoder{CharsetReader: func(charset string, r io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, err
	}
	return enc.NewDecoder().Reader(r), nil
}}

// decodeCharset converts text in the charset a part declares (RFC 2046
// §4.1.2) to UTF-8: bounces from Japanese, Russian and Windows systems
// come in ISO-2022-JP, KOI8-R, windows-1252. Text that declares none but
// carries ISO-2022-JP escapes (ESC $ B) is read as ISO-2022-JP. An unknown
// charset or a decoding error leaves the bytes as they are.
func decodeCharset(charset string, b []byte) []byte {
	cs := strings.ToLower(strings.Trim(charset, `"' `))
	if cs == "" || cs == "us-ascii" {
		if !bytes.Contains(b, []byte("\x1b$B")) {
			return b
		}
		cs = "iso-2022-jp"
	}
	if cs == "utf-8" || cs == "utf8" {
		return b
	}
	enc, err := htmlindex.Get(cs)
	if err != nil {
		return b
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return b
	}
	return out
}

// decodeHeader decodes RFC 2047 encoded words, keeping the raw text when a
// word cannot be decoded.
func decodeHeader(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	if d, err := wordDecoder.DecodeHeader(s); err == nil {
		return d
	}
	return s
}

// validText makes b valid UTF-8 with LF line ends.
func validText(b []byte) string {
	s := string(b)
	if strings.Contains(s, "\r") {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}

// asciiLower lower-cases ASCII letters only, so indexes into the result
// are indexes into s (strings.ToLower may change the length of non-ASCII
// text).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

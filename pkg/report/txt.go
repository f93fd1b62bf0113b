package report

import (
	"fmt"
	"strings"
)

// TXTValue formats text as the RDATA of a TXT record in zone-file syntax:
// quoted character-strings of at most 255 octets each (RFC 1035 §3.3.14),
// with quotes and backslashes escaped. Long values (2048-bit DKIM keys)
// come out as several strings, which verifiers join without spaces.
func TXTValue(text string) string {
	var parts []string
	for len(text) > 255 {
		cut := 255
		parts = append(parts, quote(text[:cut]))
		text = text[cut:]
	}
	parts = append(parts, quote(text))
	return strings.Join(parts, " ")
}

func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' || c == '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			// RFC 1035 §5.1: \DDD for an octet that is not printable, so
			// the record can be pasted as is and prints nothing raw.
			fmt.Fprintf(&b, `\%03d`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TXTRecord is a Record of type TXT for name with the given text.
func TXTRecord(name, text string) *Record {
	return &Record{Name: strings.TrimSuffix(name, "."), Type: "TXT", Value: TXTValue(text)}
}

// TXTText turns TXT RDATA in zone-file syntax (TXTValue's: quoted
// character-strings, \" and \\ escaped, \DDD octets) back into its text,
// the strings joined without spaces (RFC 7208 §3.3).
func TXTText(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' && !strings.ContainsAny(v[1:len(v)-1], "\\\"") {
		return v[1 : len(v)-1] // one string with no escape (most fixes): its inside
	}
	var b strings.Builder
	b.Grow(len(v))
	in := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '"':
			in = !in
		case !in:
			// space between character-strings
		case c == '\\' && i+3 < len(v) && isDigit(v[i+1]) && isDigit(v[i+2]) && isDigit(v[i+3]):
			b.WriteByte(byte((int(v[i+1]-'0')*100 + int(v[i+2]-'0')*10 + int(v[i+3]-'0')) & 0xff))
			i += 3
		case c == '\\' && i+1 < len(v):
			i++
			b.WriteByte(v[i])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

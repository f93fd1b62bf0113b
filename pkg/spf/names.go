package spf

import (
	"strconv"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// Names and TXT strings cross the resolver in miekg/dns presentation form:
// special characters escaped with a backslash, other octets outside
// printable ASCII as \DDD (RFC 1035 §5.1). SPF works on the raw octets
// (RFC 7208 §3.1 requires a record to be US-ASCII; a macro can expand to a
// label with spaces), so this file converts at that boundary.

// presentName returns a raw domain name (labels split on ".") in the
// presentation form miekg/dns uses, so the reply's question matches.
func presentName(raw string) string {
	plain := true
	for i := 0; i < len(raw) && plain; i++ {
		c := raw[i]
		plain = c > ' ' && c <= '~' && c != '\'' && c != '@' && c != ';' && c != '(' && c != ')' && c != '"' && c != '\\'
	}
	if plain {
		return raw // nothing to escape: the usual name, as it is
	}
	var b strings.Builder
	b.Grow(len(raw) + 8)
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '.':
			b.WriteByte('.')
		case c == ' ' || c == '\'' || c == '@' || c == ';' || c == '(' || c == ')' || c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c > '~':
			b.WriteByte('\\')
			s := strconv.Itoa(int(c))
			b.WriteString(strings.Repeat("0", 3-len(s)) + s)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// unescape turns presentation form (\X and \DDD escapes) back into octets.
func unescape(s string) string { return resolver.Unescape(s) }

// txtText is the record text of one TXT RR: its character-strings joined
// without separators (RFC 7208 §3.3), as octets.
// resolver.LookupTXT already returns octets.
func txtText(t resolver.TXT) string { return t.Text() }

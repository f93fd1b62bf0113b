package spf

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// macroItem is one piece of a macro-string (RFC 7208 §7.1): a literal run,
// an escape (%%, %_, %-) or a macro-expand %{letter digits r delimiters}.
type macroItem struct {
	lit     string // literal text, or the expansion of an escape
	escape  bool
	expand  bool
	letter  byte // lower case
	upper   bool // URL-encode the value (§7.3)
	digits  int  // keep this many rightmost parts; 0 means all
	reverse bool
	delims  string
}

const maxMacroDigits = 128 // more parts than any name can have (§7.3 keeps "the rightmost N")

// parseMacroString reads macro-string, or explain-string when space is true
// (which also allows SP). It returns at least one item for any input.
func parseMacroString(s string, space bool) ([]macroItem, *TermError) {
	var items []macroItem
	// A literal run is a substring of s, from lit to the current byte:
	// no copy (most names are one literal, and every term is parsed).
	lit := -1
	var i int
	flush := func() {
		if lit >= 0 {
			items = append(items, macroItem{lit: s[lit:i]})
			lit = -1
		}
	}
	for i = 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			// macro-literal = %x21-24 / %x26-7E (RFC 7208 §7.1).
			if (c < 0x21 || c > 0x7e) && !(space && c == ' ') {
				return nil, &TermError{Err: ErrNonASCII, Reason: ReasonNonASCII, Value: fmt.Sprintf("0x%02x", c), N: i}
			}
			if lit < 0 {
				lit = i
			}
			continue
		}
		if i+1 >= len(s) {
			return nil, termErr(ErrMacro, ReasonMacroAtEnd, "")
		}
		switch s[i+1] {
		case '%', '_', '-':
			flush()
			items = append(items, macroItem{escape: true, lit: map[byte]string{'%': "%", '_': " ", '-': "%20"}[s[i+1]]})
			i++
			continue
		case '{':
		default:
			return nil, termErr(ErrMacro, ReasonNotMacro, s[i:i+2])
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return nil, termErr(ErrMacro, ReasonUnterminated, "")
		}
		it, err := parseExpand(s[i+2 : i+end])
		if err != nil {
			return nil, err
		}
		flush()
		items = append(items, it)
		i += end
	}
	flush()
	if len(items) == 0 {
		items = append(items, macroItem{})
	}
	return items, nil
}

// parseExpand reads the inside of %{...}: macro-letter transformers *delimiter.
func parseExpand(s string) (macroItem, *TermError) {
	if s == "" {
		return macroItem{}, termErr(ErrMacro, ReasonEmptyMacro, "")
	}
	it := macroItem{expand: true}
	c := s[0]
	if c >= 'A' && c <= 'Z' {
		it.upper = true
		c += 'a' - 'A'
	}
	if !strings.ContainsRune("slodiphcrtv", rune(c)) {
		return macroItem{}, termErr(ErrMacro, ReasonMacroLetter, s[:1])
	}
	it.letter = c
	rest := s[1:]
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	if n > 0 {
		if n > 6 {
			it.digits = maxMacroDigits
		} else {
			d, _ := strconv.Atoi(rest[:n])
			// RFC 7208 §7.3: if a DIGIT transformer is given it MUST be nonzero.
			if d == 0 {
				return macroItem{}, termErr(ErrMacro, ReasonZeroDigits, s)
			}
			it.digits = min(d, maxMacroDigits)
		}
		rest = rest[n:]
	}
	if rest != "" && (rest[0] == 'r' || rest[0] == 'R') {
		it.reverse = true
		rest = rest[1:]
	}
	for i := 0; i < len(rest); i++ {
		if !strings.ContainsRune(".-+,/_=", rune(rest[i])) {
			return macroItem{}, termErr(ErrMacro, ReasonBadDelimiter, rest[i:i+1])
		}
	}
	it.delims = rest
	return it, nil
}

// macroEnv carries the values macros expand to (RFC 7208 §7.2).
type macroEnv struct {
	sender   string // <sender>, local@domain
	local    string
	senderD  string // domain of the sender
	domain   string // <domain>, the current domain
	ip       netip.Addr
	helo     string
	receiver string
	now      time.Time
	// ptr resolves %{p}; it returns "unknown" when no name validates.
	ptr func() string
}

// expand renders a macro-string. exp allows c, r and t (exp text only, §7.2).
func (e *macroEnv) expand(items []macroItem, exp bool) (string, error) {
	var b strings.Builder
	for _, it := range items {
		if !it.expand {
			b.WriteString(it.lit)
			continue
		}
		var v string
		switch it.letter {
		case 's':
			v = e.sender
		case 'l':
			v = e.local
		case 'o':
			v = e.senderD
		case 'd':
			v = e.domain
		case 'i':
			v = dottedIP(e.ip)
		case 'p':
			v = "unknown"
			if e.ptr != nil {
				v = e.ptr()
			}
		case 'v':
			v = "in-addr"
			if e.ip.Is6() {
				v = "ip6"
			}
		case 'h':
			v = e.helo
		case 'c', 'r', 't':
			if !exp {
				return "", fmt.Errorf("%w: %%{%c} outside exp text", ErrExpOnlyMacro, it.letter)
			}
			switch it.letter {
			case 'c':
				v = e.ip.String()
			case 'r':
				v = e.receiver
				if v == "" {
					v = "unknown"
				}
			case 't':
				v = strconv.FormatInt(e.now.Unix(), 10)
			}
		}
		v = transform(v, it)
		if it.upper {
			// RFC 7208 §7.3: upper-case letters URL-escape the value (RFC 3986 unreserved kept).
			v = urlEscape(v)
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

// transform applies the digits, reverse and delimiters of §7.3: split on the
// delimiters (default "."), reverse if asked, keep the rightmost N, join with ".".
func transform(v string, it macroItem) string {
	if it.digits == 0 && !it.reverse && it.delims == "" {
		return v
	}
	delims := it.delims
	if delims == "" {
		delims = "."
	}
	parts := splitAny(v, delims)
	if it.reverse {
		for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
			parts[i], parts[j] = parts[j], parts[i]
		}
	}
	if it.digits > 0 && it.digits < len(parts) {
		parts = parts[len(parts)-it.digits:]
	}
	return strings.Join(parts, ".")
}

func splitAny(s, delims string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(delims, s[i]) >= 0 {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// dottedIP is the %{i} form: dotted quad for IPv4, 32 dot-separated nibbles
// for IPv6 (RFC 7208 §7.3).
func dottedIP(ip netip.Addr) string {
	if ip.Is4() {
		return ip.String()
	}
	const hex = "0123456789abcdef"
	a := ip.As16()
	var b strings.Builder
	for i, x := range a {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteByte(hex[x>>4])
		b.WriteByte('.')
		b.WriteByte(hex[x&0xf])
	}
	return b.String()
}

// truncateName applies §7.3: an expanded name longer than 253 characters
// loses labels from the left until it fits.
func truncateName(s string) string {
	s = strings.TrimSuffix(s, ".")
	for len(s) > 253 {
		i := strings.IndexByte(s, '.')
		if i < 0 {
			return ""
		}
		s = s[i+1:]
	}
	return s
}

// urlEscape percent-encodes every octet but RFC 3986 unreserved characters.
func urlEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

package authres

import "strings"

// scanner reads the lexical pieces of RFC 8601 §2.2 (which borrows CFWS,
// quoted-string and token from RFC 5322 and RFC 2045), collecting the
// comments it passes.
type scanner struct {
	s        string
	i        int
	comments []string
}

func (s *scanner) done() bool   { return s.i >= len(s.s) }
func (s *scanner) rest() string { return s.s[s.i:] }

func (s *scanner) peek() byte {
	if s.done() {
		return 0
	}
	return s.s[s.i]
}

func (s *scanner) eat(c byte) bool {
	if s.peek() == c && !s.done() {
		s.i++
		return true
	}
	return false
}

// cfws skips folding white space and comments (RFC 5322 §3.2.2); comments
// nest and may hold quoted-pairs. An unterminated comment runs to the end.
func (s *scanner) cfws() {
	for !s.done() {
		c := s.s[s.i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			s.i++
		case c == '(':
			depth := 0
			start := s.i
			for !s.done() {
				c := s.s[s.i]
				s.i++
				if c == '\\' && !s.done() {
					s.i++
					continue
				}
				if c == '(' {
					depth++
				} else if c == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			text := strings.TrimSpace(s.s[start:s.i])
			text = strings.TrimSuffix(strings.TrimPrefix(text, "("), ")")
			if len(s.comments) < 4*MaxMethods {
				s.comments = append(s.comments, strings.Join(strings.Fields(text), " "))
			}
		default:
			return
		}
	}
}

// keyword reads a Keyword (RFC 8601 §2.2, RFC 5321 Ldh-str) leniently:
// letters, digits, "-" and "_".
func (s *scanner) keyword() string {
	start := s.i
	for !s.done() {
		c := s.s[s.i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			s.i++
			continue
		}
		break
	}
	return s.s[start:s.i]
}

func (s *scanner) digits() string {
	start := s.i
	for !s.done() && s.s[s.i] >= '0' && s.s[s.i] <= '9' {
		s.i++
	}
	return s.s[start:s.i]
}

// value reads a value: token or quoted-string (RFC 2045 §5.1). For the
// authserv-id, dots are allowed in the token as every receiver writes a
// host name there.
func (s *scanner) value() (string, bool) {
	if s.peek() == '"' {
		return s.quoted()
	}
	start := s.i
	for !s.done() && isTokenChar(s.s[s.i]) {
		s.i++
	}
	return s.s[start:s.i], s.i > start
}

// pvalue reads a property value: a quoted-string, or anything up to white
// space, ";" or a comment (an address, a domain, a base64 prefix).
func (s *scanner) pvalue() string {
	if s.peek() == '"' {
		v, _ := s.quoted()
		return v
	}
	start := s.i
	for !s.done() && isPvalueChar(s.s[s.i]) {
		s.i++
	}
	return s.s[start:s.i]
}

func (s *scanner) quoted() (string, bool) {
	var b strings.Builder
	s.i++ // opening quote
	for !s.done() {
		c := s.s[s.i]
		s.i++
		switch c {
		case '\\':
			if !s.done() {
				b.WriteByte(s.s[s.i])
				s.i++
			}
		case '"':
			return b.String(), true
		case '\r', '\n':
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), false
}

func (s *scanner) skipTo(c byte) {
	for !s.done() && s.s[s.i] != c {
		if s.s[s.i] == '"' {
			s.quoted()
			continue
		}
		if s.s[s.i] == '(' {
			s.cfws()
			continue
		}
		s.i++
	}
}

// isTokenChar: RFC 2045 token characters, which exclude tspecials.
func isTokenChar(c byte) bool {
	return c > ' ' && c < 0x7f && !strings.ContainsRune(`()<>@,;:\"/[]?=`, rune(c))
}

func isPvalueChar(c byte) bool {
	return c > ' ' && c != ';' && c != '(' && c != ')' && c != '"' && c != '\\' && c != 0x7f
}

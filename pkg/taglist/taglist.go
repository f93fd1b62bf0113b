// Package taglist parses the tag=value lists that DKIM (RFC 6376 §3.2)
// defined and that DMARC (RFC 9989 §4.7), ARC (RFC 8617 §4.1), BIMI, MTA-STS
// (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3) records reuse:
//
//	tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
//	tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
//	tag-name  =  ALPHA *ALNUMPUNC            ; ALNUMPUNC = ALPHA / DIGIT / "_"
//	tag-value =  [ tval *( 1*(WSP / FWS) tval ) ]
//	tval      =  1*VALCHAR                   ; VALCHAR = %x21-3A / %x3C-7E
//
// One parser for all of them, so that a record is read the same way by
// every check; each protocol then judges the tags it knows. Errors are
// typed (*Error, with a Kind), so that a check reports which tag is wrong
// and the report words it in its language.
package taglist

import (
	"errors"
	"strings"
)

// Tag is one tag=value pair, the value stripped of the surrounding
// whitespace.
type Tag struct {
	Name  string
	Value string
}

// List is a parsed tag-list in the order the tags appeared.
type List []Tag

// Get returns the value of the named tag (names compare as the list was
// parsed: exactly, or lower-cased with Options.FoldNames).
func (l List) Get(name string) (string, bool) {
	for _, t := range l {
		if t.Name == name {
			return t.Value, true
		}
	}
	return "", false
}

// Has reports whether the named tag is present.
func (l List) Has(name string) bool {
	_, ok := l.Get(name)
	return ok
}

// String serializes the list as "a=b; c=d".
func (l List) String() string {
	parts := make([]string, len(l))
	for i, t := range l {
		parts[i] = t.Name + "=" + t.Value
	}
	return strings.Join(parts, "; ")
}

// Options choose the protocol's variant of the grammar.
type Options struct {
	// FoldNames lower-cases tag names: DMARC's are case-insensitive
	// (RFC 9989 §4.7), DKIM's are not (RFC 6376 §3.2).
	FoldNames bool
	// AllowDuplicates keeps every occurrence of a repeated tag instead of
	// failing: RFC 6376 §3.2 makes a duplicate invalidate the list, and the
	// other protocols are read the same way unless a caller wants to show
	// the repeats.
	AllowDuplicates bool
	// ValidName, when set, replaces the DKIM tag-name grammar: MTA-STS
	// and TLS-RPT keys may start with a digit and hold "-" and "."
	// (RFC 8461 §3.1, RFC 8460 §3).
	ValidName func(string) bool
	// NoEmpty makes an empty tag-spec before the last an error (Empty),
	// as the grammar says: MTA-STS (RFC 8461 §3.1) and BIMI records are
	// read that strictly; DKIM verifiers skip them.
	NoEmpty bool
}

// Kind says what is wrong with a tag-list.
type Kind string

const (
	// NoEquals: a tag-spec with no "=".
	NoEquals Kind = "no_equals"
	// BadName: a tag name that is empty or has a character the grammar
	// does not allow.
	BadName Kind = "bad_name"
	// BadValue: a character VALCHAR does not allow, or a bare CR or LF.
	BadValue Kind = "bad_value"
	// Duplicate: a tag that appears twice.
	Duplicate Kind = "duplicate"
	// Empty: an empty tag-spec (";;"), with Options.NoEmpty.
	Empty Kind = "empty"
)

// Error is a tag-list that breaks the grammar. Index is the 1-based
// tag-spec, Tag the tag name when known, Text the offending text (clipped).
type Error struct {
	Kind  Kind
	Index int
	Tag   string
	Text  string
}

// ErrSyntax matches every *Error with errors.Is.
var ErrSyntax = errors.New("tag-list syntax error")

func (e *Error) Error() string {
	switch e.Kind {
	case NoEquals:
		return "tag-spec " + itoa(e.Index) + " " + quote(e.Text) + " has no '='"
	case BadName:
		return "tag-spec " + itoa(e.Index) + ": tag name " + quote(e.Text) + " is not valid"
	case BadValue:
		return "tag " + e.Tag + "=: " + e.Text + " is not allowed in a tag value"
	case Duplicate:
		return e.Tag + "= appears twice"
	case Empty:
		return "tag-spec " + itoa(e.Index) + " is empty"
	}
	return string(e.Kind)
}

// Is makes errors.Is(err, ErrSyntax) true.
func (e *Error) Is(target error) bool { return target == ErrSyntax }

// Parse reads a tag-list. Empty tag-specs (";;", or only whitespace) are
// skipped: the grammar allows one trailing ";" only, but every verifier
// compared (go-msgauth, OpenDKIM, Mail::DKIM, checkdmarc) skips them, so
// calling such a record broken would report a failure no receiver sees.
func Parse(s string, opt Options) (List, error) {
	var out List
	i := 0
	for spec := range strings.SplitSeq(s, ";") {
		i++
		if isFWSOnly(spec) {
			if opt.NoEmpty && i <= strings.Count(s, ";") {
				return out, &Error{Kind: Empty, Index: i}
			}
			continue
		}
		name, value, ok := strings.Cut(spec, "=")
		if !ok {
			return out, &Error{Kind: NoEquals, Index: i, Text: clip(trimFWS(spec))}
		}
		name = trimFWS(name)
		if valid := opt.ValidName; (valid == nil && !validName(name)) || (valid != nil && !valid(name)) {
			return out, &Error{Kind: BadName, Index: i, Text: clip(name)}
		}
		if opt.FoldNames {
			name = strings.ToLower(name)
		}
		value = trimFWS(value)
		if bad, ok := checkValue(value); !ok {
			return out, &Error{Kind: BadValue, Index: i, Tag: name, Text: bad}
		}
		if !opt.AllowDuplicates && out.Has(name) {
			return out, &Error{Kind: Duplicate, Index: i, Tag: name}
		}
		if out == nil {
			// Sized once for the specs left (a DKIM key or a DMARC
			// record has a handful; past 16, it grows), not grown tag by tag.
			out = make(List, 0, min(strings.Count(s, ";")+2-i, 16))
		}
		out = append(out, Tag{Name: name, Value: value})
	}
	return out, nil
}

func isWSP(c byte) bool { return c == ' ' || c == '\t' }

// isFWS reports the characters folding white space is made of (RFC 5322
// §3.2.2: WSP, and CRLF followed by WSP).
func isFWS(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isFWSOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isFWS(s[i]) {
			return false
		}
	}
	return true
}

func trimFWS(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r < 0x80 && isFWS(byte(r)) })
}

func validName(name string) bool {
	if name == "" {
		return false
	}
	c := name[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return false
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// checkValue enforces VALCHAR, with FWS allowed between tvals. A CR or LF
// must belong to a fold (CRLF followed by WSP); a bare one is an error. It
// returns the offending character, quoted, when the value is not valid.
func checkValue(v string) (string, bool) {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 0x21 && c <= 0x7e && c != ';':
		case isWSP(c):
		case c == '\r' && i+2 < len(v) && v[i+1] == '\n' && isWSP(v[i+2]):
			i++
		case c == '\n' && i+1 < len(v) && isWSP(v[i+1]):
			// A bare LF fold, as in a message saved with Unix line endings.
		default:
			return quoteByte(c), false
		}
	}
	return "", true
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func quote(s string) string { return `"` + s + `"` }

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(c) + "'"
	}
	const hex = "0123456789abcdef"
	return `'\x` + string(hex[c>>4]) + string(hex[c&15]) + "'"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// Package authres parses Authentication-Results header fields (RFC 8601)
// and ARC-Authentication-Results fields (RFC 8617 §4.1.1, the same payload
// after "i=N;"): which receiver (authserv-id) checked what (spf, dkim,
// dmarc, arc, iprev, bimi...) with which result and properties.
//
// The parser is lenient where receivers are sloppy (unknown methods, stray
// text after a result) and records what it could not read in Problems, so
// a field from a real mailbox is shown as far as it goes.
package authres

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// MaxMethods bounds the results read from one field; a hostile message
// could carry a field of megabytes.
const MaxMethods = 64

// Results is one parsed field.
type Results struct {
	// Instance is the ARC instance (i=) of an ARC-Authentication-Results
	// field; 0 for Authentication-Results.
	Instance   int    `json:"instance,omitempty"`
	AuthServID string `json:"authserv_id"`
	// Version is the authres-version after the authserv-id; 0 when absent
	// (meaning 1, RFC 8601 §2.2).
	Version int      `json:"version,omitempty"`
	Methods []Method `json:"results"`
	// Problems lists what could not be parsed, worded for a report (JSON:
	// strings); the results around them are kept. Errors has the same
	// problems typed.
	Problems []report.Msg `json:"problems,omitempty"`
	Errors   []*Error     `json:"-"`
}

// Method is one resinfo: method=result, reason and properties.
type Method struct {
	Method  string `json:"method"`            // lower case: spf, dkim, dmarc...
	Version string `json:"version,omitempty"` // method-version after "/"
	Result  string `json:"result"`            // lower case: pass, fail...
	Reason  string `json:"reason,omitempty"`
	Props   []Prop `json:"properties,omitempty"`
	// Comment holds the comments of the resinfo ("(1024-bit key)"),
	// joined by " ", which receivers use for detail.
	Comment string `json:"comment,omitempty"`
}

// Prop is a propspec: ptype.property=pvalue (RFC 8601 §2.3).
type Prop struct {
	Type  string `json:"type"` // smtp, header, body, policy; "" for a bare key=value (Microsoft's action=)
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Get returns the value of ptype.property, "" when absent.
func (m Method) Get(ptype, property string) string {
	for _, p := range m.Props {
		if strings.EqualFold(p.Type, ptype) && strings.EqualFold(p.Name, property) {
			return p.Value
		}
	}
	return ""
}

// problem records a problem that leaves the rest of the field readable.
func (r *Results) problem(e *Error) {
	r.Errors = append(r.Errors, e)
	r.Problems = append(r.Problems, e.Msg())
}

// ErrSyntax is a field whose authserv-id cannot be read.
var ErrSyntax = errors.New("authres: malformed field")

// Parse parses the value of an Authentication-Results field (after the
// colon; folding allowed).
func Parse(value string) (*Results, error) {
	s := &scanner{s: value}
	return parsePayload(s)
}

// ParseARC parses the value of an ARC-Authentication-Results field:
// "i=" instance ";" then an authres-payload (RFC 8617 §4.1.1).
func ParseARC(value string) (*Results, error) {
	s := &scanner{s: value}
	s.cfws()
	if k := s.keyword(); !strings.EqualFold(k, "i") {
		return nil, syntax(CodeARCNoInstance, 0)
	}
	s.cfws()
	if !s.eat('=') {
		return nil, syntax(CodeARCNoEquals, 0)
	}
	s.cfws()
	n, err := strconv.Atoi(s.keyword())
	if err != nil || n < 1 || n > 50 {
		return nil, syntax(CodeARCBadInstance, 0)
	}
	s.cfws()
	if !s.eat(';') {
		return nil, syntax(CodeARCNoSemicolon, n)
	}
	r, err := parsePayload(s)
	if err != nil {
		return nil, err
	}
	r.Instance = n
	return r, nil
}

func parsePayload(s *scanner) (*Results, error) {
	r := &Results{Methods: []Method{}}
	s.cfws()
	start := s.i
	id, ok := s.value()
	if !ok || id == "" {
		return nil, syntax(CodeNoAuthServID, 0)
	}
	s.cfws()
	if s.peek() == '=' || s.peek() == '/' {
		// "spf=pass ...": no authserv-id at all, as Microsoft 365 and
		// Exchange Online write it. Read the results; the receiver is
		// then known only by position.
		s.i = start
		r.problem(&Error{Code: CodeAuthServIDAbsent})
		s.s = s.s[:start] + ";" + s.s[start:]
		return parseResinfos(s, r), nil
	}
	r.AuthServID = strings.ToLower(id)
	if d := s.digits(); d != "" {
		r.Version, _ = strconv.Atoi(d)
		s.cfws()
	}
	return parseResinfos(s, r), nil
}

func parseResinfos(s *scanner, r *Results) *Results {
	for !s.done() {
		if !s.eat(';') {
			r.problem(&Error{Code: CodeUnexpected, Near: clip(s.rest())})
			break
		}
		s.cfws()
		if s.done() {
			break // a trailing ";", common in the wild
		}
		if len(r.Methods) >= MaxMethods {
			r.problem(&Error{Code: CodeTooMany, Max: MaxMethods})
			break
		}
		start := len(s.comments)
		m, err := s.resinfo()
		m.Comment = strings.Join(s.comments[start:], " ")
		if err != nil {
			r.problem(err)
			s.skipTo(';')
			if m.Method == "" {
				continue
			}
		}
		if m.Method == "none" && m.Result == "" {
			continue // no-result (RFC 8601 §2.2)
		}
		r.Methods = append(r.Methods, m)
	}
	return r
}

func (s *scanner) resinfo() (Method, *Error) {
	var m Method
	m.Method = strings.ToLower(s.keyword())
	if m.Method == "" {
		return m, &Error{Code: CodeNoMethod, Near: clip(s.rest())}
	}
	s.cfws()
	if s.eat('/') {
		s.cfws()
		m.Version = s.digits()
		s.cfws()
	}
	if !s.eat('=') {
		if m.Method == "none" {
			return m, nil
		}
		return Method{}, &Error{Code: CodeNoResult, Method: m.Method}
	}
	s.cfws()
	m.Result = strings.ToLower(s.keyword())
	if m.Result == "" {
		return m, &Error{Code: CodeNoResult, Method: m.Method}
	}
	for {
		s.cfws()
		if s.done() || s.peek() == ';' {
			return m, nil
		}
		k := s.keyword()
		if k == "" {
			return m, &Error{Code: CodeUnexpectedAfter, Near: clip(s.rest()), Method: m.Method, Result: m.Result}
		}
		s.cfws()
		if strings.EqualFold(k, "reason") && s.peek() == '=' {
			s.eat('=')
			s.cfws()
			v, _ := s.value()
			m.Reason = v
			continue
		}
		if !s.eat('.') {
			if s.eat('=') {
				// "action=oreject" (Microsoft): not RFC 8601, kept as a
				// property without a ptype.
				s.cfws()
				m.Props = append(m.Props, Prop{Name: strings.ToLower(k), Value: s.pvalue()})
				continue
			}
			return m, &Error{Code: CodeBadProperty, Property: k, Method: m.Method}
		}
		s.cfws()
		name := s.keyword()
		s.cfws()
		if name == "" || !s.eat('=') {
			return m, &Error{Code: CodeNoValue, Property: k + "." + name, Method: m.Method}
		}
		s.cfws()
		m.Props = append(m.Props, Prop{Type: strings.ToLower(k), Name: strings.ToLower(name), Value: s.pvalue()})
	}
}

// String renders the results in the RFC 8601 form, one resinfo per line.
func (r *Results) String() string {
	var b strings.Builder
	if r.Instance > 0 {
		fmt.Fprintf(&b, "i=%d; ", r.Instance)
	}
	b.WriteString(quoteIfNeeded(r.AuthServID, isTokenChar))
	if r.Version > 0 {
		fmt.Fprintf(&b, " %d", r.Version)
	}
	if len(r.Methods) == 0 {
		b.WriteString("; none")
	}
	for _, m := range r.Methods {
		b.WriteString(";\r\n\t")
		b.WriteString(m.String())
	}
	return b.String()
}

// String renders one resinfo.
func (m Method) String() string {
	var b strings.Builder
	b.WriteString(m.Method)
	if m.Version != "" {
		b.WriteString("/" + m.Version)
	}
	b.WriteString("=" + m.Result)
	if m.Reason != "" {
		b.WriteString(" reason=" + quote(m.Reason))
	}
	for _, p := range m.Props {
		if p.Type == "" {
			fmt.Fprintf(&b, " %s=%s", p.Name, quoteIfNeeded(p.Value, isPvalueChar))
			continue
		}
		fmt.Fprintf(&b, " %s.%s=%s", p.Type, p.Name, quoteIfNeeded(p.Value, isPvalueChar))
	}
	return b.String()
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func quoteIfNeeded(s string, plain func(byte) bool) string {
	if s == "" {
		return `""`
	}
	for i := 0; i < len(s); i++ {
		if !plain(s[i]) {
			return quote(s)
		}
	}
	return s
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

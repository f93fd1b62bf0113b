package authres

import (
	"strings"
)

// ParseReceivedSPF parses a Received-SPF field (RFC 7208 §9.1), the
// older way a receiver records its SPF verdict:
//
//	Received-SPF: pass (mx.example.org: domain of a@b.example designates
//	    192.0.2.1 as permitted sender) receiver=mx.example.org;
//	    client-ip=192.0.2.1; envelope-from="a@b.example"; helo=mail.b.example;
//
// as one spf result. AuthServID is the receiver= key, or else the name
// before ":" in the comment (the form Gmail and Postfix write); the keys
// are kept as properties of type "spf" (client-ip, envelope-from, helo,
// identity...), and envelope-from and helo also as smtp.mailfrom and
// smtp.helo so that readers of Authentication-Results find them.
func ParseReceivedSPF(value string) (*Results, error) {
	s := &scanner{s: value}
	s.cfws()
	result := strings.ToLower(s.keyword())
	switch result {
	case "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror":
	default:
		return nil, syntax(CodeSPFNoResult, 0)
	}
	m := Method{Method: "spf", Result: result}
	r := &Results{Methods: []Method{}}
	s.cfws()
	m.Comment = strings.Join(s.comments, " ")
	if i := strings.IndexByte(m.Comment, ':'); i > 0 && !strings.ContainsAny(m.Comment[:i], " \t") {
		r.AuthServID = strings.ToLower(m.Comment[:i])
	}
	for !s.done() && len(m.Props) < 16 {
		s.cfws()
		key := strings.ToLower(s.keyword())
		if key == "" {
			r.problem(&Error{Code: CodeUnexpected, Near: clip(s.rest())})
			break
		}
		s.cfws()
		if !s.eat('=') {
			r.problem(&Error{Code: CodeKeyNoValue, Property: key})
			break
		}
		s.cfws()
		v := s.pvalue()
		m.Props = append(m.Props, Prop{Type: "spf", Name: key, Value: v})
		switch key {
		case "receiver":
			r.AuthServID = strings.ToLower(v)
		case "envelope-from":
			m.Props = append(m.Props, Prop{Type: "smtp", Name: "mailfrom", Value: v})
		case "helo":
			m.Props = append(m.Props, Prop{Type: "smtp", Name: "helo", Value: v})
		}
		s.cfws()
		s.eat(';')
	}
	r.Methods = append(r.Methods, m)
	return r, nil
}

package tlsrpt

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/taglist"
)

// Errors from Parse; test with errors.Is.
var (
	ErrNotTLSRPT = errors.New(`record does not start with "v=TLSRPTv1"`)
	ErrField     = errors.New("malformed field")
	ErrNoRUA     = errors.New("missing rua")
	ErrURI       = errors.New("rua URI must be mailto: with an address or https: with a host")
)

// Record is the TXT record at _smtp._tls.<domain> (RFC 8460 §3).
type Record struct {
	RUA        []string
	Extensions []Pair
}

// Pair is an extension field.
type Pair struct {
	Key   string
	Value string
}

// IsTLSRPT reports whether a TXT string is a TLS-RPT candidate: RFC 8460
// §3 discards records that do not begin with "v=TLSRPTv1" before counting.
func IsTLSRPT(txt string) bool { return strings.HasPrefix(txt, "v=TLSRPTv1") }

// Parse reads a record following the ABNF of RFC 8460 §3:
//
//	tlsrpt-record  = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
//	field-delim    = *WSP ";" *WSP
//	tlsrpt-rua     = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
//	tlsrpt-ext-name  = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
//	tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)
//
// URIs other than mailto: and https: are refused (§3: "the only
// currently defined schemes"). A second rua field adds its URIs.
func Parse(txt string) (Record, error) {
	var rec Record
	// The shared tag-list parser (pkg/taglist) with the key grammar of
	// RFC 8460 §3, which forbids empty fields but a trailing ";".
	tags, err := taglist.Parse(txt, taglist.Options{AllowDuplicates: true, ValidName: validKey, NoEmpty: true})
	if err != nil {
		var te *taglist.Error
		errors.As(err, &te)
		if te.Index == 1 {
			return rec, ErrNotTLSRPT
		}
		return rec, &ParseError{Err: ErrField, Syntax: te}
	}
	if len(tags) == 0 || tags[0].Name != "v" || tags[0].Value != "TLSRPTv1" {
		return rec, ErrNotTLSRPT
	}
	for _, t := range tags[1:] {
		if t.Name == "rua" {
			for _, u := range strings.Split(t.Value, ",") {
				u = strings.Trim(u, " \t")
				if err := checkURI(u); err != nil {
					return rec, err
				}
				rec.RUA = append(rec.RUA, u)
			}
			continue
		}
		if !validExtValue(t.Value) {
			return rec, &ParseError{Err: ErrField, Value: clip(t.Name + "=" + t.Value)}
		}
		rec.Extensions = append(rec.Extensions, Pair{t.Name, t.Value})
	}
	if len(rec.RUA) == 0 {
		return rec, ErrNoRUA
	}
	return rec, nil
}

// ParseError is a TLS-RPT record that Parse refuses: Err is the sentinel
// (errors.Is: ErrField, ErrURI), Syntax the tag-list error when the record
// is not a tag-list, Value the offending text (clipped). Checks word it
// from its parts.
type ParseError struct {
	Err    error
	Syntax *taglist.Error
	Value  string
}

func (e *ParseError) Error() string {
	switch {
	case e.Syntax != nil:
		return e.Err.Error() + ": " + e.Syntax.Error()
	case e.Value == "" && e.Err == ErrURI:
		return e.Err.Error() + ": empty URI"
	}
	return fmt.Sprintf("%v: %q", e.Err, e.Value)
}

// Unwrap returns the sentinel.
func (e *ParseError) Unwrap() error { return e.Err }

// String serializes the record.
func (r Record) String() string {
	s := "v=TLSRPTv1; rua=" + strings.Join(r.RUA, ",")
	for _, e := range r.Extensions {
		s += "; " + e.Key + "=" + e.Value
	}
	return s
}

// MailtoDomain returns the domain of a mailto: URI, or "".
func MailtoDomain(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || !strings.EqualFold(u.Scheme, "mailto") {
		return ""
	}
	a, err := mail.ParseAddress(u.Opaque)
	if err != nil {
		return ""
	}
	_, d, _ := strings.Cut(a.Address, "@")
	return strings.ToLower(d)
}

func checkURI(u string) error {
	if u == "" {
		return &ParseError{Err: ErrURI}
	}
	for i := 0; i < len(u); i++ {
		if c := u[i]; c <= ' ' || c >= 0x7f || c == ';' {
			return &ParseError{Err: ErrURI, Value: clip(u)}
		}
	}
	p, err := url.Parse(u)
	if err != nil {
		return &ParseError{Err: ErrURI, Value: clip(u)}
	}
	switch strings.ToLower(p.Scheme) {
	case "mailto":
		if MailtoDomain(u) == "" || strings.Contains(p.Opaque, "?") {
			return &ParseError{Err: ErrURI, Value: clip(u)}
		}
	case "https":
		if p.Host == "" || p.Opaque != "" {
			return &ParseError{Err: ErrURI, Value: clip(u)}
		}
	default:
		return &ParseError{Err: ErrURI, Value: clip(u)}
	}
	return nil
}

func validKey(k string) bool {
	if k == "" || len(k) > 32 || !isAlnum(k[0]) {
		return false
	}
	for i := 1; i < len(k); i++ {
		if c := k[i]; !isAlnum(c) && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func validExtValue(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x21 || c > 0x7e || c == ';' || c == '=' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

package tlsrpt

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
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
	fields := strings.Split(txt, ";")
	if strings.TrimRight(fields[0], " \t") != "v=TLSRPTv1" {
		return rec, ErrNotTLSRPT
	}
	for i, f := range fields[1:] {
		f = strings.Trim(f, " \t")
		if f == "" {
			if i == len(fields)-2 {
				continue // a trailing delimiter
			}
			return rec, fmt.Errorf("%w: empty field", ErrField)
		}
		key, value, ok := strings.Cut(f, "=")
		if !ok || !validKey(key) {
			return rec, fmt.Errorf("%w: %q", ErrField, clip(f))
		}
		if key == "rua" {
			for _, u := range strings.Split(value, ",") {
				u = strings.Trim(u, " \t")
				if err := checkURI(u); err != nil {
					return rec, err
				}
				rec.RUA = append(rec.RUA, u)
			}
			continue
		}
		if !validExtValue(value) {
			return rec, fmt.Errorf("%w: %q", ErrField, clip(f))
		}
		rec.Extensions = append(rec.Extensions, Pair{key, value})
	}
	if len(rec.RUA) == 0 {
		return rec, ErrNoRUA
	}
	return rec, nil
}

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
		return fmt.Errorf("%w: empty URI", ErrURI)
	}
	for i := 0; i < len(u); i++ {
		if c := u[i]; c <= ' ' || c >= 0x7f || c == ';' {
			return fmt.Errorf("%w: %q", ErrURI, clip(u))
		}
	}
	p, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrURI, clip(u))
	}
	switch strings.ToLower(p.Scheme) {
	case "mailto":
		if MailtoDomain(u) == "" || strings.Contains(p.Opaque, "?") {
			return fmt.Errorf("%w: %q", ErrURI, clip(u))
		}
	case "https":
		if p.Host == "" || p.Opaque != "" {
			return fmt.Errorf("%w: %q", ErrURI, clip(u))
		}
	default:
		return fmt.Errorf("%w: %q", ErrURI, clip(u))
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

package bimi

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/taglist"
)

// Errors from Parse; test with errors.Is.
var (
	ErrNotBIMI   = errors.New(`record does not start with "v=BIMI1"`)
	ErrSyntax    = errors.New("malformed tag list")
	ErrLocation  = errors.New("l= must be an https: URI")
	ErrAuthority = errors.New("a= must be an https: URI")
	ErrLPS       = errors.New("lps= must be a comma-separated list of local-parts")
)

// Record is a BIMI assertion record at <selector>._bimi.<domain>
// (draft-blank-ietf-bimi §4.2).
type Record struct {
	// Location is the l= tag: the https URI of the SVG logo.
	Location string
	// Authority is the a= tag: the https URI of the VMC/CMC PEM file.
	Authority string
	// AVP is the avp= tag (brand or personal), when given.
	AVP string
	// LocalParts is the lps= tag: the local-parts (news, billing) whose
	// mail uses the selector of the same name instead of this record.
	LocalParts []string
	Extensions []Pair
}

// Pair is an unknown tag, kept in order (receivers ignore it).
type Pair struct {
	Key   string
	Value string
}

// Declined reports a declination record ("v=BIMI1; l=; a=;"): the domain
// says it has no logo.
func (r Record) Declined() bool { return r.Location == "" && r.Authority == "" }

// IsBIMI reports whether a TXT string is a BIMI record candidate.
func IsBIMI(txt string) bool {
	v, _, _ := strings.Cut(txt, ";")
	k, val, ok := strings.Cut(v, "=")
	return ok && strings.Trim(k, " \t") == "v" && strings.HasPrefix(strings.Trim(val, " \t"), "BIMI")
}

// Parse reads a record: tag=value pairs separated by ";" with optional
// whitespace (the DKIM tag-list grammar, RFC 6376 §3.2, which the BIMI
// draft reuses), v=BIMI1 first, each tag at most once, l= and a= empty or
// https: URIs.
func Parse(txt string) (Record, error) {
	var rec Record
	// The shared tag-list parser (pkg/taglist), strict about empty tags;
	// names are case-insensitive except v=, which must be first and exact.
	tags, err := taglist.Parse(txt, taglist.Options{NoEmpty: true, ValidName: validTag, AllowDuplicates: true})
	if err != nil {
		var te *taglist.Error
		errors.As(err, &te)
		if te.Index == 1 {
			return rec, ErrNotBIMI
		}
		return rec, &ParseError{Err: ErrSyntax, Syntax: te}
	}
	if len(tags) == 0 || tags[0].Name != "v" || tags[0].Value != "BIMI1" {
		return rec, ErrNotBIMI
	}
	seen := map[string]bool{"v": true}
	for _, t := range tags[1:] {
		k, v := strings.ToLower(t.Name), t.Value
		if seen[k] {
			return rec, &ParseError{Err: ErrSyntax, Code: "duplicate", Tag: k}
		}
		seen[k] = true
		if k != "lps" && singleToken(k) && strings.ContainsAny(v, " \t\r\n") {
			return rec, &ParseError{Err: ErrSyntax, Code: "space", Tag: k, Value: clip(v)}
		}
		switch k {
		case "lps":
			parts, err := parseLocalParts(v)
			if err != nil {
				return rec, err
			}
			rec.LocalParts = parts
		case "l":
			if v != "" && !isHTTPS(v) {
				return rec, &ParseError{Err: ErrLocation, Tag: k, Value: clip(v)}
			}
			rec.Location = v
		case "a":
			if v != "" && !isHTTPS(v) {
				return rec, &ParseError{Err: ErrAuthority, Tag: k, Value: clip(v)}
			}
			rec.Authority = v
		case "avp":
			rec.AVP = v
		default:
			rec.Extensions = append(rec.Extensions, Pair{k, v})
		}
	}
	return rec, nil
}

// ParseError is a BIMI record that Parse refuses: Err is the sentinel
// (errors.Is: ErrSyntax, ErrLocation, ErrAuthority, ErrLPS), Syntax the
// tag-list error when the record is not a tag-list, Code what else is
// wrong ("duplicate", "space"), Tag and Value the tag concerned. Checks
// word it from its parts.
type ParseError struct {
	Err    error
	Syntax *taglist.Error
	Code   string
	Tag    string
	Value  string
}

func (e *ParseError) Error() string {
	switch {
	case e.Syntax != nil:
		return e.Err.Error() + ": " + e.Syntax.Error()
	case e.Code == "duplicate":
		return fmt.Sprintf("%v: tag %q appears twice", e.Err, e.Tag)
	case e.Code == "space":
		return fmt.Sprintf("%v: space inside %s=%q", e.Err, e.Tag, e.Value)
	case e.Err == ErrLPS:
		return fmt.Sprintf("%v, not %q", e.Err, e.Value)
	}
	return fmt.Sprintf("%v: %q", e.Err, e.Value)
}

// Unwrap returns the sentinel.
func (e *ParseError) Unwrap() error { return e.Err }

// String serializes the record.
func (r Record) String() string {
	s := "v=BIMI1; l=" + r.Location
	if r.Authority != "" {
		s += "; a=" + r.Authority
	}
	if r.AVP != "" {
		s += "; avp=" + r.AVP
	}
	if len(r.LocalParts) > 0 {
		s += "; lps=" + strings.Join(r.LocalParts, ", ")
	}
	for _, e := range r.Extensions {
		s += "; " + e.Key + "=" + e.Value
	}
	return s + ";"
}

// singleToken: the tags whose value is one token, where white space inside
// is an error (l=, a= and avp=); an unknown tag's value follows RFC 6376
// §3.2 tag-value, words separated by white space, and is ignored anyway.
func singleToken(k string) bool { return k == "l" || k == "a" || k == "avp" }

// parseLocalParts reads lps=: local-parts separated by commas, with
// optional white space around each (the tag-list's *WSP). Each is an RFC
// 5322 §3.2.3 dot-atom-text, since receivers compare it with the From
// address's local-part and use it as a selector.
func parseLocalParts(v string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(v, ",") {
		p = strings.Trim(p, " \t\r\n")
		if !isDotAtom(p) {
			return nil, &ParseError{Err: ErrLPS, Tag: "lps", Value: clip(v)}
		}
		out = append(out, p)
	}
	return out, nil
}

func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0) {
			return false
		}
	}
	return true
}

func isHTTPS(v string) bool {
	u, err := url.Parse(v)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.Opaque == ""
}

func validTag(k string) bool {
	if k == "" || len(k) > 32 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !alpha && (i == 0 || !(c >= '0' && c <= '9' || c == '_')) {
			return false
		}
	}
	return true
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

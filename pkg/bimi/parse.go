package bimi

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
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
	segs := strings.Split(txt, ";")
	seen := map[string]bool{}
	for i, seg := range segs {
		seg = strings.Trim(seg, " \t\r\n")
		if seg == "" {
			if i == len(segs)-1 && i > 0 {
				continue // a trailing ";"
			}
			if i == 0 {
				return rec, ErrNotBIMI
			}
			return rec, fmt.Errorf("%w: empty tag", ErrSyntax)
		}
		k, v, ok := strings.Cut(seg, "=")
		k, v = strings.Trim(k, " \t"), strings.Trim(v, " \t")
		if i == 0 {
			if !ok || k != "v" || v != "BIMI1" {
				return rec, ErrNotBIMI
			}
			seen["v"] = true
			continue
		}
		if !ok || !validTag(k) {
			return rec, fmt.Errorf("%w: %q", ErrSyntax, clip(seg))
		}
		k = strings.ToLower(k)
		if seen[k] {
			return rec, fmt.Errorf("%w: tag %q appears twice", ErrSyntax, k)
		}
		seen[k] = true
		// RFC 6376 §3.2's tag-value allows white space between words, and
		// lps= is a list with *WSP around its commas ("lps=news, billing",
		// as the draft's examples write it). A URI has none inside
		// (bimi-uri = [FWS] URI [FWS]), nor has avp's one keyword.
		if k != "lps" && singleToken(k) && strings.ContainsAny(v, " \t\r\n") {
			return rec, fmt.Errorf("%w: space inside %q", ErrSyntax, clip(seg))
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
				return rec, fmt.Errorf("%w: %q", ErrLocation, clip(v))
			}
			rec.Location = v
		case "a":
			if v != "" && !isHTTPS(v) {
				return rec, fmt.Errorf("%w: %q", ErrAuthority, clip(v))
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
			return nil, fmt.Errorf("%w, not %q", ErrLPS, clip(v))
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

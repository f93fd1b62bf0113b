package dkim

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/taglist"
)

// Errors from ParseTagList and ParseKeyRecord; test them with errors.Is.
var (
	// ErrSyntax is a tag-list that breaks the grammar of RFC 6376 §3.2.
	ErrSyntax = errors.New("dkim: tag-list syntax error")
	// ErrDuplicateTag is a tag that appears twice; RFC 6376 §3.2 makes the
	// whole list invalid.
	ErrDuplicateTag = errors.New("dkim: duplicate tag")
	// ErrVersion is a v= tag that is not first or not "DKIM1" (RFC 6376 §3.6.1).
	ErrVersion = errors.New("dkim: bad key record version")
	// ErrNoPublicKey is a key record without the required p= tag.
	ErrNoPublicKey = errors.New("dkim: key record has no p= tag")
)

// Tag is one tag=value pair of a tag-list (RFC 6376 §3.2).
type Tag = taglist.Tag

// TagList is a parsed tag-list in the order the tags appeared. Tag names
// are case-sensitive (RFC 6376 §3.2).
type TagList = taglist.List

// ParseTagList parses a DKIM tag-list (RFC 6376 §3.2) with the one parser
// every mailcheck check shares (pkg/taglist). A duplicate tag invalidates
// the whole list (ErrDuplicateTag); any other grammar error is ErrSyntax;
// the *taglist.Error is wrapped, for its Kind.
func ParseTagList(s string) (TagList, error) {
	l, err := taglist.Parse(s, taglist.Options{})
	var te *taglist.Error
	if errors.As(err, &te) {
		if te.Kind == taglist.Duplicate {
			return nil, fmt.Errorf("%w: %w", ErrDuplicateTag, te)
		}
		return nil, fmt.Errorf("%w: %w", ErrSyntax, te)
	}
	return l, err
}

// isFWS reports the characters that folding white space is made of
// (RFC 5322 §3.2.2: WSP, and CRLF followed by WSP).
func isFWS(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func trimFWS(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r < 0x80 && isFWS(byte(r)) })
}

// stripFWS removes all folding white space, for values such as p=, b= and
// bh= where RFC 6376 §3.5 and §3.6.1 let whitespace appear anywhere.
func stripFWS(s string) string {
	if isFWSFree(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if !isFWS(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func isFWSFree(s string) bool {
	for i := 0; i < len(s); i++ {
		if isFWS(s[i]) {
			return false
		}
	}
	return true
}

// splitColonList splits a colon-separated list (h=, s=, t= of a key record,
// h= of a signature), trimming whitespace around each element.
func splitColonList(s string) []string {
	parts := strings.Split(s, ":")
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		out = append(out, trimFWS(p))
	}
	return out
}

func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// KeyRecord is a DKIM key record, published as TXT at
// <selector>._domainkey.<domain> (RFC 6376 §3.6.1). Fields hold the tags as
// published; Effective* methods apply the defaults.
type KeyRecord struct {
	// Version is the v= value, "" when absent (it is only RECOMMENDED).
	Version string
	// HashAlgs is h=, nil when absent (all algorithms allowed).
	HashAlgs []string
	// KeyType is k=, "" when absent (RSA).
	KeyType string
	// Notes is n=, for humans only.
	Notes string
	// PublicKey is p= with whitespace removed; "" means revoked.
	PublicKey string
	// Services is s=, nil when absent ("*").
	Services []string
	// Flags is t=, nil when absent.
	Flags []string
	// Other holds tags this version does not define (g= from RFC 4871,
	// typos, extensions), which RFC 6376 §3.2 says to ignore; kept so that
	// String can reproduce the record and a report can mention them.
	Other []Tag
}

// ParseKeyRecord parses the text of one key record (the TXT strings joined
// without separators, RFC 6376 §3.6.2.2).
func ParseKeyRecord(s string) (*KeyRecord, error) {
	tags, err := ParseTagList(s)
	if err != nil {
		return nil, err
	}
	r := &KeyRecord{}
	for i, t := range tags {
		switch t.Name {
		case "v":
			// RFC 6376 §3.6.1: "If specified, this tag MUST be set to
			// "DKIM1" ... This tag MUST be the first tag in the record.
			// Records beginning with a "v=" tag with any other value MUST
			// be discarded."
			if i != 0 {
				return nil, &Error{Code: "version_position", N: i + 1, Err: ErrVersion, text: "v= is tag " + itoa(i+1) + ", it must be first"}
			}
			if t.Value != "DKIM1" {
				return nil, &Error{Code: "version_value", Value: clip(t.Value), Err: ErrVersion, text: "v=" + clip(t.Value) + ", want DKIM1"}
			}
			r.Version = t.Value
		case "h":
			r.HashAlgs = splitColonList(t.Value)
		case "k":
			r.KeyType = t.Value
		case "n":
			r.Notes = t.Value
		case "p":
			r.PublicKey = stripFWS(t.Value)
		case "s":
			r.Services = splitColonList(t.Value)
		case "t":
			r.Flags = splitColonList(t.Value)
		default:
			r.Other = append(r.Other, t)
		}
	}
	if _, ok := tags.Get("p"); !ok {
		return nil, ErrNoPublicKey
	}
	return r, nil
}

// EffectiveKeyType is k= with its default, "rsa" (RFC 6376 §3.6.1).
func (r *KeyRecord) EffectiveKeyType() string {
	if r.KeyType == "" {
		return "rsa"
	}
	return r.KeyType
}

// Revoked reports an empty p= (RFC 6376 §3.6.1: "An empty value means that
// this public key has been revoked").
func (r *KeyRecord) Revoked() bool { return r.PublicKey == "" }

// Testing reports the t=y flag (RFC 6376 §3.6.1).
func (r *KeyRecord) Testing() bool { return hasItem(r.Flags, "y") }

// StrictIdentity reports the t=s flag: the i= domain must equal d=.
func (r *KeyRecord) StrictIdentity() bool { return hasItem(r.Flags, "s") }

// ForEmail reports whether s= allows email: absent, "*" or "email"
// (RFC 6376 §3.6.1).
func (r *KeyRecord) ForEmail() bool {
	return r.Services == nil || hasItem(r.Services, "*") || hasItem(r.Services, "email")
}

// AllowsSHA256 reports whether h= allows sha256, the only hash RFC 8301 §3.1
// leaves usable. An absent h= allows every algorithm.
func (r *KeyRecord) AllowsSHA256() bool {
	return r.HashAlgs == nil || hasItem(r.HashAlgs, "sha256")
}

func hasItem(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// String serializes the record in a conventional order (v first, as §3.6.1
// requires, p last so a long key does not hide the other tags). Unknown tags
// are kept. Parsing the result gives an equal record.
func (r *KeyRecord) String() string {
	var parts []string
	if r.Version != "" {
		parts = append(parts, "v="+r.Version)
	}
	if r.KeyType != "" {
		parts = append(parts, "k="+r.KeyType)
	}
	if r.HashAlgs != nil {
		parts = append(parts, "h="+strings.Join(r.HashAlgs, ":"))
	}
	if r.Services != nil {
		parts = append(parts, "s="+strings.Join(r.Services, ":"))
	}
	if r.Flags != nil {
		parts = append(parts, "t="+strings.Join(r.Flags, ":"))
	}
	if r.Notes != "" {
		parts = append(parts, "n="+r.Notes)
	}
	for _, t := range r.Other {
		parts = append(parts, t.Name+"="+t.Value)
	}
	parts = append(parts, "p="+r.PublicKey)
	return strings.Join(parts, "; ")
}

// Package dnsname parses domain names once, at the edge: user input is mapped
// through IDNA (UTS #46, lookup profile) to its ASCII form, lower-cased and
// checked against the length rules of RFC 1035 §2.3.4, so every check compares
// and queries names in one canonical form.
package dnsname

import (
	"errors"
	"fmt"
	"hash/maphash"
	"net/netip"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/mailcheck/mailcheck/pkg/report"
	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// Limits from RFC 1035 §2.3.4: 63 octets per label, 255 octets on the wire,
// which is 253 characters in dotted presentation form without the root dot.
const (
	MaxLabelLength = 63
	MaxNameLength  = 253
)

// Errors returned by Parse; test them with errors.Is.
var (
	ErrEmpty       = errors.New("empty domain name")
	ErrTooLong     = errors.New("domain name longer than 253 characters")
	ErrLabelLength = errors.New("label longer than 63 octets")
	ErrEmptyLabel  = errors.New("empty label")
	ErrIPAddress   = errors.New("an IP address, not a domain name")
	ErrSingleLabel = errors.New("a single label, not a fully qualified domain name")
	ErrInvalid     = errors.New("invalid domain name")
	// ErrNotIPv4 is a name made of digits and dots only (192.0.2.300,
	// 999.1.1.1): meant as an IPv4 address, and not a valid one.
	ErrNotIPv4 = errors.New("not a valid IPv4 address")
	// ErrNumericTLD: a top-level label of digits only is never a domain
	// (RFC 3696 §2; RFC 1123 §2.1 keeps dotted-decimal for addresses).
	ErrNumericTLD = errors.New("top-level label is all digits, which no domain has")
)

// profile is IDNA's lookup profile without the STD3 host-name rule, so that
// underscore labels (_dmarc, _domainkey) and service names parse too.
var profile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.StrictDomainName(false),
	idna.Transitional(false),
)

// Domain is a parsed domain name. The zero value is the empty, invalid name.
type Domain struct {
	// fqdn is the lower-case A-labels with the trailing dot ("" for the
	// zero value): kept in the form DNS queries use, so that FQDN, which
	// every check calls for every name it asks, costs nothing, and String
	// is a substring of it.
	fqdn string
}

// ascii is the name without its trailing dot.
func (d Domain) ascii() string {
	if d.fqdn == "" {
		return ""
	}
	return d.fqdn[:len(d.fqdn)-1]
}

// fromASCII makes a Domain of a checked name without its trailing dot.
func fromASCII(ascii string) Domain { return Domain{fqdn: ascii + "."} }

// Parse reads a domain name as a user typed it: Unicode or ASCII, with or
// without the trailing dot. It rejects IP addresses, single labels and names
// that break the RFC 1035 length limits.
func Parse(s string) (Domain, error) {
	d, err := parse(s)
	if err != nil {
		return Domain{}, err
	}
	labels := strings.Split(d.ascii(), ".")
	switch {
	case allDigits(labels...):
		return Domain{}, &Error{Kind: ErrNotIPv4, Input: s, text: fmt.Sprintf("%q is %s", s, ErrNotIPv4)}
	case len(labels) == 1:
		return Domain{}, &Error{Kind: ErrSingleLabel, Input: s, text: fmt.Sprintf("%q: %s", s, ErrSingleLabel)}
	case allDigits(labels[len(labels)-1]):
		return Domain{}, &Error{Kind: ErrNumericTLD, Input: s, text: fmt.Sprintf("%q: %s", s, ErrNumericTLD)}
	}
	// What a user types is a host name (RFC 1123 §2.1: letters, digits,
	// hyphens) or a service name with underscores (_dmarc); anything else
	// (a slash, a colon, a star) is a URL, an address or a typo, not a
	// name to query.
	for _, r := range d.ascii() {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return Domain{}, &Error{Kind: ErrInvalid, Input: s, Char: fmt.Sprintf("%q", r), text: fmt.Sprintf("%q: %s: character %q", s, ErrInvalid, r)}
		}
	}
	return d, nil
}

func allDigits(labels ...string) bool {
	for _, l := range labels {
		if l == "" || strings.Trim(l, "0123456789") != "" {
			return false
		}
	}
	return true
}

// ParseAny is Parse without the rule against single labels; it suits names
// found in DNS data, where a top-level domain is legitimate.
func ParseAny(s string) (Domain, error) { return parse(s) }

func parse(s string) (Domain, error) {
	in := strings.TrimSpace(s)
	if in == "" || in == "." {
		return Domain{}, &Error{Kind: ErrEmpty, Input: s, text: ErrEmpty.Error()}
	}
	if IsIPAddress(strings.TrimSuffix(strings.Trim(in, "[]"), ".")) {
		return Domain{}, &Error{Kind: ErrIPAddress, Input: s, text: fmt.Sprintf("%q is %s", s, ErrIPAddress)}
	}
	if !utf8.ValidString(in) {
		// IDNA would map the bad bytes to U+FFFD and encode that,
		// giving an A-label that no longer decodes.
		return Domain{}, &Error{Kind: ErrInvalid, Input: s, UTF8: true, text: fmt.Sprintf("%q: %s: not valid UTF-8", s, ErrInvalid)}
	}
	dotted := in
	in = strings.TrimSuffix(in, ".")
	// Check lengths before IDNA so absurd input is refused cheaply; the
	// ASCII form is checked again below.
	if len(in) > 4*MaxNameLength {
		return Domain{}, &Error{Kind: ErrTooLong, Input: s, text: ErrTooLong.Error()}
	}
	ascii, err := profile.ToASCII(in)
	if err != nil {
		return Domain{}, &Error{Kind: ErrInvalid, Input: s, Err: err, text: fmt.Sprintf("%q: %s: %v", s, ErrInvalid, err)}
	}
	ascii = strings.ToLower(ascii)
	if err := checkLengths(ascii); err != nil {
		err.Input, err.text = s, fmt.Sprintf("%q: %s", s, err.text)
		return Domain{}, err
	}
	for _, r := range ascii {
		if r <= ' ' || r == 0x7f || r == '"' || r == '\\' || r == '(' || r == ')' || r == ';' || r == '@' {
			return Domain{}, &Error{Kind: ErrInvalid, Input: s, Char: fmt.Sprintf("%q", r), text: fmt.Sprintf("%q: %s: character %q", s, ErrInvalid, r)}
		}
	}
	if len(dotted) == len(ascii)+1 && dotted[len(ascii)] == '.' && dotted[:len(ascii)] == ascii {
		// A name from DNS data, already canonical with its dot: kept
		// as it came.
		return Domain{fqdn: dotted}, nil
	}
	return fromASCII(ascii), nil
}

// IsIPAddress reports whether netip.ParseAddr accepts s. Only a string
// with a colon (IPv6) or made of digits and dots (IPv4) can be an address:
// the others are not handed to ParseAddr, whose error costs an allocation,
// and nearly every name a check looks at is not an address.
func IsIPAddress(s string) bool {
	if strings.IndexByte(s, ':') < 0 && strings.Trim(s, "0123456789.") != "" {
		return false
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}

func checkLengths(ascii string) *Error {
	if len(ascii) > MaxNameLength {
		return &Error{Kind: ErrTooLong, Input: ascii, text: ErrTooLong.Error()}
	}
	for rest := ascii; ; {
		label, more, found := strings.Cut(rest, ".")
		if label == "" {
			return &Error{Kind: ErrEmptyLabel, Input: ascii, text: ErrEmptyLabel.Error()}
		}
		if len(label) > MaxLabelLength {
			return &Error{Kind: ErrLabelLength, Input: ascii, Label: truncate(label, 20), Length: len(label),
				text: fmt.Sprintf("%s (%q is %d)", ErrLabelLength, truncate(label, 20), len(label))}
		}
		if !found {
			return nil
		}
		rest = more
	}
}

// Error is a name that cannot be parsed: which rule it breaks (Kind, one
// of the Err* values above, for errors.Is) and the facts, so that a report
// can word it in the catalogs (Msg: dnsname.error.<kind>).
type Error struct {
	Kind  error
	Input string
	// Char is the character not allowed in a name (ErrInvalid), quoted.
	Char string
	// UTF8 marks input that is not valid UTF-8 (ErrInvalid).
	UTF8 bool
	// Label and Length are the label too long (ErrLabelLength).
	Label  string
	Length int
	// Err is IDNA's reason (ErrInvalid).
	Err  error
	text string
}

func (e *Error) Error() string { return e.text }

// Unwrap gives errors.Is the rule broken (ErrInvalid...) and IDNA's error.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

var kindKeys = map[error]string{
	ErrEmpty: "empty", ErrTooLong: "too_long", ErrLabelLength: "label_length", ErrEmptyLabel: "empty_label",
	ErrIPAddress: "ip_address", ErrSingleLabel: "single_label", ErrInvalid: "invalid", ErrNotIPv4: "not_ipv4",
	ErrNumericTLD: "numeric_tld",
}

// Msg words the error for a report: catalog key dnsname.error.<kind>, the
// input (at most 80 bytes of it) and the facts as parameters.
func (e *Error) Msg() report.Msg {
	p := report.Params{"input": truncate(strings.TrimSpace(e.Input), 80)}
	switch {
	case e.Char != "":
		p["char"] = e.Char
	case e.UTF8:
		p["utf8"] = true
	case e.Label != "":
		p["label"], p["length"] = e.Label, e.Length
	case e.Err != nil:
		p["reason"] = e.Err.Error() // IDNA's words (golang.org/x/net/idna): data
	}
	return report.T("dnsname.error."+kindKeys[e.Kind], p)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// MustParse is Parse for constants in tests and examples; it panics on error.
func MustParse(s string) Domain {
	d, err := ParseAny(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String returns the ASCII form without the trailing dot ("xn--bcher-kva.example").
func (d Domain) String() string { return d.ascii() }

// FQDN returns the ASCII form with the trailing dot, as DNS queries use it
// ("." for the zero value).
func (d Domain) FQDN() string {
	if d.fqdn == "" {
		return "."
	}
	return d.fqdn
}

// Unicode returns the name with U-labels, for display.
func (d Domain) Unicode() string {
	ascii := d.ascii()
	if !strings.Contains(ascii, "xn--") {
		// No A-label: the name is its own display form (IDNA maps
		// lower-case ASCII to itself, and a name it refuses is shown
		// as it is below), without ToUnicode's copies.
		return ascii
	}
	u, err := idna.Display.ToUnicode(ascii)
	if err != nil {
		return ascii
	}
	return u
}

// IsZero reports whether d is the empty name.
func (d Domain) IsZero() bool { return d.fqdn == "" }

// Labels returns the labels, leftmost first.
func (d Domain) Labels() []string {
	if d.fqdn == "" {
		return nil
	}
	return strings.Split(d.ascii(), ".")
}

// NumLabels counts the labels.
func (d Domain) NumLabels() int {
	if d.fqdn == "" {
		return 0
	}
	return strings.Count(d.fqdn, ".")
}

// Parent drops the leftmost label; ok is false for a single label.
func (d Domain) Parent() (Domain, bool) {
	i := strings.IndexByte(d.ascii(), '.')
	if i < 0 {
		return Domain{}, false
	}
	return Domain{fqdn: d.fqdn[i+1:]}, true
}

// Suffix returns the rightmost n labels (all of them when n is larger).
func (d Domain) Suffix(n int) Domain {
	labels := d.Labels()
	if n >= len(labels) {
		return d
	}
	return fromASCII(strings.Join(labels[len(labels)-n:], "."))
}

// Child prepends labels ("_dmarc", or "a._domainkey"). Prefixes come from
// mailcheck's own code or from checked input, so only the lengths are
// verified here.
func (d Domain) Child(prefix string) (Domain, error) {
	fqdn := strings.ToLower(strings.TrimSuffix(prefix, ".")) + "." + d.fqdn
	name := fqdn[:len(fqdn)-1]
	if d.fqdn == "" {
		name = fqdn // the zero value's child ("_dmarc."), refused as before
	}
	if err := checkLengths(name); err != nil {
		err.text = name + ": " + err.text
		return Domain{}, err
	}
	return Domain{fqdn: fqdn}, nil
}

// Equal compares two names.
func (d Domain) Equal(o Domain) bool { return d.fqdn == o.fqdn }

// IsSubdomainOf reports whether d is o or lies below it.
func (d Domain) IsSubdomainOf(o Domain) bool {
	if d.fqdn == o.fqdn || o.fqdn == "" {
		return d.fqdn == o.fqdn
	}
	return len(d.fqdn) > len(o.fqdn) && strings.HasSuffix(d.fqdn, o.fqdn) && d.fqdn[len(d.fqdn)-len(o.fqdn)-1] == '.'
}

// OrganizationalPSL returns the RFC 7489 §3.2 Organizational Domain: the
// public suffix plus one label, using the Public Suffix List compiled into
// golang.org/x/net/publicsuffix (ICANN and private sections). A name that is
// itself a public suffix is its own organizational domain.
//
// RFC 9989 replaced this with a DNS tree walk (see pkg/dmarc); this is kept
// because RFC 7489 receivers still compute it, and a difference between the
// two is worth reporting.
func OrganizationalPSL(d Domain) Domain {
	// A domain's checks ask it of the same name five times (DMARC, its
	// report destinations, BIMI, DNSBL): remembered in a small table of
	// the names asked last.
	slot := &orgMemo[maphash.String(orgSeed, d.fqdn)%uint64(len(orgMemo))]
	if e := slot.Load(); e != nil && e.in == d.fqdn {
		return e.out
	}
	out := organizationalPSL(d)
	slot.Store(&orgEntry{in: d.fqdn, out: out})
	return out
}

// orgMemo remembers OrganizationalPSL for recent names, one per slot
// (bounded: a slot is overwritten by the next name that falls in it).
var (
	orgMemo [1024]atomic.Pointer[orgEntry]
	orgSeed = maphash.MakeSeed()
)

type orgEntry struct {
	in  string
	out Domain
}

func organizationalPSL(d Domain) Domain {
	ascii := d.ascii()
	etld1, err := publicsuffix.EffectiveTLDPlusOne(ascii)
	if err != nil {
		return d
	}
	if strings.HasSuffix(ascii, etld1) {
		return Domain{fqdn: d.fqdn[len(ascii)-len(etld1):]} // a suffix of the name: no copy
	}
	return fromASCII(etld1)
}

package dmarc

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/taglist"
)

// Policy is a requested disposition (RFC 9989 §4.7, "p").
type Policy string

const (
	PolicyNone       Policy = "none"
	PolicyQuarantine Policy = "quarantine"
	PolicyReject     Policy = "reject"
)

// Rank orders policies by strength: none 0, quarantine 1, reject 2; -1 for
// anything else (absent or invalid).
func (p Policy) Rank() int {
	switch p {
	case PolicyNone:
		return 0
	case PolicyQuarantine:
		return 1
	case PolicyReject:
		return 2
	}
	return -1
}

// ParsePolicy reads a policy keyword, case-insensitively (RFC 5234 §2.3:
// ABNF literal strings are case-insensitive).
func ParsePolicy(s string) (Policy, bool) {
	p := Policy(strings.ToLower(strings.TrimSpace(s)))
	return p, p.Rank() >= 0
}

// Tag is one tag=value pair as published, in order.
type Tag struct {
	Name  string `json:"name"` // lower case
	Value string `json:"value"`
}

// URI is one report destination of rua or ruf (RFC 9989 §4.7; RFC 7489 §6.2
// for the size suffix).
type URI struct {
	URI string `json:"uri"` // without the size suffix
	// MaxSize is the "!size" suffix as written (lower case), RFC 7489 only.
	MaxSize      string `json:"max_size,omitempty"`
	MaxSizeBytes uint64 `json:"max_size_bytes,omitempty"`
	Scheme       string `json:"scheme"`
	// Address and Domain are set for mailto URIs.
	Address string `json:"address,omitempty"`
	Domain  string `json:"domain,omitempty"`
}

// Record is a parsed DMARC policy record. Fields hold the values as
// published; Effective* methods apply the defaults.
type Record struct {
	Tags []Tag `json:"tags"`

	Policy            Policy   `json:"p,omitempty"`
	SubdomainPolicy   Policy   `json:"sp,omitempty"`
	NonexistentPolicy Policy   `json:"np,omitempty"`
	ADKIM             string   `json:"adkim,omitempty"`
	ASPF              string   `json:"aspf,omitempty"`
	Percent           *int     `json:"pct,omitempty"`
	ReportInterval    *int64   `json:"ri,omitempty"`
	FailureOptions    []string `json:"fo,omitempty"`
	ReportFormats     []string `json:"rf,omitempty"`
	RUA               []URI    `json:"rua,omitempty"`
	RUF               []URI    `json:"ruf,omitempty"`
	PSD               string   `json:"psd,omitempty"`
	Testing           bool     `json:"t,omitempty"`

	// Problems are tag values that are not valid. RFC 7489 §6.6.3 lets a
	// record with an invalid p or sp still count, as p=none, when rua is
	// valid; other problems make the record invalid.
	Problems []Problem `json:"problems,omitempty"`
}

// Problem is one invalid tag value: the tag, what is wrong with it (Kind)
// and the value as published; Message words it (dmarc.problem.<kind>, JSON:
// a string in the report's language).
type Problem struct {
	Tag     string      `json:"tag"`
	Kind    ProblemKind `json:"kind"`
	Value   string      `json:"value"`
	Message report.Msg  `json:"message"`
}

// ProblemKind says what is wrong with a tag value.
type ProblemKind string

const (
	BadPolicy    ProblemKind = "policy"         // p, sp, np: not none, quarantine or reject
	BadAlignment ProblemKind = "alignment"      // adkim, aspf: not r or s
	BadPercent   ProblemKind = "percent"        // pct: not 0 to 100
	BadInterval  ProblemKind = "interval"       // ri: not a number of seconds
	BadFO        ProblemKind = "failure_option" // fo: not a list of 0, 1, d, s
	BadRF        ProblemKind = "report_format"  // rf: not a list of keywords
	BadPSD       ProblemKind = "psd"            // psd: not y, n or u
	BadTesting   ProblemKind = "testing"        // t: not y or n
	NoURIs       ProblemKind = "no_uris"        // rua, ruf: empty
	NotURI       ProblemKind = "not_uri"        // no scheme
	NotMailto    ProblemKind = "not_mailto"     // a mailto: without an address
	BadSize      ProblemKind = "size"           // a !size suffix that is not a number with a unit
	SizeTooLarge ProblemKind = "size_too_large" // a !size suffix over 2^64
)

// english is each kind's words for Error-style uses (tests, logs).
var english = map[ProblemKind]string{
	BadPolicy:    "%q is not none, quarantine or reject",
	BadAlignment: "%q is not r (relaxed) or s (strict)",
	BadPercent:   "%q is not a whole number from 0 to 100",
	BadInterval:  "%q is not a number of seconds",
	BadFO:        "%q is not a colon-separated list of 0, 1, d and s",
	BadRF:        "%q is not a colon-separated list of report formats",
	BadPSD:       "%q is not y, n or u",
	BadTesting:   "%q is not y or n",
	NoURIs:       "%q: empty list of URIs",
	NotURI:       "%q is not a URI (no scheme such as mailto:)",
	NotMailto:    "%q is not a mailto: address",
	BadSize:      "size %q is not a number with an optional unit k, m, g or t",
	SizeTooLarge: "size %q is too large",
}

// String says what is wrong, in English.
func (p Problem) String() string { return p.Tag + ": " + fmt.Sprintf(english[p.Kind], p.Value) }

// Errors from Parse; the wrapping error says where.
var (
	// ErrNotDMARC: the text does not start with a v=DMARC1 tag, so it is
	// not a DMARC record at all and is discarded (RFC 9989 §4.7).
	ErrNotDMARC = errors.New("dmarc: not a DMARC record")
	// ErrSyntax: the tag list is malformed, or a tag appears twice; the
	// error also wraps the *taglist.Error that says where.
	ErrSyntax = errors.New("dmarc: syntax error")
)

// SyntaxMsg words an error of Parse for a report: the tag-list error
// (dmarc.syntax.<kind> of pkg/taglist) or "not a DMARC record".
func SyntaxMsg(err error) report.Msg {
	var te *taglist.Error
	if errors.As(err, &te) {
		return report.T("dmarc.syntax."+string(te.Kind), report.Params{"index": te.Index, "tag": te.Tag, "text": te.Text})
	}
	return report.T("dmarc.syntax.not_dmarc", nil)
}

// IsCandidate reports whether a TXT string is a DMARC record candidate:
// it starts with the version tag, "v" "=" "DMARC1" (the tag name is
// case-insensitive; the value is not, RFC 9989 ABNF %x44.4d.41.52.43.31).
func IsCandidate(txt string) bool {
	name, value, ok := splitTag(firstSegment(txt))
	return ok && name == "v" && value == "DMARC1" && !startsWithSpace(txt)
}

// LooksLikeDMARC reports whether a TXT string was probably meant as a DMARC
// record, valid or not ("v=dmarc1", "v=DMARC2", " v=DMARC1", "p=reject; v=DMARC1").
func LooksLikeDMARC(txt string) bool {
	return strings.Contains(strings.ToLower(txt), "dmarc1") || strings.HasPrefix(strings.ToLower(strings.TrimSpace(txt)), "v=dmarc")
}

func startsWithSpace(s string) bool {
	return s != "" && (s[0] == ' ' || s[0] == '\t')
}

func firstSegment(txt string) string {
	if i := strings.IndexByte(txt, ';'); i >= 0 {
		return txt[:i]
	}
	return txt
}

// splitTag splits "name *WSP = *WSP value", trimming WSP (RFC 9989 ABNF
// allows WSP around "=" and around the separators).
func splitTag(seg string) (name, value string, ok bool) {
	i := strings.IndexByte(seg, '=')
	if i < 0 {
		return "", "", false
	}
	name = strings.ToLower(strings.Trim(seg[:i], " \t"))
	value = strings.Trim(seg[i+1:], " \t")
	return name, value, validTagName(name)
}

func validTagName(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !isDigit(c) && c != '_' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Parse reads a DMARC record. It fails with ErrNotDMARC when the text does
// not begin with v=DMARC1, and with ErrSyntax for a malformed tag list or a
// duplicate tag. Invalid values of known tags are collected in
// Record.Problems instead, so that a check can say exactly which tag is
// wrong and still show the rest.
func Parse(txt string) (*Record, error) {
	if !IsCandidate(txt) {
		return nil, fmt.Errorf("%w: %q does not begin with v=DMARC1", ErrNotDMARC, truncate(txt, 40))
	}
	// RFC 9989 §4.7: the record is a tag-list (RFC 6376 §3.2 grammar) with
	// case-insensitive tag names; empty tag-specs ("p=none;;") are skipped.
	// Duplicate tags: RFC 9989 does not say; a record that says two things
	// at once is treated as invalid, as checkdmarc and mox do.
	tags, err := taglist.Parse(txt, taglist.Options{FoldNames: true})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSyntax, err)
	}
	rec := &Record{}
	if len(tags) > 0 {
		rec.Tags = make([]Tag, 0, len(tags)) // once, not grown tag by tag
	}
	for i, t := range tags {
		rec.Tags = append(rec.Tags, Tag{Name: t.Name, Value: t.Value})
		if i > 0 {
			rec.parseTag(t.Name, t.Value)
		}
	}
	return rec, nil
}

func (r *Record) problem(tag string, kind ProblemKind, value string) {
	r.Problems = append(r.Problems, Problem{Tag: tag, Kind: kind, Value: value,
		Message: report.T("dmarc.problem."+string(kind), report.Params{"tag": tag, "value": value})})
}

func (r *Record) parseTag(name, value string) {
	switch name {
	case "p", "sp", "np":
		p, ok := ParsePolicy(value)
		if !ok {
			r.problem(name, BadPolicy, value)
			return
		}
		switch name {
		case "p":
			r.Policy = p
		case "sp":
			r.SubdomainPolicy = p
		default:
			r.NonexistentPolicy = p
		}
	case "adkim", "aspf":
		v := strings.ToLower(value)
		if v != "r" && v != "s" {
			r.problem(name, BadAlignment, value)
			return
		}
		if name == "adkim" {
			r.ADKIM = v
		} else {
			r.ASPF = v
		}
	case "pct":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 || n > 100 {
			r.problem(name, BadPercent, value)
			return
		}
		r.Percent = &n
	case "ri":
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || n < 0 || n > math.MaxUint32 {
			r.problem(name, BadInterval, value)
			return
		}
		r.ReportInterval = &n
	case "fo":
		opts, ok := colonList(value, func(s string) bool { return s == "0" || s == "1" || s == "d" || s == "s" })
		if !ok {
			r.problem(name, BadFO, value)
			return
		}
		r.FailureOptions = opts
	case "rf":
		formats, ok := colonList(value, isKeyword)
		if !ok {
			r.problem(name, BadRF, value)
			return
		}
		r.ReportFormats = formats
	case "rua", "ruf":
		uris, kind, bad := parseURIs(value)
		if kind != "" {
			r.problem(name, kind, bad)
			return
		}
		if name == "rua" {
			r.RUA = uris
		} else {
			r.RUF = uris
		}
	case "psd":
		v := strings.ToLower(value)
		if v != "y" && v != "n" && v != "u" {
			r.problem(name, BadPSD, value)
			return
		}
		r.PSD = v
	case "t":
		v := strings.ToLower(value)
		if v != "y" && v != "n" {
			r.problem(name, BadTesting, value)
			return
		}
		r.Testing = v == "y"
	}
	// Unknown tags MUST be ignored (RFC 9989 §4.7); the check reports them.
}

func colonList(value string, valid func(string) bool) ([]string, bool) {
	if value == "" {
		return nil, false
	}
	var out []string
	for _, p := range strings.Split(value, ":") {
		p = strings.ToLower(strings.Trim(p, " \t"))
		if !valid(p) {
			return nil, false
		}
		out = append(out, p)
	}
	return out, true
}

// isKeyword: RFC 7489 §6.4 Keyword = ALPHA *(ALPHA / DIGIT / "-") with no
// trailing "-" (ldh-str).
func isKeyword(s string) bool {
	if s == "" || !isAlpha(s[0]) || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlpha(s[i]) && !isDigit(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}

// parseURIs reads a comma-separated list of DMARC URIs; a problem comes
// with the offending text.
func parseURIs(value string) ([]URI, ProblemKind, string) {
	if strings.Trim(value, " \t") == "" {
		return nil, NoURIs, value
	}
	var out []URI
	for _, raw := range strings.Split(value, ",") {
		u, kind, bad := parseURI(strings.Trim(raw, " \t"))
		if kind != "" {
			return nil, kind, bad
		}
		out = append(out, u)
	}
	return out, "", ""
}

func parseURI(raw string) (URI, ProblemKind, string) {
	u := URI{URI: raw}
	// RFC 7489 §6.2: an optional "!" size limit with a unit k, m, g or t.
	// A "!" inside the address must be percent-encoded, so the first "!"
	// starts the suffix.
	if i := strings.IndexByte(raw, '!'); i >= 0 {
		u.URI = strings.Trim(raw[:i], " \t")
		size := strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(raw[i+1:], " ", ""), "\t", ""))
		n, kind := parseSize(size)
		if kind != "" {
			return URI{}, kind, size
		}
		u.MaxSize, u.MaxSizeBytes = size, n
	}
	i := strings.IndexByte(u.URI, ':')
	if i <= 0 || !validScheme(u.URI[:i]) {
		return URI{}, NotURI, truncate(raw, 60)
	}
	u.Scheme = strings.ToLower(u.URI[:i])
	if u.Scheme == "mailto" {
		addr := u.URI[i+1:]
		if q := strings.IndexByte(addr, '?'); q >= 0 {
			addr = addr[:q]
		}
		if dec, err := url.PathUnescape(addr); err == nil {
			addr = dec
		}
		at := strings.LastIndexByte(addr, '@')
		if at <= 0 || at == len(addr)-1 {
			return URI{}, NotMailto, truncate(raw, 60)
		}
		u.Address = addr
		u.Domain = strings.ToLower(strings.TrimSuffix(addr[at+1:], "."))
	}
	return u, "", ""
}

func validScheme(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func parseSize(s string) (uint64, ProblemKind) {
	if s == "" {
		return 0, BadSize
	}
	mult := uint64(1)
	switch s[len(s)-1] {
	case 'k':
		mult = 1 << 10
	case 'm':
		mult = 1 << 20
	case 'g':
		mult = 1 << 30
	case 't':
		mult = 1 << 40
	}
	digits := s
	if mult != 1 {
		digits = s[:len(s)-1]
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return 0, BadSize
	}
	if n > math.MaxUint64/mult {
		return 0, SizeTooLarge
	}
	return n * mult, ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// Valid7489 reports whether an RFC 7489 receiver would apply this record:
// no invalid tag other than p or sp, and either a valid p, or a valid rua
// to fall back on (RFC 7489 §6.6.3: invalid or absent p with a valid rua
// is treated as p=none).
func (r *Record) Valid7489() bool {
	pOK := r.Policy != "" && !r.hasProblem("p") && !r.hasProblem("sp")
	for _, p := range r.Problems {
		if p.Tag != "p" && p.Tag != "sp" {
			return false
		}
	}
	return pOK || (len(r.RUA) > 0 && !r.hasProblem("rua"))
}

// NoPolicy reports a record that receivers apply no DMARC policy for: no
// valid p and no valid rua to fall back on (RFC 7489 §6.6.3: "the Mail
// Receiver applies no DMARC processing").
func (r *Record) NoPolicy() bool {
	pOK := r.Policy != "" && !r.hasProblem("p")
	ruaOK := len(r.RUA) > 0 && !r.hasProblem("rua")
	return !pOK && !ruaOK
}

// Valid reports whether an RFC 9989 receiver would apply this record: no
// invalid tag value. An absent p is allowed (treated as none, §4.7).
func (r *Record) Valid() bool { return len(r.Problems) == 0 }

func (r *Record) hasProblem(tag string) bool {
	for _, p := range r.Problems {
		if p.Tag == tag {
			return true
		}
	}
	return false
}

// Has reports whether tag was published.
func (r *Record) Has(tag string) bool {
	for _, t := range r.Tags {
		if t.Name == tag {
			return true
		}
	}
	return false
}

// EffectivePolicy is p, or none when p is absent or invalid (RFC 9989 §4.7;
// RFC 7489 §6.6.3 fallback).
func (r *Record) EffectivePolicy() Policy {
	if r.Policy.Rank() >= 0 && !r.hasProblem("sp") {
		return r.Policy
	}
	return PolicyNone
}

// EffectiveSubdomainPolicy is sp, defaulting to the effective p.
func (r *Record) EffectiveSubdomainPolicy() Policy {
	if r.hasProblem("p") || r.hasProblem("sp") {
		return PolicyNone
	}
	if r.SubdomainPolicy != "" {
		return r.SubdomainPolicy
	}
	return r.EffectivePolicy()
}

// EffectiveNonexistentPolicy is np, defaulting to sp, then p (RFC 9989 §4.7).
// An invalid np counts as none for non-existent subdomains, as RFC 7489
// §6.6.3 has receivers treat an invalid p or sp (RFC 9989 carries the rule
// over to np): never the stricter sp or p it would otherwise fall back to.
func (r *Record) EffectiveNonexistentPolicy() Policy {
	if r.hasProblem("np") {
		return PolicyNone
	}
	if r.NonexistentPolicy != "" {
		return r.NonexistentPolicy
	}
	return r.EffectiveSubdomainPolicy()
}

// String serializes the record back, tags in their published order, as
// "v=DMARC1; p=reject; rua=mailto:...".
func (r *Record) String() string {
	parts := make([]string, len(r.Tags))
	for i, t := range r.Tags {
		parts[i] = t.Name + "=" + t.Value
	}
	return strings.Join(parts, "; ")
}

// With returns the record text with tag set to value: replaced in place when
// present, else inserted after v= and p=, where RFC 7489 readers expect
// policy tags. An empty value removes the tag.
func (r *Record) With(tag, value string) string {
	out := &Record{}
	done := false
	for _, t := range r.Tags {
		if t.Name == tag {
			done = true
			if value == "" {
				continue
			}
			t.Value = value
		}
		out.Tags = append(out.Tags, t)
	}
	if !done && value != "" {
		at := 1
		if tag != "p" && len(out.Tags) > 1 && out.Tags[1].Name == "p" {
			at = 2
		}
		at = min(at, len(out.Tags))
		out.Tags = append(out.Tags[:at], append([]Tag{{Name: tag, Value: value}}, out.Tags[at:]...)...)
	}
	return out.String()
}

package spf

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Result is the outcome of check_host(), named as in RFC 7208 §2.6 and
// RFC 8601 (Authentication-Results).
type Result string

const (
	None      Result = "none"      // no syntactically valid domain or no SPF record (§2.6.1)
	Neutral   Result = "neutral"   // the domain makes no assertion about the client (§2.6.2)
	Pass      Result = "pass"      // the client is authorized (§2.6.3)
	Fail      Result = "fail"      // the client is explicitly not authorized (§2.6.4)
	SoftFail  Result = "softfail"  // probably not authorized, a weak fail (§2.6.5)
	TempError Result = "temperror" // a transient DNS error (§2.6.6)
	PermError Result = "permerror" // the published records cannot be interpreted (§2.6.7)
)

// Qualifier is the prefix of a mechanism (RFC 7208 §4.6.2).
type Qualifier byte

const (
	QualifierPass     Qualifier = '+'
	QualifierFail     Qualifier = '-'
	QualifierSoftFail Qualifier = '~'
	QualifierNeutral  Qualifier = '?'
)

// Result is the check_host() result a matching mechanism with this qualifier returns.
func (q Qualifier) Result() Result {
	switch q {
	case QualifierFail:
		return Fail
	case QualifierSoftFail:
		return SoftFail
	case QualifierNeutral:
		return Neutral
	}
	return Pass
}

// Mechanism and modifier names (RFC 7208 §5, §6).
const (
	MechAll      = "all"
	MechInclude  = "include"
	MechA        = "a"
	MechMX       = "mx"
	MechPTR      = "ptr"
	MechIP4      = "ip4"
	MechIP6      = "ip6"
	MechExists   = "exists"
	ModRedirect  = "redirect"
	ModExp       = "exp"
	version      = "v=spf1"
	maxTermCount = 1024 // far beyond any sane record; bounds the work on hostile input
)

// Errors of Parse; a *SyntaxError wraps one or more of them, test with errors.Is.
var (
	ErrNotSPF            = errors.New("not an SPF record (no \"v=spf1\" version)")
	ErrSyntax            = errors.New("invalid term")
	ErrUnknownMechanism  = errors.New("unknown mechanism")
	ErrDuplicateModifier = errors.New("modifier appears more than once")
	ErrMacro             = errors.New("invalid macro")
	ErrExpOnlyMacro      = errors.New("macro letter allowed only in exp text")
	ErrNonASCII          = errors.New("non-ASCII or control character")
)

// Term is one mechanism or modifier of a record (RFC 7208 §4.6.1).
type Term struct {
	// Pos is the byte offset of the term in the record text; Index counts
	// terms from 1, the version not included.
	Pos   int `json:"pos"`
	Index int `json:"index"`
	// Name is the mechanism or modifier name in lower case.
	Name     string `json:"name"`
	Modifier bool   `json:"modifier,omitempty"`
	// Qualifier is '+' when none was written; ExplicitQualifier keeps the
	// written form for String.
	Qualifier         Qualifier `json:"-"`
	ExplicitQualifier bool      `json:"-"`
	// Value is what follows ":" or "=": a domain-spec, an address, or an
	// unknown modifier's macro-string, without any CIDR suffix.
	Value string `json:"value,omitempty"`
	// Prefix4 and Prefix6 are the CIDR lengths, -1 when absent. ip4 uses
	// Prefix4 only and ip6 Prefix6 only.
	Prefix4 int `json:"-"`
	Prefix6 int `json:"-"`
	// Addr is the network address of ip4 and ip6.
	Addr netip.Addr `json:"-"`

	spec []macroItem // parsed domain-spec of terms that have one
}

// IsMechanism reports whether t is a directive.
func (t Term) IsMechanism() bool { return !t.Modifier }

// Queries reports whether the term is one of the DNS-querying terms counted
// against the limit of 10 (RFC 7208 §4.6.4): include, a, mx, ptr, exists and
// redirect. ip4, ip6, all and exp are not counted.
func (t Term) Queries() bool {
	switch t.Name {
	case MechInclude, MechA, MechMX, MechPTR, MechExists:
		return !t.Modifier
	case ModRedirect:
		return t.Modifier
	}
	return false
}

// Dynamic reports whether the term's domain-spec depends on the sender, the
// client or the HELO name (any macro but %{d}), so it cannot be resolved
// without an evaluation.
func (t Term) Dynamic() bool {
	for _, it := range t.spec {
		if it.expand && it.letter != 'd' {
			return true
		}
	}
	return false
}

// usesLetter reports whether the domain-spec uses the macro letter.
func (t Term) usesLetter(l byte) bool {
	for _, it := range t.spec {
		if it.expand && it.letter == l {
			return true
		}
	}
	return false
}

// Prefix is the network of an ip4 or ip6 term.
func (t Term) Prefix() netip.Prefix {
	bits := t.Prefix4
	if t.Name == MechIP6 {
		bits = t.Prefix6
	}
	if bits < 0 {
		bits = t.Addr.BitLen()
	}
	p, _ := t.Addr.Prefix(bits)
	return p
}

// String serializes the term as it would be published.
func (t Term) String() string {
	if !t.Modifier && !t.ExplicitQualifier && t.Value == "" && t.Prefix4 < 0 && t.Prefix6 < 0 {
		return t.Name // "mx", "a", "all": no copy
	}
	var b strings.Builder
	b.Grow(len(t.Name) + len(t.Value) + 9) // qualifier, ':', "/32//128"
	if t.Modifier {
		b.WriteString(t.Name)
		b.WriteByte('=')
		b.WriteString(t.Value)
		return b.String()
	}
	if t.ExplicitQualifier {
		b.WriteByte(byte(t.Qualifier))
	}
	b.WriteString(t.Name)
	if t.Value != "" {
		b.WriteByte(':')
		b.WriteString(t.Value)
	}
	if t.Prefix4 >= 0 {
		b.WriteByte('/')
		b.WriteString(strconv.Itoa(t.Prefix4))
	}
	if t.Prefix6 >= 0 {
		if t.Name == MechIP6 {
			b.WriteByte('/')
		} else {
			b.WriteString("//")
		}
		b.WriteString(strconv.Itoa(t.Prefix6))
	}
	return b.String()
}

// Record is a parsed SPF record.
type Record struct {
	Terms []Term `json:"terms"`
}

// String serializes the record: the version and the terms, one space apart.
func (r *Record) String() string {
	parts := make([]string, 0, len(r.Terms)+1)
	parts = append(parts, version)
	for _, t := range r.Terms {
		parts = append(parts, t.String())
	}
	return strings.Join(parts, " ")
}

// Modifier returns the first modifier of that name, if any.
func (r *Record) Modifier(name string) (Term, bool) {
	for _, t := range r.Terms {
		if t.Modifier && t.Name == name {
			return t, true
		}
	}
	return Term{}, false
}

// Mechanisms returns the directives in order.
func (r *Record) Mechanisms() []Term {
	var out []Term
	n := 0
	for _, t := range r.Terms {
		if !t.Modifier {
			n++
		}
	}
	if n > 0 {
		out = make([]Term, 0, n)
	}
	for _, t := range r.Terms {
		if !t.Modifier {
			out = append(out, t)
		}
	}
	return out
}

// AllIndex returns the position in Terms of the first "all" mechanism, or -1.
func (r *Record) AllIndex() int {
	for i, t := range r.Terms {
		if !t.Modifier && t.Name == MechAll {
			return i
		}
	}
	return -1
}

// TermError is one syntax problem, naming the term and where it is.
type TermError struct {
	Pos   int    // byte offset of the term in the record
	Index int    // term number, from 1
	Term  string // the term as written
	Err   error  // one of the package's Err* values
	// Reason says what is wrong, as a code (one of the Reason* constants),
	// so that a report words it in its language; Value is the offending
	// text, N and Max the numbers the reason names.
	Reason string
	Value  string
	N, Max int
}

// Reasons of a TermError.
const (
	ReasonTooManyTerms    = "too_many_terms"    // more than the parser reads
	ReasonNonASCII        = "non_ascii"         // Value is the byte (0x..), N its offset in the term
	ReasonNeedsDomain     = "needs_domain"      // Value: the mechanism or modifier
	ReasonAllArgument     = "all_argument"      // "all" takes no argument
	ReasonPTRArgument     = "ptr_argument"      // ptr takes an optional domain, no CIDR
	ReasonUnknown         = "unknown_mechanism" // Value: the name as written
	ReasonNeedsAddress    = "needs_address"     // Value: ip4 or ip6
	ReasonNotIP           = "not_ip"            // Value: the text
	ReasonWrongFamily     = "wrong_family"      // Value: the address, N: 4 or 6 (the family wanted)
	ReasonBadCIDR         = "bad_cidr"          // Value: the length as written
	ReasonCIDRTooLong     = "cidr_too_long"     // N over Max
	ReasonExpOnlyMacro    = "exp_only_macro"    // Value: the letter
	ReasonBadTopLabel     = "bad_top_label"     // Value: the domain-spec
	ReasonMacroAtEnd      = "macro_at_end"      // a lone % at the end
	ReasonNotMacro        = "not_macro"         // Value: "%x"
	ReasonUnterminated    = "macro_unterminated"
	ReasonEmptyMacro      = "macro_empty"
	ReasonMacroLetter     = "macro_letter"       // Value: the letter
	ReasonZeroDigits      = "macro_zero_digits"  // Value: the macro body
	ReasonBadDelimiter    = "macro_delimiter"    // Value: the delimiter
	ReasonDuplicateModify = "duplicate_modifier" // Value: redirect or exp
)

// english words each reason for Error (the Go API); reports word the
// reason from the catalogs (spf.term_error.<reason>).
func (e *TermError) english() string {
	switch e.Reason {
	case ReasonTooManyTerms:
		return "too many terms"
	case ReasonNonASCII:
		return fmt.Sprintf("byte %s at %d", e.Value, e.N)
	case ReasonNeedsDomain:
		return e.Value + " needs a domain"
	case ReasonAllArgument:
		return "all takes no argument"
	case ReasonPTRArgument:
		return "ptr takes an optional \":domain\" and no CIDR length"
	case ReasonUnknown:
		return strconv.Quote(e.Value)
	case ReasonNeedsAddress:
		return e.Value + " needs \":address\""
	case ReasonNotIP:
		return strconv.Quote(e.Value) + " is not an IP address"
	case ReasonWrongFamily:
		return fmt.Sprintf("%q is not an IPv%d address", e.Value, e.N)
	case ReasonBadCIDR:
		return fmt.Sprintf("bad CIDR length %q", e.Value)
	case ReasonCIDRTooLong:
		return fmt.Sprintf("CIDR length %d over %d", e.N, e.Max)
	case ReasonExpOnlyMacro:
		return "%{" + e.Value + "} outside exp text"
	case ReasonBadTopLabel:
		return fmt.Sprintf("%q does not end in a valid top label", e.Value)
	case ReasonMacroAtEnd:
		return "% at the end"
	case ReasonNotMacro:
		return fmt.Sprintf("%q is not a macro", e.Value)
	case ReasonUnterminated:
		return "unterminated %{"
	case ReasonEmptyMacro:
		return "empty %{}"
	case ReasonMacroLetter:
		return fmt.Sprintf("unknown macro letter %q", e.Value)
	case ReasonZeroDigits:
		return "zero digit transformer in %{" + e.Value + "}"
	case ReasonBadDelimiter:
		return fmt.Sprintf("bad delimiter %q in a macro", e.Value)
	case ReasonDuplicateModify:
		return e.Value
	}
	return ""
}

func (e *TermError) Error() string {
	msg := e.Err.Error()
	if s := e.english(); s != "" {
		msg += ": " + s
	}
	return fmt.Sprintf("term %d %q (offset %d): %s", e.Index, e.Term, e.Pos, msg)
}

func (e *TermError) Unwrap() error { return e.Err }

// SyntaxError lists every problem found in a record; RFC 7208 §4.6 makes any
// one of them a permerror, wherever it sits.
type SyntaxError struct {
	Errs []*TermError
}

func (e *SyntaxError) Error() string {
	if len(e.Errs) == 1 {
		return e.Errs[0].Error()
	}
	return fmt.Sprintf("%s (and %d more)", e.Errs[0].Error(), len(e.Errs)-1)
}

// Unwrap lets errors.Is and errors.As see every term error.
func (e *SyntaxError) Unwrap() []error {
	out := make([]error, len(e.Errs))
	for i, te := range e.Errs {
		out[i] = te
	}
	return out
}

// IsSPF reports whether a TXT record's text is an SPF version 1 record: it
// starts with "v=spf1" (any case) followed by a space or the end (RFC 7208 §4.5).
func IsSPF(txt string) bool {
	return len(txt) >= len(version) && strings.EqualFold(txt[:len(version)], version) &&
		(len(txt) == len(version) || txt[len(version)] == ' ')
}

// Parse reads one SPF record (the joined text of one TXT RR). It returns the
// record with every term that parsed, and a *SyntaxError naming each term that
// did not; an evaluator must treat any error as permerror (RFC 7208 §4.6).
func Parse(txt string) (*Record, error) {
	if !IsSPF(txt) {
		return nil, ErrNotSPF
	}
	rec := &Record{}
	var errs []*TermError
	seen := map[string]bool{}
	pos := len(version)
	index := 0
	for pos < len(txt) {
		// RFC 7208 §4.6.1: terms are separated by one or more SP; nothing else.
		if txt[pos] == ' ' {
			pos++
			continue
		}
		end := strings.IndexByte(txt[pos:], ' ')
		if end < 0 {
			end = len(txt)
		} else {
			end += pos
		}
		index++
		if index > maxTermCount {
			errs = append(errs, &TermError{Pos: pos, Index: index, Term: txt[pos:end], Err: ErrSyntax, Reason: ReasonTooManyTerms})
			break
		}
		t, err := parseTerm(txt[pos:end])
		if err != nil {
			err.Pos, err.Index, err.Term = pos, index, txt[pos:end]
			errs = append(errs, err)
		} else {
			t.Pos, t.Index = pos, index
			if t.Modifier && (t.Name == ModRedirect || t.Name == ModExp) {
				// RFC 7208 §6: redirect and exp MUST NOT appear more than once.
				if seen[t.Name] {
					errs = append(errs, &TermError{Pos: pos, Index: index, Term: txt[pos:end], Err: ErrDuplicateModifier, Reason: ReasonDuplicateModify, Value: t.Name})
				}
				seen[t.Name] = true
			}
			if rec.Terms == nil {
				// Sized once for the terms left (at most one per
				// space; past 32, a hostile run of spaces, it grows),
				// not grown term by term.
				rec.Terms = make([]Term, 0, min(strings.Count(txt[pos:], " ")+1, 32))
			}
			rec.Terms = append(rec.Terms, t)
		}
		pos = end
	}
	if len(errs) > 0 {
		return rec, &SyntaxError{Errs: errs}
	}
	return rec, nil
}

func termErr(err error, reason, value string) *TermError {
	return &TermError{Err: err, Reason: reason, Value: value}
}

func parseTerm(s string) (Term, *TermError) {
	for i := 0; i < len(s); i++ {
		// RFC 7208 §3.1, §12: records are US-ASCII; macro-literal excludes controls.
		if s[i] < 0x21 || s[i] > 0x7e {
			return Term{}, &TermError{Err: ErrNonASCII, Reason: ReasonNonASCII, Value: fmt.Sprintf("0x%02x", s[i]), N: i}
		}
	}
	t := Term{Prefix4: -1, Prefix6: -1, Qualifier: QualifierPass}
	// RFC 7208 §12: modifier names are ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
	// followed by "="; anything else is a directive.
	if n := modifierNameLen(s); n > 0 && n < len(s) && s[n] == '=' {
		t.Modifier = true
		t.Name = strings.ToLower(s[:n])
		t.Value = s[n+1:]
		switch t.Name {
		case ModRedirect, ModExp:
			if t.Value == "" {
				return t, termErr(ErrSyntax, ReasonNeedsDomain, t.Name+"=")
			}
			items, err := parseDomainSpec(t.Value)
			if err != nil {
				return t, err
			}
			t.spec = items
		default:
			// RFC 7208 §6: unknown modifiers MUST be ignored, but their value
			// is still a macro-string (§12).
			if _, err := parseMacroString(t.Value, false); err != nil {
				return t, err
			}
		}
		return t, nil
	}
	rest := s
	switch rest[0] {
	case '+', '-', '~', '?':
		t.Qualifier = Qualifier(rest[0])
		t.ExplicitQualifier = true
		rest = rest[1:]
	}
	n := 0
	for n < len(rest) && isAlnum(rest[n]) {
		n++
	}
	t.Name = strings.ToLower(rest[:n])
	arg := rest[n:]
	switch t.Name {
	case MechAll:
		if arg != "" {
			return t, termErr(ErrSyntax, ReasonAllArgument, "")
		}
	case MechInclude, MechExists:
		if !strings.HasPrefix(arg, ":") || len(arg) == 1 {
			return t, termErr(ErrSyntax, ReasonNeedsDomain, t.Name)
		}
		t.Value = arg[1:]
		items, err := parseDomainSpec(t.Value)
		if err != nil {
			return t, err
		}
		t.spec = items
	case MechPTR:
		if arg == "" {
			return t, nil
		}
		if !strings.HasPrefix(arg, ":") || len(arg) == 1 {
			return t, termErr(ErrSyntax, ReasonPTRArgument, "")
		}
		t.Value = arg[1:]
		items, err := parseDomainSpec(t.Value)
		if err != nil {
			return t, err
		}
		t.spec = items
	case MechA, MechMX:
		if arg == "" {
			return t, nil
		}
		if arg[0] != ':' && arg[0] != '/' {
			return t, termErr(ErrUnknownMechanism, ReasonUnknown, t.Name+arg)
		}
		spec, c4, c6 := splitDualCIDR(arg)
		var err *TermError
		if c4 != "" {
			if t.Prefix4, err = parseCIDR(c4, 32); err != nil {
				return t, err
			}
		}
		if c6 != "" {
			if t.Prefix6, err = parseCIDR(c6, 128); err != nil {
				return t, err
			}
		}
		if spec != "" {
			if spec[0] != ':' || len(spec) == 1 {
				return t, termErr(ErrSyntax, ReasonNeedsDomain, t.Name)
			}
			t.Value = spec[1:]
			items, err := parseDomainSpec(t.Value)
			if err != nil {
				return t, err
			}
			t.spec = items
		}
	case MechIP4, MechIP6:
		if !strings.HasPrefix(arg, ":") || len(arg) == 1 {
			return t, termErr(ErrSyntax, ReasonNeedsAddress, t.Name)
		}
		addr, cidr := arg[1:], ""
		if i := strings.IndexByte(addr, '/'); i >= 0 {
			addr, cidr = addr[:i], addr[i:]
		}
		ip, err := netip.ParseAddr(addr)
		if err != nil || ip.Zone() != "" {
			return t, termErr(ErrSyntax, ReasonNotIP, addr)
		}
		// RFC 7208 §5.6: ip4 takes a dotted quad, ip6 an RFC 4291 address.
		if t.Name == MechIP4 && !ip.Is4() || t.Name == MechIP6 && !ip.Is6() {
			return t, &TermError{Err: ErrSyntax, Reason: ReasonWrongFamily, Value: addr, N: int(t.Name[2] - '0')}
		}
		t.Addr, t.Value = ip, addr
		if cidr != "" {
			max := 32
			if t.Name == MechIP6 {
				max = 128
			}
			bits, terr := parseCIDR(cidr[1:], max)
			if terr != nil {
				return t, terr
			}
			if t.Name == MechIP4 {
				t.Prefix4 = bits
			} else {
				t.Prefix6 = bits
			}
		}
	default:
		return t, termErr(ErrUnknownMechanism, ReasonUnknown, t.Name)
	}
	return t, nil
}

func modifierNameLen(s string) int {
	if s == "" || !isAlpha(s[0]) {
		return 0
	}
	n := 1
	for n < len(s) && (isAlnum(s[n]) || s[n] == '-' || s[n] == '_' || s[n] == '.') {
		n++
	}
	return n
}

// splitDualCIDR splits "[:domain-spec][/n][//m]" into its parts; c4 and c6
// are the digit strings (possibly empty but present, which is an error
// reported by parseCIDR) or "" when absent. A present-but-empty length is
// returned as "/" so the caller sees it.
func splitDualCIDR(arg string) (spec, c4, c6 string) {
	spec = arg
	if i := strings.LastIndex(spec, "//"); i >= 0 && allDigits(spec[i+2:]) {
		c6 = spec[i+2:]
		if c6 == "" {
			c6 = "/"
		}
		spec = spec[:i]
	}
	if i := strings.LastIndexByte(spec, '/'); i >= 0 && allDigits(spec[i+1:]) {
		c4 = spec[i+1:]
		if c4 == "" {
			c4 = "/"
		}
		spec = spec[:i]
	}
	return spec, c4, c6
}

// parseCIDR reads a prefix length: "0" or a number without a leading zero,
// at most max (RFC 7208 §12 ip4-cidr-length, ip6-cidr-length).
func parseCIDR(s string, max int) (int, *TermError) {
	if s == "" || s == "/" || !allDigits(s) || len(s) > 3 || (len(s) > 1 && s[0] == '0') {
		return -1, termErr(ErrSyntax, ReasonBadCIDR, s)
	}
	n, _ := strconv.Atoi(s)
	if n > max {
		return -1, &TermError{Err: ErrSyntax, Reason: ReasonCIDRTooLong, N: n, Max: max}
	}
	return n, nil
}

// parseDomainSpec checks domain-spec = macro-string domain-end, where
// domain-end is "." toplabel ["."] or a macro-expand (RFC 7208 §7.1, §12).
// The letters c, r and t are valid only in exp text (§7.2).
func parseDomainSpec(s string) ([]macroItem, *TermError) {
	items, err := parseMacroString(s, false)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if it.expand && (it.letter == 'c' || it.letter == 'r' || it.letter == 't') {
			return nil, termErr(ErrExpOnlyMacro, ReasonExpOnlyMacro, string(it.letter))
		}
	}
	last := items[len(items)-1]
	if last.expand || last.escape {
		return items, nil
	}
	tail := strings.TrimSuffix(last.lit, ".")
	dot := strings.LastIndexByte(tail, '.')
	if dot < 0 || !isTopLabel(tail[dot+1:]) {
		return nil, termErr(ErrSyntax, ReasonBadTopLabel, s)
	}
	return items, nil
}

// isTopLabel: toplabel = ( *alphanum ALPHA *alphanum ) /
// ( 1*alphanum "-" *( alphanum / "-" ) alphanum ), RFC 7208 §7.1.
func isTopLabel(l string) bool {
	if l == "" {
		return false
	}
	hasAlpha, hasDash := false, false
	for i := 0; i < len(l); i++ {
		switch c := l[i]; {
		case isAlpha(c):
			hasAlpha = true
		case c >= '0' && c <= '9':
		case c == '-':
			hasDash = true
		default:
			return false
		}
	}
	if hasDash {
		return l[0] != '-' && l[len(l)-1] != '-'
	}
	return hasAlpha
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnum(c byte) bool { return isAlpha(c) || c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

package mtasts

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Mode is the policy mode (RFC 8461 §5).
type Mode string

const (
	ModeEnforce Mode = "enforce"
	ModeTesting Mode = "testing"
	ModeNone    Mode = "none"
)

// MaxMaxAge is the largest max_age allowed, about one year (RFC 8461 §3.2).
const MaxMaxAge = 31557600

// Errors from ParsePolicy, joined when several apply; test with errors.Is.
var (
	ErrPolicyLine    = errors.New("line is not \"key: value\"")
	ErrPolicyVersion = errors.New(`version must be "STSv1"`)
	ErrPolicyMode    = errors.New("mode must be enforce, testing or none")
	ErrPolicyMaxAge  = errors.New("max_age must be 0 to 31557600 seconds")
	ErrPolicyMX      = errors.New("mx must be a host name or *. and a domain")
	ErrPolicyMissing = errors.New("required field missing")
	ErrPolicyExt     = errors.New("an extension field needs a value of printable characters")
)

// PolicyError is one problem of a policy file: Err is the sentinel
// (errors.Is), Line the 1-based line (0 for a missing field), Value the
// offending text (clipped), Field the missing field, and Mode the mode that
// makes mx required. Checks word it from its parts.
type PolicyError struct {
	Err   error
	Line  int
	Value string
	Field string
	Mode  Mode
}

func (e *PolicyError) Error() string {
	switch {
	case e.Err == ErrPolicyMissing && e.Mode != "":
		return fmt.Sprintf("%v: %s (required when mode is %s)", e.Err, e.Field, e.Mode)
	case e.Err == ErrPolicyMissing:
		return fmt.Sprintf("%v: %s", e.Err, e.Field)
	case e.Err == ErrPolicyLine:
		return fmt.Sprintf("line %d: %v: %q", e.Line, e.Err, e.Value)
	}
	return fmt.Sprintf("line %d: %v, not %q", e.Line, e.Err, e.Value)
}

// Unwrap returns the sentinel.
func (e *PolicyError) Unwrap() error { return e.Err }

// Policy is the policy file at https://mta-sts.<domain>/.well-known/mta-sts.txt
// (RFC 8461 §3.2).
type Policy struct {
	Version string
	Mode    Mode
	MaxAge  int // seconds
	MX      []string
	// Extensions are unknown keys, ignored by senders (§3.2) but kept so
	// String can reproduce the file.
	Extensions []Pair
	// Duplicates lists non-mx keys given more than once; the first value wins (§3.2).
	Duplicates []string
}

// ParsePolicy reads a policy body. It returns every problem it finds,
// joined, with the fields it could read: a diagnostic tool should name all
// the mistakes at once.
//
// Grammar (RFC 8461 §3.2): one "key: value" per line, lines ended by CRLF
// or LF; sts-policy-field-delim = ":" *WSP. Keys are case-sensitive; for
// keys other than mx the first occurrence wins. Unknown keys are ignored.
// Blank lines are tolerated (common senders accept them).
func ParsePolicy(body string) (Policy, error) {
	var p Policy
	var errs []error
	seen := map[string]bool{}
	for n, line := range strings.Split(body, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok || !validKey(key) {
			errs = append(errs, &PolicyError{Err: ErrPolicyLine, Line: n + 1, Value: clip(line)})
			continue
		}
		value = strings.Trim(value, " \t")
		if key != "mx" && seen[key] {
			p.Duplicates = append(p.Duplicates, key)
			continue
		}
		seen[key] = true
		switch key {
		case "version":
			p.Version = value
			if value != "STSv1" {
				errs = append(errs, &PolicyError{Err: ErrPolicyVersion, Line: n + 1, Value: clip(value)})
			}
		case "mode":
			switch Mode(value) {
			case ModeEnforce, ModeTesting, ModeNone:
				p.Mode = Mode(value)
			default:
				errs = append(errs, &PolicyError{Err: ErrPolicyMode, Line: n + 1, Value: clip(value)})
			}
		case "max_age":
			// sts-policy-max-age-value = 1*10(DIGIT)
			v, err := strconv.Atoi(value)
			if err != nil || len(value) > 10 || strings.TrimLeft(value, "0123456789") != "" || v > MaxMaxAge {
				errs = append(errs, &PolicyError{Err: ErrPolicyMaxAge, Line: n + 1, Value: clip(value)})
				p.MaxAge = -1
			} else {
				p.MaxAge = v
			}
		case "mx":
			if !validPattern(value) {
				errs = append(errs, &PolicyError{Err: ErrPolicyMX, Line: n + 1, Value: clip(value)})
				continue
			}
			p.MX = append(p.MX, strings.ToLower(value))
		default:
			if !validPolicyExtValue(value) {
				errs = append(errs, &PolicyError{Err: ErrPolicyExt, Line: n + 1, Value: clip(value)})
				continue
			}
			p.Extensions = append(p.Extensions, Pair{key, value})
		}
	}
	for _, k := range []string{"version", "mode", "max_age"} {
		if !seen[k] {
			errs = append(errs, &PolicyError{Err: ErrPolicyMissing, Field: k})
		}
	}
	// §3.2: "mx" is required unless the mode is "none".
	if !seen["mx"] && p.Mode != ModeNone && p.Mode != "" {
		errs = append(errs, &PolicyError{Err: ErrPolicyMissing, Field: "mx", Mode: p.Mode})
	}
	return p, errors.Join(errs...)
}

// String serializes the policy with CRLF line ends, as RFC 8461 §3.2 shows it.
func (p Policy) String() string {
	var b strings.Builder
	line := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	line("version", p.Version)
	line("mode", string(p.Mode))
	for _, mx := range p.MX {
		line("mx", mx)
	}
	line("max_age", strconv.Itoa(p.MaxAge))
	for _, e := range p.Extensions {
		line(e.Key, e.Value)
	}
	return b.String()
}

// validPattern: sts-policy-mx-value = ["*."] Domain (RFC 8461 §3.2, RFC 5321
// §4.1.2 Domain: letters, digits, hyphens; A-labels only).
func validPattern(v string) bool {
	v = strings.TrimPrefix(v, "*.")
	if v == "" || len(v) > 253 {
		return false
	}
	for _, label := range strings.Split(v, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !isAlnum(c) && c != '-' {
				return false
			}
		}
	}
	return true
}

// validPolicyExtValue: RFC 8461 §3.2, sts-policy-ext-value = sts-policy-vchar
// [*(%x20 / sts-policy-vchar) sts-policy-vchar], where sts-policy-vchar is
// %x21-7E or a UTF-8 character: at least one character, no CTLs (a tab
// included), no leading or trailing space (the field delimiter's *WSP has
// taken those).
func validPolicyExtValue(v string) bool {
	if v == "" || !utf8.ValidString(v) {
		return false
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f {
			return false
		}
	}
	return true
}

// clip shortens hostile input quoted in an error.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

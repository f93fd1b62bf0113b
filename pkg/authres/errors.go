package authres

import (
	"fmt"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// Codes of the parse problems (Error.Code). A field that cannot be read
// at all returns one as its error, wrapping ErrSyntax; the others are
// recorded in Results.Problems and the results around them are kept.
const (
	CodeARCNoInstance    = "arc_no_instance"    // ARC-Authentication-Results does not start with i=
	CodeARCNoEquals      = "arc_no_equals"      // "i" without "="
	CodeARCBadInstance   = "arc_bad_instance"   // i= not from 1 to 50 (RFC 8617 §4.2.1)
	CodeARCNoSemicolon   = "arc_no_semicolon"   // no ";" after i=N
	CodeNoAuthServID     = "no_authserv_id"     // nothing where the authserv-id goes
	CodeSPFNoResult      = "spf_no_result"      // Received-SPF does not start with a result
	CodeAuthServIDAbsent = "authserv_id_absent" // results with no authserv-id (Microsoft 365)
	CodeUnexpected       = "unexpected"         // text where a ";" was expected
	CodeUnexpectedAfter  = "unexpected_after"   // text after method=result
	CodeTooMany          = "too_many"           // more than MaxMethods results
	CodeNoMethod         = "no_method"          // a resinfo without a method name
	CodeNoResult         = "no_result"          // method without "=result"
	CodeBadProperty      = "bad_property"       // a property not of the ptype.property form
	CodeNoValue          = "no_value"           // ptype.property without a value
	CodeKeyNoValue       = "key_no_value"       // a Received-SPF key without a value
)

// Error is one thing a field's parser could not read: a code and the
// facts (the text met, the method, the property), so that a report can
// word it in its language.
type Error struct {
	Code string
	// Near is the text met (clipped); Method, Result and Property the
	// resinfo it was in; Instance the ARC i=; Max the bound passed.
	Near     string
	Method   string
	Result   string
	Property string
	Instance int
	Max      int
	fatal    bool
}

// Error returns the problem in English (logs, tests).
func (e *Error) Error() string {
	var s string
	switch e.Code {
	case CodeARCNoInstance:
		s = "ARC-Authentication-Results does not start with i="
	case CodeARCNoEquals:
		s = "i without ="
	case CodeARCBadInstance:
		s = "i= is not an instance from 1 to 50"
	case CodeARCNoSemicolon:
		s = fmt.Sprintf("no ';' after i=%d", e.Instance)
	case CodeNoAuthServID:
		s = "no authserv-id"
	case CodeSPFNoResult:
		s = "Received-SPF does not start with an SPF result"
	case CodeAuthServIDAbsent:
		s = "no authserv-id (Microsoft 365 writes none)"
	case CodeUnexpected:
		s = fmt.Sprintf("unexpected %q", e.Near)
	case CodeUnexpectedAfter:
		s = fmt.Sprintf("unexpected %q after %s=%s", e.Near, e.Method, e.Result)
	case CodeTooMany:
		s = fmt.Sprintf("more than %d results; the rest are not read", e.Max)
	case CodeNoMethod:
		s = fmt.Sprintf("expected a method at %q", e.Near)
	case CodeNoResult:
		s = fmt.Sprintf("method %s has no result", e.Method)
	case CodeBadProperty:
		s = fmt.Sprintf("property %q of %s has no ptype.property form", e.Property, e.Method)
	case CodeNoValue:
		s = fmt.Sprintf("property %s of %s has no value", e.Property, e.Method)
	case CodeKeyNoValue:
		s = fmt.Sprintf("key %s has no value", e.Property)
	default:
		s = e.Code
	}
	if e.fatal {
		return ErrSyntax.Error() + ": " + s
	}
	return s
}

// Unwrap makes a field that cannot be read at all match ErrSyntax.
func (e *Error) Unwrap() error {
	if e.fatal {
		return ErrSyntax
	}
	return nil
}

// Msg is the problem as words for a report: the catalog message
// authres.error.<code> (internal/i18n/locales/authres.*.toml).
func (e *Error) Msg() report.Msg {
	return report.T("authres.error."+e.Code, report.Params{"near": e.Near, "method": e.Method, "result": e.Result,
		"property": e.Property, "instance": e.Instance, "max": e.Max})
}

// syntax returns a fatal problem: the field cannot be read.
func syntax(code string, instance int) *Error {
	return &Error{Code: code, Instance: instance, fatal: true}
}

package arc

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dkim"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/taglist"
)

// Error is why a signature or the chain fails, typed so that a report
// words it in its language (catalog message arc.reason.<Code>, filled
// with Params, where "error" is the wrapped cause). errors.Is matches Err
// (ErrKey, ErrKeyTemp, ErrTags...) and the cause; Error gives the English
// text of the evidence (Result.Reason).
type Error struct {
	Code   string
	Params report.Params
	Err    error // the sentinel, or nil
	Cause  error // the error this one explains, or nil
	text   string
}

// newErr builds an Error whose text is the sentinel's, then the detail.
func newErr(sentinel error, code string, p report.Params, cause error, format string, args ...any) *Error {
	text := fmt.Sprintf(format, args...)
	if sentinel != nil {
		text = sentinel.Error() + ": " + text
	}
	return &Error{Code: code, Params: p, Err: sentinel, Cause: cause, text: text}
}

func (e *Error) Error() string { return e.text }

// Unwrap returns the sentinel and the cause.
func (e *Error) Unwrap() []error {
	var out []error
	for _, err := range []error{e.Err, e.Cause} {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// Msg words an error of the validation for a report: an *Error by its
// code (its cause worded within), a key record's problem as pkg/dkim words
// it, a tag-list error as pkg/taglist does, a resolver error as pkg/check
// does.
func Msg(err error) report.Msg {
	if err == nil {
		return report.Msg{}
	}
	var e *Error
	if errors.As(err, &e) {
		p := report.Params{}
		for k, v := range e.Params {
			p[k] = v
		}
		if e.Cause != nil {
			p["error"] = causeMsg(e.Cause)
		}
		return report.T("arc.reason."+e.Code, p)
	}
	switch {
	case errors.Is(err, ErrSig):
		return report.T("arc.reason.signature", nil)
	case errors.Is(err, ErrBody):
		return report.T("arc.reason.body", nil)
	}
	return causeMsg(err)
}

func causeMsg(err error) report.Msg {
	var e *Error
	if errors.As(err, &e) || errors.Is(err, ErrSig) || errors.Is(err, ErrBody) {
		return Msg(err)
	}
	if m, ok := taglist.ErrMsg(err); ok {
		return m
	}
	var de *dkim.Error
	if errors.As(err, &de) || errors.Is(err, dkim.ErrNoPublicKey) || errors.Is(err, dkim.ErrRevoked) {
		return dkim.ProblemMsg(err)
	}
	if m := check.ErrMsg(err); m.Key != "" {
		return m
	}
	return report.Lit(strings.TrimPrefix(err.Error(), "dkim: "))
}

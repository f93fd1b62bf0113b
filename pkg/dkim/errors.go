package dkim

import (
	"errors"
	"strconv"

	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/taglist"
)

// Error is a key record or public key that cannot be used, typed so that a
// report words it in its own language (catalog message
// dkim.problem.<Code>). errors.Is matches its sentinel (ErrVersion,
// ErrBadKey, ErrUnknownKeyType), and Error gives the English text library
// users have always had.
type Error struct {
	// Code names the problem: version_position, version_value,
	// unknown_type, base64, not_rsa, not_rsa_key, ed25519_spki,
	// ed25519_size.
	Code string
	// Value is the offending value (clipped); N and Want are the sizes or
	// positions involved.
	Value   string
	N, Want int
	Err     error // the sentinel
	text    string
}

func (e *Error) Error() string { return e.Err.Error() + ": " + e.text }

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

// ProblemMsg words an error of ParseKeyRecord, ParseTagList or DecodeKey
// for a report: the catalog message of its kind, or the error's text for
// one that has none.
func ProblemMsg(err error) report.Msg {
	if m, ok := taglist.ErrMsg(err); ok {
		return m
	}
	var e *Error
	switch {
	case errors.As(err, &e):
		return report.T("dkim.problem."+e.Code, report.Params{"value": e.Value, "n": e.N, "want": e.Want})
	case errors.Is(err, ErrNoPublicKey):
		return report.T("dkim.problem.no_public_key", nil)
	case errors.Is(err, ErrRevoked):
		return report.T("dkim.problem.revoked", nil)
	}
	return report.Lit(plain(err))
}

func itoa(n int) string { return strconv.Itoa(n) }

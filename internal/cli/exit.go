package cli

import (
	"context"
	"errors"

	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// Exit codes (docs/exit-codes.md). Main maps errors to them here and
// nowhere else.
const (
	ExitOK           = 0   // report produced, gates passed
	ExitGateFailed   = 1   // report produced, a gate failed
	ExitBadInput     = 2   // usage error or bad input
	ExitInconclusive = 3   // nothing could be decided: resolver unreachable, every check unknown
	ExitInterrupted  = 130 // interrupted (SIGINT, SIGTERM)
)

// InputError is bad input or usage: exit 2. Hint, when set, is appended.
type InputError struct {
	Err  error
	Hint string
	// words and hintWords, when set, are Err and Hint from the catalog
	// (badInput): Run prints them in the run's language; Err and Hint hold
	// the English.
	words, hintWords report.Msg
}

func (e *InputError) Error() string {
	if e.Hint != "" {
		return e.Err.Error() + " (" + e.Hint + ")"
	}
	return e.Err.Error()
}

func (e *InputError) Unwrap() error { return e.Err }

// ExitError ends a run that produced its report with a code and one line
// saying why (a failed gate, an inconclusive run).
type ExitError struct {
	Code   int
	Reason string
	// words, when set, is Reason from the catalog (exitWith): Run prints
	// it in the run's language; Reason holds the English.
	words report.Msg
}

func (e *ExitError) Error() string { return e.Reason }

// exitCode maps what a command returned to the process exit code. ctx is
// the context the command ran under: a cancelled one means interrupted.
func exitCode(ctx context.Context, err error) int {
	var ee *ExitError
	var ie *InputError
	switch {
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled):
		return ExitInterrupted
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		return ee.Code
	case errors.As(err, &ie):
		return ExitBadInput
	case errors.Is(err, errEnvironment):
		return ExitInconclusive
	default:
		// Errors from cobra's own parsing (unknown command, bad flag
		// value, wrong number of arguments) are usage errors.
		return ExitBadInput
	}
}

// errEnvironment marks failures of the machine, not the input: no resolver
// configured, for instance.
var errEnvironment = errors.New("environment")

// envError is a failure of the machine worded from the catalog: exit 3,
// like errEnvironment, which it wraps.
type envError struct {
	words report.Msg
}

func (e *envError) Error() string {
	return errEnvironment.Error() + ": " + i18n.For(i18n.English).Text(e.words)
}

func (e *envError) Unwrap() error { return errEnvironment }

// Package iostreams holds the process's standard streams and the decisions
// that depend on them: whether stdout is a terminal, whether to use color and
// how much, and how wide to lay text out. Every such decision is made here,
// once, and can be overridden, so renderers and tests never look at the
// environment themselves.
package iostreams

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/muesli/termenv"
	"golang.org/x/term"
)

// DefaultWidth is used when the width cannot be known (not a terminal).
const DefaultWidth = 80

// IOStreams is stdin, stdout and stderr with their terminal state.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdoutTTY bool
	stderrTTY bool
	color     bool
	profile   termenv.Profile
	width     int
}

// System returns the process's streams, deciding color as the conventions
// say (https://no-color.org, https://bixense.com/clicolors,
// https://force-color.org), strongest first:
//   - NO_COLOR (any non-empty value) turns color off;
//   - FORCE_COLOR (not "0" or "false") or CLICOLOR_FORCE (not "0") turn it
//     on even when stdout is not a terminal; FORCE_COLOR=2 asks for 256
//     colors and FORCE_COLOR=3 for 24-bit color, as Node.js reads it;
//   - CLICOLOR=0 turns it off, and so does FORCE_COLOR=0 or "false" (Node.js
//     reads them as "no color", even on a terminal);
//   - otherwise color is on exactly when stdout is a terminal.
//
// The --color flag (SetColorMode) overrides all of them.
//
// MAILCHECK_FORCE_TTY makes stdout count as a terminal (its value, if a
// number of 20 or more, is the width), for screenshots and tests of the TTY layout.
func System() *IOStreams {
	return fromEnv(os.Stdin, os.Stdout, os.Stderr, os.Getenv, isTerminal(os.Stdout), isTerminal(os.Stderr), terminalWidth(os.Stdout))
}

func fromEnv(in io.Reader, out, errOut io.Writer, getenv func(string) string, outTTY, errTTY bool, width int) *IOStreams {
	ios := &IOStreams{In: in, Out: out, ErrOut: errOut, stdoutTTY: outTTY, stderrTTY: errTTY, width: width}
	if v := getenv("MAILCHECK_FORCE_TTY"); v != "" && v != "0" {
		ios.stdoutTTY = true
		if n, err := strconv.Atoi(v); err == nil && n >= 20 { // "1" means yes, not 1 column
			ios.width = n
		}
	}
	if ios.width <= 0 {
		if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n > 0 {
			ios.width = n
		} else {
			ios.width = DefaultWidth
		}
	}
	ios.color = ios.stdoutTTY && getenv("CLICOLOR") != "0"
	forced, forcedProfile := forceColor(getenv)
	if forced {
		ios.color = true
	}
	if v := strings.ToLower(getenv("FORCE_COLOR")); v == "0" || v == "false" {
		ios.color = false
	}
	if _, ok := lookup(getenv, "NO_COLOR"); ok {
		ios.color = false
	}
	// The profile is worked out even when color is off, so that
	// --color always has one to use.
	ios.profile = profileFromEnv(getenv)
	if forcedProfile < ios.profile {
		ios.profile = forcedProfile
	}
	return ios
}

// forceColor reads FORCE_COLOR and CLICOLOR_FORCE. The profile is the
// floor FORCE_COLOR's level asks for (termenv profiles order from most
// colors, TrueColor, to none, Ascii: a smaller value is more colors).
func forceColor(getenv func(string) string) (bool, termenv.Profile) {
	forced, prof := false, termenv.Ascii
	if f := getenv("CLICOLOR_FORCE"); f != "" && f != "0" {
		forced = true
	}
	switch v := strings.ToLower(getenv("FORCE_COLOR")); v {
	case "", "0", "false":
	case "2":
		forced, prof = true, termenv.ANSI256
	case "3":
		forced, prof = true, termenv.TrueColor
	default: // "1", "true", or any other value: basic color
		forced = true
	}
	return forced, prof
}

func lookup(getenv func(string) string, key string) (string, bool) {
	// NO_COLOR counts when set to any non-empty value (no-color.org).
	v := getenv(key)
	return v, v != ""
}

// profileFromEnv reads how many colors the terminal has from COLORTERM and
// TERM, without querying the terminal (which can hang or garble CI logs).
func profileFromEnv(getenv func(string) string) termenv.Profile {
	ct := strings.ToLower(getenv("COLORTERM"))
	t := strings.ToLower(getenv("TERM"))
	switch {
	case ct == "truecolor" || ct == "24bit":
		return termenv.TrueColor
	case strings.Contains(t, "256color"):
		return termenv.ANSI256
	default:
		return termenv.ANSI
	}
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

func terminalWidth(f *os.File) int {
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return w
}

// Test returns streams backed by buffers, not terminals, color off, width 80.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, width: DefaultWidth, profile: termenv.Ascii}, in, out, errOut
}

// IsStdoutTTY reports whether stdout is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether stderr is a terminal (progress goes there only then).
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// ColorEnabled reports whether stdout output may carry color.
func (s *IOStreams) ColorEnabled() bool { return s.color }

// ColorProfile is termenv.Ascii when color is off.
func (s *IOStreams) ColorProfile() termenv.Profile {
	if !s.color {
		return termenv.Ascii
	}
	return s.profile
}

// TerminalWidth is the width to lay text out in.
func (s *IOStreams) TerminalWidth() int { return s.width }

// SetStdoutTTY overrides terminal detection for stdout.
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }

// SetStderrTTY overrides terminal detection for stderr.
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = v }

// SetColorProfile turns color on with the given profile (Ascii turns it off).
func (s *IOStreams) SetColorProfile(p termenv.Profile) {
	s.profile = p
	s.color = p != termenv.Ascii
}

// DisableColor turns color off (--no-color).
func (s *IOStreams) DisableColor() { s.color = false }

// SetColorMode applies --color: "always" turns color on whatever the
// environment says, "never" turns it off, "auto" keeps the decision made
// from the terminal and the environment. It reports false for any other
// value.
func (s *IOStreams) SetColorMode(mode string) bool {
	switch mode {
	case "always":
		s.color = true
		if s.profile == termenv.Ascii {
			s.profile = termenv.ANSI
		}
	case "never":
		s.color = false
	case "auto", "":
	default:
		return false
	}
	return true
}

// SetWidth overrides the layout width.
func (s *IOStreams) SetWidth(w int) {
	if w > 0 {
		s.width = w
	}
}

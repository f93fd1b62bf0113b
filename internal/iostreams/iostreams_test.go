package iostreams

import (
	"io"
	"testing"

	"github.com/muesli/termenv"
)

func TestColorDecision(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		tty   bool
		color bool
		prof  termenv.Profile
	}{
		{"terminal", map[string]string{"TERM": "xterm"}, true, true, termenv.ANSI},
		{"pipe", nil, false, false, termenv.Ascii},
		{"NO_COLOR on a terminal", map[string]string{"NO_COLOR": "1"}, true, false, termenv.Ascii},
		{"CLICOLOR=0", map[string]string{"CLICOLOR": "0"}, true, false, termenv.Ascii},
		{"CLICOLOR_FORCE on a pipe", map[string]string{"CLICOLOR_FORCE": "1", "TERM": "xterm-256color"}, false, true, termenv.ANSI256},
		{"CLICOLOR_FORCE=0 is not forcing", map[string]string{"CLICOLOR_FORCE": "0"}, false, false, termenv.Ascii},
		{"NO_COLOR beats CLICOLOR_FORCE", map[string]string{"CLICOLOR_FORCE": "1", "NO_COLOR": "x"}, false, false, termenv.Ascii},
		{"truecolor", map[string]string{"COLORTERM": "truecolor"}, true, true, termenv.TrueColor},
		{"FORCE_COLOR on a pipe", map[string]string{"FORCE_COLOR": "1"}, false, true, termenv.ANSI},
		{"FORCE_COLOR=3 is 24-bit", map[string]string{"FORCE_COLOR": "3"}, false, true, termenv.TrueColor},
		{"FORCE_COLOR=2 is 256 colors", map[string]string{"FORCE_COLOR": "2", "TERM": "dumb"}, false, true, termenv.ANSI256},
		{"FORCE_COLOR=0 is not forcing", map[string]string{"FORCE_COLOR": "0"}, false, false, termenv.Ascii},
		{"FORCE_COLOR=false is not forcing", map[string]string{"FORCE_COLOR": "false"}, false, false, termenv.Ascii},
		{"FORCE_COLOR=0 turns a terminal's color off", map[string]string{"FORCE_COLOR": "0", "TERM": "xterm"}, true, false, termenv.Ascii},
		{"NO_COLOR beats FORCE_COLOR", map[string]string{"FORCE_COLOR": "1", "NO_COLOR": "1"}, true, false, termenv.Ascii},
		{"FORCE_COLOR beats CLICOLOR=0", map[string]string{"FORCE_COLOR": "1", "CLICOLOR": "0"}, true, true, termenv.ANSI},
		{"forced tty with width", map[string]string{"MAILCHECK_FORCE_TTY": "100"}, false, true, termenv.ANSI},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			ios := fromEnv(nil, io.Discard, io.Discard, getenv, tt.tty, false, 0)
			if ios.ColorEnabled() != tt.color || ios.ColorProfile() != tt.prof {
				t.Errorf("color %v profile %v, want %v %v", ios.ColorEnabled(), ios.ColorProfile(), tt.color, tt.prof)
			}
		})
	}
}

func TestWidth(t *testing.T) {
	getenv := func(k string) string { return map[string]string{"COLUMNS": "120", "MAILCHECK_FORCE_TTY": "1"}[k] }
	if w := fromEnv(nil, io.Discard, io.Discard, getenv, false, false, 0).TerminalWidth(); w != 120 {
		t.Errorf("width %d, want COLUMNS", w)
	}
	if w := fromEnv(nil, io.Discard, io.Discard, func(string) string { return "" }, true, false, 0).TerminalWidth(); w != DefaultWidth {
		t.Errorf("width %d, want default", w)
	}
	if w := fromEnv(nil, io.Discard, io.Discard, getenv, true, false, 90).TerminalWidth(); w != 90 {
		t.Errorf("width %d, want the terminal's", w)
	}
}

func TestColorMode(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	// always wins over NO_COLOR and a pipe: the flag is the user's explicit word.
	ios := fromEnv(nil, io.Discard, io.Discard, env(map[string]string{"NO_COLOR": "1", "TERM": "xterm-256color"}), false, false, 0)
	if !ios.SetColorMode("always") || !ios.ColorEnabled() || ios.ColorProfile() != termenv.ANSI256 {
		t.Errorf("always: color %v profile %v", ios.ColorEnabled(), ios.ColorProfile())
	}
	ios = fromEnv(nil, io.Discard, io.Discard, env(map[string]string{"FORCE_COLOR": "1"}), true, false, 0)
	if !ios.SetColorMode("never") || ios.ColorEnabled() {
		t.Error("never left color on")
	}
	ios = fromEnv(nil, io.Discard, io.Discard, env(nil), true, false, 0)
	if !ios.SetColorMode("auto") || !ios.ColorEnabled() {
		t.Error("auto on a terminal turned color off")
	}
	if ios.SetColorMode("sometimes") {
		t.Error("an unknown mode was accepted")
	}
	test, _, _, _ := Test()
	if !test.SetColorMode("always") || test.ColorProfile() == termenv.Ascii {
		t.Error("always on test streams gave no color profile")
	}
}

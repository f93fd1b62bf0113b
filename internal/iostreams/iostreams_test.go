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

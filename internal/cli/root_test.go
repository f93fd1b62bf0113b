package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/muesli/termenv"
)

func TestDidYouMean(t *testing.T) {
	r := run(t, "domian", "shop.example")
	if r.code != ExitBadInput {
		t.Errorf("exit %d, want 2", r.code)
	}
	assertOneLineError(t, r, `unknown command "domian" for "mailcheck"; did you mean domain?`)
}

func TestOneLine(t *testing.T) {
	tests := map[string]string{
		"plain":         "plain",
		"first\nsecond": "first",
		"unknown command \"dmrac\" for \"mailcheck\"\n\nDid you mean this?\n\tdmarc\n\tdkim\n": `unknown command "dmrac" for "mailcheck"; did you mean dmarc or dkim? (see 'mailcheck --help')`,
	}
	for in, want := range tests {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestVersionCommand(t *testing.T) {
	r := run(t, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "mailcheck test\ncommit    0000000\nbuilt     2026-11-29\ngo        go") {
		t.Errorf("version: %d %q", r.code, r.stdout)
	}
	r = run(t, "version", "--format", "json")
	var d struct{ Version, Commit, Date, Go, Platform string }
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || d.Version != "test" || d.Commit != "0000000" || d.Platform == "" {
		t.Errorf("version json: %v %+v", err, d)
	}
	if r := run(t, "version", "extra"); r.code != ExitBadInput {
		t.Errorf("version with an argument: exit %d", r.code)
	}
}

func TestCompletion(t *testing.T) {
	for shell, marker := range map[string]string{
		"bash":       "__start_mailcheck",
		"zsh":        "#compdef mailcheck",
		"fish":       "complete -c mailcheck",
		"powershell": "Register-ArgumentCompleter",
	} {
		r := run(t, "completion", shell)
		if r.code != 0 || !strings.Contains(r.stdout, marker) {
			t.Errorf("completion %s: exit %d, %d bytes, no %q", shell, r.code, len(r.stdout), marker)
		}
	}
	// The completion scripts call back into the binary: the subcommands
	// and the choices of a flag come from it.
	r := run(t, "__complete", "dm")
	if !strings.Contains(r.stdout, "dmarc") {
		t.Errorf("__complete dm: %q", r.stdout)
	}
	r = run(t, "__complete", "domain", "--format", "")
	if !strings.Contains(r.stdout, "markdown") || !strings.Contains(r.stdout, "jsonl") {
		t.Errorf("__complete --format: %q", r.stdout)
	}
}

// Every command applies --color, domain too (it has a hook of its own).
func TestColorFlag(t *testing.T) {
	const ansi = "\x1b["
	for _, command := range []string{"dmarc", "domain"} {
		zone := []string{command, "shop.example", "--zone", demoZone}
		if r := run(t, append(zone, "--color", "always")...); !strings.Contains(r.stdout, ansi) {
			t.Errorf("%s --color always on a pipe printed no color", command)
		}
		on := func(f *Factory, _ *bytes.Buffer) { f.IO.SetColorProfile(termenv.ANSI) }
		for _, args := range [][]string{{"--color", "never"}, {"--no-color"}} {
			if r := runWith(t, on, append(zone, args...)...); strings.Contains(r.stdout, ansi) {
				t.Errorf("%s %v printed color", command, args)
			}
		}
		if r := runWith(t, on, zone...); !strings.Contains(r.stdout, ansi) {
			t.Errorf("%s --color auto dropped the color the streams allowed", command)
		}
		r := run(t, append(zone, "--color", "sometimes")...)
		if r.code != ExitBadInput {
			t.Errorf("%s --color sometimes: exit %d", command, r.code)
		}
		assertOneLineError(t, r, "--color")
	}
}

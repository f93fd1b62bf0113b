package zone

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each way a zone file fails to load is a *FileError with its Problem and
// facts, and its text names the file and says why in English.
func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	long := write("long.zone", "a TXT \""+strings.Repeat("x", MaxLineLength)+"\"\n")
	tests := []struct {
		path    string
		problem Problem
		text    string
	}{
		{filepath.Join(dir, "missing.zone"), ProblemOpen, "missing.zone: no such file or directory"},
		{dir, ProblemDirectory, dir + ": is a directory, not a zone file"},
		{write("bin.zone", "a A 192.0.2.1\nb\x00\n"), ProblemBinary, "bin.zone: line 2: byte 0x00: binary data, not a zone file"},
		{long, ProblemLongLine, "long.zone: line 1: longer than 262144 bytes"},
		{write("empty.zone", "; no records\n"), ProblemEmpty, "empty.zone: no records"},
		{write("syntax.zone", "a 1x A 192.0.2.1\n"), ProblemSyntax, "syntax.zone: dns: "},
	}
	for _, tt := range tests {
		err := New().LoadFile(tt.path)
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Errorf("%s: %v (%T), want a *FileError", tt.path, err, err)
			continue
		}
		if fe.Problem != tt.problem || fe.File != tt.path {
			t.Errorf("%s: problem %q of %q, want %q", tt.path, fe.Problem, fe.File, tt.problem)
		}
		if strings.Contains(fe.Reason, tt.path) {
			t.Errorf("%s: the reason %q names the file again", tt.path, fe.Reason)
		}
		if !strings.Contains(err.Error(), tt.text) || !strings.HasPrefix(err.Error(), tt.path+": ") {
			t.Errorf("%s: %q, want %q after the file's name", tt.path, err, tt.text)
		}
	}
}

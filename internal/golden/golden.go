// Package golden compares output with files in testdata/<TestName>.golden;
// `go test ./... -update` rewrites them. Differences are shown line by line,
// quoted, so ANSI escapes stay readable.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Path is where the golden file of t lives.
func Path(t testing.TB) string {
	return filepath.Join("testdata", filepath.FromSlash(t.Name())+".golden")
}

// Assert fails t when got differs from the golden file.
func Assert(t testing.TB, got []byte) {
	t.Helper()
	path := Path(t)
	got = bytes.ReplaceAll(got, []byte("\r\n"), []byte("\n"))
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	want = bytes.ReplaceAll(want, []byte("\r\n"), []byte("\n"))
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	var b strings.Builder
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  got:  " + strconv.Quote(g) + "\n  want: " + strconv.Quote(w) + "\n")
		}
	}
	t.Fatalf("output differs from %s (run with -update to accept):\n%s", path, b.String())
}

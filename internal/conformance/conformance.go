// Package conformance locates the public conformance suites that the
// project's tests run. They are copied, with their LICENSE and NOTICE files,
// into testdata/conformance at the root of the repository, so a bare clone
// passes its own tests; MAILCHECK_CONFORMANCE points elsewhere (a newer copy
// of the suites, say). A missing suite fails the test: a conformance test
// that skips itself silently could never fail.
package conformance

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the conformance directory, or fails the test.
func Dir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("MAILCHECK_CONFORMANCE"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "testdata", "conformance")
			if _, err := os.Stat(d); err != nil {
				t.Fatalf("conformance suites not found at %s (set MAILCHECK_CONFORMANCE): %v", d, err)
			}
			return d
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("conformance: no go.mod above the working directory")
		}
	}
}

// Path joins parts below Dir.
func Path(t testing.TB, parts ...string) string {
	t.Helper()
	return filepath.Join(append([]string{Dir(t)}, parts...)...)
}

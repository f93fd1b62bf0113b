package schema

import (
	"os"
	"testing"
)

// TestMain keeps the machine's locale out of the tests: the language of
// the words comes from --lang or from what a test sets, never from the
// LANG of whoever runs go test.
func TestMain(m *testing.M) {
	for _, v := range []string{"MAILCHECK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"} {
		os.Unsetenv(v)
	}
	os.Exit(m.Run())
}

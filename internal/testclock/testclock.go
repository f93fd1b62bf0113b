// Package testclock is the one clock the test suite takes its time from.
// Every piece of time-bound test material (certificates, DKIM t=/x=, report
// dates, MTA-STS ages) and every faked Env.Now reads Now, so the suite
// passes on any date: set MAILCHECK_TEST_NOW (RFC 3339) to run it at another
// instant, as .ci/run does for the time-sensitive packages.
package testclock

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// Default is the instant the suite runs at unless MAILCHECK_TEST_NOW says
// otherwise.
var Default = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// now is read on first use, not at package init: os.Getenv called while a
// test runs is what tells `go test` that the result depends on
// MAILCHECK_TEST_NOW, so a cached result from another clock is never
// reused (a read at init time is not recorded).
var now = sync.OnceValue(func() time.Time {
	v := os.Getenv("MAILCHECK_TEST_NOW")
	if v == "" {
		return Default
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		panic(fmt.Sprintf("testclock: MAILCHECK_TEST_NOW=%q is not RFC 3339: %v", v, err))
	}
	return t.UTC()
})

// Now returns the suite's current instant. It does not move.
func Now() time.Time { return now() }

// Func returns Now as a clock function, for Env.Now and Factory.Now.
func Func() func() time.Time { return Now }

// Normalize rewrites the renderings of Now that reports contain (RFC 3339
// timestamps, the MTA-STS id mailcheck proposes) into those of Default, so
// that a golden file compares equal at any MAILCHECK_TEST_NOW.
func Normalize(s string) string {
	n, d := Now(), Default
	for _, layout := range []string{time.RFC3339Nano, time.RFC3339, "20060102150405", "2006-01-02"} {
		s = strings.ReplaceAll(s, n.Format(layout), d.Format(layout))
	}
	return s
}

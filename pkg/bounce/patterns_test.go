package bounce

import (
	"regexp"
	"testing"
)

// The classifier's patterns compile on first use, so a bad one would only
// panic when a bounce first needs it: compile them all here instead.
func TestPatternsCompile(t *testing.T) {
	all := append(append([]pattern{unknownUser, filteredWords, rejectedWords}, strong...), generic...)
	compiled := 0
	for _, pt := range all {
		if pt.re == nil {
			continue
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: %v", pt.reason, r)
				}
			}()
			var re *regexp.Regexp = pt.re()
			if re.MatchString("") && len(pt.lits) == 0 {
				t.Errorf("%s: matches the empty text", pt.reason)
			}
			compiled++
		}()
	}
	if compiled < len(all)/2 {
		t.Errorf("only %d of %d patterns have regular expressions", compiled, len(all))
	}
}

// Every expression compiled on first use (lazy) compiles: a bad one fails
// here, not at the first bounce a user reads.
func TestLazyPatternsCompile(t *testing.T) {
	if len(lazyREs) < 60 {
		t.Fatalf("%d lazy expressions registered, want the package's 75 or so", len(lazyREs))
	}
	for _, l := range lazyREs {
		if _, err := regexp.Compile(l.src); err != nil {
			t.Errorf("%s: %v", l.src, err)
		}
	}
}

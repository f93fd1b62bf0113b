package bounce

import (
	"regexp"
	"sync"
)

// lazyRE is a regular expression compiled on first use rather than at init.
// pkg/bounce's expressions (the provider codes, the report text's
// addresses, codes and anchors) cost about 7 ms and 2 MB to compile, at
// every start of mailcheck and for every command, when only bounce and
// message read them. TestLazyPatternsCompile compiles them all, so a bad
// one still fails the tests rather than the first bounce read.
type lazyRE struct {
	src  string
	once sync.Once
	re   *regexp.Regexp
}

// lazyREs lists every lazyRE made, for the test.
var lazyREs []*lazyRE

// lazy declares an expression; it must be valid (regexp.MustCompile's
// contract, checked by the tests).
func lazy(src string) *lazyRE {
	l := &lazyRE{src: src}
	lazyREs = append(lazyREs, l)
	return l
}

func (l *lazyRE) get() *regexp.Regexp {
	l.once.Do(func() { l.re = regexp.MustCompile(l.src) })
	return l.re
}

func (l *lazyRE) String() string                 { return l.src }
func (l *lazyRE) MatchString(s string) bool      { return l.get().MatchString(s) }
func (l *lazyRE) FindString(s string) string     { return l.get().FindString(s) }
func (l *lazyRE) FindStringIndex(s string) []int { return l.get().FindStringIndex(s) }
func (l *lazyRE) FindStringSubmatch(s string) []string {
	return l.get().FindStringSubmatch(s)
}
func (l *lazyRE) FindStringSubmatchIndex(s string) []int {
	return l.get().FindStringSubmatchIndex(s)
}
func (l *lazyRE) FindAllStringSubmatch(s string, n int) [][]string {
	return l.get().FindAllStringSubmatch(s, n)
}
func (l *lazyRE) FindAllStringSubmatchIndex(s string, n int) [][]int {
	return l.get().FindAllStringSubmatchIndex(s, n)
}
func (l *lazyRE) ReplaceAllStringFunc(s string, f func(string) string) string {
	return l.get().ReplaceAllStringFunc(s, f)
}
func (l *lazyRE) Split(s string, n int) []string { return l.get().Split(s, n) }

func (l *lazyRE) FindSubmatchIndex(b []byte) []int { return l.get().FindSubmatchIndex(b) }

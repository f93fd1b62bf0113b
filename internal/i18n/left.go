package i18n

import (
	"regexp"
	"sort"
	"strings"
	"sync"
)

var (
	fragOnce  sync.Once
	fragments []string
)

var (
	tmplAction = regexp.MustCompile(`\{\{[^}]*\}\}`)
	threeWords = regexp.MustCompile(`[A-Za-z]{2,}[ ,'’]+[A-Za-z]{2,}[ ,'’]+[A-Za-z]{2,}`)
)

// englishFragments are the pieces of English catalog text (between template
// actions) long enough to be prose: three words and twenty characters,
// from messages whose French differs.
func englishFragments() []string {
	fragOnce.Do(func() {
		en, _ := Messages(English)
		fr, _ := Messages(French)
		set := map[string]bool{}
		for k, m := range en {
			if f := fr[k]; f == nil || strings.HasPrefix(f.Description, "same") {
				continue
			}
			for _, form := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
				for _, piece := range tmplAction.Split(form, -1) {
					piece = strings.TrimSpace(piece)
					if len(piece) >= 20 && threeWords.MatchString(piece) {
						set[piece] = true
					}
				}
			}
		}
		for s := range set {
			fragments = append(fragments, s)
		}
		sort.Strings(fragments)
	})
	return fragments
}

// EnglishIn returns the English catalog sentences (pieces of them) found in
// text, which should be worded in another language: what the tests of the
// French output assert is empty. Text is compared with its line breaks and
// runs of spaces made single spaces, as the text renderer wraps.
func EnglishIn(text string) []string {
	flat := strings.Join(strings.Fields(text), " ")
	var out []string
	for _, f := range englishFragments() {
		if strings.Contains(flat, strings.Join(strings.Fields(f), " ")) {
			out = append(out, f)
		}
	}
	return out
}

// Fragments returns the English words of the messages whose keys start
// with one of prefixes that French must not show: every run of three words
// or more between template actions, unless the French message says its
// words are the same or keeps them (a provider's own French reply quoted).
// A command's French test looks for each in its output; EnglishIn is the
// same search over the whole catalog with a longer minimum.
func Fragments(prefixes ...string) []string {
	en, _ := Messages(English)
	fr, _ := Messages(French)
	seen := map[string]bool{}
	var out []string
	for key, m := range en {
		if !hasPrefix(key, prefixes) {
			continue
		}
		f := fr[key]
		if f == nil || strings.HasPrefix(f.Description, "same") {
			continue
		}
		for _, text := range []string{m.One, m.Other} {
			for _, frag := range tmplAction.Split(text, -1) {
				frag = strings.Trim(frag, " ():;,.“”\"'")
				if len(strings.Fields(frag)) < 3 || seen[frag] || strings.Contains(f.Other, frag) || strings.Contains(f.One, frag) {
					continue
				}
				seen[frag] = true
				out = append(out, frag)
			}
		}
	}
	sort.Strings(out)
	return out
}

func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

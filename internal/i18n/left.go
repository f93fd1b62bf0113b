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

package i18n

import (
	"reflect"
	"strings"
	"sync"

	"github.com/mailcheck/mailcheck/pkg/report"
)

var (
	displayType = reflect.TypeFor[report.Display]()
	msgType     = reflect.TypeFor[report.Msg]()
	findingType = reflect.TypeFor[report.Finding]()
	paramsType  = reflect.TypeFor[report.Params]()
)

// Localize words the whole report in the localizer's language, in place:
// every finding's title, detail and fix (from its ID, variant and
// parameters), and every report.Msg anywhere in it (summaries, the
// sections' evidence, fixes, check data), found by reflection so that a new
// section type needs no code here. It sets rep.Lang.
func (l *Localizer) Localize(rep *report.Report) { l.localize(rep, true) }

// LocalizeData words a report for JSON: everything but the sections'
// Display, which JSON does not carry (a bulk run's JSON Lines spend their
// wording time on what they write).
func (l *Localizer) LocalizeData(rep *report.Report) { l.localize(rep, false) }

func (l *Localizer) localize(rep *report.Report, display bool) {
	rep.Lang = string(l.lang)
	w := walker{l: l, seen: map[uintptr]bool{}, skipDisplay: !display}
	w.walk(reflect.ValueOf(rep).Elem(), 0)
	for _, secs := range [][]report.Section{rep.Sections, rep.Environment} {
		for i := range secs {
			l.title(&secs[i])
		}
	}
}

// title words a section's title: the catalog's title.<key>, the key made
// from the check's English title (TitleKey), else the title as it is.
func (l *Localizer) title(s *report.Section) {
	if v, ok := l.titles.Load(s.Title); ok {
		s.Title = v.(string)
		return
	}
	t := s.Title
	if k := "title." + TitleKey(s.Title); l.Has(k) {
		t = l.Label(k)
	}
	l.titles.Store(s.Title, t)
	s.Title = t
}

// TitleKey makes a catalog key of an English section title: lower case,
// every run of other characters one "_" ("Reverse DNS" is reverse_dns).
func TitleKey(title string) string {
	var b strings.Builder
	us := false
	for _, r := range strings.ToLower(title) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			us = false
		} else if !us && b.Len() > 0 {
			b.WriteByte('_')
			us = true
		}
	}
	k := strings.TrimSuffix(b.String(), "_")
	switch k {
	case "id", "description", "hash", "leftdelim", "rightdelim", "zero", "one", "two", "few", "many", "other", "translation":
		k += "_title" // go-i18n reads these names as parts of a message
	}
	return k
}

// LocalizeFinding words one finding.
func (l *Localizer) LocalizeFinding(f *report.Finding) {
	title, detail, fix := f.TitleMsg(), f.DetailMsg(), f.FixMsg()
	pre := &prepared{p: f.Params} // the parameters are the same for all four
	f.Title, f.Detail, f.Fix = l.text(title, pre), l.text(detail, pre), l.text(fix, pre)
	// The command line's hint (a flag to try) follows the fix: pkg/ names
	// no flag, the catalog's hint.<id> does.
	if k, ok := l.hints[f.ID]; ok { // l.Has("hint." + f.ID)
		f.Fix = strings.TrimSpace(f.Fix + " " + l.text(report.T(k, f.Params), pre))
	}
}

type walker struct {
	l           *Localizer
	seen        map[uintptr]bool
	skipDisplay bool
}

// maxDepth bounds the walk (report data is a shallow tree).
const maxDepth = 64

func (w *walker) walk(v reflect.Value, depth int) {
	if depth > maxDepth || !v.IsValid() {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if p := v.Pointer(); w.seen[p] {
			return
		} else {
			w.seen[p] = true
		}
		w.walk(v.Elem(), depth+1)
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		e := v.Elem()
		if e.Kind() == reflect.Pointer {
			w.walk(e, depth+1)
			return
		}
		if !v.CanSet() || !hasWords(e.Type(), 0) {
			return
		}
		c := reflect.New(e.Type()).Elem()
		c.Set(e)
		w.walk(c, depth+1)
		v.Set(c)
	case reflect.Struct:
		switch v.Type() {
		case displayType:
			if w.skipDisplay {
				return
			}
		case msgType:
			if v.CanSet() {
				m := v.Addr().Interface().(*report.Msg)
				if m.Key != "" {
					// Worded: a literal now, even when the words are empty.
					*m = report.Lit(w.l.Text(*m))
				}
			}
			return
		case findingType:
			if v.CanSet() {
				w.l.LocalizeFinding(v.Addr().Interface().(*report.Finding))
			}
		}
		for _, i := range wordFields(v.Type()) {
			w.walk(v.Field(i), depth+1)
		}
	case reflect.Slice, reflect.Array:
		if !hasWords(v.Type().Elem(), 0) {
			return
		}
		for i := range v.Len() {
			w.walk(v.Index(i), depth+1)
		}
	case reflect.Map:
		if v.Type() == paramsType || !hasWords(v.Type().Elem(), 0) {
			return
		}
		iter := v.MapRange()
		for iter.Next() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(iter.Value())
			w.walk(e, depth+1)
			v.SetMapIndex(iter.Key(), e)
		}
	}
}

var (
	fieldsCache sync.Map // reflect.Type -> []int
	wordsCache  sync.Map // reflect.Type -> bool
)

// wordFields lists the exported fields of struct type t that can hold
// words, computed once per type: the walk runs on every report of a bulk
// run, and reflection on struct fields is its cost (pprof).
func wordFields(t reflect.Type) []int {
	if v, ok := fieldsCache.Load(t); ok {
		return v.([]int)
	}
	var out []int
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && hasWords(f.Type, 0) {
			out = append(out, i)
		}
	}
	fieldsCache.Store(t, out)
	return out
}

// hasWords reports whether values of t can hold a Msg or a Finding, so the
// walk skips byte slices, address lists and other plain data.
func hasWords(t reflect.Type, depth int) bool {
	if depth == 0 {
		if v, ok := wordsCache.Load(t); ok {
			return v.(bool)
		}
		b := hasWordsUncached(t, 0)
		wordsCache.Store(t, b)
		return b
	}
	return hasWordsUncached(t, depth)
}

func hasWordsUncached(t reflect.Type, depth int) bool {
	if depth > 8 {
		return true
	}
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return hasWords(t.Elem(), depth+1)
	case reflect.Struct:
		if t == msgType || t == findingType {
			return true
		}
		for i := range t.NumField() {
			if t.Field(i).IsExported() && hasWords(t.Field(i).Type, depth+1) {
				return true
			}
		}
	}
	return false
}

// LocalizeSection words one section in place (for tests of a check package
// that read its words).
func (l *Localizer) LocalizeSection(s *report.Section) { l.LocalizeAny(s) }

// LocalizeAny words every message in what v points to (a table, a
// display) in place.
func (l *Localizer) LocalizeAny(v any) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return
	}
	w := walker{l: l, seen: map[uintptr]bool{}}
	w.walk(rv.Elem(), 0)
}

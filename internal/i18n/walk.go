package i18n

import (
	"reflect"

	"github.com/mailcheck/mailcheck/pkg/report"
)

var (
	msgType     = reflect.TypeFor[report.Msg]()
	findingType = reflect.TypeFor[report.Finding]()
	sectionType = reflect.TypeFor[report.Section]()
	paramsType  = reflect.TypeFor[report.Params]()
)

// Localize words the whole report in the localizer's language, in place:
// every finding's title, detail and fix (from its ID, variant and
// parameters), and every report.Msg anywhere in it (summaries, the
// sections' evidence, fixes, check data), found by reflection so that a new
// section type needs no code here. It sets rep.Lang.
func (l *Localizer) Localize(rep *report.Report) {
	rep.Lang = string(l.lang)
	w := walker{l: l, seen: map[uintptr]bool{}}
	w.walk(reflect.ValueOf(rep).Elem(), 0)
}

// LocalizeFinding words one finding.
func (l *Localizer) LocalizeFinding(f *report.Finding) {
	title, detail, fix := f.TitleMsg(), f.DetailMsg(), f.FixMsg()
	f.Title, f.Detail, f.Fix = l.Text(title), l.Text(detail), l.Text(fix)
}

type walker struct {
	l    *Localizer
	seen map[uintptr]bool
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
		case sectionType:
			// A section's title, when its check has one in the catalogs
			// (<check>.section); others keep theirs (names like "DMARC").
			if s := v.Addr().Interface().(*report.Section); v.CanSet() && w.l.inEnglish(s.Check+".section") {
				s.Title = w.l.Text(report.Msg{Key: s.Check + ".section"})
			}
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				w.walk(v.Field(i), depth+1)
			}
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

// hasWords reports whether values of t can hold a Msg or a Finding, so the
// walk skips byte slices, address lists and other plain data.
func hasWords(t reflect.Type, depth int) bool {
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
func (l *Localizer) LocalizeSection(s *report.Section) {
	w := walker{l: l, seen: map[uintptr]bool{}}
	w.walk(reflect.ValueOf(s).Elem(), 0)
}

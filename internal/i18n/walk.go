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
	w := walker{l: l, skipDisplay: !display}
	v := reflect.ValueOf(rep).Elem()
	w.walk(v, planOf(v.Type()), 0)
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
	skipDisplay bool
	// seen are the pointers walked (a value reached twice is worded
	// once): the first few in a list, the rest in a map.
	seen     [32]uintptr
	nseen    int
	seenMore map[uintptr]bool
}

// maxDepth bounds the walk (report data is a shallow tree).
const maxDepth = 64

// planKind is what the walk does with a value of a type.
type planKind uint8

const (
	planMsg planKind = iota
	planFinding
	planDisplay
	planStruct
	planPointer
	planInterface
	planList // slice or array
	planMap
)

// plan is how to walk the values of one type that can hold words, made
// once per type: the fields, elements and pointers that can hold a Msg or
// a Finding, and nothing else (byte slices, address lists, numbers). A nil
// plan: the type holds no words. The walk runs on every report of a bulk
// run; deciding this per value was half its cost (pprof).
type plan struct {
	kind   planKind
	fields []fieldPlan // struct, Finding, Display
	elem   *plan       // pointer, slice, array, map
}

type fieldPlan struct {
	index int
	plan  *plan
}

// plans caches planOf by type.
var plans sync.Map // reflect.Type -> *plan

// planOf returns the plan of t (nil: no words in it).
func planOf(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p := buildPlan(t, map[reflect.Type]*plan{})
	plans.Store(t, p)
	return p
}

// buildPlan makes t's plan; building holds the plans being made, so that
// a recursive type (a tree's node) points to its own plan.
func buildPlan(t reflect.Type, building map[reflect.Type]*plan) *plan {
	if t == paramsType || !hasWords(t, 0) {
		// Params are the facts, never worded in place.
		return nil
	}
	if p, ok := building[t]; ok {
		return p
	}
	p := &plan{}
	building[t] = p
	switch t.Kind() {
	case reflect.Interface:
		p.kind = planInterface
	case reflect.Pointer:
		p.kind, p.elem = planPointer, buildPlan(t.Elem(), building)
	case reflect.Slice, reflect.Array:
		p.kind, p.elem = planList, buildPlan(t.Elem(), building)
	case reflect.Map:
		p.kind, p.elem = planMap, buildPlan(t.Elem(), building)
	case reflect.Struct:
		switch t {
		case msgType:
			p.kind = planMsg
			return p
		case findingType:
			p.kind = planFinding
		case displayType:
			p.kind = planDisplay
		default:
			p.kind = planStruct
		}
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				if fp := buildPlan(f.Type, building); fp != nil {
					p.fields = append(p.fields, fieldPlan{index: i, plan: fp})
				}
			}
		}
	}
	return p
}

// seenBefore records the pointer p and reports whether it was walked.
func (w *walker) seenBefore(p uintptr) bool {
	for _, q := range w.seen[:w.nseen] {
		if q == p {
			return true
		}
	}
	if w.seenMore[p] {
		return true
	}
	if w.nseen < len(w.seen) {
		w.seen[w.nseen] = p
		w.nseen++
		return false
	}
	if w.seenMore == nil {
		w.seenMore = map[uintptr]bool{}
	}
	w.seenMore[p] = true
	return false
}

func (w *walker) walk(v reflect.Value, p *plan, depth int) {
	if p == nil || depth > maxDepth || !v.IsValid() {
		return
	}
	switch p.kind {
	case planPointer:
		if v.IsNil() || w.seenBefore(v.Pointer()) {
			return
		}
		w.walk(v.Elem(), p.elem, depth+1)
	case planInterface:
		if v.IsNil() {
			return
		}
		e := v.Elem()
		ep := planOf(e.Type())
		if e.Kind() == reflect.Pointer {
			w.walk(e, ep, depth+1)
			return
		}
		if !v.CanSet() || ep == nil {
			return
		}
		c := reflect.New(e.Type()).Elem()
		c.Set(e)
		w.walk(c, ep, depth+1)
		v.Set(c)
	case planMsg:
		if v.CanSet() {
			m := v.Addr().Interface().(*report.Msg)
			if m.Key != "" {
				// Worded: a literal now, even when the words are empty.
				*m = report.Lit(w.l.Text(*m))
			}
		}
	case planDisplay:
		if !w.skipDisplay {
			w.fields(v, p, depth)
		}
	case planFinding:
		if v.CanSet() {
			w.l.LocalizeFinding(v.Addr().Interface().(*report.Finding))
		}
		w.fields(v, p, depth)
	case planStruct:
		w.fields(v, p, depth)
	case planList:
		if p.elem == nil {
			return
		}
		for i := range v.Len() {
			w.walk(v.Index(i), p.elem, depth+1)
		}
	case planMap:
		if v.IsNil() || p.elem == nil {
			return
		}
		iter := v.MapRange()
		for iter.Next() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(iter.Value())
			w.walk(e, p.elem, depth+1)
			v.SetMapIndex(iter.Key(), e)
		}
	}
}

func (w *walker) fields(v reflect.Value, p *plan, depth int) {
	for _, f := range p.fields {
		w.walk(v.Field(f.index), f.plan, depth+1)
	}
}

// wordsCache caches hasWords by type.
var wordsCache sync.Map // reflect.Type -> bool

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
	w := walker{l: l}
	w.walk(rv.Elem(), planOf(rv.Elem().Type()), 0)
}

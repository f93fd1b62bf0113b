package report

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// MarshalJSON writes the report with every list as an array: a nil slice
// anywhere in the report, its sections' findings and their Data included,
// is written as [] rather than null, as docs/json.md promises, so that
// `jq '.sections[].data.hosts[]'` and strict schema validators work on any
// report. Checks need not remember to initialize each slice; this is the
// one place that guarantees it.
func (r Report) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// WriteJSON writes what MarshalJSON returns, and a newline, to w in one
// Write: a JSON Lines line. The encoder works in encoding/json's pooled
// buffer, so a report costs no buffer of its own (growing one per report,
// twice, was a sixth of a bulk run's allocated bytes).
func (r Report) WriteJSON(w io.Writer) error {
	type plain Report // no MarshalJSON: no recursion
	v, _ := nonNil(reflect.ValueOf(plain(r)), 0)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // records hold & and <; keep them readable
	return enc.Encode(v.Interface())
}

// maxDepth bounds the walk; report data is a shallow tree, and a cycle
// through exported pointers (none today) must not recurse forever.
const maxDepth = 64

var byteType = reflect.TypeFor[byte]()

// nonNil returns v with every nil slice (except []byte, which JSON writes
// as a base64 string) replaced by an empty one, and whether it changed
// anything. The original is not modified (a report may be rendered by
// several renderers at once): what holds a nil slice is copied, on the path
// down to it only, and whatever holds none is returned as it is, without
// the copy of the whole report that an earlier walk made (BenchmarkMarshalJSON).
func nonNil(v reflect.Value, depth int) (reflect.Value, bool) {
	if depth > maxDepth {
		return v, false
	}
	switch v.Kind() {
	case reflect.Slice:
		if v.Type().Elem() == byteType {
			return v, false
		}
		if v.IsNil() {
			return reflect.MakeSlice(v.Type(), 0, 0), true
		}
		if !hasSlices(v.Type().Elem(), 0) {
			return v, false
		}
		var s reflect.Value
		for i := range v.Len() {
			e, changed := nonNil(v.Index(i), depth+1)
			if !changed {
				continue
			}
			if !s.IsValid() {
				s = reflect.MakeSlice(v.Type(), v.Len(), v.Len())
				reflect.Copy(s, v)
			}
			s.Index(i).Set(e)
		}
		if !s.IsValid() {
			return v, false
		}
		return s, true
	case reflect.Pointer:
		if v.IsNil() || !hasSlices(v.Type().Elem(), 0) {
			return v, false
		}
		e, changed := nonNil(v.Elem(), depth+1)
		if !changed {
			return v, false
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(e)
		return p, true
	case reflect.Interface:
		if v.IsNil() {
			return v, false
		}
		e, changed := nonNil(v.Elem(), depth+1)
		if !changed {
			return v, false
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(e)
		return out, true
	case reflect.Map:
		if v.IsNil() || !hasSlices(v.Type().Elem(), 0) {
			return v, false
		}
		var m reflect.Value
		iter := v.MapRange()
		for iter.Next() {
			e, changed := nonNil(iter.Value(), depth+1)
			if !changed {
				continue
			}
			if !m.IsValid() {
				m = reflect.MakeMapWithSize(v.Type(), v.Len())
				all := v.MapRange()
				for all.Next() {
					m.SetMapIndex(all.Key(), all.Value())
				}
			}
			m.SetMapIndex(iter.Key(), e)
		}
		if !m.IsValid() {
			return v, false
		}
		return m, true
	case reflect.Struct:
		t := v.Type()
		var s reflect.Value
		for _, w := range fieldsToWalk(t) {
			i := w.index
			if w.omitEmpty && v.Field(i).Kind() == reflect.Slice && v.Field(i).IsNil() {
				continue // left out whether nil or empty
			}
			f, changed := nonNil(v.Field(i), depth+1)
			if !changed {
				continue
			}
			if !s.IsValid() {
				s = reflect.New(t).Elem()
				s.Set(v)
			}
			s.Field(i).Set(f)
		}
		if !s.IsValid() {
			return v, false
		}
		return s, true
	default:
		return v, false
	}
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

// walkFields caches, per struct type, the fields that JSON writes and that
// can hold a slice: the only ones the walk needs to visit.
var walkFields sync.Map

// walkField is one field to visit; omitEmpty: its tag has omitempty, so a
// nil slice there is left out just like an empty one, and needs no copy.
type walkField struct {
	index     int
	omitEmpty bool
}

func fieldsToWalk(t reflect.Type) []walkField {
	if v, ok := walkFields.Load(t); ok {
		return v.([]walkField)
	}
	var out []walkField
	if !hasSlices(t, 0) || reflect.PointerTo(t).Implements(marshalerType) || t.Implements(marshalerType) {
		// No slice to visit, or time.Time, netip.Addr and other types
		// that write themselves. Decided once per type, with the
		// fields: per value, the Implements tests were a fifth of the
		// walk.
		walkFields.Store(t, out)
		return out
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if f.IsExported() && tag != "-" && hasSlices(f.Type, 0) {
			_, opts, _ := strings.Cut(tag, ",")
			out = append(out, walkField{index: i, omitEmpty: slices.Contains(strings.Split(opts, ","), "omitempty")})
		}
	}
	walkFields.Store(t, out)
	return out
}

// sliceTypes caches hasSlices by type: the walk asks about the same few
// types for every section of every report.
var sliceTypes sync.Map

// hasSlices reports whether a value of type t can hold a slice that JSON
// would write: a cheap static test that keeps the copy to what needs it.
// Interfaces count, since their dynamic value is unknown here.
func hasSlices(t reflect.Type, depth int) bool {
	if depth == 0 {
		if v, ok := sliceTypes.Load(t); ok {
			return v.(bool)
		}
		has := hasSlices(t, 1)
		sliceTypes.Store(t, has)
		return has
	}
	if depth > 8 {
		return true
	}
	switch t.Kind() {
	case reflect.Slice:
		return t.Elem() != byteType
	case reflect.Interface:
		return true
	case reflect.Pointer, reflect.Array, reflect.Map:
		return hasSlices(t.Elem(), depth+1)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && hasSlices(f.Type, depth+1) {
				return true
			}
		}
	}
	return false
}

package report

// The JSON encoding as it was before the typed encoder (jsonenc.go): the
// nil-slice walk and encoding/json over the whole report, kept here
// verbatim as the reference the typed encoder must match byte for byte.

import (
	"encoding/json"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// refWriteJSON is WriteJSON as it was.
func refWriteJSON(r Report, w io.Writer) error {
	type plain Report // no MarshalJSON: no recursion
	v, _ := refNonNil(reflect.ValueOf(plain(r)), 0)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // records hold & and <; keep them readable
	return enc.Encode(v.Interface())
}

// RefWriteJSON is refWriteJSON for the tests of package report_test.
var RefWriteJSON = refWriteJSON

// refMaxDepth bounds the walk; report data is a shallow tree, and a cycle
// through exported pointers (none today) must not recurse forever.
const refMaxDepth = 64

var refByteType = reflect.TypeFor[byte]()

// nonNil returns v with every nil slice (except []byte, which JSON writes
// as a base64 string) replaced by an empty one, and whether it changed
// anything. The original is not modified (a report may be rendered by
// several renderers at once): what holds a nil slice is copied, on the path
// down to it only, and whatever holds none is returned as it is, without
// the copy of the whole report that an earlier walk made (BenchmarkMarshalJSON).
func refNonNil(v reflect.Value, depth int) (reflect.Value, bool) {
	if depth > refMaxDepth {
		return v, false
	}
	switch v.Kind() {
	case reflect.Slice:
		if v.Type().Elem() == refByteType {
			return v, false
		}
		if v.IsNil() {
			return reflect.MakeSlice(v.Type(), 0, 0), true
		}
		if !refHasSlices(v.Type().Elem(), 0) {
			return v, false
		}
		var s reflect.Value
		for i := range v.Len() {
			e, changed := refNonNil(v.Index(i), depth+1)
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
		if v.IsNil() || !refHasSlices(v.Type().Elem(), 0) {
			return v, false
		}
		e, changed := refNonNil(v.Elem(), depth+1)
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
		e, changed := refNonNil(v.Elem(), depth+1)
		if !changed {
			return v, false
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(e)
		return out, true
	case reflect.Map:
		if v.IsNil() || !refHasSlices(v.Type().Elem(), 0) {
			return v, false
		}
		var m reflect.Value
		iter := v.MapRange()
		for iter.Next() {
			e, changed := refNonNil(iter.Value(), depth+1)
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
		for _, w := range refFieldsToWalk(t) {
			i := w.index
			if w.omitEmpty && v.Field(i).Kind() == reflect.Slice && v.Field(i).IsNil() {
				continue // left out whether nil or empty
			}
			f, changed := refNonNil(v.Field(i), depth+1)
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

var refMarshalerType = reflect.TypeFor[json.Marshaler]()

// refWalkFields caches, per struct type, the fields that JSON writes and that
// can hold a slice: the only ones the walk needs to visit.
var refWalkFields sync.Map

// refWalkField is one field to visit; omitEmpty: its tag has omitempty, so a
// nil slice there is left out just like an empty one, and needs no copy.
type refWalkField struct {
	index     int
	omitEmpty bool
}

func refFieldsToWalk(t reflect.Type) []refWalkField {
	if v, ok := refWalkFields.Load(t); ok {
		return v.([]refWalkField)
	}
	var out []refWalkField
	if !refHasSlices(t, 0) || reflect.PointerTo(t).Implements(refMarshalerType) || t.Implements(refMarshalerType) {
		// No slice to visit, or time.Time, netip.Addr and other types
		// that write themselves. Decided once per type, with the
		// fields: per value, the Implements tests were a fifth of the
		// walk.
		refWalkFields.Store(t, out)
		return out
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if f.IsExported() && tag != "-" && refHasSlices(f.Type, 0) {
			_, opts, _ := strings.Cut(tag, ",")
			out = append(out, refWalkField{index: i, omitEmpty: slices.Contains(strings.Split(opts, ","), "omitempty")})
		}
	}
	refWalkFields.Store(t, out)
	return out
}

// refSliceTypes caches hasSlices by type: the walk asks about the same few
// types for every section of every report.
var refSliceTypes sync.Map

// hasSlices reports whether a value of type t can hold a slice that JSON
// would write: a cheap static test that keeps the copy to what needs it.
// Interfaces count, since their dynamic value is unknown here.
func refHasSlices(t reflect.Type, depth int) bool {
	if depth == 0 {
		if v, ok := refSliceTypes.Load(t); ok {
			return v.(bool)
		}
		has := refHasSlices(t, 1)
		refSliceTypes.Store(t, has)
		return has
	}
	if depth > 8 {
		return true
	}
	switch t.Kind() {
	case reflect.Slice:
		return t.Elem() != refByteType
	case reflect.Interface:
		return true
	case reflect.Pointer, reflect.Array, reflect.Map:
		return refHasSlices(t.Elem(), depth+1)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && refHasSlices(f.Type, depth+1) {
				return true
			}
		}
	}
	return false
}

// HasDataPlan reports whether values of t are written by a data plan
// (jsondata.go) rather than by encoding/json.
func HasDataPlan(t reflect.Type) bool { return dataPlanOf(t) != nil }

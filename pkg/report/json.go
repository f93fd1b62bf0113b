package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sync"
)

// MarshalJSON writes the report with every list as an array: a nil slice
// anywhere in the report, its sections' findings and their Data included,
// is written as [] rather than null, as docs/json.md promises, so that
// `jq '.sections[].data.hosts[]'` and strict schema validators work on any
// report. Checks need not remember to initialize each slice; this is the
// one place that guarantees it.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report // no MarshalJSON: no recursion
	v := nonNil(reflect.ValueOf(plain(r)), 0)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // records hold & and <; keep them readable
	if err := enc.Encode(v.Interface()); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// maxDepth bounds the walk; report data is a shallow tree, and a cycle
// through exported pointers (none today) must not recurse forever.
const maxDepth = 64

var byteType = reflect.TypeFor[byte]()

// nonNil returns a copy of v in which every nil slice (except []byte,
// which JSON writes as a base64 string) is an empty one. The original is
// not modified: a report may be rendered by several renderers at once.
func nonNil(v reflect.Value, depth int) reflect.Value {
	if depth > maxDepth {
		return v
	}
	switch v.Kind() {
	case reflect.Slice:
		if v.Type().Elem() == byteType {
			return v
		}
		if v.IsNil() {
			return reflect.MakeSlice(v.Type(), 0, 0)
		}
		if !hasSlices(v.Type().Elem(), 0) {
			return v
		}
		s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			s.Index(i).Set(nonNil(v.Index(i), depth+1))
		}
		return s
	case reflect.Pointer:
		if v.IsNil() || !hasSlices(v.Type().Elem(), 0) {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(nonNil(v.Elem(), depth+1))
		return p
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		inner := nonNil(v.Elem(), depth+1)
		out := reflect.New(v.Type()).Elem()
		out.Set(inner)
		return out
	case reflect.Map:
		if v.IsNil() || !hasSlices(v.Type().Elem(), 0) {
			return v
		}
		m := reflect.MakeMapWithSize(v.Type(), v.Len())
		iter := v.MapRange()
		for iter.Next() {
			m.SetMapIndex(iter.Key(), nonNil(iter.Value(), depth+1))
		}
		return m
	case reflect.Struct:
		t := v.Type()
		if !hasSlices(t, 0) || reflect.PointerTo(t).Implements(marshalerType) || t.Implements(marshalerType) {
			return v // time.Time, netip.Addr and other types that write themselves
		}
		s := reflect.New(t).Elem()
		s.Set(v)
		for _, i := range fieldsToWalk(t) {
			s.Field(i).Set(nonNil(v.Field(i), depth+1))
		}
		return s
	default:
		return v
	}
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

// walkFields caches, per struct type, the fields that JSON writes and that
// can hold a slice: the only ones the walk needs to visit.
var walkFields sync.Map

func fieldsToWalk(t reflect.Type) []int {
	if v, ok := walkFields.Load(t); ok {
		return v.([]int)
	}
	var idx []int
	for i := range t.NumField() {
		f := t.Field(i)
		if f.IsExported() && f.Tag.Get("json") != "-" && hasSlices(f.Type, 0) {
			idx = append(idx, i)
		}
	}
	walkFields.Store(t, idx)
	return idx
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

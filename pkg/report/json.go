package report

import (
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
	e := getEncoder()
	defer putEncoder(e)
	if err := e.report(&r); err != nil {
		return r.marshalReflect()
	}
	return slices.Clone(e.b), nil
}

// WriteJSON writes what MarshalJSON returns, and a newline, to w in one
// Write: a JSON Lines line. The report is encoded in a pooled buffer, so a
// report costs no buffer of its own (growing one per report, twice, was a
// sixth of a bulk run's allocated bytes).
func (r Report) WriteJSON(w io.Writer) error {
	e := getEncoder()
	defer putEncoder(e)
	if err := e.report(&r); err != nil {
		return r.writeReflect(w)
	}
	e.b = append(e.b, '\n')
	_, err := w.Write(e.b)
	return err
}

// WriteJSONIndent writes what MarshalJSON returns indented by json.Indent
// (each level by indent, no prefix), and a newline, to w in one Write.
func (r Report) WriteJSONIndent(w io.Writer, indent string) error {
	e := getEncoder()
	defer putEncoder(e)
	var b []byte
	if err := e.report(&r); err == nil {
		b = e.b
	} else if b, err = r.marshalReflect(); err != nil {
		return err
	}
	e.indented.Reset()
	e.indented.Grow(len(b) + len(b)/2)
	if err := json.Indent(&e.indented, b, "", indent); err != nil {
		return err
	}
	e.indented.WriteByte('\n')
	_, err := w.Write(e.indented.Bytes())
	return err
}

// writeReflect is WriteJSON by encoding/json alone, for the reports the
// typed encoder (jsonenc.go) gives up on: the same bytes, or
// encoding/json's error.
func (r Report) writeReflect(w io.Writer) error {
	type plain Report // no MarshalJSON: no recursion
	v, _ := nonNil(reflect.ValueOf(plain(r)), 0)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // records hold & and <; keep them readable
	return enc.Encode(v.Interface())
}

func (r Report) marshalReflect() ([]byte, error) {
	e := getEncoder()
	defer putEncoder(e)
	if err := r.writeReflect(e); err != nil {
		return nil, err
	}
	return slices.Clone(e.b[:len(e.b)-1]), nil
}

// maxDepth bounds the walk; report data is a shallow tree, and a cycle
// through exported pointers (none today) must not recurse forever.
const maxDepth = 64

var byteType = reflect.TypeFor[byte]()

// nonNil returns v with every nil slice (except []byte, which JSON writes
// as a base64 string) replaced by an empty one, and whether it changed
// anything. The original is not modified (a report may be rendered by
// several renderers at once): what holds a nil slice is copied, on the path
// down to it only, and whatever holds none is returned as it is.
// depth is v's depth from the report, which the walk does not go below
// maxDepth.
func nonNil(v reflect.Value, depth int) (reflect.Value, bool) {
	p := planOf(v.Type())
	if p == nil {
		return v, false
	}
	return p.walk(v, depth)
}

// walkPlan is what the walk does with a value of one type, decided once
// per type: the walk over a section's data was a reflective visit of
// every field of every value, asking of each its kind, its JSON tag and
// whether it writes itself. A nil *walkPlan: the type can hold no nil
// slice that JSON writes, and the walk leaves its values alone.
type walkPlan struct {
	kind reflect.Kind
	// elem is the plan of a slice's, a pointer's or a map's elements
	// (nil: nothing to do there).
	elem   *walkPlan
	fields []fieldPlan // a struct's fields to visit
}

// fieldPlan is one field to visit; omitEmpty: its tag has omitempty, so a
// nil slice there is left out just like an empty one, and needs no copy.
type fieldPlan struct {
	index     int
	omitEmpty bool
	plan      *walkPlan
}

func (p *walkPlan) walk(v reflect.Value, depth int) (reflect.Value, bool) {
	if depth > maxDepth {
		return v, false
	}
	switch p.kind {
	case reflect.Slice:
		if v.IsNil() {
			return reflect.MakeSlice(v.Type(), 0, 0), true
		}
		if p.elem == nil {
			return v, false
		}
		var s reflect.Value
		for i := range v.Len() {
			e, changed := p.elem.walk(v.Index(i), depth+1)
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
		if v.IsNil() {
			return v, false
		}
		e, changed := p.elem.walk(v.Elem(), depth+1)
		if !changed {
			return v, false
		}
		n := reflect.New(v.Type().Elem())
		n.Elem().Set(e)
		return n, true
	case reflect.Interface:
		if v.IsNil() {
			return v, false
		}
		d := v.Elem()
		dp := planOf(d.Type())
		if dp == nil {
			return v, false
		}
		e, changed := dp.walk(d, depth+1)
		if !changed {
			return v, false
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(e)
		return out, true
	case reflect.Map:
		if v.IsNil() {
			return v, false
		}
		var m reflect.Value
		iter := v.MapRange()
		for iter.Next() {
			e, changed := p.elem.walk(iter.Value(), depth+1)
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
		var s reflect.Value
		for _, f := range p.fields {
			fv := v.Field(f.index)
			if f.omitEmpty && fv.Kind() == reflect.Slice && fv.IsNil() {
				continue // left out whether nil or empty
			}
			e, changed := f.plan.walk(fv, depth+1)
			if !changed {
				continue
			}
			if !s.IsValid() {
				s = reflect.New(v.Type()).Elem()
				s.Set(v)
			}
			s.Field(f.index).Set(e)
		}
		if !s.IsValid() {
			return v, false
		}
		return s, true
	}
	return v, false
}

// plans caches planOf; planMu serializes the making of plans (a type's
// plan may refer to itself, through a slice of itself).
var (
	plans  sync.Map // reflect.Type -> *walkPlan
	planMu sync.Mutex
)

func planOf(t reflect.Type) *walkPlan {
	if p, ok := plans.Load(t); ok {
		return p.(*walkPlan)
	}
	planMu.Lock()
	defer planMu.Unlock()
	made := map[reflect.Type]*walkPlan{}
	p := makePlan(t, made)
	// Published once complete: a plan made on the way may point to one
	// that was still being made.
	for t, p := range made {
		plans.Store(t, p)
	}
	return p
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

// makePlan makes t's plan; made holds the plans made so far, and those
// being made, which a recursive type's fields point to before they are
// complete.
func makePlan(t reflect.Type, made map[reflect.Type]*walkPlan) *walkPlan {
	if p, ok := plans.Load(t); ok {
		return p.(*walkPlan)
	}
	if p, ok := made[t]; ok {
		return p
	}
	p := &walkPlan{kind: t.Kind()}
	made[t] = p
	switch t.Kind() {
	case reflect.Slice:
		if t.Elem() == byteType {
			p = nil // JSON writes it as base64, null when nil
			break
		}
		p.elem = makePlan(t.Elem(), made)
	case reflect.Pointer, reflect.Map:
		if p.elem = makePlan(t.Elem(), made); p.elem == nil {
			p = nil
		}
	case reflect.Interface:
		// The dynamic value's plan, per value.
	case reflect.Struct:
		// time.Time, netip.Addr and other types that write themselves
		// are left to do so.
		if reflect.PointerTo(t).Implements(marshalerType) || t.Implements(marshalerType) {
			p = nil
			break
		}
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if !f.IsExported() || tag == "-" {
				continue
			}
			fp := makePlan(f.Type, made)
			if fp == nil {
				continue
			}
			_, opts, _ := strings.Cut(tag, ",")
			p.fields = append(p.fields, fieldPlan{index: i, omitEmpty: slices.Contains(strings.Split(opts, ","), "omitempty"), plan: fp})
		}
		if len(p.fields) == 0 {
			p = nil
		}
	default:
		p = nil // arrays included: their nil slices stay null, as ever
	}
	// A plan made empty after a recursive field pointed to it stays, in
	// that field, a struct plan with no field to visit: a walk that
	// changes nothing.
	made[t] = p
	return p
}

package report

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A section's Data is written by a plan made once per type from its JSON
// tags, which writes what encoding/json writes for the value once nonNil
// has made its lists arrays: a nil slice is [] (null below maxDepth, as the
// walk leaves it), []byte is base64 and null when nil, maps are sorted by
// key, Msg is its words, time.Time and netip.Addr are what their methods
// write, omitempty and omitzero apply as encoding/json applies them to the
// walked value. A type the plans do not cover (one that writes itself in
// another way, embedded fields, the ",string" option, arrays, non-string
// map keys, json.Number, types JSON cannot write) has no plan, and its
// values go through nonNil and encoding/json as before: a Data value as a
// whole, or a value held by an interface.

// dataPlan writes the values of one type.
type dataPlan struct {
	kind reflect.Kind
	// special: a type written by its own method.
	special specialType
	bits    int       // floats: 32 or 64
	elem    *dataPlan // slices, pointers, maps
	fields  []dataField
}

type specialType int

const (
	notSpecial specialType = iota
	specialMsg
	specialTime
	specialAddr
	specialBytes
)

// dataField is one field a struct's JSON holds. name is `"name":`.
type dataField struct {
	index     int
	name      string
	omitEmpty bool
	omitZero  bool
	// isZero is the field type's IsZero method, for omitzero; nil:
	// reflect's zero test.
	isZero func(reflect.Value) bool
	plan   *dataPlan
}

var (
	dataPlans  sync.Map // reflect.Type -> *dataPlan, nil when none
	dataPlanMu sync.Mutex

	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	isZeroerType      = reflect.TypeFor[interface{ IsZero() bool }]()
	numberType        = reflect.TypeFor[json.Number]()
	msgType           = reflect.TypeFor[Msg]()
	timeType          = reflect.TypeFor[time.Time]()
	addrType          = reflect.TypeFor[netip.Addr]()
)

// maxDataDepth: deeper than this, the plans hand the report to
// encoding/json (which finds the pointer cycle, if that is what it is).
const maxDataDepth = 500

// dataPlanOf returns t's plan, or nil when values of t must go through
// encoding/json.
func dataPlanOf(t reflect.Type) *dataPlan {
	if p, ok := dataPlans.Load(t); ok {
		return p.(*dataPlan)
	}
	dataPlanMu.Lock()
	defer dataPlanMu.Unlock()
	b := planBuilder{made: map[reflect.Type]*dataPlan{}}
	p := b.plan(t)
	if b.failed {
		// The types made on the way may be fine on their own; they
		// are made again when asked for.
		dataPlans.Store(t, (*dataPlan)(nil))
		return nil
	}
	for t, p := range b.made {
		dataPlans.Store(t, p)
	}
	return p
}

type planBuilder struct {
	made   map[reflect.Type]*dataPlan
	failed bool
}

func writesItself(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	return t.Implements(marshalerType) || pt.Implements(marshalerType) ||
		t.Implements(textMarshalerType) || pt.Implements(textMarshalerType)
}

func (b *planBuilder) fail() *dataPlan {
	b.failed = true
	return nil
}

func (b *planBuilder) plan(t reflect.Type) *dataPlan {
	if p, ok := dataPlans.Load(t); ok {
		if p.(*dataPlan) == nil {
			return b.fail()
		}
		return p.(*dataPlan)
	}
	if p, ok := b.made[t]; ok {
		return p
	}
	p := &dataPlan{kind: t.Kind()}
	b.made[t] = p
	switch t {
	case msgType:
		p.special = specialMsg
		return p
	case timeType:
		p.special = specialTime
		return p
	case addrType:
		p.special = specialAddr
		return p
	case numberType:
		return b.fail()
	}
	// A pointer to a type that writes itself with a value method has
	// the method too; encoding/json calls it, null when nil, as a
	// pointer plan does with its element's plan. (A method on the
	// pointer only: the element has no plan.)
	if t.Kind() != reflect.Pointer && writesItself(t) {
		return b.fail()
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Interface:
	case reflect.Float32:
		p.bits = 32
	case reflect.Float64:
		p.bits = 64
	case reflect.Slice:
		if t.Elem() == byteType {
			p.special = specialBytes
			break
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return b.fail() // base64 or not, as the element type says
		}
		p.elem = b.plan(t.Elem())
	case reflect.Pointer:
		p.elem = b.plan(t.Elem())
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return b.fail()
		}
		p.elem = b.plan(t.Elem())
	case reflect.Struct:
		names := map[string]bool{}
		for i := range t.NumField() {
			sf := t.Field(i)
			if sf.Anonymous {
				return b.fail() // promoted fields: encoding/json's rules
			}
			tag := sf.Tag.Get("json")
			if !sf.IsExported() || tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if name == "" {
				name = sf.Name
			}
			if !plainName(name) || names[name] {
				return b.fail()
			}
			names[name] = true
			f := dataField{index: i, name: `"` + name + `":`}
			for o := range strings.SplitSeq(opts, ",") {
				switch o {
				case "omitempty":
					f.omitEmpty = true
				case "omitzero":
					f.omitZero = true
				case "string":
					return b.fail()
				}
			}
			if f.omitZero {
				if !b.zeroTest(&f, sf.Type) {
					return b.fail()
				}
			}
			if f.plan = b.plan(sf.Type); f.plan == nil {
				return b.fail()
			}
			p.fields = append(p.fields, f)
		}
	default:
		return b.fail() // arrays, and what JSON cannot write
	}
	if b.failed {
		return nil
	}
	return p
}

// zeroTest sets f's omitzero test, as encoding/json makes it, on the
// value as nonNil leaves it: it fails for types whose zero value the walk
// changes (a nil slice becomes [], no longer zero) and that have no IsZero
// method reading only what the walk leaves alone.
func (b *planBuilder) zeroTest(f *dataField, t reflect.Type) bool {
	switch {
	case t == msgType:
		f.isZero = func(v reflect.Value) bool { return valueOf[Msg](v).IsZero() }
		return true
	case t == timeType:
		f.isZero = func(v reflect.Value) bool { return valueOf[time.Time](v).IsZero() }
		return true
	case t.Implements(isZeroerType) || reflect.PointerTo(t).Implements(isZeroerType):
		if planOf(t) != nil || t.Kind() == reflect.Interface || t.Kind() == reflect.Pointer {
			return false
		}
		if t.Implements(isZeroerType) {
			f.isZero = func(v reflect.Value) bool { return v.Interface().(interface{ IsZero() bool }).IsZero() }
		} else {
			f.isZero = func(v reflect.Value) bool {
				v2 := reflect.New(v.Type())
				v2.Elem().Set(v)
				return v2.Interface().(interface{ IsZero() bool }).IsZero()
			}
		}
		return true
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Array:
		return planOf(t) == nil
	}
	return true // a nil slice: zeroAfterWalk
}

// valueOf returns v's value, without the copy v.Interface() allocates
// when v is addressable.
func valueOf[T any](v reflect.Value) *T {
	if v.CanAddr() {
		return v.Addr().Interface().(*T)
	}
	x := v.Interface().(T)
	return &x
}

// plainName: a JSON name written as it is, and one encoding/json takes
// from the tag (its isValidTag accepts more: those go the general way).
func plainName(s string) bool {
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return s != ""
}

// data appends a section's Data (its dynamic value v, at dataDepth).
func (e *jsonEncoder) data(v any) error {
	rv := reflect.ValueOf(v)
	p := dataPlanOf(rv.Type())
	if p == nil {
		return e.reflective(v, dataDepth)
	}
	return p.encode(e, rv, dataDepth)
}

// encode appends v; depth is v's depth from the report, as nonNil counts.
func (p *dataPlan) encode(e *jsonEncoder, v reflect.Value, depth int) error {
	if depth > maxDataDepth {
		return errFallback
	}
	switch p.special {
	case specialMsg:
		e.str(valueOf[Msg](v).String())
		return nil
	case specialTime:
		e.b = append(e.b, '"')
		b, err := valueOf[time.Time](v).AppendText(e.b)
		if err != nil {
			return errFallback
		}
		e.b = append(b, '"')
		return nil
	case specialAddr:
		text, err := valueOf[netip.Addr](v).AppendText(e.scratch[:0])
		if err != nil {
			return errFallback
		}
		e.scratch = text
		e.str(string(text)) // no copy: short, and it does not escape
		return nil
	case specialBytes:
		if v.IsNil() {
			e.b = append(e.b, "null"...)
			return nil
		}
		e.b = append(e.b, '"')
		e.b = base64.StdEncoding.AppendEncode(e.b, v.Bytes())
		e.b = append(e.b, '"')
		return nil
	}
	switch p.kind {
	case reflect.Bool:
		e.b = strconv.AppendBool(e.b, v.Bool())
	case reflect.String:
		e.str(v.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.b = strconv.AppendInt(e.b, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.b = strconv.AppendUint(e.b, v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return e.float(v.Float(), p.bits)
	case reflect.Interface:
		if v.IsNil() {
			e.b = append(e.b, "null"...)
			return nil
		}
		d := v.Elem()
		dp := dataPlanOf(d.Type())
		if dp == nil {
			return e.reflective(d.Interface(), depth+1)
		}
		return dp.encode(e, d, depth+1)
	case reflect.Pointer:
		if v.IsNil() {
			e.b = append(e.b, "null"...)
			return nil
		}
		return p.elem.encode(e, v.Elem(), depth+1)
	case reflect.Slice:
		if v.IsNil() {
			if depth > maxDepth {
				e.b = append(e.b, "null"...) // beyond the walk
			} else {
				e.b = append(e.b, "[]"...)
			}
			return nil
		}
		e.b = append(e.b, '[')
		for i := range v.Len() {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			if err := p.elem.encode(e, v.Index(i), depth+1); err != nil {
				return err
			}
		}
		e.b = append(e.b, ']')
	case reflect.Map:
		if v.IsNil() {
			e.b = append(e.b, "null"...)
			return nil
		}
		return p.encodeMap(e, v, depth)
	case reflect.Struct:
		next := byte('{')
		for i := range p.fields {
			f := &p.fields[i]
			fv := v.Field(f.index)
			if f.omitEmpty && isEmptyValue(fv) {
				continue
			}
			if f.omitZero && (f.isZero == nil && zeroAfterWalk(fv, depth+1) || f.isZero != nil && f.isZero(fv)) {
				continue
			}
			e.b = append(e.b, next)
			next = ','
			e.b = append(e.b, f.name...)
			if err := f.plan.encode(e, fv, depth+1); err != nil {
				return err
			}
		}
		if next == '{' {
			e.b = append(e.b, "{}"...)
		} else {
			e.b = append(e.b, '}')
		}
	}
	return nil
}

// zeroAfterWalk is reflect's zero test on v as nonNil leaves it: a nil
// slice within the walk's depth is [] there (zeroTest keeps the other
// types whose zero value the walk changes from having a plan).
func zeroAfterWalk(v reflect.Value, depth int) bool {
	if !v.IsZero() {
		return false
	}
	return !(v.Kind() == reflect.Slice && v.Type().Elem() != byteType && depth <= maxDepth)
}

func (p *dataPlan) encodeMap(e *jsonEncoder, v reflect.Value, depth int) error {
	type kv struct {
		k string
		v reflect.Value
	}
	var buf [8]kv
	kvs := buf[:0]
	iter := v.MapRange()
	for iter.Next() {
		kvs = append(kvs, kv{iter.Key().String(), iter.Value()})
	}
	slices.SortFunc(kvs, func(a, b kv) int { return strings.Compare(a.k, b.k) })
	e.b = append(e.b, '{')
	for i, x := range kvs {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.str(x.k)
		e.b = append(e.b, ':')
		if err := p.elem.encode(e, x.v, depth+1); err != nil {
			return err
		}
	}
	e.b = append(e.b, '}')
	return nil
}

// isEmptyValue is encoding/json's omitempty test.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

package report_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/schema"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// The typed encoder (jsonenc.go) must write the bytes encoding/json wrote
// before it (report.RefWriteJSON, the old path kept in jsonref_test.go),
// for every report: these tests fill reports and every check's data type
// field by field (a field added to a report type and not to the typed
// encoder fails them), with nil, empty and full lists, and strings that
// need escaping.

// sameJSON fails the test unless WriteJSON, MarshalJSON and
// WriteJSONIndent write what the old path writes (or fail as it fails),
// and leave the report as the old path writes it.
func sameJSON(t *testing.T, what string, rep report.Report) {
	t.Helper()
	var want, got bytes.Buffer
	wantErr := report.RefWriteJSON(rep, &want)
	gotErr := rep.WriteJSON(&got)
	if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
		t.Fatalf("%s: error %v, want %v", what, gotErr, wantErr)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("%s: WriteJSON differs from encoding/json at byte %d:\n got %s\nwant %s", what, firstDiff(got.Bytes(), want.Bytes()), got.Bytes(), want.Bytes())
	}
	b, err := rep.MarshalJSON()
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("%s: MarshalJSON error %v, want %v", what, err, wantErr)
	}
	if err == nil && string(b)+"\n" != want.String() {
		t.Fatalf("%s: MarshalJSON differs:\n got %s\nwant %s", what, b, want.Bytes())
	}
	var wantIndented, indented bytes.Buffer
	if wantErr == nil {
		if err := json.Indent(&wantIndented, bytes.TrimSuffix(want.Bytes(), []byte("\n")), "", "  "); err != nil {
			t.Fatal(err)
		}
		wantIndented.WriteByte('\n')
	}
	if err := rep.WriteJSONIndent(&indented, "  "); (err == nil) != (wantErr == nil) || !bytes.Equal(indented.Bytes(), wantIndented.Bytes()) {
		t.Fatalf("%s: WriteJSONIndent differs (error %v):\n got %s\nwant %s", what, err, indented.Bytes(), wantIndented.Bytes())
	}
	var after bytes.Buffer
	if report.RefWriteJSON(rep, &after); !bytes.Equal(after.Bytes(), want.Bytes()) {
		t.Fatalf("%s: encoding modified the report", what)
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// tricky are strings that need escaping, or that encoding/json's escaping
// must leave alone (&, <, > with SetEscapeHTML(false), DEL, accents).
var tricky = []string{
	"", "shop.example", "a&b<c>d", `"quoted" \back\slash/`, "\x00\x01\x07\x1f\x7f",
	"\b\f\n\r\t", "bad \xff\xfe utf-8 \xc3", "\u2028 and \u2029", "bücher.example é ✓ 🦊",
	"v=DMARC1; p=reject; rua=mailto:d@shop.example", "\xed\xa0\x80 surrogate", "</script>",
}

// floats cover both of encoding/json's formats and their cut-offs.
var floats = []float64{0, 1, 0.5, -0.25, 1.0 / 3, 1e-6, 9.99e-7, 1e-7, 1.5e-9, 1e20, 1e21, 1.5e300, math.MaxFloat64, math.SmallestNonzeroFloat64, math.Copysign(0, -1)}

// filler sets every settable field of a value: lists nil, empty or full
// (mode), strings from tricky, numbers and times of both signs and sizes.
type filler struct {
	rnd  *rand.Rand
	mode int // 0 full, 1 nil lists, 2 empty lists, 3 each at random
	n    int
}

const maxFillDepth = 7

var (
	timeType = reflect.TypeFor[time.Time]()
	addrType = reflect.TypeFor[netip.Addr]()
	anyType  = reflect.TypeFor[any]()
	msgType  = reflect.TypeFor[report.Msg]()
)

func (f *filler) listMode() int {
	if f.mode == 3 {
		return f.rnd.IntN(3)
	}
	return f.mode
}

func (f *filler) fill(v reflect.Value, depth int) {
	f.n++
	switch v.Type() {
	case timeType:
		v.Set(reflect.ValueOf(testclock.Now().Add(time.Duration(f.n) * 1234567 * time.Microsecond).In(time.FixedZone("x", 3600*(f.n%3)))))
		return
	case addrType:
		addrs := []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1"), {}}
		v.Set(reflect.ValueOf(addrs[f.n%len(addrs)]))
		return
	case msgType:
		v.Set(reflect.ValueOf(report.Msg{Key: "k", Text: tricky[f.n%len(tricky)], Optional: f.n%2 == 0}))
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(f.n%3 != 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		vals := []int64{0, 1, -1, 42, 127, -128}
		v.SetInt(vals[f.n%len(vals)])
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		vals := []uint64{0, 1, 25, 255}
		v.SetUint(vals[f.n%len(vals)])
	case reflect.Float32, reflect.Float64:
		v.SetFloat(floats[f.n%len(floats)])
	case reflect.String:
		v.SetString(tricky[f.n%len(tricky)])
	case reflect.Slice:
		switch f.listMode() {
		case 1:
		case 2:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			if depth >= maxFillDepth {
				return
			}
			s := reflect.MakeSlice(v.Type(), 2, 2)
			for i := range 2 {
				f.fill(s.Index(i), depth+1)
			}
			v.Set(s)
		}
	case reflect.Array:
		for i := range v.Len() {
			f.fill(v.Index(i), depth+1)
		}
	case reflect.Map:
		switch f.listMode() {
		case 1:
		case 2:
			v.Set(reflect.MakeMap(v.Type()))
		default:
			if depth >= maxFillDepth {
				return
			}
			m := reflect.MakeMap(v.Type())
			for range 3 {
				k := reflect.New(v.Type().Key()).Elem()
				f.fill(k, depth+1)
				e := reflect.New(v.Type().Elem()).Elem()
				f.fill(e, depth+1)
				m.SetMapIndex(k, e)
			}
			v.Set(m)
		}
	case reflect.Pointer:
		if depth >= maxFillDepth || f.mode == 3 && f.rnd.IntN(4) == 0 {
			return
		}
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Interface:
		if v.Type() != anyType || depth >= maxFillDepth {
			return
		}
		if p := f.param(depth); p != nil {
			v.Set(reflect.ValueOf(p))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				f.fill(v.Field(i), depth+1)
			}
		}
	}
}

// param is a Params value of one of the types checks use, or of another.
func (f *filler) param(depth int) any {
	f.n++
	s := tricky[f.n%len(tricky)]
	vals := []any{s, f.n, int64(-f.n), uint16(f.n), f.n%2 == 0, floats[f.n%len(floats)],
		[]string{s, "b"}, []string(nil), []string{}, report.Lit(s), report.Msg{Key: s},
		report.High, report.StatusPass, nil, int8(3), uint(7), float32(0.1), []int(nil),
		[]report.Msg{report.Lit(s)}, report.Params{"inner": []string(nil), "s": s},
		testclock.Now(), netip.MustParseAddr("192.0.2.7"), struct{ L []int }{}, &struct{ L []string }{},
	}
	if depth >= maxFillDepth-2 {
		vals = vals[:12]
	}
	return vals[f.rnd.IntN(len(vals))]
}

// filledReport is a report with every field set, as f's mode says, and
// each section's data of the type data (filled) or nil.
func (f *filler) report(data reflect.Type) report.Report {
	var rep report.Report
	f.fill(reflect.ValueOf(&rep).Elem(), 0)
	for _, list := range [][]report.Section{rep.Sections, rep.Environment} {
		for i := range list {
			list[i].Data = nil
			if data != nil {
				d := reflect.New(data)
				f.fill(d.Elem(), 2)
				if f.n%2 == 0 {
					list[i].Data = d.Interface()
				} else {
					list[i].Data = d.Elem().Interface()
				}
			}
			for j := range list[i].Findings {
				fd := &list[i].Findings[j]
				if fd.Params != nil {
					for k := range 4 {
						fd.Params[tricky[(f.n+k)%len(tricky)]] = f.param(4)
					}
				}
			}
		}
	}
	return rep
}

// TestTypedJSONMatchesEncodingJSON: filled reports, with every check's
// data type (internal/schema lists them) and a few more.
func TestTypedJSONMatchesEncodingJSON(t *testing.T) {
	types := []reflect.Type{nil, reflect.TypeFor[evidenceLike](), reflect.TypeFor[plannedLike](), reflect.TypeFor[report.Params](), reflect.TypeFor[[]string]()}
	for _, c := range schema.Checks {
		if c.Data != nil {
			types = append(types, reflect.TypeOf(c.Data))
		}
	}
	for _, typ := range types {
		name := "no data"
		if typ != nil {
			name = typ.String()
		}
		for mode := range 4 {
			for seed := range 6 {
				if mode < 3 && seed > 0 {
					break
				}
				f := &filler{rnd: rand.New(rand.NewPCG(uint64(seed), uint64(mode))), mode: mode, n: seed}
				rep := f.report(typ)
				sameJSON(t, name, rep)
			}
		}
	}
}

// The data of every check `mailcheck domain` runs is written by a plan,
// not by encoding/json (a change to a data type that loses its plan makes
// bulk runs slower, not wrong: this test says so).
func TestDomainDataHasPlans(t *testing.T) {
	for _, check := range schema.Commands["domain"].Checks {
		data, _ := schema.DataOf(check)
		if data == nil {
			continue
		}
		for _, typ := range []reflect.Type{reflect.TypeOf(data), reflect.PointerTo(reflect.TypeOf(data))} {
			if !report.HasDataPlan(typ) {
				t.Errorf("%s: %v is written by encoding/json, not by a plan", check, typ)
			}
		}
	}
	if report.HasDataPlan(reflect.TypeFor[evidenceLike]()) || !report.HasDataPlan(reflect.TypeFor[plannedLike]()) {
		t.Error("evidenceLike must have no plan (embedded field, own MarshalJSON), plannedLike one")
	}
}

// evidenceLike has what the nil-slice pass must handle: recursion,
// omitempty, []byte, maps of lists, unexported and ignored fields, an
// array of lists (left alone), a type that writes itself.
type evidenceLike struct {
	Hosts    []string            `json:"hosts"`
	Inner    *evidenceLike       `json:"inner,omitempty"`
	Children []evidenceLike      `json:"children"`
	Maybe    []int               `json:"maybe,omitempty"`
	Raw      []byte              `json:"raw"`
	ByName   map[string][]int    `json:"by_name"`
	Hidden   []string            `json:"-"`
	Items    []struct{ X []int } `json:"items"`
	Arr      [2][]string         `json:"arr"`
	Any      any                 `json:"any"`
	Self     selfWriter          `json:"self"`
	Text     report.Msg          `json:"text,omitzero"`
	Embedded                     // promoted fields
	//lint:ignore U1000 an unexported field, which JSON does not write
	hidden []string
	Map    map[string]report.Msg `json:"map,omitempty"`
}

// plannedLike is written by a data plan (jsondata.go): no embedded
// field, no type that writes itself but those the plans know.
type plannedLike struct {
	Raw      []byte                 `json:"raw"`
	RawOmit  []byte                 `json:"raw_omit,omitzero"`
	F32      float32                `json:"f32"`
	F64      float64                `json:"f64,omitempty"`
	List     []int                  `json:"list,omitzero"`
	Both     []string               `json:"both,omitempty,omitzero"`
	Flat     struct{ A, B int }     `json:"flat,omitzero"`
	Words    report.Msg             `json:"words,omitzero"`
	WordPtr  *report.Msg            `json:"word_ptr"`
	At       time.Time              `json:"at,omitzero"`
	AtPtr    *time.Time             `json:"at_ptr,omitempty"`
	Addr     netip.Addr             `json:"addr"`
	AddrPtr  *netip.Addr            `json:"addr_ptr"`
	ByName   map[string][]int       `json:"by_name"`
	Any      map[string]any         `json:"any,omitempty"`
	Iface    any                    `json:"iface,omitzero"`
	Next     *plannedLike           `json:"next,omitempty"`
	Children []plannedLike          `json:"children"`
	Kind     namedString            `json:"kind"`
	Dur      time.Duration          `json:"dur"`
	Small    uint8                  `json:"small,omitempty"`
	Untagged string                 // named by its Go name
	Options  string                 `json:",omitempty"`
	Sev      report.Severity        `json:"sev"`
	Keyed    map[namedString]string `json:"keyed"`
}

type namedString string

type Embedded struct {
	Promoted []string `json:"promoted"`
}

type selfWriter struct{ L []int }

func (s selfWriter) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"n": len(s.L), "nil": s.L == nil})
}

// Past the nil-slice walk's depth (64 from the report), nil slices stay
// null, through pointers, slices, maps and interfaces alike.
func TestTypedJSONDeepData(t *testing.T) {
	for _, via := range []string{"next", "children", "any", "iface"} {
		var top plannedLike
		cur := &top
		for range 80 {
			n := &plannedLike{}
			switch via {
			case "next":
				cur.Next = n
			case "children":
				cur.Children = []plannedLike{{}}
				n = &cur.Children[0]
			case "any":
				cur.Any = map[string]any{"n": n}
			case "iface":
				cur.Iface = n
			}
			cur = n
		}
		for _, data := range []any{top, &top} {
			sameJSON(t, "deep via "+via, report.Report{Sections: []report.Section{{Data: data}}})
		}
	}
}

// Reports written at once share the pooled buffers and the plans, made
// by whichever goroutine asks first (go test -race checks them).
func TestTypedJSONConcurrent(t *testing.T) {
	type fresh struct { // a type no other test made a plan for
		L []plannedLike       `json:"l"`
		M map[string][]string `json:"m"`
	}
	var reps []report.Report
	var want [][]byte
	for seed := uint64(0); len(reps) < 8; seed++ {
		f := &filler{rnd: rand.New(rand.NewPCG(seed, 9)), mode: 3, n: int(seed)}
		rep := f.report(reflect.TypeFor[fresh]())
		var b bytes.Buffer
		if report.RefWriteJSON(rep, &b) == nil { // (some hold an infinite float32)
			reps, want = append(reps, rep), append(want, b.Bytes())
		}
	}
	var wg sync.WaitGroup
	for i := range 4 * len(reps) {
		wg.Go(func() {
			var b bytes.Buffer
			if err := reps[i%len(reps)].WriteJSON(&b); err != nil || !bytes.Equal(b.Bytes(), want[i%len(reps)]) {
				t.Errorf("report %d written at once with others: %v, %s", i%len(reps), err, b.Bytes())
			}
		})
	}
	wg.Wait()
}

// Errors are encoding/json's: a NaN factor, a time after year 9999, an
// unsupported value in data.
func TestTypedJSONErrors(t *testing.T) {
	base := func() report.Report {
		return report.Report{Target: "x", Score: &report.Score{Categories: []report.CategoryScore{{Factor: 0.5}}},
			Sections: []report.Section{{Check: "x", Findings: []report.Finding{{ID: "a", Params: report.Params{"n": 1.5}}}}}}
	}
	cases := map[string]func(*report.Report){
		"NaN factor":      func(r *report.Report) { r.Score.Categories[0].Factor = math.NaN() },
		"infinite param":  func(r *report.Report) { r.Sections[0].Findings[0].Params["n"] = math.Inf(-1) },
		"year 10000":      func(r *report.Report) { r.GeneratedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
		"channel in data": func(r *report.Report) { r.Sections[0].Data = make(chan int) },
		"func in params":  func(r *report.Report) { r.Sections[0].Findings[0].Params["f"] = func() {} },
		"NaN in data":     func(r *report.Report) { r.Sections[0].Data = map[string]float64{"x": math.NaN()} },
	}
	for name, mutate := range cases {
		rep := base()
		mutate(&rep)
		var got bytes.Buffer
		if err := rep.WriteJSON(&got); err == nil || got.Len() != 0 {
			t.Errorf("%s: no error, or bytes written: %v %q", name, err, got.String())
		}
		sameJSON(t, name, rep)
	}
}

// FuzzTypedJSON: any string, in any field, and any number.
func FuzzTypedJSON(f *testing.F) {
	for i, s := range tricky {
		f.Add(s, tricky[(i+1)%len(tricky)], floats[i%len(floats)], int64(i))
	}
	f.Fuzz(func(t *testing.T, s, k string, x float64, n int64) {
		rec := &report.Record{Name: s, Type: k, Value: s + k}
		rep := report.Report{SchemaVersion: int(n), Lang: s, Tool: report.Tool{Name: k, Version: s}, Command: s, Target: k,
			GeneratedAt: time.Unix(n%(1<<35), n%1e9).UTC(),
			Sections: []report.Section{{Check: s, Title: k, Target: s, Status: report.Status(k), Summary: report.Lit(s),
				Findings: []report.Finding{{ID: s, Severity: report.Severity(k), Variant: s, Title: k, Detail: s, Fix: k, Record: rec, Refs: []string{s, k},
					Params: report.Params{s: k, k: x, "n": n, "list": []string{s}, "msg": report.Lit(k)}}},
				Data: map[string]any{s: k, "x": x, "l": []string(nil)}}},
			Score: &report.Score{Value: int(n), Grade: s, Summary: report.Lit(k), Cap: &report.Cap{Reason: report.Lit(s)},
				Categories: []report.CategoryScore{{Name: s, Factor: x, Deductions: []report.Deduction{{ID: k, Points: int(n)}}}}},
			TopFixes:  []report.TopFix{{Check: s, Title: report.Lit(k), Fix: report.Lit(s), Later: &report.LaterFix{When: report.Lit(s)}}},
			Readiness: []report.Readiness{{Requirement: report.Lit(s), Status: k}},
			DNS:       &report.DNSStats{Resolver: s, Queries: n},
		}
		sameJSON(t, "fuzz", rep)
	})
}

// Every ASCII byte, alone and between others, is escaped as encoding/json
// escapes it.
func TestTypedJSONEveryByte(t *testing.T) {
	var all strings.Builder
	for b := range 256 {
		all.WriteByte(byte(b))
		sameJSON(t, "byte", report.Report{Target: string([]byte{byte(b)}), Command: "a" + string([]byte{byte(b)}) + "z"})
	}
	sameJSON(t, "all bytes", report.Report{Target: all.String()})
}

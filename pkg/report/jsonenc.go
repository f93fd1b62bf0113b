package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// The report's own structures (Report, Section, Finding, Params, Score,
// fixes, readiness: two thirds of a report's bytes) are written by the typed
// encoder below, which appends to one reused buffer; each section's
// check-specific Data is left to encoding/json. The bytes are exactly those
// encoding/json writes for the same report with SetEscapeHTML(false) and the
// nil-slice pass (json_test.go compares the two on filled reports, every
// check's data and fuzzed strings): field names and order from the tags,
// omitempty and omitzero as encoding/json applies them, its string escaping
// and its number formats. Whatever the typed encoder does not know (a Params
// value of another type, Data) goes through encoding/json; whatever fails
// (a NaN, a time beyond year 9999) makes WriteJSON start over on the
// reflective path, so that errors too are encoding/json's.

// errFallback makes WriteJSON redo the report on the reflective path.
var errFallback = errors.New("report: typed JSON encoder gave up")

// jsonEncoder writes one report into b. enc, made on first use, is the
// encoding/json encoder of Data and of the rare Params value of another type;
// it writes into b through Write.
type jsonEncoder struct {
	b        []byte
	enc      *json.Encoder
	scratch  []byte       // a value's text before it is quoted
	indented bytes.Buffer // WriteJSONIndent's output
}

// Write appends what encoding/json wrote.
func (e *jsonEncoder) Write(p []byte) (int, error) {
	e.b = append(e.b, p...)
	return len(p), nil
}

var encoderPool = sync.Pool{New: func() any { return new(jsonEncoder) }}

// maxPooledBuffer: a buffer that grew beyond this for one huge report is
// not kept for the next.
const maxPooledBuffer = 1 << 20

func getEncoder() *jsonEncoder {
	e := encoderPool.Get().(*jsonEncoder)
	e.b = e.b[:0]
	return e
}

func putEncoder(e *jsonEncoder) {
	if cap(e.b) > maxPooledBuffer {
		e.b = nil
	}
	if e.indented.Cap() > maxPooledBuffer {
		e.indented = bytes.Buffer{}
	}
	encoderPool.Put(e)
}

// Depths of the values nonNil reaches from the report (the reflective
// walk counts them from the report, 0, and gives up below maxDepth): a
// section's Data's dynamic value (report, sections, section, data, value)
// and a finding's Params value (... findings, finding, params, value, its
// dynamic value).
const (
	dataDepth  = 4
	paramDepth = 7
)

// report appends r, schema_version first, as encoding/json would.
func (e *jsonEncoder) report(r *Report) error {
	e.b = append(e.b, `{"schema_version":`...)
	e.b = strconv.AppendInt(e.b, int64(r.SchemaVersion), 10)
	if r.Lang != "" {
		e.b = append(e.b, `,"lang":`...)
		e.str(r.Lang)
	}
	e.b = append(e.b, `,"tool":{"name":`...)
	e.str(r.Tool.Name)
	e.b = append(e.b, `,"version":`...)
	e.str(r.Tool.Version)
	e.b = append(e.b, `},"command":`...)
	e.str(r.Command)
	e.b = append(e.b, `,"target":`...)
	e.str(r.Target)
	e.b = append(e.b, `,"generated_at":"`...)
	// time.Time.MarshalJSON is this, quoted; encoding/json copies it as
	// it is. AppendText fails (returns nil) where MarshalJSON fails.
	t, err := r.GeneratedAt.AppendText(e.b)
	if err != nil {
		return errFallback
	}
	e.b = append(t, '"')
	e.b = append(e.b, `,"sections":`...)
	if err := e.sections(r.Sections); err != nil {
		return err
	}
	if r.Score != nil {
		e.b = append(e.b, `,"score":`...)
		if err := e.score(r.Score); err != nil {
			return err
		}
	}
	if len(r.TopFixes) > 0 {
		e.b = append(e.b, `,"top_fixes":[`...)
		for i := range r.TopFixes {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.topFix(&r.TopFixes[i])
		}
		e.b = append(e.b, ']')
	}
	if len(r.Readiness) > 0 {
		e.b = append(e.b, `,"readiness":[`...)
		for i := range r.Readiness {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			rd := &r.Readiness[i]
			e.b = append(e.b, `{"requirement":`...)
			e.str(rd.Requirement.String())
			e.b = append(e.b, `,"applies":`...)
			e.str(rd.Applies.String())
			e.b = append(e.b, `,"status":`...)
			e.str(rd.Status)
			e.b = append(e.b, `,"detail":`...)
			e.str(rd.Detail.String())
			e.b = append(e.b, '}')
		}
		e.b = append(e.b, ']')
	}
	if len(r.Environment) > 0 {
		e.b = append(e.b, `,"environment":`...)
		if err := e.sections(r.Environment); err != nil {
			return err
		}
	}
	if d := r.DNS; d != nil {
		e.b = append(e.b, `,"dns":{"resolver":`...)
		e.str(d.Resolver)
		e.b = append(e.b, `,"lookups":`...)
		e.b = strconv.AppendInt(e.b, d.Lookups, 10)
		e.b = append(e.b, `,"distinct":`...)
		e.b = strconv.AppendInt(e.b, d.Distinct, 10)
		e.b = append(e.b, `,"queries":`...)
		e.b = strconv.AppendInt(e.b, d.Queries, 10)
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, '}')
	return nil
}

// sections appends a list of sections; nil is [].
func (e *jsonEncoder) sections(ss []Section) error {
	e.b = append(e.b, '[')
	for i := range ss {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		s := &ss[i]
		e.b = append(e.b, `{"check":`...)
		e.str(s.Check)
		e.b = append(e.b, `,"title":`...)
		e.str(s.Title)
		e.b = append(e.b, `,"target":`...)
		e.str(s.Target)
		e.b = append(e.b, `,"status":`...)
		e.str(string(s.Status))
		e.b = append(e.b, `,"summary":`...)
		e.str(s.Summary.String())
		e.b = append(e.b, `,"findings":[`...)
		for j := range s.Findings {
			if j > 0 {
				e.b = append(e.b, ',')
			}
			if err := e.finding(&s.Findings[j]); err != nil {
				return err
			}
		}
		e.b = append(e.b, ']')
		if s.Data != nil {
			e.b = append(e.b, `,"data":`...)
			if err := e.data(s.Data); err != nil {
				return err
			}
		}
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, ']')
	return nil
}

func (e *jsonEncoder) finding(f *Finding) error {
	e.b = append(e.b, `{"id":`...)
	e.str(f.ID)
	e.b = append(e.b, `,"severity":`...)
	e.str(string(f.Severity))
	if f.Inconclusive {
		e.b = append(e.b, `,"inconclusive":true`...)
	}
	if f.Variant != "" {
		e.b = append(e.b, `,"variant":`...)
		e.str(f.Variant)
	}
	if len(f.Params) > 0 {
		e.b = append(e.b, `,"params":`...)
		if err := e.params(f.Params); err != nil {
			return err
		}
	}
	e.b = append(e.b, `,"title":`...)
	e.str(f.Title)
	if f.Detail != "" {
		e.b = append(e.b, `,"detail":`...)
		e.str(f.Detail)
	}
	if f.Fix != "" {
		e.b = append(e.b, `,"fix":`...)
		e.str(f.Fix)
	}
	if f.Record != nil {
		e.b = append(e.b, `,"record":`...)
		e.record(f.Record)
	}
	if len(f.Refs) > 0 {
		e.b = append(e.b, `,"refs":`...)
		e.strings(f.Refs)
	}
	e.b = append(e.b, '}')
	return nil
}

// params appends p with its keys sorted, as encoding/json sorts a map's.
func (e *jsonEncoder) params(p Params) error {
	var buf [16]string
	keys := buf[:0]
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.b = append(e.b, '{')
	for i, k := range keys {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.str(k)
		e.b = append(e.b, ':')
		if err := e.param(p[k]); err != nil {
			return err
		}
	}
	e.b = append(e.b, '}')
	return nil
}

// param appends one Params value: the types checks put there typed, any
// other through encoding/json.
func (e *jsonEncoder) param(v any) error {
	switch x := v.(type) {
	case nil:
		e.b = append(e.b, "null"...)
	case string:
		e.str(x)
	case Msg:
		e.str(x.String())
	case int:
		e.b = strconv.AppendInt(e.b, int64(x), 10)
	case int64:
		e.b = strconv.AppendInt(e.b, x, 10)
	case uint16:
		e.b = strconv.AppendUint(e.b, uint64(x), 10)
	case bool:
		e.b = strconv.AppendBool(e.b, x)
	case float64:
		return e.float(x, 64)
	case []string:
		e.strings(x)
	case Severity:
		e.str(string(x))
	case Status:
		e.str(string(x))
	default:
		// Another type ([]Msg, a nested Params...): its data plan,
		// if it has one, as for a value in Data.
		rv := reflect.ValueOf(v)
		if p := dataPlanOf(rv.Type()); p != nil {
			return p.encode(e, rv, paramDepth)
		}
		return e.reflective(v, paramDepth)
	}
	return nil
}

// reflective appends v as encoding/json writes it once the nil-slice pass
// has made its lists arrays; depth is v's depth in the report, for that pass.
func (e *jsonEncoder) reflective(v any, depth int) error {
	if nv, changed := nonNil(reflect.ValueOf(v), depth); changed {
		v = nv.Interface()
	}
	if e.enc == nil {
		e.enc = json.NewEncoder(e)
		e.enc.SetEscapeHTML(false)
	}
	if err := e.enc.Encode(v); err != nil {
		return errFallback
	}
	e.b = e.b[:len(e.b)-1] // Encode's newline
	return nil
}

func (e *jsonEncoder) score(s *Score) error {
	e.b = append(e.b, `{"value":`...)
	e.b = strconv.AppendInt(e.b, int64(s.Value), 10)
	e.b = append(e.b, `,"grade":`...)
	e.str(s.Grade)
	if !s.Summary.IsZero() {
		e.b = append(e.b, `,"summary":`...)
		e.str(s.Summary.String())
	}
	e.b = append(e.b, `,"uncapped":`...)
	e.b = strconv.AppendInt(e.b, int64(s.Uncapped), 10)
	if s.Cap != nil {
		e.b = append(e.b, `,"cap":`...)
		e.cap(s.Cap)
	}
	if len(s.Caps) > 0 {
		e.b = append(e.b, `,"caps":[`...)
		for i := range s.Caps {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.cap(&s.Caps[i])
		}
		e.b = append(e.b, ']')
	}
	e.b = append(e.b, `,"categories":[`...)
	for i := range s.Categories {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		c := &s.Categories[i]
		e.b = append(e.b, `{"name":`...)
		e.str(c.Name)
		e.b = append(e.b, `,"weight":`...)
		e.b = strconv.AppendInt(e.b, int64(c.Weight), 10)
		e.b = append(e.b, `,"status":`...)
		e.str(c.Status)
		e.b = append(e.b, `,"sections":`...)
		e.strings(c.Sections)
		e.b = append(e.b, `,"factor":`...)
		if err := e.float(c.Factor, 64); err != nil {
			return err
		}
		if len(c.Deductions) > 0 {
			e.b = append(e.b, `,"deductions":[`...)
			for j := range c.Deductions {
				if j > 0 {
					e.b = append(e.b, ',')
				}
				d := &c.Deductions[j]
				e.b = append(e.b, `{"id":`...)
				e.str(d.ID)
				e.b = append(e.b, `,"severity":`...)
				e.str(string(d.Severity))
				e.b = append(e.b, `,"points":`...)
				e.b = strconv.AppendInt(e.b, int64(d.Points), 10)
				e.b = append(e.b, '}')
			}
			e.b = append(e.b, ']')
		}
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, "]}"...)
	return nil
}

func (e *jsonEncoder) cap(c *Cap) {
	e.b = append(e.b, `{"limit":`...)
	e.b = strconv.AppendInt(e.b, int64(c.Limit), 10)
	e.b = append(e.b, `,"reason":`...)
	e.str(c.Reason.String())
	e.b = append(e.b, `,"finding_ids":`...)
	e.strings(c.IDs)
	e.b = append(e.b, '}')
}

func (e *jsonEncoder) topFix(f *TopFix) {
	e.b = append(e.b, `{"check":`...)
	e.str(f.Check)
	e.b = append(e.b, `,"id":`...)
	e.str(f.ID)
	e.b = append(e.b, `,"severity":`...)
	e.str(string(f.Severity))
	e.b = append(e.b, `,"title":`...)
	e.str(f.Title.String())
	e.b = append(e.b, `,"fix":`...)
	e.str(f.Fix.String())
	if f.Priority != 0 {
		e.b = append(e.b, `,"priority":`...)
		e.b = strconv.AppendInt(e.b, int64(f.Priority), 10)
	}
	if f.Record != nil {
		e.b = append(e.b, `,"record":`...)
		e.record(f.Record)
	}
	if len(f.IDs) > 0 {
		e.b = append(e.b, `,"finding_ids":`...)
		e.strings(f.IDs)
	}
	if l := f.Later; l != nil {
		e.b = append(e.b, `,"later":{"record":`...)
		if l.Record == nil {
			e.b = append(e.b, "null"...)
		} else {
			e.record(l.Record)
		}
		e.b = append(e.b, `,"when":`...)
		e.str(l.When.String())
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, '}')
}

func (e *jsonEncoder) record(r *Record) {
	e.b = append(e.b, `{"name":`...)
	e.str(r.Name)
	e.b = append(e.b, `,"type":`...)
	e.str(r.Type)
	e.b = append(e.b, `,"value":`...)
	e.str(r.Value)
	e.b = append(e.b, '}')
}

// strings appends a list of strings; nil is [].
func (e *jsonEncoder) strings(ss []string) {
	e.b = append(e.b, '[')
	for i, s := range ss {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.str(s)
	}
	e.b = append(e.b, ']')
}

// float appends f, a float64 or (bits 32) a float32, as encoding/json's
// floatEncoder does (like ES6: %f, or %e with an unpadded exponent for
// very small and very large values, a float32's cut-offs compared as
// float32); NaN and the infinities are an error there.
func (e *jsonEncoder) float(f float64, bits int) error {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return errFallback
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	e.b = strconv.AppendFloat(e.b, f, format, -1, bits)
	if format == 'e' {
		// e-09 to e-9
		if n := len(e.b); n >= 4 && e.b[n-4] == 'e' && e.b[n-3] == '-' && e.b[n-2] == '0' {
			e.b[n-2] = e.b[n-1]
			e.b = e.b[:n-1]
		}
	}
	return nil
}

// safeASCII marks the ASCII bytes a JSON string holds as they are:
// printable ones but the quote and the backslash. &, < and > are kept, as
// the report's encoder does with SetEscapeHTML(false).
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for b := ' '; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// plainWord reports whether none of the eight bytes of w needs an escape
// or a UTF-8 check: no byte has the high bit, none is below 0x20, none is
// '"' or '\\' (the classic has-less and has-zero bit tests).
func plainWord(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	hasZero := func(x uint64) uint64 { return (x - ones) & ^x & highs }
	return (w|(w-0x20*ones)|hasZero(w^'"'*ones)|hasZero(w^'\\'*ones))&highs == 0
}

// str appends s as a JSON string, escaped as encoding/json escapes it: \"
// \\ \b \f \n \r \t, other control bytes as \u00XX, invalid UTF-8 as
// \ufffd, and U+2028 and U+2029 (which break JavaScript) as \u2028 and
// \u2029.
func (e *jsonEncoder) str(s string) { e.b = appendString(e.b, s) }

func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time while they need no escape: the words
		// are mostly plain ASCII.
		if i+8 <= len(s) {
			w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
			if plainWord(w) {
				i += 8
				continue
			}
		}
		if c := s[i]; c < utf8.RuneSelf {
			if safeASCII[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

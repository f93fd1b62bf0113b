package render

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// Much of a report's text came from the network or from a message: TXT
// records, SMTP banners, HTTP bodies, header fields. Printed raw, an escape
// sequence in a TXT record can clear the screen or move the cursor and
// overwrite "✗ DMARC · fail" with "✓ pass", a carriage return or a newline
// can forge a line, and a bidi override can reverse what is read. The text
// and Markdown renderers therefore print a sanitized copy of the report
// (safeReport), made once at their entry, so every section is covered,
// whichever check wrote it. JSON is exact and never goes through this.

// SafeString returns s with everything that could act on a terminal, or hide
// or reorder text, shown escaped: C0 and C1 control characters (ESC becomes
// \x1b, a newline \x0a), DEL, Unicode format characters (bidi overrides and
// isolates, zero-width characters, the BOM), line and paragraph separators,
// and bytes that are not UTF-8. Everything else is kept as is.
func SafeString(s string) string { return safeString(s, false) }

// safeString is SafeString; keepNewlines leaves '\n' alone for the few
// fields that checks write over several lines on purpose (a Fix that shows
// a policy file).
func safeString(s string, keepNewlines bool) string {
	if isSafe(s, keepNewlines) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' && keepNewlines:
			b.WriteByte('\n')
		case unsafeRune(r):
			if r <= 0xff {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func isSafe(s string, keepNewlines bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			// Decode the rest rune by rune; ASCII alone is the fast path.
			for _, r := range s[i:] {
				if r == utf8.RuneError || unsafeRune(r) && !(r == '\n' && keepNewlines) {
					return false
				}
			}
			return utf8.ValidString(s[i:])
		}
		if c < 0x20 || c == 0x7f {
			if c == '\n' && keepNewlines {
				continue
			}
			return false
		}
	}
	return true
}

// unsafeRune: control characters (Cc: C0, DEL, C1), format characters (Cf:
// bidi embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069,
// marks U+200E/U+200F/U+061C, zero-width U+200B-U+200D, U+FEFF), and the
// line and paragraph separators U+2028 and U+2029.
func unsafeRune(r rune) bool {
	return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

var (
	stringType  = reflect.TypeFor[string]()
	findingType = reflect.TypeFor[report.Finding]()
	topFixType  = reflect.TypeFor[report.TopFix]()
)

// safeReport returns a deep copy of rep in which every string a renderer can
// print is made safe with safeString, and domain targets are shown as
// people write them (displayTargets). It walks the report by reflection, so a
// field or a section type added later is covered without a change here.
// Interface fields (Section.Data, the JSON evidence) are shared, not copied:
// the text and Markdown renderers print Display, never Data. The original
// report is left untouched for the JSON renderer.
func safeReport(rep *report.Report) *report.Report {
	if rep == nil {
		return nil
	}
	out := safeCopy(rep)
	displayTargets(out)
	return out
}

// safeMarkdownReport is safeReport for Markdown. A Fix keeps its newlines
// (a policy file to serve), and in Markdown a line after a newline can
// start a heading, a list or a block quote ("# ✓ all good"), even inside a
// paragraph. Indenting each continuation line by four spaces makes it
// plain paragraph text (CommonMark §4.4: an indented code block cannot
// interrupt a paragraph; §4.2: an ATX heading allows at most three spaces).
func safeMarkdownReport(rep *report.Report) *report.Report {
	out := safeReport(rep)
	if out == nil {
		return nil
	}
	indent := func(s string) string { return strings.ReplaceAll(s, "\n", "\n    ") }
	for i := range out.TopFixes {
		out.TopFixes[i].Fix = report.Lit(indent(out.TopFixes[i].Fix.String()))
	}
	for _, secs := range [][]report.Section{out.Sections, out.Environment} {
		for i := range secs {
			for j := range secs[i].Findings {
				secs[i].Findings[j].Fix = indent(secs[i].Findings[j].Fix)
			}
		}
	}
	return out
}

// safeCopy is safeReport for any part of a report (the summary table of a
// multi-domain run).
func safeCopy[T any](v T) T {
	return safeValue(reflect.ValueOf(&v).Elem(), false).Interface().(T)
}

func safeValue(v reflect.Value, keepNewlines bool) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		s := safeString(v.String(), keepNewlines)
		if v.Type() == stringType {
			return reflect.ValueOf(s)
		}
		return reflect.ValueOf(s).Convert(v.Type()) // Severity, Status
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(safeValue(v.Elem(), false))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			s.Index(i).Set(safeValue(v.Index(i), false))
		}
		return s
	case reflect.Array:
		a := reflect.New(v.Type()).Elem()
		for i := range v.Len() {
			a.Index(i).Set(safeValue(v.Index(i), false))
		}
		return a
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		m := reflect.MakeMapWithSize(v.Type(), v.Len())
		iter := v.MapRange()
		for iter.Next() {
			m.SetMapIndex(safeValue(iter.Key(), false), safeValue(iter.Value(), false))
		}
		return m
	case reflect.Struct:
		s := reflect.New(v.Type()).Elem()
		s.Set(v) // unexported fields (time.Time's) are copied as they are
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Type.Kind() == reflect.Interface {
				continue
			}
			// A Fix may span lines on purpose (a policy file to serve);
			// the network text inside it was split on newlines already.
			keep := f.Name == "Fix" && (t == findingType || t == topFixType)
			s.Field(i).Set(safeValue(v.Field(i), keep))
		}
		return s
	default:
		return v
	}
}

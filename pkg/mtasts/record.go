package mtasts

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/taglist"
)

// Errors from ParseRecord; test them with errors.Is.
var (
	ErrNotSTS      = errors.New(`record does not start with "v=STSv1;"`)
	ErrRecordField = errors.New("malformed record field")
	ErrID          = errors.New("id must be 1 to 32 letters and digits")
	ErrNoID        = errors.New("missing id")
)

// Record is the TXT record at _mta-sts.<domain> (RFC 8461 §3.1).
type Record struct {
	ID         string
	Extensions []Pair
}

// Pair is an extension field, kept in order so String can reproduce it.
type Pair struct {
	Key   string
	Value string
}

// IsSTS reports whether a TXT string is an MTA-STS record candidate: RFC
// 8461 §3.1 discards records that do not begin with "v=STSv1;" before
// counting. A bare "v=STSv1" is a candidate too, so that it is reported as
// invalid (it has no id) rather than silently ignored.
func IsSTS(txt string) bool {
	return strings.HasPrefix(txt, "v=STSv1;") || txt == "v=STSv1" ||
		strings.HasPrefix(txt, "v=STSv1 ") || strings.HasPrefix(txt, "v=STSv1\t")
}

// ParseRecord parses the record following the ABNF of RFC 8461 §3.1:
//
//	sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
//	sts-version     = %s"v=STSv1"
//	sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
//	sts-field-delim = *WSP ";" *WSP
//
// The version tag is case-sensitive. Extension fields are kept; a duplicate
// id keeps the first (§3.2's "first wins" note, applied to the record as
// mox does).
func ParseRecord(txt string) (Record, error) {
	var rec Record
	if !IsSTS(txt) {
		return rec, ErrNotSTS
	}
	// The shared tag-list parser (pkg/taglist) with the key grammar of
	// RFC 8461 §3.1, which forbids empty fields (a single trailing ";" is
	// allowed).
	tags, err := taglist.Parse(txt, taglist.Options{AllowDuplicates: true, ValidName: validKey, NoEmpty: true})
	if err != nil {
		var te *taglist.Error
		errors.As(err, &te)
		return rec, &RecordError{Err: ErrRecordField, Index: te.Index, Field: te.Text, Syntax: te}
	}
	if len(tags) == 0 || tags[0].Name != "v" || tags[0].Value != "STSv1" {
		return rec, ErrNotSTS
	}
	haveID := false
	for i, t := range tags[1:] {
		switch t.Name {
		case "id":
			if !validID(t.Value) {
				return rec, &RecordError{Err: ErrID, Index: i + 2, Field: clip(t.Value)}
			}
			if !haveID {
				rec.ID, haveID = t.Value, true
			}
		default:
			if !validExtValue(t.Value) {
				return rec, &RecordError{Err: ErrRecordField, Index: i + 2, Field: clip(t.Name + "=" + t.Value)}
			}
			rec.Extensions = append(rec.Extensions, Pair{t.Name, t.Value})
		}
	}
	if !haveID {
		return rec, ErrNoID
	}
	return rec, nil
}

// RecordError is a field of the record that breaks RFC 8461 §3.1: Err is
// ErrRecordField or ErrID (errors.Is), Index the 1-based field, Field the
// offending text (clipped), and Syntax the tag-list error when the field
// is not key=value at all. Checks word it from its parts.
type RecordError struct {
	Err    error
	Index  int
	Field  string
	Syntax *taglist.Error
}

func (e *RecordError) Error() string {
	switch {
	case e.Syntax != nil:
		return e.Err.Error() + ": " + e.Syntax.Error()
	}
	return fmt.Sprintf("%v: %q", e.Err, e.Field)
}

// Unwrap returns the sentinel.
func (e *RecordError) Unwrap() error { return e.Err }

// String serializes the record as it should be published.
func (r Record) String() string {
	var b strings.Builder
	b.WriteString("v=STSv1; id=")
	b.WriteString(r.ID)
	b.WriteString(";")
	for _, e := range r.Extensions {
		b.WriteString(" " + e.Key + "=" + e.Value + ";")
	}
	return b.String()
}

// validKey: sts-ext-name = (ALPHA / DIGIT) 0*31(ALPHA / DIGIT / "_" / "-" / ".")
func validKey(k string) bool {
	if k == "" || len(k) > 32 || !isAlnum(k[0]) {
		return false
	}
	for i := 1; i < len(k); i++ {
		c := k[i]
		if !isAlnum(c) && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// validID: 1*32(ALPHA / DIGIT).
func validID(v string) bool {
	if v == "" || len(v) > 32 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !isAlnum(v[i]) {
			return false
		}
	}
	return true
}

// validExtValue: sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E), VCHAR without ";" and "=".
func validExtValue(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x21 || c > 0x7e || c == ';' || c == '=' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

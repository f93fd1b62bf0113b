package mtasts

import (
	"errors"
	"fmt"
	"strings"
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
	fields := strings.Split(txt, ";")
	if strings.TrimRight(fields[0], " \t") != "v=STSv1" {
		return rec, ErrNotSTS
	}
	haveID := false
	for i, f := range fields[1:] {
		f = strings.Trim(f, " \t")
		if f == "" {
			// Only a trailing delimiter may leave an empty field.
			if i == len(fields)-2 {
				continue
			}
			return rec, fmt.Errorf("%w: empty field", ErrRecordField)
		}
		key, value, ok := strings.Cut(f, "=")
		if !ok || !validKey(key) {
			return rec, fmt.Errorf("%w: %q", ErrRecordField, f)
		}
		switch key {
		case "id":
			if !validID(value) {
				return rec, fmt.Errorf("%w: %q", ErrID, value)
			}
			if !haveID {
				rec.ID, haveID = value, true
			}
		default:
			if !validExtValue(value) {
				return rec, fmt.Errorf("%w: %q", ErrRecordField, f)
			}
			rec.Extensions = append(rec.Extensions, Pair{key, value})
		}
	}
	if !haveID {
		return rec, ErrNoID
	}
	return rec, nil
}

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

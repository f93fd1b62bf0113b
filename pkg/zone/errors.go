package zone

import (
	"fmt"
	"strconv"
)

// Problem is why a zone file could not be loaded, for callers that word
// the error in their own language (the CLI's catalogs).
type Problem string

const (
	ProblemOpen      Problem = "open"      // the file cannot be opened: Err
	ProblemDirectory Problem = "directory" // a directory, not a file
	ProblemTooLarge  Problem = "too_large" // Size octets, over Limit (MaxFileSize)
	ProblemTooMany   Problem = "too_many"  // over Limit records (MaxRecords)
	ProblemEmpty     Problem = "empty"     // no records at all
	ProblemBinary    Problem = "binary"    // a control byte, Byte, on Line: not text
	ProblemLongLine  Problem = "long_line" // Line is over Limit octets (MaxLineLength)
	ProblemSyntax    Problem = "syntax"    // the parser's error, Reason, in its own words
)

// FileError is a zone file that could not be loaded. Its Error text names
// the file and the reason in English; the fields say the same for a
// caller that words it otherwise.
type FileError struct {
	File    string
	Problem Problem
	Line    int   // ProblemBinary, ProblemLongLine
	Byte    byte  // ProblemBinary
	Size    int64 // ProblemTooLarge
	Limit   int64 // ProblemTooLarge, ProblemTooMany, ProblemLongLine
	// Reason is the parser's message (ProblemSyntax), its quoted token cut
	// short, without the file name.
	Reason string
	Err    error // ProblemOpen: the cause
}

func (e *FileError) Error() string {
	return e.File + ": " + e.reason()
}

func (e *FileError) reason() string {
	switch e.Problem {
	case ProblemOpen:
		return fmt.Sprint(e.Err)
	case ProblemDirectory:
		return "is a directory, not a zone file"
	case ProblemTooLarge:
		return fmt.Sprintf("%d bytes, over the %d-byte limit", e.Size, e.Limit)
	case ProblemTooMany:
		return "more than " + strconv.FormatInt(e.Limit, 10) + " records"
	case ProblemEmpty:
		return "no records"
	case ProblemBinary:
		return fmt.Sprintf("line %d: byte 0x%02x: binary data, not a zone file", e.Line, e.Byte)
	case ProblemLongLine:
		return fmt.Sprintf("line %d: longer than %d bytes", e.Line, e.Limit)
	default:
		return e.Reason
	}
}

func (e *FileError) Unwrap() error { return e.Err }

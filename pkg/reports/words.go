package reports

import (
	"archive/zip"
	"compress/flate"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/pkg/mailfile"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// readError is why an input piece could not be read, or what was repaired
// to read it: a code (Problem.Code, the catalog message
// reports.problem.<code>) and its facts, so that the reason is worded in
// the language of the run. Error gives the code and facts for Go callers.
type readError struct {
	code string
	p    report.Params
	err  error // a sentinel it stands for (ErrTooLarge...), for errors.Is
}

func (e *readError) Error() string {
	keys := make([]string, 0, len(e.p))
	for k := range e.p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(strings.ReplaceAll(e.code, "_", " "))
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, e.p[k])
	}
	return b.String()
}

func (e *readError) Unwrap() error { return e.err }

// problemf returns the read error code with its facts.
func problemf(code string, p report.Params) error { return &readError{code: code, p: p} }

// wrapErr returns the read error code about an error of a library (gzip,
// zip, MIME, JSON): the common ones worded, the others quoted as data.
func wrapErr(code string, err error) error {
	return &readError{code: code, p: report.Params{"error": libErr(err)}}
}

// libErr words the errors of the decoders underneath that a damaged file
// gives; any other is quoted.
func libErr(err error) report.Msg {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var flateErr flate.CorruptInputError
	var b64 base64.CorruptInputError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return report.T("reports.lib.eof", nil)
	case errors.Is(err, gzip.ErrHeader):
		return report.T("reports.lib.gzip_header", nil)
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, zip.ErrChecksum):
		return report.T("reports.lib.checksum", nil)
	case errors.Is(err, zip.ErrFormat):
		return report.T("reports.lib.zip_format", nil)
	case errors.Is(err, zip.ErrAlgorithm):
		return report.T("reports.lib.zip_algorithm", nil)
	case errors.As(err, &flateErr):
		return report.T("reports.lib.corrupt", report.Params{"offset": int64(flateErr)})
	case errors.As(err, &b64):
		return report.T("reports.lib.corrupt", report.Params{"offset": int64(b64)})
	case errors.As(err, &syn):
		return report.T("reports.lib.json_syntax", report.Params{"offset": syn.Offset})
	case errors.As(err, &typ):
		return report.T("reports.lib.json_type", report.Params{"field": truncate(typ.Field, 60), "type": typ.Value})
	}
	return report.Lit(truncate(err.Error(), 200))
}

// reasonOf words an error as a Problem's code and reason.
func reasonOf(err error) (string, report.Msg) {
	var re *readError
	switch {
	case errors.As(err, &re):
		return re.code, report.T("reports.problem."+re.code, re.p)
	case errors.Is(err, ErrDepth):
		return "depth", report.T("reports.problem.depth", nil)
	case errors.Is(err, mailfile.ErrTooLarge):
		return "item_too_large", report.T("reports.problem.item_too_large", nil)
	case errors.Is(err, mailfile.ErrTooMany):
		return "too_many_items", report.T("reports.problem.too_many_items", nil)
	}
	return "error", report.T("reports.problem.error", report.Params{"error": truncate(err.Error(), 300)})
}

// note is a repair made to read a report (Report.Notes).
func note(code string, p report.Params) report.Msg { return report.T("reports.note."+code, p) }

// count is a number of things, worded with its plural ("3 messages").
func count(what string, n int64) report.Msg {
	return report.T("reports.n."+what, report.Params{"count": n})
}

// share is n of of in percent, to one decimal.
func share(n, of int64) float64 {
	if of == 0 {
		return 0
	}
	return math.Round(1000*float64(n)/float64(of)) / 10
}

// day is a date as shown in reports (ISO 8601, the same in every language).
func day(t time.Time) string { return t.Format("2006-01-02") }

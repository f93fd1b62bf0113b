package render

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// JSON writes the report as one indented JSON document (docs/json.md). Empty
// lists are written as [] rather than null, so consumers need no nil checks.
func JSON(w io.Writer, rep *report.Report) error { return writeJSON(w, rep, "  ") }

// JSONLine writes the report as one line of JSON (JSON Lines), for
// `--format jsonl` over many domains.
func JSONLine(w io.Writer, rep *report.Report) error { return writeJSON(w, rep, "") }

func writeJSON(w io.Writer, rep *report.Report, indent string) error {
	out := *rep
	out.SchemaVersion = report.SchemaVersion
	// Every nil list, a section's findings included, is written as []
	// by report.Report's own encoding.
	if indent == "" {
		// Straight to w, newline included: no copy of the bytes here
		// (handing MarshalJSON's bytes to an Encoder made it scan and
		// compact them a second time, a sixth of a bulk run's CPU).
		return out.WriteJSON(w)
	}
	b, err := out.MarshalJSON()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.Grow(len(b) + len(b)/2)
	if err := json.Indent(&buf, b, "", indent); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err = w.Write(buf.Bytes())
	return err
}

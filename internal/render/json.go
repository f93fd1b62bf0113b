package render

import (
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
	// by report.Report's own encoding, straight to w in one Write,
	// newline included, from a pooled buffer.
	if indent == "" {
		return out.WriteJSON(w)
	}
	return out.WriteJSONIndent(w, indent)
}

package render

import (
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
	out.Sections = append([]report.Section{}, rep.Sections...)
	for i := range out.Sections {
		if out.Sections[i].Findings == nil {
			out.Sections[i].Findings = []report.Finding{}
		}
	}
	enc := json.NewEncoder(w)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

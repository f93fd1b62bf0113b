package render

import (
	"encoding/json"
	"io"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// JSON writes the report as one indented JSON document (docs/json.md). Empty
// lists are written as [] rather than null, so consumers need no nil checks.
func JSON(w io.Writer, rep *report.Report) error {
	out := *rep
	out.SchemaVersion = report.SchemaVersion
	out.Sections = append([]report.Section{}, rep.Sections...)
	for i := range out.Sections {
		if out.Sections[i].Findings == nil {
			out.Sections[i].Findings = []report.Finding{}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

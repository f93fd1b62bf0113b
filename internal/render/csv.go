package render

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// CSV writes a table as RFC 4180 CSV: a header row of the columns, then
// the rows, for a spreadsheet. A cell that a spreadsheet would run as a
// formula (it starts with =, +, -, @, a tab or a carriage return) is
// prefixed with an apostrophe: table cells carry text from reports and
// DNS, which an attacker can choose. Control characters are replaced.
func CSV(w io.Writer, tb report.Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(report.Strings(tb.Columns)); err != nil {
		return err
	}
	for _, row := range tb.Rows {
		out := make([]string, len(row))
		for i, c := range row {
			out[i] = csvCell(c.String())
		}
		if err := cw.Write(out); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvCell(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return '?'
		}
		return r
	}, s)
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

package render

import (
	"bytes"
	"testing"

	"github.com/mailcheck/mailcheck/pkg/report"
)

func TestCSV(t *testing.T) {
	tb := report.Table{Columns: report.Lits("a", "b"), Rows: report.LitRows([][]string{
		{"plain", `with "quote", comma`},
		{"=HYPERLINK(\"x\")", "-1\x1b[31m"},
	})}
	var b bytes.Buffer
	if err := CSV(&b, tb); err != nil {
		t.Fatal(err)
	}
	want := "a,b\nplain,\"with \"\"quote\"\", comma\"\n\"'=HYPERLINK(\"\"x\"\")\",'-1?[31m\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

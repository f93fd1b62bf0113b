package dnsbl

import (
	"context"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// TestFrench words a run with listings, a refusal and notes in French: every
// message is in the catalog, the facts are the same, and the words are
// French.
func TestFrench(t *testing.T) {
	srv := startLists(t)
	sec := CheckTargets(context.Background(), envFor(t, srv), addrTargets("192.0.2.99", "192.0.2.1"), testOptions(t))
	fr := i18n.For(i18n.French)
	fr.LocalizeSection(&sec)
	if m := fr.Missing(); len(m) > 0 {
		t.Errorf("missing French: %v", m)
	}
	if got := sec.Summary.String(); !strings.HasPrefix(got, "2 cibles\u00a0: inscriptions sur 3 listes sur 3\u00a0:") {
		t.Errorf("summary %q", got)
	}
	var major *report.Finding
	for i, f := range sec.Findings {
		if f.ID == DefIPListedMajor.ID {
			major = &sec.Findings[i]
		}
	}
	if major == nil || major.Title != "L'adresse figure sur l'une des principales listes de blocage" ||
		!strings.Contains(major.Detail, "192.0.2.99 est inscrite sur major.dnsbl.test") ||
		!strings.Contains(major.Fix, "demandez la radiation auprès de https://lists.dnsbl.test/") {
		t.Errorf("major finding in French: %+v", major)
	}
	if tbl := sec.Display.Tables[0]; tbl.Title.String() != "Cibles par liste" || tbl.Columns[3].String() != "Sans inscription" {
		t.Errorf("table %+v", tbl)
	}
}

package dkim

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// summarize says in one line what was found.
func summarize(d *Data, guessing bool) string {
	var keys []string
	for _, s := range d.Selectors {
		for _, r := range s.Records {
			if r.DKIM {
				keys = append(keys, s.Selector+" ("+keyLabel(r)+")")
			}
		}
	}
	var parts []string
	switch {
	case len(keys) > 0:
		parts = append(parts, fmt.Sprintf("%d key record(s): %s", len(keys), strings.Join(keys, ", ")))
	case guessing:
		parts = append(parts, fmt.Sprintf("no key under %d guessed selectors", len(d.Probed)))
	case len(d.Selectors) > 0:
		parts = append(parts, "no key record found")
	}
	if m := d.Message; m != nil {
		pass, aligned := 0, 0
		for _, s := range m.Signatures {
			if s.Result == ResultPass {
				pass++
				if s.AlignedRelaxed {
					aligned++
				}
			}
		}
		if len(m.Signatures) == 0 {
			parts = append(parts, "message not signed")
		} else {
			parts = append(parts, fmt.Sprintf("message: %d of %d signature(s) pass, %d aligned with %s", pass, len(m.Signatures), aligned, m.FromDomain))
		}
	}
	return strings.Join(parts, "; ")
}

func keyLabel(r KeyData) string {
	switch {
	case r.Revoked:
		return "revoked"
	case r.Bits > 0:
		return fmt.Sprintf("%s %d", r.KeyType, r.Bits)
	case r.Problem != "":
		return "invalid"
	}
	return r.KeyType
}

// display builds the generic view of the evidence for text and Markdown.
func display(d *Data) report.Display {
	var disp report.Display
	if len(d.Probed) > 0 {
		disp.Facts = append(disp.Facts, report.Fact{Label: report.Lit("selectors probed"), Value: report.Lit(strings.Join(d.Probed, ", "))})
	}
	keys := report.Table{Title: report.Lit("Keys"), Columns: report.Lits("selector", "domain", "key", "flags", "delegated to", "note")}
	for _, s := range d.Selectors {
		delegated := ""
		if len(s.CNAMEs) > 0 {
			delegated = strings.Join(s.CNAMEs, " -> ")
		}
		if len(s.Records) == 0 {
			note := s.Outcome
			if s.Error != "" {
				note = s.Error
			}
			keys.Rows = append(keys.Rows, report.Lits(s.Selector, s.Domain, "-", "", delegated, note))
			continue
		}
		for _, r := range s.Records {
			if !r.DKIM {
				keys.Rows = append(keys.Rows, report.Lits(s.Selector, s.Domain, "-", "", delegated, "not a DKIM record"))
				continue
			}
			key := keyLabel(r)
			if r.Format == FormatPKCS1 {
				key += " (PKCS#1)"
			}
			keys.Rows = append(keys.Rows, report.Lits(s.Selector, s.Domain, key, strings.Join(r.Flags, ":"), delegated, r.Problem))
		}
	}
	if len(keys.Rows) > 0 {
		disp.Tables = append(disp.Tables, keys)
	}
	if m := d.Message; m != nil {
		disp.Facts = append(disp.Facts,
			report.Fact{Label: report.Lit("From"), Value: report.Lit(m.From)},
			report.Fact{Label: report.Lit("message size"), Value: report.Lit(strconv.Itoa(m.Size) + " octets")})
		if m.Unverified > 0 {
			disp.Facts = append(disp.Facts, report.Fact{Label: report.Lit("not verified"), Value: report.Lit(fmt.Sprintf("%d more signatures (only the first %d are verified)", m.Unverified, maxSignatures))})
		}
		for _, n := range m.Normalized {
			disp.Facts = append(disp.Facts, report.Fact{Label: report.Lit("note"), Value: report.Lit(n)})
		}
		sigs := report.Table{Title: report.Lit("Signatures"), Columns: report.Lits("#", "d=", "s=", "a=", "result", "aligned", "from signed", "l=")}
		for _, s := range m.Signatures {
			result := s.Result
			if s.Reason != "" {
				result += ": " + s.Reason
			}
			aligned := "no"
			switch {
			case s.AlignedStrict:
				aligned = "strict"
			case s.AlignedRelaxed:
				aligned = "relaxed"
			}
			from := "no"
			switch {
			case s.FromOversigned:
				from = "oversigned"
			case s.FromSigned:
				from = "once"
			}
			l := ""
			if s.BodyLength != nil {
				l = strconv.FormatInt(*s.BodyLength, 10)
			}
			sigs.Rows = append(sigs.Rows, report.Lits(strconv.Itoa(s.Index), s.Domain, s.Selector, s.Algorithm, result, aligned, from, l))
		}
		if len(sigs.Rows) > 0 {
			disp.Tables = append(disp.Tables, sigs)
		}
	}
	return disp
}

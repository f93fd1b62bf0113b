package dkim

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// summarize says in one line what was found.
func summarize(d *Data, guessing bool) report.Msg {
	var keys []report.Msg
	for _, s := range d.Selectors {
		for _, r := range s.Records {
			if r.DKIM {
				keys = append(keys, report.T("dkim.summary.key", report.Params{"selector": s.Selector, "key": keyLabel(r)}))
			}
		}
	}
	var dns report.Msg
	switch {
	case len(keys) > 0:
		dns = report.T("dkim.summary.keys", report.Params{"count": len(keys), "keys": keys})
	case guessing:
		dns = report.T("dkim.summary.guessed", report.Params{"count": len(d.Probed)})
	case len(d.Selectors) > 0:
		dns = report.T("dkim.summary.none", nil)
	}
	m := d.Message
	if m == nil {
		return dns
	}
	var msg report.Msg
	if len(m.Signatures) == 0 {
		msg = report.T("dkim.summary.unsigned", nil)
	} else {
		pass, aligned := 0, 0
		for _, s := range m.Signatures {
			if s.Result == ResultPass {
				pass++
				if s.AlignedRelaxed {
					aligned++
				}
			}
		}
		msg = report.T("dkim.summary.signatures", report.Params{"count": len(m.Signatures), "pass": pass, "aligned": aligned, "domain": m.FromDomain})
	}
	if dns.Key == "" {
		return msg
	}
	return report.T("dkim.summary.both", report.Params{"keys": dns, "message": msg})
}

func keyLabel(r KeyData) report.Msg {
	switch {
	case r.Revoked:
		return report.T("dkim.label.revoked", nil)
	case r.Bits > 0:
		return report.Lit(fmt.Sprintf("%s %d", r.KeyType, r.Bits))
	case !r.Problem.IsZero():
		return report.T("dkim.label.invalid", nil)
	}
	return report.Lit(r.KeyType)
}

// display builds the generic view of the evidence for text and Markdown.
func display(d *Data) report.Display {
	var disp report.Display
	if len(d.Probed) > 0 {
		disp.Facts = append(disp.Facts, report.Fact{Label: report.T("dkim.label.probed", nil), Value: report.Lit(strings.Join(d.Probed, ", "))})
	}
	keys := report.Table{Title: report.T("dkim.table.keys", nil), Columns: []report.Msg{
		report.T("dkim.col.selector", nil), report.T("dkim.col.domain", nil), report.T("dkim.col.key", nil),
		report.T("dkim.col.flags", nil), report.T("dkim.col.delegated", nil), report.T("dkim.col.note", nil)}}
	for _, s := range d.Selectors {
		delegated := ""
		if len(s.CNAMEs) > 0 {
			delegated = strings.Join(s.CNAMEs, " -> ")
		}
		if len(s.Records) == 0 {
			note := report.T("dkim.note."+s.Outcome, nil)
			if s.err != nil {
				note = check.ErrMsg(s.err)
			} else if s.Error != "" {
				note = report.Lit(s.Error)
			}
			keys.Rows = append(keys.Rows, []report.Msg{report.Lit(s.Selector), report.Lit(s.Domain), report.Lit("-"), report.Lit(""), report.Lit(delegated), note})
			continue
		}
		for _, r := range s.Records {
			if !r.DKIM {
				keys.Rows = append(keys.Rows, []report.Msg{report.Lit(s.Selector), report.Lit(s.Domain), report.Lit("-"), report.Lit(""), report.Lit(delegated), report.T("dkim.problem.not_key", nil)})
				continue
			}
			key := keyLabel(r)
			if r.Format == FormatPKCS1 {
				key = report.T("dkim.label.pkcs1", report.Params{"key": key})
			}
			keys.Rows = append(keys.Rows, []report.Msg{report.Lit(s.Selector), report.Lit(s.Domain), key, report.Lit(strings.Join(r.Flags, ":")), report.Lit(delegated), r.Problem})
		}
	}
	if len(keys.Rows) > 0 {
		disp.Tables = append(disp.Tables, keys)
	}
	if m := d.Message; m != nil {
		disp.Facts = append(disp.Facts,
			report.Fact{Label: report.T("dkim.label.from", nil), Value: report.Lit(m.From)},
			report.Fact{Label: report.T("dkim.label.size", nil), Value: report.T("dkim.label.octets", report.Params{"count": m.Size})})
		if m.Unverified > 0 {
			disp.Facts = append(disp.Facts, report.Fact{Label: report.T("dkim.label.unverified", nil),
				Value: report.T("dkim.label.unverified_count", report.Params{"count": m.Unverified, "max": maxSignatures})})
		}
		for _, n := range m.Normalized {
			disp.Facts = append(disp.Facts, report.Fact{Label: report.T("dkim.label.note", nil), Value: n})
		}
		sigs := report.Table{Title: report.T("dkim.table.signatures", nil), Columns: []report.Msg{
			report.Lit("#"), report.Lit("d="), report.Lit("s="), report.Lit("a="), report.T("dkim.col.result", nil),
			report.T("dkim.col.aligned", nil), report.T("dkim.col.from_signed", nil), report.Lit("l=")}}
		for _, s := range m.Signatures {
			result := report.Lit(s.Result)
			if s.Reason != "" {
				result = report.T("dkim.label.result", report.Params{"result": s.Result, "reason": reasonMsg(s.Reason)})
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
			sigs.Rows = append(sigs.Rows, []report.Msg{report.Lit(strconv.Itoa(s.Index)), report.Lit(s.Domain), report.Lit(s.Selector), report.Lit(s.Algorithm),
				result, report.T("dkim.aligned."+aligned, nil), report.T("dkim.from."+from, nil), report.Lit(l)})
		}
		if len(sigs.Rows) > 0 {
			disp.Tables = append(disp.Tables, sigs)
		}
	}
	return disp
}

package reports

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// summary words the section's line: the aggregate reports' totals and
// what policy is safe today, then the TLS and failure reports.
func summary(d *Data, aggs, tls, fails int) report.Msg {
	p := report.Params{}
	if tls > 0 {
		var ok, failed int64
		for _, r := range d.Reports {
			if r.Kind == KindTLS {
				ok += *r.Successful
				failed += *r.Failed
			}
		}
		p["tls"] = report.T("reports.summary.tls", report.Params{"reports": count("tls_reports", int64(tls)), "ok": ok, "failed": failed})
	}
	if fails > 0 {
		p["failures"] = count("failure_reports", int64(fails))
	}
	if aggs == 0 {
		if tls > 0 {
			return report.T("reports.summary.tls_only", p)
		}
		return report.T("reports.summary.failures_only", p)
	}
	p["head"] = report.T("reports.summary.head", report.Params{"messages": count("messages", d.Messages),
		"sources": count("sources", int64(len(d.Sources))), "reports": count("aggregate_reports", int64(aggs)),
		"pass": share(d.DMARCPass, d.Messages)})
	v := d.Verdict
	if v == nil {
		return report.T("reports.summary.plain", p)
	}
	p["percent"], p["policy"], p["next"] = v.AtRiskPercent, orNone(v.Policy), v.Next
	// The summary line answers the merchant's question in words: which
	// policy is safe today, or why none is.
	key := "hold"
	switch {
	case v.Legitimate == 0:
		key = "no_legitimate"
	case v.Ready && v.Testing && v.Next == v.Policy && v.Record != nil:
		key = "testing"
	case v.Ready && v.Next == "reject" && v.Policy != "reject":
		key = "reject_safe"
	case v.Ready && v.Next != v.Policy:
		key = "step_safe"
	case v.Ready:
		key = "enforced"
	case v.Policy == "quarantine" || v.Policy == "reject":
		key = "losing"
	}
	return report.T("reports.summary."+key, p)
}

// maxRows bounds the rows of a displayed table; JSON has them all.
const maxRows = 25

func display(d *Data) report.Display {
	var disp report.Display
	if v := d.Verdict; v != nil {
		disp.Facts = append(disp.Facts,
			report.Fact{Label: report.T("reports.fact.period", nil), Value: period(v.Begin, v.End)},
			report.Fact{Label: report.T("reports.fact.policy", nil), Value: report.T("reports.fact.policy_value",
				report.Params{"policy": orNone(v.Policy), "from": report.T("reports.from."+v.PolicyFrom, nil)})},
			report.Fact{Label: report.T("reports.fact.at_risk", nil), Value: report.T("reports.fact.at_risk_value",
				report.Params{"at_risk": v.AtRisk, "legitimate": v.Legitimate, "percent": v.AtRiskPercent})},
			report.Fact{Label: report.T("reports.fact.unauthorized", nil), Value: count("messages", v.Unauthorized)},
			report.Fact{Label: report.T("reports.fact.next", nil), Value: report.Lit("p=" + orNone(v.Next))},
		)
	}
	if len(d.Services) > 0 {
		tb := report.Table{Title: report.T("reports.table.senders", nil),
			Columns: cols("service", "class", "messages", "fail_dmarc", "sources", "fix")}
		for i, g := range d.Services {
			if i == maxRows {
				tb.Rows = append(tb.Rows, moreRow(len(d.Services)-maxRows, 6))
				break
			}
			tb.Rows = append(tb.Rows, []report.Msg{g.Name, report.T("reports.class."+g.Class, nil),
				report.Lit(fmt.Sprint(g.Messages)), report.Lit(fmt.Sprint(g.Messages - g.DMARCPass)), report.Lit(fmt.Sprint(g.Sources)), g.short})
		}
		disp.Tables = append(disp.Tables, tb)
	}
	if len(d.Reports) > maxRows {
		disp.Tables = append(disp.Tables, reportersTable(d.Reports))
	} else {
		disp.Tables = append(disp.Tables, reportsTable(d.Reports))
	}
	for _, r := range d.Reports {
		if r.Kind != KindTLS {
			continue
		}
		tt := report.Table{Title: report.T("reports.table.tls", report.Params{"org": r.Org}),
			Columns: cols("policy_domain", "type", "mx", "successful", "failed", "failure_types")}
		for _, p := range r.TLSPolicies {
			var ft []string
			for _, f := range p.Failures {
				ft = append(ft, fmt.Sprintf("%s %d", f.Name, f.Count))
			}
			tt.Rows = append(tt.Rows, report.Lits(p.Domain, p.Type, p.MXHost, fmt.Sprint(p.Successful), fmt.Sprint(p.Failed), strings.Join(ft, ", ")))
		}
		if len(tt.Rows) > 0 && len(disp.Tables) < 8 {
			disp.Tables = append(disp.Tables, tt)
		}
	}
	return disp
}

// cols are the column headers reports.col.<name>.
func cols(names ...string) []report.Msg {
	out := make([]report.Msg, len(names))
	for i, n := range names {
		out[i] = report.T("reports.col."+n, nil)
	}
	return out
}

// moreRow is the last row of a cut table: how many rows are not shown.
func moreRow(n, width int) []report.Msg {
	row := make([]report.Msg, width)
	row[0] = report.T("reports.row.more", report.Params{"count": n})
	return row
}

// period is a date range, one day shown once; empty for no dates.
func period(begin, end time.Time) report.Msg {
	switch {
	case begin.IsZero() && end.IsZero():
		return report.Msg{}
	case day(begin) == day(end) || end.IsZero():
		return report.Lit(day(begin))
	}
	return report.T("reports.period", report.Params{"begin": day(begin), "end": day(end)})
}

// reportsTable lists each report, for a handful of them.
func reportsTable(rs []*Report) report.Table {
	tb := report.Table{Title: report.T("reports.table.reports", nil),
		Columns: cols("kind", "reporter", "report_id", "period", "volume", "outcome", "sources")}
	for _, r := range rs {
		var per report.Msg
		if !r.Begin.IsZero() {
			per = period(r.Begin, r.End)
		}
		head := []report.Msg{report.T("reports.kind."+string(r.Kind), nil), report.Lit(r.Org), report.Lit(truncate(r.ReportID, 40)), per}
		switch r.Kind {
		case KindAggregate:
			tb.Rows = append(tb.Rows, append(head, report.Lit(fmt.Sprint(*r.Messages)),
				report.T("reports.cell.pass", report.Params{"count": *r.DMARCPass}), report.Lit(fmt.Sprint(*r.Sources))))
		case KindTLS:
			tb.Rows = append(tb.Rows, append(head, report.Lit(fmt.Sprint(*r.Successful+*r.Failed)),
				report.T("reports.cell.failed", report.Params{"count": *r.Failed}), report.Lit("")))
		default:
			src, what := report.Lit(""), report.Lit("")
			if r.Failure != nil {
				src = report.Lit(r.Failure.SourceIP)
				what = report.T("reports.cell.auth_failed", report.Params{"what": r.Failure.AuthFailure})
			}
			tb.Rows = append(tb.Rows, append(head, report.Lit("1"), what, src))
		}
	}
	return tb
}

// reportersTable sums the reports per reporter and kind, for many reports.
func reportersTable(rs []*Report) report.Table {
	type sum struct {
		kind, org    string
		n            int
		begin, end   time.Time
		volume, good int64
	}
	idx := map[string]*sum{}
	var order []*sum
	for _, r := range rs {
		k := string(r.Kind) + "\x00" + r.Org
		s := idx[k]
		if s == nil {
			s = &sum{kind: string(r.Kind), org: r.Org}
			idx[k] = s
			order = append(order, s)
		}
		s.n++
		if !r.Begin.IsZero() && (s.begin.IsZero() || r.Begin.Before(s.begin)) {
			s.begin = r.Begin
		}
		if r.End.After(s.end) {
			s.end = r.End
		}
		switch r.Kind {
		case KindAggregate:
			s.volume += *r.Messages
			s.good += *r.DMARCPass
		case KindTLS:
			s.volume += *r.Successful + *r.Failed
			s.good += *r.Successful
		default:
			s.volume++
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].volume > order[j].volume })
	tb := report.Table{Title: report.T("reports.table.reporters", report.Params{"count": len(rs)}),
		Columns: cols("kind", "reporter", "reports", "period", "volume", "good")}
	for i, s := range order {
		if i == maxRows {
			tb.Rows = append(tb.Rows, moreRow(len(order)-maxRows, 6))
			break
		}
		var per report.Msg
		if !s.begin.IsZero() {
			per = report.T("reports.period", report.Params{"begin": day(s.begin), "end": day(s.end)})
		}
		good := fmt.Sprint(s.good)
		if s.kind == string(KindFailure) {
			good = ""
		}
		tb.Rows = append(tb.Rows, []report.Msg{report.T("reports.kind."+s.kind, nil), report.Lit(s.org), report.Lit(fmt.Sprint(s.n)),
			per, report.Lit(fmt.Sprint(s.volume)), report.Lit(good)})
	}
	return tb
}

// CSVColumns are the columns of SourceTable, stable across releases
// (docs/findings/reports.md describes each).
var CSVColumns = []string{"domain", "source_ip", "ptr", "service", "matched_by", "class", "messages", "dmarc_pass", "dmarc_fail", "dkim_pass", "spf_pass", "disposed", "dkim_domains", "spf_domains", "fix"}

// SourceTable is the per-source table of every domain section, one row
// per source address, for a CSV file. Its service, matched_by and fix
// cells are messages: word the table (internal/i18n) before writing it.
func SourceTable(sections []report.Section) report.Table {
	tb := report.Table{Title: report.Lit("sources"), Columns: report.Lits(CSVColumns...)}
	for _, s := range sections {
		d, ok := s.Data.(*Data)
		if !ok || len(d.Sources) == 0 {
			continue
		}
		fix := map[string]report.Msg{}
		for _, g := range d.Services {
			fix[g.key] = g.Fix
		}
		for _, src := range d.Sources {
			lit := report.Lit
			tb.Rows = append(tb.Rows, []report.Msg{
				lit(d.Domain), lit(src.IP), lit(strings.Join(src.PTR, " ")), src.Service, src.MatchedBy, lit(src.Class),
				lit(fmt.Sprint(src.Messages)), lit(fmt.Sprint(src.DMARCPass)), lit(fmt.Sprint(src.Messages - src.DMARCPass)),
				lit(fmt.Sprint(src.DKIMPass)), lit(fmt.Sprint(src.SPFPass)), lit(fmt.Sprint(src.Disposed)),
				lit(idList(src.DKIMDomains)), lit(idList(src.SPFDomains)), fix[src.group],
			})
		}
	}
	return tb
}

func idList(ids []Identity) string {
	var out []string
	for _, id := range ids {
		out = append(out, fmt.Sprintf("%s:%d/%d", id.Domain, id.Pass, id.Messages))
	}
	return strings.Join(out, " ")
}

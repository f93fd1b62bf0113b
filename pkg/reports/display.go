package reports

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/pkg/report"
)

func summary(d *Data, aggs, tls, fails int) string {
	var parts []string
	if aggs > 0 {
		s := fmt.Sprintf("%s from %s in %s, %s pass DMARC", plural(int(d.Messages), "message"), plural(len(d.Sources), "source"), plural(aggs, "aggregate report"), pct(d.DMARCPass, d.Messages))
		if v := d.Verdict; v != nil {
			// The summary line answers the merchant's question in words:
			// which policy is safe today, or why none is.
			switch {
			case v.Legitimate == 0:
				s += "; no legitimate mail seen"
			case v.Ready && v.Testing && v.Next == v.Policy && v.Record != nil:
				s += fmt.Sprintf("; %.2f%% of legitimate mail fails: take p=%s out of test mode", v.AtRiskPercent, v.Policy)
			case v.Ready && v.Next == "reject" && v.Policy != "reject":
				s += fmt.Sprintf("; p=reject is safe today: %.2f%% of legitimate mail fails", v.AtRiskPercent)
			case v.Ready && v.Next != v.Policy:
				s += fmt.Sprintf("; p=%s is safe today (p=reject after it): %.2f%% of legitimate mail fails", v.Next, v.AtRiskPercent)
			case v.Ready:
				s += "; at p=reject, and legitimate mail passes"
			case v.Policy == "quarantine" || v.Policy == "reject":
				s += fmt.Sprintf("; %.2f%% of legitimate mail fails and is lost to p=%s now: fix the failing senders", v.AtRiskPercent, v.Policy)
			default:
				s += fmt.Sprintf("; p=reject is not safe yet: %.2f%% of legitimate mail fails, stay at p=%s", v.AtRiskPercent, orNone(v.Policy))
			}
		}
		parts = append(parts, s)
	}
	if tls > 0 {
		var ok, failed int64
		for _, r := range d.Reports {
			if r.Kind == KindTLS {
				ok += *r.Successful
				failed += *r.Failed
			}
		}
		parts = append(parts, fmt.Sprintf("%s: %d sessions ok, %d failed", plural(tls, "TLS report"), ok, failed))
	}
	if fails > 0 {
		parts = append(parts, plural(fails, "failure report"))
	}
	return strings.Join(parts, "; ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// maxRows bounds the rows of a displayed table; JSON has them all.
const maxRows = 25

func display(d *Data) report.Display {
	var disp report.Display
	if v := d.Verdict; v != nil {
		disp.Facts = append(disp.Facts,
			report.Fact{Label: report.Lit("period"), Value: report.Lit(v.Begin.Format("2006-01-02") + " to " + v.End.Format("2006-01-02"))},
			report.Fact{Label: report.Lit("policy"), Value: report.Lit("p=" + orNone(v.Policy) + " (from " + map[string]string{"dns": "DNS", "reports": "the reports"}[v.PolicyFrom] + ")")},
			report.Fact{Label: report.Lit("legitimate mail failing"), Value: report.Lit(fmt.Sprintf("%d of %d (%.2f%%)", v.AtRisk, v.Legitimate, v.AtRiskPercent))},
			report.Fact{Label: report.Lit("unauthorized"), Value: report.Lit(fmt.Sprintf("%d messages", v.Unauthorized))},
			report.Fact{Label: report.Lit("next policy"), Value: report.Lit("p=" + orNone(v.Next))},
		)
	}
	if len(d.Services) > 0 {
		tb := report.Table{Title: report.Lit("Senders"), Columns: report.Lits("Service", "Class", "Messages", "Fail DMARC", "Sources", "Fix")}
		for i, g := range d.Services {
			if i == maxRows {
				tb.Rows = append(tb.Rows, report.Lits(fmt.Sprintf("... %d more", len(d.Services)-maxRows), "", "", "", "", ""))
				break
			}
			tb.Rows = append(tb.Rows, report.Lits(g.Name, g.Class, fmt.Sprint(g.Messages), fmt.Sprint(g.Messages-g.DMARCPass), fmt.Sprint(g.Sources), g.short))
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
		tt := report.Table{Title: report.Lit("TLS policies (" + r.Org + ")"), Columns: report.Lits("Policy domain", "Type", "MX", "Successful", "Failed", "Failure types")}
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

// reportsTable lists each report, for a handful of them.
func reportsTable(rs []*Report) report.Table {
	tb := report.Table{Title: report.Lit("Reports"), Columns: report.Lits("Kind", "Reporter", "Report ID", "Period", "Messages or sessions", "Pass or failed", "Sources")}
	for _, r := range rs {
		period := ""
		if !r.Begin.IsZero() {
			period = r.Begin.Format("2006-01-02")
			if e := r.End.Format("2006-01-02"); e != period {
				period += " to " + e
			}
		}
		switch r.Kind {
		case KindAggregate:
			tb.Rows = append(tb.Rows, report.Lits(string(r.Kind), r.Org, truncate(r.ReportID, 40), period, fmt.Sprint(*r.Messages), fmt.Sprintf("%d pass", *r.DMARCPass), fmt.Sprint(*r.Sources)))
		case KindTLS:
			tb.Rows = append(tb.Rows, report.Lits(string(r.Kind), r.Org, truncate(r.ReportID, 40), period, fmt.Sprint(*r.Successful+*r.Failed), fmt.Sprintf("%d failed", *r.Failed), ""))
		default:
			src, what := "", ""
			if r.Failure != nil {
				src, what = r.Failure.SourceIP, r.Failure.AuthFailure+" failed"
			}
			tb.Rows = append(tb.Rows, report.Lits(string(r.Kind), r.Org, truncate(r.ReportID, 40), period, "1", what, src))
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
	tb := report.Table{Title: report.Lit(fmt.Sprintf("Reporters (%d reports)", len(rs))), Columns: report.Lits("Kind", "Reporter", "Reports", "Period", "Messages or sessions", "Pass or successful")}
	for i, s := range order {
		if i == maxRows {
			tb.Rows = append(tb.Rows, report.Lits(fmt.Sprintf("... %d more", len(order)-maxRows), "", "", "", "", ""))
			break
		}
		period := ""
		if !s.begin.IsZero() {
			period = s.begin.Format("2006-01-02") + " to " + s.end.Format("2006-01-02")
		}
		good := fmt.Sprint(s.good)
		if s.kind == string(KindFailure) {
			good = ""
		}
		tb.Rows = append(tb.Rows, report.Lits(s.kind, s.org, fmt.Sprint(s.n), period, fmt.Sprint(s.volume), good))
	}
	return tb
}

// CSVColumns are the columns of SourceTable, stable across releases
// (docs/findings/reports.md describes each).
var CSVColumns = []string{"domain", "source_ip", "ptr", "service", "matched_by", "class", "messages", "dmarc_pass", "dmarc_fail", "dkim_pass", "spf_pass", "disposed", "dkim_domains", "spf_domains", "fix"}

// SourceTable is the per-source table of every domain section, one row
// per source address, for `--format csv`.
func SourceTable(sections []report.Section) report.Table {
	tb := report.Table{Title: report.Lit("sources"), Columns: report.Lits(CSVColumns...)}
	for _, s := range sections {
		d, ok := s.Data.(*Data)
		if !ok || len(d.Sources) == 0 {
			continue
		}
		fix := map[string]string{}
		for _, g := range d.Services {
			fix[g.Name] = g.Fix
		}
		for _, src := range d.Sources {
			tb.Rows = append(tb.Rows, report.Lits(
				d.Domain, src.IP, strings.Join(src.PTR, " "), src.Service, src.MatchedBy, src.Class,
				fmt.Sprint(src.Messages), fmt.Sprint(src.DMARCPass), fmt.Sprint(src.Messages-src.DMARCPass),
				fmt.Sprint(src.DKIMPass), fmt.Sprint(src.SPFPass), fmt.Sprint(src.Disposed),
				idList(src.DKIMDomains), idList(src.SPFDomains), fix[src.Service],
			))
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

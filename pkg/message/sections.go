package message

import (
	"fmt"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/pkg/arc"
	"github.com/mailcheck/mailcheck/pkg/dkim"
	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/spf"
)

func finish(sec *report.Section, fs []report.Finding) {
	report.SortFindings(fs)
	if fs == nil {
		fs = []report.Finding{}
	}
	sec.Findings = fs
	sec.Status = report.StatusOf(fs)
}

func messageSection(d *Data, recv []ReceivedResult) report.Section {
	sec := report.Section{Check: "message", Title: "Message", Target: d.MessageID, Data: d}
	var fs []report.Finding
	if d.HeadersOnly {
		fs = append(fs, HeadersOnly.With(nil))
	}
	if d.Boundary.Method == BoundaryHeuristic {
		fs = append(fs, BoundaryGuessed.With(report.Params{"evidence": d.Boundary.Evidence, "ip": orDash(d.Boundary.IP)}))
	}
	for _, df := range d.Differences {
		fs = append(fs, Differs.With(report.Params{"method": df.Method, "subject": df.Subject, "receiver": df.Receiver, "recheck": df.Recheck, "cause": df.Cause}))
	}
	finish(&sec, fs)
	var dk []string
	for _, s := range d.Verdicts.DKIM {
		dk = append(dk, fmt.Sprintf("%s (d=%s)", s.Result, s.Domain))
	}
	sec.Summary = report.T("message.summary.message", report.Params{"spf": d.Verdicts.SPF, "dkim": dk, "dmarc": d.Verdicts.DMARC, "arc": d.Verdicts.ARC,
		"agreement": agreement(d.Differences, recv)})
	sec.Display.Facts = []report.Fact{
		{Label: report.T("message.label.from", nil), Value: report.Lit(d.From)},
		{Label: report.T("message.label.subject", nil), Value: report.Lit(d.Subject)},
		{Label: report.T("message.label.message_id", nil), Value: report.Lit(d.MessageID)},
		{Label: report.T("message.label.judged_at", nil), Value: report.T("message.value.judged_at", report.Params{"at": d.At.Format(time.RFC3339), "source": report.T("message.at."+d.AtSource, nil)})},
		{Label: report.T("message.label.boundary", nil), Value: report.T("message.value.boundary", report.Params{"receiver": orDash(d.Boundary.Receiver), "ip": orDash(d.Boundary.IP),
			"helo": orDash(d.Boundary.HELO), "method": boundaryMethod(d.Boundary.Method)})},
	}
	// One fact a line: the items are sentences with commas of their own.
	for _, n := range d.Normalized {
		sec.Display.Facts = append(sec.Display.Facts, report.Fact{Label: report.T("message.label.normalized", nil), Value: n})
	}
	for _, u := range d.Unchecked {
		sec.Display.Facts = append(sec.Display.Facts, report.Fact{Label: report.T("message.label.not_checked", nil), Value: u})
	}
	rows := [][]report.Msg{
		{report.Lit("spf"), report.Lit(d.Verdicts.SPF)},
		{report.Lit("dmarc"), report.Lit(d.Verdicts.DMARC)},
		{report.Lit("arc"), report.Lit(d.Verdicts.ARC)},
	}
	for _, s := range d.Verdicts.DKIM {
		rows = append(rows, report.Lits("dkim d="+s.Domain+" s="+s.Selector, s.Result))
	}
	sec.Display.Tables = []report.Table{{Title: report.T("message.table.verdicts", nil), Columns: cols("method", "result"), Rows: rows}}
	if len(d.Differences) > 0 {
		t := report.Table{Title: report.T("message.table.differences", nil), Columns: cols("method", "receiver", "recheck", "cause")}
		for _, df := range d.Differences {
			t.Rows = append(t.Rows, []report.Msg{report.Lit(strings.TrimSpace(df.Method + " " + df.Subject)), report.Lit(df.Receiver), report.Lit(df.Recheck), df.Cause})
		}
		sec.Display.Tables = append(sec.Display.Tables, t)
	}
	return sec
}

// cols returns the column headers message.col.<name>.
func cols(names ...string) []report.Msg {
	out := make([]report.Msg, len(names))
	for i, n := range names {
		out[i] = report.T("message.col."+n, nil)
	}
	return out
}

// boundaryMethod words how the boundary was found.
func boundaryMethod(m string) report.Msg { return report.T("message.boundary.method."+m, nil) }

func agreement(diffs []Difference, recv []ReceivedResult) report.Msg {
	if !hasReceiver(recv) {
		return report.T("message.summary.no_receiver", nil)
	}
	if len(diffs) == 0 {
		return report.T("message.summary.agrees", nil)
	}
	return report.T("message.summary.differences", report.Params{"count": len(diffs)})
}

func hasReceiver(recv []ReceivedResult) bool {
	for _, r := range recv {
		if r.Receiver {
			return true
		}
	}
	return false
}

func pathSection(hops []Hop, b Boundary) report.Section {
	pd := &PathData{Hops: hops, Boundary: b}
	if pd.Hops == nil {
		pd.Hops = []Hop{}
	}
	var first, last *time.Time
	for i := range hops {
		if hops[i].Date != nil {
			if last == nil {
				last = hops[i].Date
			}
			first = hops[i].Date
		}
	}
	if first != nil && last != nil && first != last {
		t := last.Sub(*first).Seconds()
		pd.TotalSeconds = &t
	}
	sec := report.Section{Check: "message.path", Title: "Received path", Data: pd}
	var fs []report.Finding
	if b.Method == BoundaryNone {
		fs = append(fs, BoundaryUnknown.With(nil))
	}
	finish(&sec, fs)
	sec.Summary = report.T("message.summary.path", report.Params{"count": len(hops), "receiver": orDash(b.Receiver), "hop": b.Hop, "ip": orDash(b.IP), "method": boundaryMethod(b.Method)})
	if b.Method == BoundaryNone {
		sec.Summary = report.T("message.summary.path_unknown", report.Params{"count": len(hops)})
	}
	t := report.Table{Title: report.T("message.table.hops", nil), Columns: cols("index", "from", "ip", "by", "with", "tls", "date", "delay")}
	for _, h := range hops {
		tls := report.T("message.value.unknown", nil)
		date, delay := "", ""
		if h.TLS != nil {
			tls = yesNo(*h.TLS)
		}
		if h.Date != nil {
			date = h.Date.Format(time.RFC3339)
		}
		if h.DelaySeconds != nil {
			delay = (time.Duration(*h.DelaySeconds) * time.Second).String()
		}
		mark := fmt.Sprint(h.Index)
		if h.Index == b.Hop {
			mark += " *"
		}
		t.Rows = append(t.Rows, []report.Msg{report.Lit(mark), report.Lit(h.From), report.Lit(h.FromIP), report.Lit(h.By), report.Lit(h.With), tls, report.Lit(date), report.Lit(delay)})
	}
	sec.Display.Tables = []report.Table{t}
	sec.Display.Facts = []report.Fact{{Label: report.T("message.label.boundary_mark", nil), Value: b.Evidence}}
	return sec
}

func yesNo(b bool) report.Msg {
	if b {
		return report.T("message.value.yes", nil)
	}
	return report.T("message.value.no", nil)
}

func receiverSection(recv []ReceivedResult) report.Section {
	rd := &ReceiverData{AuthServID: authservID(recv), Fields: recv}
	if rd.Fields == nil {
		rd.Fields = []ReceivedResult{}
	}
	sec := report.Section{Check: "message.receiver", Title: "Receiver's results", Target: rd.AuthServID, Data: rd}
	var fs []report.Finding
	others := map[string]bool{}
	var otherList []string
	t := report.Table{Title: report.T("message.table.recorded", nil), Columns: cols("field", "authserv_id", "method", "result", "properties")}
	for _, r := range recv {
		field := "A-R"
		switch r.Field {
		case "ARC-Authentication-Results":
			field = fmt.Sprintf("AAR i=%d", r.Instance)
		case "Received-SPF":
			field = "Received-SPF"
		}
		id := report.Lit(r.AuthServID)
		if r.Receiver {
			id = report.T("message.value.id_receiver", report.Params{"id": r.AuthServID})
		} else if r.Forged {
			id = report.T("message.value.id_forged", report.Params{"id": r.AuthServID})
		} else if r.Field == "Authentication-Results" && r.Error.IsZero() && !others[r.AuthServID] {
			others[r.AuthServID] = true
			otherList = append(otherList, r.AuthServID)
		}
		if !r.Error.IsZero() {
			t.Rows = append(t.Rows, []report.Msg{report.Lit(field), {}, {}, {}, report.T("message.value.unreadable", report.Params{"error": r.Error})})
		}
		for _, m := range r.Methods {
			var props []string
			for _, p := range m.Props {
				props = append(props, p.Type+"."+p.Name+"="+p.Value)
			}
			t.Rows = append(t.Rows, []report.Msg{report.Lit(field), id, report.Lit(m.Method), report.Lit(m.Result), report.Lit(strings.Join(props, " "))})
		}
	}
	if !hasReceiver(recv) {
		fs = append(fs, ReceiverMissing.With(nil))
	}
	var forged []string
	for _, r := range recv {
		if r.Forged {
			forged = append(forged, r.AuthServID)
		}
	}
	if len(forged) > 0 {
		fs = append(fs, ReceiverForged.With(report.Params{"count": len(forged), "ids": forged}))
	}
	if len(otherList) > 0 {
		fs = append(fs, ReceiverOther.With(report.Params{"ids": otherList}))
	}
	finish(&sec, fs)
	sec.Summary = report.T("message.summary.receiver", report.Params{"count": len(recv), "id": orDash(rd.AuthServID)})
	sec.Display.Tables = []report.Table{t}
	return sec
}

func spfSection(d SPFData, b Boundary, arcNote report.Msg) report.Section {
	sec := report.Section{Check: "message.spf", Title: "SPF (re-checked)", Target: d.Sender, Data: &d}
	var fs []report.Finding
	domain := spfDomain(d)
	p := report.Params{"ip": orDash(d.IP), "sender": orDash(d.Sender), "helo": orDash(d.HELO), "domain": domain, "term": termOf(d), "reason": d.Reason, "arc": arcNote, "result": d.Result}
	switch spf.Result(d.Result) {
	case spf.Fail:
		fs = append(fs, SPFFail.With(p))
	case spf.SoftFail:
		fs = append(fs, SPFSoftfail.With(p))
	case spf.Neutral:
		fs = append(fs, SPFNeutral.With(p))
	case spf.None:
		if d.Evaluation == nil {
			fs = append(fs, BoundaryUnknown.Alt("spf", p))
		} else {
			fs = append(fs, SPFNone.With(p))
		}
	case spf.PermError:
		fs = append(fs, SPFPermerror.With(p))
	case spf.TempError:
		fs = append(fs, DNSTemperror.With(p))
	}
	finish(&sec, fs)
	sec.Summary = report.T("message.summary.spf", p)
	sec.Display.Facts = []report.Fact{
		{Label: report.T("message.label.client", nil), Value: sourced(d.IP, d.IPSource)},
		{Label: report.T("message.label.helo", nil), Value: sourced(d.HELO, d.HELOSource)},
		{Label: report.T("message.label.sender", nil), Value: sourced(d.Sender, d.SenderSource)},
		{Label: report.T("message.label.result", nil), Value: report.Lit(d.Result)},
	}
	if d.Evaluation != nil && d.Evaluation.Term != "" {
		sec.Display.Facts = append(sec.Display.Facts, report.Fact{Label: report.T("message.label.decided_by", nil),
			Value: report.T("message.value.decided_by", report.Params{"term": d.Evaluation.Term, "domain": d.Evaluation.TermDomain})})
	}
	return sec
}

// sourced is a re-check input and where it came from.
func sourced(v, source string) report.Msg {
	return report.T("message.value.sourced", report.Params{"value": orDash(v), "source": report.T("message.source."+source, nil)})
}

func termOf(d SPFData) string {
	if d.Evaluation == nil || d.Evaluation.Term == "" {
		return "-"
	}
	return d.Evaluation.Term
}

func dkimSection(md *dkim.MessageData, fs []report.Finding, err error, m *Message, arcNote report.Msg) report.Section {
	sec := report.Section{Check: "message.dkim", Title: "DKIM (re-checked)"}
	if err != nil || md == nil {
		sec.Status = report.StatusSkipped
		sec.Summary = report.T("message.summary.dkim_unread", nil)
		sec.Findings = []report.Finding{}
		return sec
	}
	sec.Target = md.FromDomain
	sec.Data = md
	finish(&sec, fs)
	var rows [][]report.Msg
	pass := 0
	for _, s := range md.Signatures {
		if s.Result == dkim.ResultPass {
			pass++
		}
		rows = append(rows, []report.Msg{report.Lit(fmt.Sprint(s.Index)), report.Lit(s.Domain), report.Lit(s.Selector), report.Lit(s.Result), dkim.ReasonMsg(s.Reason)})
	}
	sec.Summary = report.T("message.summary.dkim", report.Params{"pass": pass, "count": len(md.Signatures), "at": md.VerifiedAt.Format(time.RFC3339)})
	if len(md.Signatures) == 0 {
		sec.Summary = report.T("message.summary.dkim_none", nil)
	}
	if !arcNote.IsZero() {
		// Why a signature that fails here is expected: shown next to the
		// dkim.sig.* findings, which are pkg/dkim's and not rewritten.
		for _, f := range fs {
			if f.ID == dkim.SigInvalid.ID {
				sec.Display.Facts = []report.Fact{{Label: report.T("message.label.arc", nil), Value: arcNote}}
				break
			}
		}
	}
	if len(rows) > 0 {
		sec.Display.Tables = []report.Table{{Title: report.T("message.table.signatures", nil), Columns: cols("index", "d", "s", "result", "reason"), Rows: rows}}
	}
	return sec
}

func dmarcSection(d DMARCData, arcNote report.Msg) report.Section {
	sec := report.Section{Check: "message.dmarc", Title: "DMARC (re-checked)", Target: d.FromDomain, Data: &d}
	var fs []report.Finding
	p := report.Params{"domain": orDash(d.FromDomain), "org": orDash(d.OrgDomain), "reason": d.Reason, "source": d.PolicySource, "policy": d.Policy,
		"action": report.T("message.dmarc.action."+orDefault(d.Disposition, "none"), nil), "arc": arcNote}
	switch d.Result {
	case "fail":
		fs = append(fs, DMARCFail.With(p))
	case "none":
		if def, ok := definition(dmarc.Definitions, "dmarc.record.missing"); ok {
			// dmarc's own finding and words (pkg/dmarc), about the From
			// domain; the record to start with is at the organizational
			// domain.
			f := def.With(report.Params{"domain": orDash(d.FromDomain)})
			f.Record = report.TXTRecord("_dmarc."+orDash(d.OrgDomain), "v=DMARC1; p=none")
			fs = append(fs, f)
		}
	case "permerror":
		fs = append(fs, DMARCPermerror.With(p))
	case "temperror":
		fs = append(fs, DNSTemperror.Alt("dmarc", p))
	case "neutral":
		fs = append(fs, DMARCUnchecked.With(p))
	}
	finish(&sec, fs)
	sec.Summary = report.T("message.summary.dmarc", report.Params{"result": d.Result, "domain": orDash(d.FromDomain), "source": d.PolicySource, "policy": d.Policy,
		"policy_domain": d.PolicyDomain, "disposition": orDash(d.Disposition)})
	sec.Display.Facts = []report.Fact{
		{Label: report.T("message.label.spf_aligned", nil), Value: report.T("message.value.aligned", report.Params{"aligned": yesNo(d.SPFAligned), "domain": orDash(d.SPFDomain), "mode": "aspf=" + orDash(d.ASPF)})},
		{Label: report.T("message.label.dkim_aligned", nil), Value: report.T("message.value.aligned", report.Params{"aligned": yesNo(d.DKIMAligned), "domain": orDash(d.DKIMDomain), "mode": "adkim=" + orDash(d.ADKIM)})},
		{Label: report.T("message.label.record", nil), Value: report.Lit(orDash(d.Record))},
	}
	return sec
}

func definition(defs []report.Definition, id string) (report.Definition, bool) {
	for _, d := range defs {
		if d.ID == id {
			return d, true
		}
	}
	return report.Definition{}, false
}

func arcSection(a ARCData) report.Section {
	sec := report.Section{Check: "message.arc", Title: "ARC (re-checked)", Data: &a}
	var fs []report.Finding
	switch a.CV {
	case arc.Fail:
		fs = append(fs, ARCFail.With(report.Params{"reason": arcWhy(a)}))
	case arc.TempError:
		fs = append(fs, DNSTemperror.Alt("arc", report.Params{"reason": arcWhy(a)}))
	}
	finish(&sec, fs)
	sec.Summary = report.T("message.summary.arc", report.Params{"cv": arcResult(a), "count": len(a.Sets)})
	var rows [][]report.Msg
	for _, s := range a.Sets {
		rows = append(rows, report.Lits(fmt.Sprint(s.Instance), s.Domain, s.CV, s.AMS, s.Seal, s.AuthServID))
	}
	if len(rows) > 0 {
		sec.Display.Tables = []report.Table{{Title: report.T("message.table.arc_sets", nil), Columns: cols("instance", "d", "cv", "ams", "seal", "authserv_id"), Rows: rows}}
	}
	return sec
}

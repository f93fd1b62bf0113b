package bounce

import (
	"errors"
	"io/fs"
	"slices"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/mailfile"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// Data is the evidence of one message's section: where it came from and
// everything Analyze read from it.
type Data struct {
	// Source names the input: a path, "path:N" for message N of an mbox,
	// "-" for standard input.
	Source string `json:"source"`
	Result
}

// Section turns what Analyze read from one message into the report
// section of `mailcheck bounce`: one finding per recipient.
func Section(source string, res *Result) report.Section {
	sec := report.Section{Check: "bounce", Title: "Bounce", Target: source, Data: &Data{Source: source, Result: *res}}
	var fs []report.Finding
	switch res.Kind {
	case KindNone:
		fs = append(fs, notReport(res))
		sec.Summary = report.T("bounce.summary.not_report", nil)
	default:
		for i := range res.Recipients {
			fs = append(fs, recipientFinding(&res.Recipients[i]))
		}
		sec.Summary = summary(res)
	}
	if res.Truncated {
		fs = append(fs, findTruncated.With(report.Params{"mib": MaxInput >> 20, "depth": maxDepth, "parts": maxParts}))
	}
	sec.Findings = fs
	sec.Status = report.StatusOf(fs)
	if res.Kind == KindNone && sec.Status == report.StatusPass {
		// Not a report: nothing was judged, so nothing passed. Skipped
		// (not applicable) says so, and, like pass, does not make the
		// run inconclusive.
		sec.Status = report.StatusSkipped
	}
	sec.Display = display(res)
	return sec
}

// ErrEmpty is the error of an input that holds nothing to read.
var ErrEmpty = errors.New("empty: nothing to read")

// unreadableKind names why an input could not be read, for its words
// (bounce.unreadable.<kind>); "other" for an error of no known kind.
func unreadableKind(err error) string {
	switch {
	case errors.Is(err, ErrEmpty):
		return "empty"
	case errors.Is(err, fs.ErrNotExist):
		return "missing"
	case errors.Is(err, fs.ErrPermission):
		return "permission"
	case errors.Is(err, mailfile.ErrTooLarge):
		return "too_large"
	case errors.Is(err, mailfile.ErrTooDeep):
		return "too_deep"
	case errors.Is(err, mailfile.ErrTooMany):
		return "too_many"
	}
	return "other"
}

// Unreadable is the section for an input that could not be read at all.
func Unreadable(source string, err error) report.Section {
	return report.Section{Check: "bounce", Title: "Bounce", Target: source, Status: report.StatusFail,
		Summary: report.T("bounce.summary.unreadable", nil), Findings: []report.Finding{unreadable(source, err)},
		Data: &Data{Source: source, Result: Result{Kind: KindNone, Recipients: []Recipient{}}}}
}

// UnreadableMsg says in words why source could not be read: the detail of
// its bounce.unreadable finding (for a command's one line on stderr).
func UnreadableMsg(source string, err error) report.Msg {
	return unreadable(source, err).DetailMsg()
}

func unreadable(source string, err error) report.Finding {
	kind := unreadableKind(err)
	p := report.Params{"source": source, "kind": kind}
	if kind != "other" {
		return findUnreadable.Alt(kind, p)
	}
	// An operating-system error of another kind: its own words are all
	// there is (they are data, shown as they are).
	p["error"] = err.Error()
	return findUnreadable.With(p)
}

var reportLike = lazy(`(?i)report domain:|dmarc|tls report|tlsrpt|aggregate report`)

func notReport(res *Result) report.Finding {
	return findNotReport.With(report.Params{
		"report":          reportLike.MatchString(res.Subject),
		"headers_missing": res.HeadersMissing,
	})
}

func recipientFinding(r *Recipient) report.Finding {
	d := definitionFor(r)
	p := report.Params{
		"address":     r.Address,
		"explanation": r.Explanation,
		"reason":      r.Reason,
		"bounce":      report.T("bounce.bounce."+r.Bounce, nil),
		"responsible": report.T("bounce.who."+r.Responsible, nil),
		"status":      r.Status,
		"inferred":    r.StatusInferred,
		"reply":       r.ReplyCode,
		"next":        r.NextStep,
	}
	if r.Diagnostic != "" && r.Reason != "feedback" && r.Reason != "vacation" {
		p["diagnostic"] = strings.TrimSuffix(clean(r.Diagnostic, 300), ".")
	}
	if r.Provider != "" {
		pr := r.Provider
		if r.ProviderCode != "" {
			pr += " " + r.ProviderCode
		}
		p["provider"] = pr
	}
	if len(r.Checks) > 0 {
		cmds := make([]report.Msg, len(r.Checks))
		for i, c := range r.Checks {
			cmds[i] = c.Command
		}
		p["commands"] = cmds
	}
	return d.With(p)
}

// parties is the order the summary names who must act.
var parties = []string{RespSender, RespRecipient, RespContent, RespNobody, RespUnknown}

func summary(res *Result) report.Msg {
	switch res.Kind {
	case KindAutoReply:
		return report.T("bounce.summary.autoreply", nil)
	case KindFeedback:
		return report.T("bounce.summary.feedback", report.Params{"type": res.Feedback.Type, "count": len(res.Recipients)})
	}
	counts := map[string]int{}
	who := map[string]int{}
	for _, r := range res.Recipients {
		counts[r.Bounce]++
		who[r.Responsible]++
	}
	var acts []report.Msg
	for _, k := range parties {
		if who[k] > 0 {
			acts = append(acts, report.T("bounce.summary.party", report.Params{"who": report.T("bounce.who."+k, nil), "n": who[k]}))
		}
	}
	return report.T("bounce.summary.bounce", report.Params{
		"count": len(res.Recipients), "hard": counts[Hard], "soft": counts[Soft], "delivered": counts[None], "acts": acts,
	})
}

// kinds, actions, classes and parties that have words; anything else the
// report read is shown as it is.
var (
	kindWords   = []Kind{KindBounce, KindAutoReply, KindFeedback, KindNone}
	actionWords = []string{"failed", "delayed", "delivered", "relayed", "expanded"}
	classWords  = []string{Hard, Soft, None}
)

func word(prefix, v string, known bool) report.Msg {
	if known {
		return report.T(prefix+strings.ReplaceAll(v, "-", "_"), nil)
	}
	return report.Lit(v)
}

func display(res *Result) report.Display {
	var d report.Display
	add := func(label string, v report.Msg) {
		if v.Key != "" || v.Text != "" {
			d.Facts = append(d.Facts, report.Fact{Label: report.T("bounce.label."+label, nil), Value: v})
		}
	}
	lit := func(label, v string) { add(label, report.Lit(v)) }
	add("kind", word("bounce.kind.", string(res.Kind), slices.Contains(kindWords, res.Kind)))
	lit("format", res.Format)
	lit("subject", res.Subject)
	lit("reporting_mta", res.ReportingMTA)
	if o := res.Original; o != nil {
		lit("original_from", o.From)
		lit("original_to", o.To)
		lit("original_subject", o.Subject)
		lit("original_message_id", o.MessageID)
		lit("sending_ip", o.SendingIP)
	}
	if res.Feedback != nil {
		lit("feedback_type", res.Feedback.Type)
		lit("source_ip", res.Feedback.SourceIP)
	}
	if len(res.Recipients) > 0 && res.Kind == KindBounce {
		t := report.Table{Title: report.T("bounce.table.recipients", nil)}
		for _, c := range []string{"address", "action", "status", "reply", "reason", "bounce", "to_act", "remote_mta"} {
			t.Columns = append(t.Columns, report.T("bounce.col."+c, nil))
		}
		for _, r := range res.Recipients {
			t.Rows = append(t.Rows, []report.Msg{
				report.Lit(r.Address),
				word("bounce.action.", r.Action, slices.Contains(actionWords, r.Action)),
				report.Lit(r.Status), report.Lit(r.ReplyCode), report.Lit(r.Reason),
				word("bounce.class.", r.Bounce, slices.Contains(classWords, r.Bounce)),
				word("bounce.who.", r.Responsible, slices.Contains(parties, r.Responsible)),
				report.Lit(r.RemoteMTA),
			})
		}
		d.Tables = append(d.Tables, t)
	}
	return d
}

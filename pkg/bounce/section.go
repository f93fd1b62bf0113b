package bounce

import (
	"fmt"
	"regexp"
	"strings"

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
		sec.Summary = report.Lit("not a delivery report")
	default:
		for i := range res.Recipients {
			fs = append(fs, recipientFinding(&res.Recipients[i]))
		}
		sec.Summary = report.Lit(summary(res))
	}
	if res.Truncated {
		fs = append(fs, findTruncated.New(
			fmt.Sprintf("Only the first %d MiB, %d levels of nesting and %d parts of the message were read; the verdicts use what was read.", MaxInput>>20, maxDepth, maxParts),
			"Pass the bounce itself, not a whole mailbox export, or cut the attachments out."))
	}
	sec.Findings = fs
	sec.Status = report.StatusOf(fs)
	sec.Display = display(res)
	return sec
}

// Unreadable is the section for an input that could not be read at all.
func Unreadable(source string, err error) report.Section {
	f := findUnreadable.New(fmt.Sprintf("%s: %v", source, err), "Check the path and its permissions; give a single message, an mbox or a directory of them.")
	return report.Section{Check: "bounce", Title: "Bounce", Target: source, Status: report.StatusFail,
		Summary: report.Lit("could not be read"), Findings: []report.Finding{f}, Data: &Data{Source: source, Result: Result{Kind: KindNone, Recipients: []Recipient{}}}}
}

var reportLike = regexp.MustCompile(`(?i)report domain:|dmarc|tls report|tlsrpt|aggregate report`)

func notReport(res *Result) report.Finding {
	what := "a message"
	cmd := "mailcheck message FILE"
	why := "to see its path, the receiver's authentication verdicts and what they mean"
	if reportLike.MatchString(res.Subject) {
		what, cmd, why = "a report", "mailcheck reports FILE", "to read DMARC aggregate and SMTP TLS reports"
	}
	detail := "This is " + what + " but not a delivery status notification, an automatic reply or a feedback report: it names no failed recipient."
	if res.HeadersMissing {
		detail += " It has no message header, so only its text was read."
	}
	return findNotReport.New(detail, "Use "+cmd+" "+why+". For a bounce, save the whole bounce message (with its attachments) and pass that file.")
}

func recipientFinding(r *Recipient) report.Finding {
	d := definitionFor(r)
	var b strings.Builder
	addr := r.Address
	if addr == "" {
		addr = "(no address given)"
	}
	fmt.Fprintf(&b, "%s: %s", addr, r.Explanation)
	if r.Diagnostic != "" && r.Reason != "feedback" && r.Reason != "vacation" {
		fmt.Fprintf(&b, " The server said: “%s”", strings.TrimSuffix(clean(r.Diagnostic, 300), "."))
	}
	var facts []string
	if r.Status != "" {
		s := "status " + r.Status
		if r.StatusInferred {
			s += " (inferred)"
		}
		facts = append(facts, s)
	}
	if r.ReplyCode != "" {
		facts = append(facts, "reply "+r.ReplyCode)
	}
	facts = append(facts, "reason "+r.Reason, r.Bounce+" bounce", "to act: "+r.Responsible)
	if r.Provider != "" {
		p := r.Provider
		if r.ProviderCode != "" {
			p += " " + r.ProviderCode
		}
		facts = append(facts, p)
	}
	fmt.Fprintf(&b, " (%s)", strings.Join(facts, ", "))
	fix := r.NextStep
	if len(r.Checks) > 0 {
		cmds := make([]string, len(r.Checks))
		for i, c := range r.Checks {
			cmds[i] = c.Command
		}
		fix += " Confirm with: " + strings.Join(cmds, "; ") + "."
	}
	return d.New(b.String(), fix)
}

func summary(res *Result) string {
	switch res.Kind {
	case KindAutoReply:
		return "automatic reply (RFC 3834): delivered"
	case KindFeedback:
		return fmt.Sprintf("feedback report (%s) about %d recipient(s)", res.Feedback.Type, len(res.Recipients))
	}
	counts := map[string]int{}
	who := map[string]int{}
	for _, r := range res.Recipients {
		counts[r.Bounce]++
		who[r.Responsible]++
	}
	s := fmt.Sprintf("%d recipient(s): %d hard, %d soft", len(res.Recipients), counts[Hard], counts[Soft])
	if counts[None] > 0 {
		s += fmt.Sprintf(", %d delivered", counts[None])
	}
	var parts []string
	for _, k := range []string{RespSender, RespRecipient, RespContent, RespNobody, RespUnknown} {
		if who[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, who[k]))
		}
	}
	return s + "; to act: " + strings.Join(parts, ", ")
}

func display(res *Result) report.Display {
	var d report.Display
	add := func(label, v string) {
		if v != "" {
			d.Facts = append(d.Facts, report.Fact{Label: report.Lit(label), Value: report.Lit(v)})
		}
	}
	add("kind", string(res.Kind))
	add("format", res.Format)
	add("subject", res.Subject)
	add("reporting MTA", res.ReportingMTA)
	if o := res.Original; o != nil {
		add("original from", o.From)
		add("original to", o.To)
		add("original subject", o.Subject)
		add("original message-id", o.MessageID)
		add("sending IP", o.SendingIP)
	}
	if res.Feedback != nil {
		add("feedback type", res.Feedback.Type)
		add("source IP", res.Feedback.SourceIP)
	}
	if len(res.Recipients) > 0 && res.Kind == KindBounce {
		t := report.Table{Title: report.Lit("Recipients"), Columns: report.Lits("address", "action", "status", "reply", "reason", "bounce", "to act", "remote MTA")}
		for _, r := range res.Recipients {
			t.Rows = append(t.Rows, report.Lits(r.Address, r.Action, r.Status, r.ReplyCode, r.Reason, r.Bounce, r.Responsible, r.RemoteMTA))
		}
		d.Tables = append(d.Tables, t)
	}
	return d
}

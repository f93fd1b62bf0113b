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
		fs = append(fs, HeadersOnly.New("No body was given (only the header section), so DKIM body hashes and the ARC message signature's body hash cannot be checked; those results are neutral, and DMARC is undecided where it rests on DKIM alone.",
			"Save the whole message (\"Show original\" / \"Download message\", .eml) and check that file."))
	}
	if d.Boundary.Method == BoundaryHeuristic {
		fs = append(fs, BoundaryGuessed.New("The boundary into the receiving organization was guessed: "+d.Boundary.Evidence+". SPF was re-checked for "+orDash(d.Boundary.IP)+".",
			"Give the receiver's domain with --receiver (e.g. --receiver gmail.com), or the address with --ip, if this is wrong."))
	}
	for _, df := range d.Differences {
		what := df.Method
		if df.Subject != "" {
			what += " (" + df.Subject + ")"
		}
		fs = append(fs, Differs.New(fmt.Sprintf("%s: the receiver recorded %s, the re-check gives %s. %s", what, df.Receiver, df.Recheck, df.Cause),
			"Fix the cause named here; the re-check is what a receiver would conclude today from the same message."))
	}
	finish(&sec, fs)
	var dk []string
	for _, s := range d.Verdicts.DKIM {
		dk = append(dk, fmt.Sprintf("%s (d=%s)", s.Result, s.Domain))
	}
	if len(dk) == 0 {
		dk = []string{"none"}
	}
	sec.Summary = report.Lit(fmt.Sprintf("Re-checked: SPF %s, DKIM %s, DMARC %s, ARC %s; %s with the receiver.",
		d.Verdicts.SPF, strings.Join(dk, ", "), d.Verdicts.DMARC, d.Verdicts.ARC, agreement(d.Differences, recv)))
	sec.Display.Facts = []report.Fact{
		{Label: report.Lit("from"), Value: report.Lit(d.From)},
		{Label: report.Lit("subject"), Value: report.Lit(d.Subject)},
		{Label: report.Lit("message-id"), Value: report.Lit(d.MessageID)},
		{Label: report.Lit("judged at"), Value: report.Lit(fmt.Sprintf("%s (%s)", d.At.Format(time.RFC3339), d.AtSource))},
		{Label: report.Lit("boundary"), Value: report.Lit(fmt.Sprintf("%s [%s] HELO %s (%s)", orDash(d.Boundary.Receiver), orDash(d.Boundary.IP), orDash(d.Boundary.HELO), d.Boundary.Method))},
	}
	if d.HeadersOnly {
		sec.Display.Facts = append(sec.Display.Facts, report.Fact{Label: report.Lit("not checked"), Value: report.Lit(strings.Join(d.Unchecked, "; "))})
	}
	rows := [][]string{{"spf", d.Verdicts.SPF}, {"dmarc", d.Verdicts.DMARC}, {"arc", d.Verdicts.ARC}}
	for _, s := range d.Verdicts.DKIM {
		rows = append(rows, []string{"dkim d=" + s.Domain + " s=" + s.Selector, s.Result})
	}
	sec.Display.Tables = []report.Table{{Title: report.Lit("Verdicts (re-checked)"), Columns: report.Lits("Method", "Result"), Rows: report.LitRows(rows)}}
	if len(d.Differences) > 0 {
		t := report.Table{Title: report.Lit("Differences from the receiver"), Columns: report.Lits("Method", "Receiver", "Re-check", "Likely cause")}
		for _, df := range d.Differences {
			t.Rows = append(t.Rows, report.Lits(strings.TrimSpace(df.Method+" "+df.Subject), df.Receiver, df.Recheck, df.Cause))
		}
		sec.Display.Tables = append(sec.Display.Tables, t)
	}
	return sec
}

func agreement(diffs []Difference, recv []ReceivedResult) string {
	if !hasReceiver(recv) {
		return "no receiver results to compare"
	}
	if len(diffs) == 0 {
		return "agrees"
	}
	return plural(len(diffs), "1 difference", "differences")
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
		fs = append(fs, BoundaryUnknown.New("No Received field names a public client address, so the address the receiver accepted the message from is unknown and SPF cannot be re-checked.",
			"Give the sending address with --ip (and --helo, --sender) to re-check SPF."))
	}
	finish(&sec, fs)
	sec.Summary = report.Lit(fmt.Sprintf("%s; entered %s at hop %d from %s (%s)", plural(len(hops), "1 hop", "hops"), orDash(b.Receiver), b.Hop, orDash(b.IP), b.Method))
	t := report.Table{Title: report.Lit("Hops (top = last)"), Columns: report.Lits("#", "From", "IP", "By", "With", "TLS", "Date", "Delay")}
	for _, h := range hops {
		tls, date, delay := "?", "", ""
		if h.TLS != nil {
			tls = map[bool]string{true: "yes", false: "no"}[*h.TLS]
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
		t.Rows = append(t.Rows, report.Lits(mark, h.From, h.FromIP, h.By, h.With, tls, date, delay))
	}
	sec.Display.Tables = []report.Table{t}
	sec.Display.Facts = []report.Fact{{Label: report.Lit("boundary (*)"), Value: report.Lit(b.Evidence)}}
	return sec
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
	t := report.Table{Title: report.Lit("As recorded"), Columns: report.Lits("Field", "authserv-id", "Method", "Result", "Properties")}
	for _, r := range recv {
		field := "A-R"
		switch r.Field {
		case "ARC-Authentication-Results":
			field = fmt.Sprintf("AAR i=%d", r.Instance)
		case "Received-SPF":
			field = "Received-SPF"
		}
		id := r.AuthServID
		if r.Receiver {
			id += " (receiver)"
		} else if r.Forged {
			id += " (forged)"
		} else if r.Field == "Authentication-Results" && r.Error == "" && !others[r.AuthServID] {
			others[r.AuthServID] = true
			otherList = append(otherList, r.AuthServID)
		}
		if r.Error != "" {
			t.Rows = append(t.Rows, report.Lits(field, "", "", "", "unreadable: "+r.Error))
		}
		for _, m := range r.Methods {
			var props []string
			for _, p := range m.Props {
				props = append(props, p.Type+"."+p.Name+"="+p.Value)
			}
			t.Rows = append(t.Rows, report.Lits(field, id, m.Method, m.Result, strings.Join(props, " ")))
		}
	}
	if !hasReceiver(recv) {
		fs = append(fs, ReceiverMissing.New("No Authentication-Results field can be attributed to the receiver, so there is nothing to compare the re-check with.",
			"Give the receiver's domain with --receiver, or check a copy saved from the recipient's mailbox (it carries the receiver's Authentication-Results)."))
	}
	var forged []string
	for _, r := range recv {
		if r.Forged {
			forged = append(forged, r.AuthServID)
		}
	}
	if len(forged) > 0 {
		fs = append(fs, ReceiverForged.New(fmt.Sprintf("%s claiming the receiver's authserv-id (%s) sit below the Received field where the message entered the receiver: they came with the message, forged by the sender or a relay, and the receiver did not remove them (RFC 8601 §5). They are not used as the receiver's verdict.", plural(len(forged), "1 Authentication-Results field", "Authentication-Results fields"), strings.Join(forged, ", ")),
			"If you run the receiver, remove incoming Authentication-Results fields that carry your authserv-id; as a sender, do not add them."))
	}
	if len(otherList) > 0 {
		fs = append(fs, ReceiverOther.New("Authentication-Results from other authserv-ids ("+strings.Join(otherList, ", ")+") are in the message: added by relays before the receiver, or forged by the sender. RFC 8601 §5 tells receivers to ignore them; they are shown, not used.",
			"Nothing to fix; do not trust these results."))
	}
	finish(&sec, fs)
	sec.Summary = report.Lit(fmt.Sprintf("%s; receiver %s", plural(len(recv), "1 field", "fields"), orDash(rd.AuthServID)))
	sec.Display.Tables = []report.Table{t}
	return sec
}

func spfSection(d SPFData, b Boundary, arcNote string) report.Section {
	sec := report.Section{Check: "message.spf", Title: "SPF (re-checked)", Target: d.Sender, Data: &d}
	var fs []report.Finding
	who := fmt.Sprintf("%s (sender %s, HELO %s)", orDash(d.IP), orDash(d.Sender), orDash(d.HELO))
	domain := spfDomain(d)
	switch spf.Result(d.Result) {
	case spf.Fail:
		detail := fmt.Sprintf("SPF fails for %s: %s does not authorize this address (term %s).", who, domain, termOf(d))
		if arcNote != "" {
			detail += " ARC: " + arcNote + "."
		}
		fs = append(fs, SPFFail.New(detail,
			"If "+orDash(d.IP)+" sends for you, add it (ip4:/ip6:, or the include: your provider documents) to the SPF record of "+domain+"; if the message was forwarded, that is expected and ARC or DKIM must carry it."))
	case spf.SoftFail:
		fs = append(fs, SPFSoftfail.New(fmt.Sprintf("SPF softfails for %s at %s (term %s).", who, domain, termOf(d)),
			"Add the sending address or your provider's include: to the SPF record of "+domain+"."))
	case spf.Neutral:
		fs = append(fs, SPFNeutral.New(fmt.Sprintf("SPF is neutral for %s at %s: the record makes no assertion about this address.", who, domain),
			"List your senders and end the record of "+domain+" with -all or ~all."))
	case spf.None:
		if d.Evaluation == nil {
			fs = append(fs, BoundaryUnknown.New("SPF was not re-checked: "+d.Reason+".", "Give the sending address with --ip (and --sender, --helo)."))
		} else {
			fs = append(fs, SPFNone.New(fmt.Sprintf("SPF gives none for %s: %s.", who, orDash(d.Reason)),
				"Publish an SPF record (TXT \"v=spf1 ... -all\") at "+domain+"."))
		}
	case spf.PermError:
		fs = append(fs, SPFPermerror.New(fmt.Sprintf("SPF permerror for %s: %s.", who, d.Reason),
			"Run `mailcheck spf "+domain+"` and fix what it reports."))
	case spf.TempError:
		fs = append(fs, DNSTemperror.New("SPF could not be evaluated: "+d.Reason+".", "Run the check again; if it persists, check "+domain+"'s name servers."))
	}
	finish(&sec, fs)
	sec.Summary = report.Lit(fmt.Sprintf("%s for %s", d.Result, who))
	sec.Display.Facts = []report.Fact{
		{Label: report.Lit("client"), Value: report.Lit(fmt.Sprintf("%s (%s)", orDash(d.IP), d.IPSource))},
		{Label: report.Lit("helo"), Value: report.Lit(fmt.Sprintf("%s (%s)", orDash(d.HELO), d.HELOSource))},
		{Label: report.Lit("sender"), Value: report.Lit(fmt.Sprintf("%s (%s)", orDash(d.Sender), d.SenderSource))},
		{Label: report.Lit("result"), Value: report.Lit(d.Result)},
	}
	if d.Evaluation != nil && d.Evaluation.Term != "" {
		sec.Display.Facts = append(sec.Display.Facts, report.Fact{Label: report.Lit("decided by"), Value: report.Lit(d.Evaluation.Term + " in " + d.Evaluation.TermDomain)})
	}
	return sec
}

func termOf(d SPFData) string {
	if d.Evaluation == nil || d.Evaluation.Term == "" {
		return "-"
	}
	return d.Evaluation.Term
}

func dkimSection(md *dkim.MessageData, fs []report.Finding, err error, m *Message, arcNote string) report.Section {
	sec := report.Section{Check: "message.dkim", Title: "DKIM (re-checked)"}
	if err != nil || md == nil {
		sec.Status = report.StatusSkipped
		sec.Summary = report.Lit("not verified: the header section could not be read")
		sec.Findings = []report.Finding{}
		return sec
	}
	sec.Target = md.FromDomain
	sec.Data = md
	if arcNote != "" {
		for i := range fs {
			if fs[i].ID == dkim.SigInvalid.ID {
				fs[i].Detail += " ARC: " + arcNote + "."
			}
		}
	}
	finish(&sec, fs)
	rows := [][]string{}
	pass := 0
	for _, s := range md.Signatures {
		if s.Result == dkim.ResultPass {
			pass++
		}
		rows = append(rows, []string{fmt.Sprint(s.Index), s.Domain, s.Selector, s.Result, s.Reason})
	}
	sec.Summary = report.Lit(fmt.Sprintf("%d of %s pass, judged at %s", pass, plural(len(md.Signatures), "1 signature", "signatures"), md.VerifiedAt.Format(time.RFC3339)))
	if len(md.Signatures) == 0 {
		sec.Summary = report.Lit("no DKIM-Signature")
	}
	if len(rows) > 0 {
		sec.Display.Tables = []report.Table{{Title: report.Lit("Signatures"), Columns: report.Lits("#", "d=", "s=", "Result", "Reason"), Rows: report.LitRows(rows)}}
	}
	return sec
}

func dmarcSection(d DMARCData, arcNote string) report.Section {
	sec := report.Section{Check: "message.dmarc", Title: "DMARC (re-checked)", Target: d.FromDomain, Data: &d}
	var fs []report.Finding
	switch d.Result {
	case "fail":
		detail := fmt.Sprintf("DMARC fails for From domain %s: %s; the policy (%s=%s) asks receivers to %s it.", d.FromDomain, d.Reason, d.PolicySource, d.Policy, dispositionVerb(d.Disposition))
		if arcNote != "" {
			detail += " ARC: " + arcNote + "; a receiver that trusts the sealer may deliver it anyway: that is what ARC is for."
		}
		fs = append(fs, DMARCFail.New(detail,
			"Make SPF pass with a MAIL FROM in "+orDash(d.OrgDomain)+", or sign with DKIM d="+d.FromDomain+" (or a subdomain of "+orDash(d.OrgDomain)+")."))
	case "none":
		if def, ok := definition(dmarc.Definitions, "dmarc.record.missing"); ok {
			f := def.New("No DMARC record for "+d.FromDomain+" or its parents: receivers apply no policy, and Gmail and Yahoo require one of bulk senders.",
				"Publish a DMARC record at _dmarc."+orDash(d.OrgDomain)+", starting with p=none and a rua= address.")
			f.Record = report.TXTRecord("_dmarc."+orDash(d.OrgDomain), "v=DMARC1; p=none")
			fs = append(fs, f)
		}
	case "permerror":
		fs = append(fs, DMARCPermerror.New("DMARC cannot be evaluated: "+d.Reason+".", "Run `mailcheck dmarc "+orDash(d.FromDomain)+"` and fix what it reports; make the message carry exactly one From."))
	case "temperror":
		fs = append(fs, DNSTemperror.New("DMARC could not be evaluated: "+d.Reason+".", "Run the check again."))
	case "neutral":
		fs = append(fs, DMARCUnchecked.New("DMARC is undecided: "+d.Reason+".", "Check the whole message (.eml), not only its headers."))
	}
	finish(&sec, fs)
	sec.Summary = report.Lit(fmt.Sprintf("%s for %s", d.Result, orDash(d.FromDomain)))
	if d.Policy != "" {
		sec.Summary = sec.Summary.Append(fmt.Sprintf(" (policy %s=%s at _dmarc.%s, disposition %s)", d.PolicySource, d.Policy, d.PolicyDomain, orDash(d.Disposition)))
	}
	sec.Display.Facts = []report.Fact{
		{Label: report.Lit("spf aligned"), Value: report.Lit(fmt.Sprintf("%v (%s, aspf=%s)", d.SPFAligned, orDash(d.SPFDomain), orDash(d.ASPF)))},
		{Label: report.Lit("dkim aligned"), Value: report.Lit(fmt.Sprintf("%v (%s, adkim=%s)", d.DKIMAligned, orDash(d.DKIMDomain), orDash(d.ADKIM)))},
		{Label: report.Lit("record"), Value: report.Lit(orDash(d.Record))},
	}
	return sec
}

func dispositionVerb(d string) string {
	switch d {
	case "reject":
		return "reject"
	case "quarantine":
		return "quarantine (spam folder)"
	}
	return "deliver"
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
		fs = append(fs, ARCFail.New("The ARC chain fails: "+a.Reason+". Receivers ignore a failed chain, so any forwarding it was meant to vouch for counts against the message.",
			"If you operate the intermediary, check its ARC signing keys and that it seals after its last change to the message."))
	case arc.TempError:
		fs = append(fs, DNSTemperror.New("The ARC chain could not be validated: "+a.Reason+".", "Run the check again."))
	}
	finish(&sec, fs)
	sec.Summary = report.Lit(fmt.Sprintf("cv=%s, %s", arcResult(a), plural(len(a.Sets), "1 set", "sets")))
	rows := [][]string{}
	for _, s := range a.Sets {
		rows = append(rows, []string{fmt.Sprint(s.Instance), s.Domain, s.CV, s.AMS, s.Seal, s.AuthServID})
	}
	if len(rows) > 0 {
		sec.Display.Tables = []report.Table{{Title: report.Lit("ARC sets"), Columns: report.Lits("i", "d=", "cv=", "AMS", "Seal", "authserv-id"), Rows: report.LitRows(rows)}}
	}
	return sec
}

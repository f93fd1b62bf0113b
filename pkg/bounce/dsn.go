package bounce

import (
	"encoding/json"
	"strings"
)

// parseDSN reads the fields of a message/delivery-status body (RFC 3464
// §2.1): one group of per-message fields, then one group per recipient,
// groups separated by empty lines. MTAs omit the empty lines often enough
// that a new recipient is also started by a second Final-Recipient.
func parseDSN(body string) (msg header, recs []Recipient) {
	var cur *Recipient
	haveFinal, haveOrig := false, false
	start := func() {
		if len(recs) > maxRecipients {
			// Past the bound, fields overwrite the last recipient kept;
			// finish cuts the list and says so.
			return
		}
		recs = append(recs, Recipient{})
		cur = &recs[len(recs)-1]
		haveFinal, haveOrig = false, false
	}
	lines := strings.Split(body, "\n")
	var fields []field
	blank := true
	for _, l := range lines {
		l = strings.TrimRight(l, "\r")
		if strings.TrimSpace(l) == "" {
			blank = true
			continue
		}
		if (l[0] == ' ' || l[0] == '\t') && len(fields) > 0 {
			fields[len(fields)-1].value += " " + strings.TrimSpace(l)
			continue
		}
		k := strings.IndexByte(l, ':')
		if k <= 0 || !isFieldName(strings.TrimSpace(l[:k])) {
			if len(fields) > 0 && !blank {
				// A folded line that lost its indentation (pasted).
				fields[len(fields)-1].value += " " + strings.TrimSpace(l)
			}
			continue
		}
		fields = append(fields, field{name: strings.TrimSpace(l[:k]), value: strings.TrimSpace(l[k+1:])})
		blank = false
	}
	for _, f := range fields {
		name := strings.ToLower(f.name)
		switch name {
		case "reporting-mta", "arrival-date", "received-from-mta", "dsn-gateway", "original-envelope-id", "x-postfix-queue-id", "x-postfix-sender":
			msg = append(msg, f)
			if name == "reporting-mta" && cur != nil && cur.ReportingMTA == "" {
				cur.ReportingMTA = typedValue(f.value)
			}
			continue
		case "original-recipient":
			if cur == nil || haveOrig || haveFinal && cur.Status != "" {
				start()
			}
			cur.OriginalAddress = addrValue(f.value)
			haveOrig = true
			continue
		case "final-recipient", "x-actual-recipient":
			if name == "x-actual-recipient" {
				if cur != nil && cur.Address == "" {
					cur.Address = addrValue(f.value)
				}
				continue
			}
			if cur == nil || haveFinal {
				start()
			}
			cur.Address = addrValue(f.value)
			haveFinal = true
			continue
		}
		if cur == nil {
			// Per-recipient fields before any recipient field: some MTAs
			// put Action/Status first.
			if name == "action" || name == "status" || name == "diagnostic-code" {
				start()
			} else {
				msg = append(msg, f)
				continue
			}
		}
		switch name {
		case "action":
			cur.Action = clean(strings.ToLower(strings.Fields(f.value + " x")[0]), 20)
		case "status":
			if c := statusRE.FindString(f.value); c != "" {
				cur.Status = c
			}
		case "remote-mta":
			cur.RemoteMTA = typedValue(f.value)
		case "diagnostic-code":
			t, v := splitTyped(f.value)
			cur.DiagnosticType, cur.Diagnostic = clean(strings.ToUpper(t), 20), v
		case "last-attempt-date":
			cur.LastAttempt = clean(f.value, 100)
		case "will-retry-until":
			if cur.Action == "" {
				cur.Action = "delayed"
			}
		}
	}
	// Drop recipients with no address: a stray per-recipient block.
	out := recs[:0]
	for _, r := range recs {
		if r.Address == "" {
			r.Address = r.OriginalAddress
		}
		if r.Address == "" {
			continue
		}
		if r.ReportingMTA == "" {
			r.ReportingMTA = typedValue(msg.get("Reporting-MTA"))
		}
		out = append(out, r)
	}
	return msg, out
}

// splitTyped splits "smtp; 550 ..." into its type and value (RFC 3464 §2.3.6).
func splitTyped(v string) (typ, val string) {
	if i := strings.IndexByte(v, ';'); i > 0 && i < 20 && !strings.ContainsAny(v[:i], " <@") {
		return strings.TrimSpace(v[:i]), strings.TrimSpace(v[i+1:])
	}
	return "", strings.TrimSpace(v)
}

func typedValue(v string) string {
	_, val := splitTyped(v)
	return clean(strings.Trim(val, "<>[] "), 255)
}

func addrValue(v string) string {
	_, val := splitTyped(v)
	val = strings.TrimSpace(val)
	if a := addrRE.FindString(val); a != "" {
		return strings.ToLower(strings.Trim(a, "<>"))
	}
	return clean(strings.Trim(val, "<> "), 255)
}

var pastedDSNStart = lazy(`(?im)^(?:Reporting-MTA|Final-Recipient|Original-Recipient):`)

// pastedDSN finds DSN fields in text that lost its MIME structure (pasted
// from a mail client, or a report sent as text/plain).
func pastedDSN(text string) string {
	loc := pastedDSNStart.FindStringIndex(text)
	if loc == nil || !strings.Contains(strings.ToLower(text[loc[0]:]), "status:") {
		return ""
	}
	return text[loc[0]:]
}

// Amazon SES bounce notifications (SNS JSON, possibly with the notification
// itself as a JSON string in "Message").
type sesNotification struct {
	Type             string `json:"Type"`
	Message          string `json:"Message"`
	NotificationType string `json:"notificationType"`
	EventType        string `json:"eventType"`
	Bounce           *struct {
		BounceType        string `json:"bounceType"`
		BounceSubType     string `json:"bounceSubType"`
		ReportingMTA      string `json:"reportingMTA"`
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			Action         string `json:"action"`
			Status         string `json:"status"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint *struct {
		Recipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
	} `json:"complaint"`
	Delivery *struct {
		Recipients   []string `json:"recipients"`
		SMTPResponse string   `json:"smtpResponse"`
		RemoteMTAIP  string   `json:"remoteMtaIp"`
		ReportingMTA string   `json:"reportingMTA"`
	} `json:"delivery"`
}

// parseSES reads an Amazon SES notification out of the text, if it is one.
func parseSES(text string) ([]Recipient, bool) {
	i := strings.Index(text, "{")
	if i < 0 || !strings.Contains(text, "notificationType") && !strings.Contains(text, "eventType") {
		return nil, false
	}
	j := strings.LastIndex(text, "}")
	if j < i {
		return nil, false
	}
	var n sesNotification
	raw := text[i : j+1]
	if err := json.Unmarshal([]byte(raw), &n); err != nil {
		// Mail transport folded the long JSON lines: undo the folding.
		raw = strings.ReplaceAll(raw, "\n ", "")
		if err := json.Unmarshal([]byte(raw), &n); err != nil {
			return nil, false
		}
	}
	if n.Message != "" && n.Bounce == nil && n.Delivery == nil && n.Complaint == nil {
		var inner sesNotification
		if err := json.Unmarshal([]byte(n.Message), &inner); err != nil {
			return nil, false
		}
		n = inner
	}
	var recs []Recipient
	switch {
	case n.Bounce != nil:
		for _, b := range n.Bounce.BouncedRecipients {
			r := Recipient{Address: clean(strings.ToLower(b.EmailAddress), 255), Action: clean(strings.ToLower(b.Action), 20),
				ReportingMTA: typedValue(n.Bounce.ReportingMTA)}
			if r.Action == "" {
				r.Action = "failed"
			}
			r.Status = statusRE.FindString(b.Status)
			t, v := splitTyped(b.DiagnosticCode)
			r.DiagnosticType, r.Diagnostic = clean(strings.ToUpper(t), 20), v
			if r.Diagnostic == "" {
				r.Diagnostic = "Amazon SES: " + n.Bounce.BounceType + " " + n.Bounce.BounceSubType
			}
			recs = append(recs, r)
		}
	case n.Delivery != nil:
		for _, a := range n.Delivery.Recipients {
			r := Recipient{Address: clean(strings.ToLower(a), 255), Action: "delivered", RemoteMTA: clean(n.Delivery.RemoteMTAIP, 64),
				ReportingMTA: clean(n.Delivery.ReportingMTA, 255), DiagnosticType: "SMTP", Diagnostic: n.Delivery.SMTPResponse}
			r.Status = statusRE.FindString(n.Delivery.SMTPResponse)
			recs = append(recs, r)
		}
	case n.Complaint != nil:
		for _, a := range n.Complaint.Recipients {
			recs = append(recs, Recipient{Address: clean(strings.ToLower(a.EmailAddress), 255), Action: "", Reason: "feedback"})
		}
	}
	return recs, len(recs) > 0
}

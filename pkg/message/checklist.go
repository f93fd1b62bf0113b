package message

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dkim"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/rdns"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// Checklist statuses.
const (
	StatusPass    = "pass"
	StatusFail    = "fail"
	StatusUnknown = "unknown"
)

// Item is one requirement the large mailbox providers (Gmail, Yahoo,
// Outlook.com) apply to a message.
type Item struct {
	Requirement string `json:"requirement"`
	// Applies: "all senders" or "bulk senders".
	Applies string `json:"applies"`
	// Status: pass, fail or unknown (the evidence cannot tell).
	Status string `json:"status"`
	Detail string `json:"detail"`
	Ref    string `json:"ref,omitempty"`
}

// ChecklistData is Section.Data of the "message.checklist" section.
type ChecklistData struct {
	// Bulk says whether the message looks like bulk mail (List-Unsubscribe,
	// List-Id, Precedence: bulk or list, Feedback-ID), and why.
	Bulk      bool   `json:"bulk"`
	BulkSigns string `json:"bulk_signs,omitempty"`
	Items     []Item `json:"items"`
	// RDNS is the reverse DNS evidence for the sending address.
	RDNS *rdns.Result `json:"rdns,omitempty"`
}

func checklist(ctx context.Context, env check.Env, m *Message, hops []Hop, b Boundary, clientIP string, dm DMARCData, dk *dkim.MessageData) report.Section {
	cd := &ChecklistData{Items: []Item{}}
	var fs []report.Finding
	add := func(req, applies, status, detail, ref string) {
		cd.Items = append(cd.Items, Item{Requirement: req, Applies: applies, Status: status, Detail: detail, Ref: ref})
	}
	all, bulk := "all senders", "bulk senders"

	// RFC 5322 §3.6: exactly one From and one Date; Message-ID is SHOULD
	// there, but Gmail and Outlook.com require it.
	for _, f := range []struct {
		name string
		def  report.Definition
	}{{"From", FromCount}, {"Date", DateMissing}, {"Message-ID", MessageIDMissing}} {
		n := len(m.Values(f.name))
		if n == 1 {
			add("Exactly one "+f.name+" field", all, StatusPass, "present once", "RFC 5322 §3.6")
			continue
		}
		detail := fmt.Sprintf("the message has %d %s fields", n, f.name)
		add("Exactly one "+f.name+" field", all, StatusFail, detail, "RFC 5322 §3.6")
		fs = append(fs, f.def.New(fmt.Sprintf("The message has %d %s fields; RFC 5322 §3.6 requires exactly one, and Gmail and Outlook.com reject or junk mail that breaks it.", n, f.name),
			fmt.Sprintf("Configure the sending software to write exactly one %s field.", f.name)))
	}

	// From aligned (DMARC pass).
	switch dm.Result {
	case "pass":
		via := "SPF"
		if dm.DKIMAligned {
			via = "DKIM (d=" + dm.DKIMDomain + ")"
		}
		add("From aligned with SPF or DKIM", all, StatusPass, "aligned through "+via, "RFC 9989 §4.4")
	case "fail":
		add("From aligned with SPF or DKIM", all, StatusFail, dm.Reason, "RFC 9989 §4.4")
	case "none":
		st, detail := StatusFail, "no SPF or DKIM pass aligned with the From domain"
		if dm.SPFAligned || dm.DKIMAligned {
			st, detail = StatusPass, "aligned (relaxed), though no DMARC record is published"
		}
		add("From aligned with SPF or DKIM", all, st, detail, "RFC 9989 §4.4")
	default:
		add("From aligned with SPF or DKIM", all, StatusUnknown, dm.Reason, "RFC 9989 §4.4")
	}
	switch dm.Result {
	case "none":
		add("DMARC policy published for the From domain", bulk, StatusFail, dm.Reason, "RFC 9989 §4.10")
	case "temperror", "permerror":
		if dm.PolicyDomain == "" {
			add("DMARC policy published for the From domain", bulk, StatusUnknown, dm.Reason, "RFC 9989 §4.10")
			break
		}
		fallthrough
	default:
		add("DMARC policy published for the From domain", bulk, StatusPass, fmt.Sprintf("p=%s at _dmarc.%s", orDash(dm.Policy), dm.PolicyDomain), "RFC 9989 §4.10")
	}

	// Bulk mail: one-click unsubscription (RFC 8058).
	var signs []string
	for _, n := range []string{"List-Unsubscribe", "List-Id", "Feedback-ID"} {
		if len(m.Values(n)) > 0 {
			signs = append(signs, n)
		}
	}
	if p := strings.ToLower(m.First("Precedence")); p == "bulk" || p == "list" {
		signs = append(signs, "Precedence: "+p)
	}
	cd.Bulk, cd.BulkSigns = len(signs) > 0, strings.Join(signs, ", ")
	lu, lup := m.First("List-Unsubscribe"), m.First("List-Unsubscribe-Post")
	switch {
	case lu == "" && !cd.Bulk:
		add("List-Unsubscribe with an https URI", bulk, StatusUnknown, "no List-Unsubscribe; required only if this is bulk mail, which the headers do not show", "RFC 8058 §3.1")
	case lu == "":
		add("List-Unsubscribe with an https URI", bulk, StatusFail, "no List-Unsubscribe, yet the message looks like bulk mail ("+cd.BulkSigns+")", "RFC 8058 §3.1")
		fs = append(fs, ListUnsubMissing.New("The message looks like bulk mail ("+cd.BulkSigns+") but has no List-Unsubscribe field; Gmail and Yahoo require one-click unsubscription from bulk senders.",
			"Add List-Unsubscribe: <https://...> with a URL that unsubscribes on POST, and List-Unsubscribe-Post: List-Unsubscribe=One-Click; sign both with DKIM."))
	case !strings.Contains(strings.ToLower(lu), "<https://"):
		add("List-Unsubscribe with an https URI", bulk, StatusFail, "List-Unsubscribe has no <https://...> URI", "RFC 8058 §3.1")
		fs = append(fs, ListUnsubNoHTTPS.New("List-Unsubscribe has no https URI ("+clip(lu, 120)+"); one-click unsubscription (RFC 8058 §3.1) needs one, a mailto: alone is not enough for Gmail and Yahoo.",
			"Add an https URI to List-Unsubscribe that unsubscribes the recipient on a POST."))
	default:
		add("List-Unsubscribe with an https URI", bulk, StatusPass, clip(lu, 120), "RFC 8058 §3.1")
	}
	switch {
	case lu == "" && lup == "" && !cd.Bulk:
		add("List-Unsubscribe-Post: List-Unsubscribe=One-Click", bulk, StatusUnknown, "absent; required only for bulk mail", "RFC 8058 §3.1")
	case strings.EqualFold(strings.Join(strings.Fields(lup), ""), "List-Unsubscribe=One-Click"):
		add("List-Unsubscribe-Post: List-Unsubscribe=One-Click", bulk, StatusPass, "present", "RFC 8058 §3.1")
	default:
		detail := "absent"
		if lup != "" {
			detail = "is " + clip(lup, 80)
		}
		add("List-Unsubscribe-Post: List-Unsubscribe=One-Click", bulk, StatusFail, detail, "RFC 8058 §3.1")
		fs = append(fs, ListUnsubNoPost.New("List-Unsubscribe-Post "+detail+"; RFC 8058 §3.1 requires exactly List-Unsubscribe=One-Click for one-click unsubscription.",
			"Add the field List-Unsubscribe-Post: List-Unsubscribe=One-Click and sign it with DKIM."))
	}
	if lu != "" || lup != "" {
		st, detail := listUnsubSigned(dk, lu != "", lup != "")
		add("List-Unsubscribe fields covered by a valid DKIM signature", bulk, st, detail, "RFC 8058 §4")
	}

	// The sending address: forward-confirmed reverse DNS (RFC 8601 §3
	// iprev), which Gmail and Yahoo require of every sender.
	// The client the re-checks use: the boundary's, or --ip.
	if ip, err := netip.ParseAddr(clientIP); err == nil {
		sec := rdns.Check(ctx, env, dnsname.Domain{}, rdns.Options{Targets: []rdns.Target{{Addr: ip, Role: rdns.RoleSending}}})
		fs = append(fs, sec.Findings...)
		if d, ok := sec.Data.(*rdns.Data); ok && len(d.Addrs) > 0 {
			r := d.Addrs[0]
			cd.RDNS = &r
			switch {
			case r.FCrDNS:
				add("Sending address has forward-confirmed reverse DNS", all, StatusPass, fmt.Sprintf("%s -> %s -> %s", ip, r.Confirmed, ip), "RFC 8601 §3")
			case r.Error != "":
				add("Sending address has forward-confirmed reverse DNS", all, StatusUnknown, r.Error, "RFC 8601 §3")
			default:
				add("Sending address has forward-confirmed reverse DNS", all, StatusFail, fmt.Sprintf("%s has PTR %s, none resolving back to it", ip, orDash(strings.Join(r.PTR, ", "))), "RFC 8601 §3")
			}
		}
	} else {
		add("Sending address has forward-confirmed reverse DNS", all, StatusUnknown, "no sending address found at the boundary", "RFC 8601 §3")
	}

	// TLS on the hop into the receiver (RFC 3848 with-protocols).
	var bh *Hop
	for i := range hops {
		if hops[i].Index == b.Hop {
			bh = &hops[i]
		}
	}
	switch {
	case bh == nil:
		add("TLS on the hop into the receiver", all, StatusUnknown, "no boundary hop", "RFC 3848")
	case bh.TLS == nil:
		add("TLS on the hop into the receiver", all, StatusUnknown, fmt.Sprintf("Received field %d does not say (with %s)", bh.Index, orDash(bh.With)), "RFC 3848")
	case *bh.TLS:
		add("TLS on the hop into the receiver", all, StatusPass, fmt.Sprintf("with %s %s", bh.With, bh.TLSDetail), "RFC 3848")
	default:
		add("TLS on the hop into the receiver", all, StatusFail, fmt.Sprintf("Received field %d says with %s, not ESMTPS", bh.Index, bh.With), "RFC 3848")
		fs = append(fs, TLSMissing.New(fmt.Sprintf("Received field %d shows the message arrived with %s from %s, without TLS; Gmail marks such mail as not encrypted and requires TLS of bulk senders.", bh.Index, bh.With, orDash(bh.FromIP)),
			"Turn on STARTTLS (opportunistic TLS) for outbound mail on the sending server."))
	}

	report.SortFindings(fs)
	if fs == nil {
		fs = []report.Finding{}
	}
	sec := report.Section{Check: "message.checklist", Title: "Mailbox provider requirements", Findings: fs, Data: cd}
	sec.Status = report.StatusOf(fs)
	pass, fail := 0, 0
	rows := [][]string{}
	for _, it := range cd.Items {
		switch it.Status {
		case StatusPass:
			pass++
		case StatusFail:
			fail++
		}
		rows = append(rows, []string{it.Status, it.Requirement, it.Applies, it.Detail})
	}
	sec.Summary = report.Lit(fmt.Sprintf("%d of %d requirements met, %d failed", pass, len(cd.Items), fail))
	sec.Display.Tables = []report.Table{{Title: report.Lit("Requirements"), Columns: report.Lits("Status", "Requirement", "Applies to", "Detail"), Rows: report.LitRows(rows)}}
	return sec
}

// listUnsubSigned: RFC 8058 §4 wants List-Unsubscribe and
// List-Unsubscribe-Post covered by a valid DKIM signature. A signature
// whose header part verifies but whose body is missing counts as covering
// them: h= and b= are what protect those fields.
func listUnsubSigned(dk *dkim.MessageData, lu, lup bool) (string, string) {
	if dk == nil || len(dk.Signatures) == 0 {
		return StatusFail, "the message has no DKIM signature"
	}
	var need []string
	if lu {
		need = append(need, "list-unsubscribe")
	}
	if lup {
		need = append(need, "list-unsubscribe-post")
	}
	for _, s := range dk.Signatures {
		valid := s.Result == dkim.ResultPass || (s.Result == dkim.ResultNeutral && s.HeaderSignatureOK != nil && *s.HeaderSignatureOK)
		if !valid {
			continue
		}
		ok := true
		for _, n := range need {
			found := false
			for _, h := range s.SignedHeaders {
				found = found || strings.EqualFold(h, n)
			}
			ok = ok && found
		}
		if ok {
			return StatusPass, fmt.Sprintf("signed by d=%s s=%s", s.Domain, s.Selector)
		}
	}
	return StatusFail, "no valid DKIM signature lists " + strings.Join(need, " and ") + " in h="
}

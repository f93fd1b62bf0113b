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
	// ID names the requirement (from.count, list_unsubscribe.https...),
	// the same in every language.
	ID          string     `json:"id"`
	Requirement report.Msg `json:"requirement"`
	// Applies: all senders or bulk senders (AppliesBulk), in words.
	Applies     report.Msg `json:"applies"`
	AppliesBulk bool       `json:"applies_bulk"`
	// Status: pass, fail or unknown (the evidence cannot tell).
	Status string     `json:"status"`
	Detail report.Msg `json:"detail"`
	Ref    string     `json:"ref,omitempty"`
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
	// add records requirement id (words message.req.<id>, with p) for all
	// senders or bulk senders only, and its detail message.detail.<key>.
	add := func(id string, p report.Params, bulk bool, status string, detail report.Msg, ref string) {
		applies := report.T("message.applies.all", nil)
		if bulk {
			applies = report.T("message.applies.bulk", nil)
		}
		key := "message.req." + strings.ReplaceAll(id, ".", "_")
		if strings.HasSuffix(id, ".count") {
			key = "message.req.one_field" // the field is a parameter
		}
		cd.Items = append(cd.Items, Item{ID: id, Requirement: report.T(key, p), Applies: applies, AppliesBulk: bulk,
			Status: status, Detail: detail, Ref: ref})
	}
	detail := func(key string, p report.Params) report.Msg { return report.T("message.detail."+key, p) }
	const all, bulk = false, true

	// RFC 5322 §3.6: exactly one From and one Date; Message-ID is SHOULD
	// there, but Gmail and Outlook.com require it.
	for _, f := range []struct {
		id, name string
		def      report.Definition
	}{{"from.count", "From", FromCount}, {"date.count", "Date", DateMissing}, {"message_id.count", "Message-ID", MessageIDMissing}} {
		n := len(m.Values(f.name))
		p := report.Params{"field": f.name}
		if n == 1 {
			add(f.id, p, all, StatusPass, detail("present_once", nil), "RFC 5322 §3.6")
			continue
		}
		fp := report.Params{"field": f.name, "count": n}
		add(f.id, p, all, StatusFail, detail("field_count", fp), "RFC 5322 §3.6")
		fs = append(fs, f.def.With(fp))
	}

	// From aligned (DMARC pass).
	switch dm.Result {
	case "pass":
		if dm.DKIMAligned {
			add("from.aligned", nil, all, StatusPass, detail("aligned_dkim", report.Params{"domain": dm.DKIMDomain}), "RFC 9989 §4.4")
		} else {
			add("from.aligned", nil, all, StatusPass, detail("aligned_spf", nil), "RFC 9989 §4.4")
		}
	case "fail":
		add("from.aligned", nil, all, StatusFail, dm.Reason, "RFC 9989 §4.4")
	case "none":
		if dm.SPFAligned || dm.DKIMAligned {
			add("from.aligned", nil, all, StatusPass, detail("aligned_no_dmarc", nil), "RFC 9989 §4.4")
		} else {
			add("from.aligned", nil, all, StatusFail, detail("not_aligned", nil), "RFC 9989 §4.4")
		}
	default:
		add("from.aligned", nil, all, StatusUnknown, dm.Reason, "RFC 9989 §4.4")
	}
	switch dm.Result {
	case "none":
		add("dmarc.policy", nil, bulk, StatusFail, dm.Reason, "RFC 9989 §4.10")
	case "temperror", "permerror":
		if dm.PolicyDomain == "" {
			add("dmarc.policy", nil, bulk, StatusUnknown, dm.Reason, "RFC 9989 §4.10")
			break
		}
		fallthrough
	default:
		add("dmarc.policy", nil, bulk, StatusPass, detail("policy_at", report.Params{"policy": orDash(dm.Policy), "domain": dm.PolicyDomain}), "RFC 9989 §4.10")
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
	oneClick := report.Params{"value": "List-Unsubscribe-Post: List-Unsubscribe=One-Click"} // the field as RFC 8058 §3.1 writes it
	switch {
	case lu == "" && !cd.Bulk:
		add("list_unsubscribe.https", nil, bulk, StatusUnknown, detail("lu_absent_not_bulk", nil), "RFC 8058 §3.1")
	case lu == "":
		add("list_unsubscribe.https", nil, bulk, StatusFail, detail("lu_absent_bulk", report.Params{"signs": cd.BulkSigns}), "RFC 8058 §3.1")
		fs = append(fs, ListUnsubMissing.With(report.Params{"signs": cd.BulkSigns}))
	case !strings.Contains(strings.ToLower(lu), "<https://"):
		add("list_unsubscribe.https", nil, bulk, StatusFail, detail("lu_no_https", nil), "RFC 8058 §3.1")
		fs = append(fs, ListUnsubNoHTTPS.With(report.Params{"value": clip(lu, 120)}))
	default:
		add("list_unsubscribe.https", nil, bulk, StatusPass, report.Lit(clip(lu, 120)), "RFC 8058 §3.1")
	}
	switch {
	case lu == "" && lup == "" && !cd.Bulk:
		add("list_unsubscribe.one_click", oneClick, bulk, StatusUnknown, detail("lup_absent_not_bulk", nil), "RFC 8058 §3.1")
	case strings.EqualFold(strings.Join(strings.Fields(lup), ""), "List-Unsubscribe=One-Click"):
		add("list_unsubscribe.one_click", oneClick, bulk, StatusPass, detail("present", nil), "RFC 8058 §3.1")
	case lup == "":
		add("list_unsubscribe.one_click", oneClick, bulk, StatusFail, detail("absent", nil), "RFC 8058 §3.1")
		fs = append(fs, ListUnsubNoPost.Alt("absent", nil))
	default:
		add("list_unsubscribe.one_click", oneClick, bulk, StatusFail, detail("lup_value", report.Params{"value": clip(lup, 80)}), "RFC 8058 §3.1")
		fs = append(fs, ListUnsubNoPost.With(report.Params{"value": clip(lup, 80)}))
	}
	if lu != "" || lup != "" {
		st, d := listUnsubSigned(dk, lu != "", lup != "")
		add("list_unsubscribe.signed", nil, bulk, st, d, "RFC 8058 §4")
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
				add("rdns.fcrdns", nil, all, StatusPass, report.Lit(fmt.Sprintf("%s -> %s -> %s", ip, r.Confirmed, ip)), "RFC 8601 §3")
			case r.Error != "":
				// pkg/rdns's finding in this section words the error.
				add("rdns.fcrdns", nil, all, StatusUnknown, detail("rdns_error", nil), "RFC 8601 §3")
			default:
				add("rdns.fcrdns", nil, all, StatusFail, detail("ptr_not_confirmed", report.Params{"ip": ip.String(), "ptr": orDash(strings.Join(r.PTR, ", "))}), "RFC 8601 §3")
			}
		}
	} else {
		add("rdns.fcrdns", nil, all, StatusUnknown, detail("no_sending_address", nil), "RFC 8601 §3")
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
		add("tls.inbound", nil, all, StatusUnknown, detail("no_boundary_hop", nil), "RFC 3848")
	case bh.TLS == nil:
		add("tls.inbound", nil, all, StatusUnknown, detail("tls_unsaid", report.Params{"hop": bh.Index, "with": orDash(bh.With)}), "RFC 3848")
	case *bh.TLS:
		add("tls.inbound", nil, all, StatusPass, report.Lit(strings.TrimSpace("with "+bh.With+" "+bh.TLSDetail)), "RFC 3848")
	default:
		add("tls.inbound", nil, all, StatusFail, detail("tls_plain", report.Params{"hop": bh.Index, "with": bh.With}), "RFC 3848")
		fs = append(fs, TLSMissing.With(report.Params{"hop": bh.Index, "with": bh.With, "ip": orDash(bh.FromIP)}))
	}

	report.SortFindings(fs)
	if fs == nil {
		fs = []report.Finding{}
	}
	sec := report.Section{Check: "message.checklist", Title: "Mailbox provider requirements", Findings: fs, Data: cd}
	sec.Status = report.StatusOf(fs)
	pass, fail := 0, 0
	var rows [][]report.Msg
	for _, it := range cd.Items {
		switch it.Status {
		case StatusPass:
			pass++
		case StatusFail:
			fail++
		}
		rows = append(rows, []report.Msg{report.T("message.status."+it.Status, nil), it.Requirement, it.Applies, it.Detail})
	}
	sec.Summary = report.T("message.summary.checklist", report.Params{"pass": pass, "count": len(cd.Items), "fail": fail})
	sec.Display.Tables = []report.Table{{Title: report.T("message.table.requirements", nil), Columns: cols("status", "requirement", "applies", "detail"), Rows: rows}}
	return sec
}

// listUnsubSigned: RFC 8058 §4 wants List-Unsubscribe and
// List-Unsubscribe-Post covered by a valid DKIM signature. A signature
// whose header part verifies but whose body is missing counts as covering
// them: h= and b= are what protect those fields.
func listUnsubSigned(dk *dkim.MessageData, lu, lup bool) (string, report.Msg) {
	if dk == nil || len(dk.Signatures) == 0 {
		return StatusFail, report.T("message.detail.no_dkim", nil)
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
			return StatusPass, report.T("message.detail.lu_signed", report.Params{"domain": s.Domain, "selector": s.Selector})
		}
	}
	return StatusFail, report.T("message.detail.lu_unsigned", report.Params{"fields": need})
}

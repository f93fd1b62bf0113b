package audit

import (
	"slices"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/rdns"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// Readiness builds the mailbox-provider sender requirements checklist
// from the sections. Each row passes, fails, or says it cannot be verified
// from DNS: it is reported beside the score and never folded into it a
// second time. The rows' words are in the catalogs (audit.ready.*).
//
// Gmail and Yahoo since February 2024, Outlook.com since May 2025:
// https://support.google.com/a/answer/81126, https://senders.yahooinc.com.
//
// The French mailbox providers, from their public documents:
//   - laposte.net, "Quelles sont les spécifications techniques à respecter
//     pour émettre des emails vers laposte.net"
//     (https://postmaster.laposte.net/contents/quelles-sont-les-specifications-techniques-a-respecter-pour-emettre-des-emails-vers-laposte-net):
//     a valid, consistent reverse DNS for every sending server; SPF checked,
//     mail from addresses SPF does not authorize rejected, and strict
//     rejection for an invalid or misleading SPF record; DKIM strongly
//     recommended; DMARC honoured, with at least p=none and a rua address
//     for domains not yet at a strict policy; mail with no SPF, DKIM nor
//     DMARC goes to the spam folder at best (enforced from September 2025).
//   - Orange, its postmaster page (presented at EMDay 2024, summarized at
//     https://mindbaz.com/actualites/postmaster-page-la-documentation-pour-expediteur-d-orange-disponible):
//     SPF mandatory; sending IPs and domains off blocklists; a static IP, a
//     valid HELO/EHLO name and TLS on the sending server.
//   - Free, http://postmaster.free.fr/: it blocks a sending IP on its own
//     real-time per-IP statistics (spam, errors), for at most 24 hours, and
//     publishes no DNS list of those blocks.
//   - SFR publishes no sender requirements that we found (Mindbaz's list of
//     mailbox providers' postmaster pages, github.com/Mindbaz/MSP_Postmaster_Links,
//     has none for SFR/Neuf either); it has no row.
func Readiness(sections []report.Section) []report.Readiness {
	get := func(check string) *report.Section {
		for i := range sections {
			if sections[i].Check == check {
				return &sections[i]
			}
		}
		return nil
	}
	spfState, spfWhy := spfUsable(get("spf"))
	dkimState, dkimWhy := dkimUsable(get("dkim"))
	dmarcState, dmarcWhy, rua := dmarcPublished(get("dmarc"))
	rdnsStatus, rdnsWhy := sendingPTRs(get("rdns"))
	rows := make([]report.Readiness, 0, readinessRows)
	add := func(req, applies, status string, detail report.Msg) {
		rows = append(rows, report.Readiness{Requirement: reqKeys.T(req, nil),
			Applies: appliesKeys.T(applies, nil), Status: status, Detail: detail})
	}
	pair := report.T("audit.ready.pair", report.Params{"first": spfWhy, "second": dkimWhy})
	lit := func(key string) report.Msg { return detailKeys.T(key, nil) }

	// Gmail, Yahoo, Outlook.com.
	add("auth_either", "all", either(spfState, dkimState), pair)
	add("auth_both", "bulk", both(spfState, dkimState), pair)
	add("dmarc", "bulk", status(dmarcState), dmarcWhy)
	add("alignment", "bulk", "unverifiable", lit("alignment"))
	add("fcrdns", "all", rdnsStatus, rdnsWhy)
	switch sec := get("smtp"); {
	case sec == nil || sec.Status == report.StatusUnknown || sec.Status == report.StatusSkipped:
		add("tls", "all", "unverifiable", lit("tls_unprobed"))
	case hasAny(sec, "smtp.starttls.missing", "smtp.starttls.failed"):
		add("tls", "all", "fail", lit("tls_missing"))
	default:
		add("tls", "all", "pass", lit("tls_ok"))
	}
	add("rfc5322", "all", "unverifiable", lit("per_message"))
	add("unsubscribe", "bulk", "unverifiable", lit("unsubscribe"))
	add("complaints", "all", "unverifiable", lit("complaints"))

	// laposte.net (La Poste).
	add("laposte_ptr", "laposte", rdnsStatus, rdnsWhy)
	add("laposte_spf", "laposte", status(spfState), spfWhy)
	add("laposte_any_auth", "laposte", anyOf(spfState, dkimState, dmarcState),
		report.T("audit.ready.triple", report.Params{"first": spfWhy, "second": dkimWhy, "third": dmarcWhy}))
	add("laposte_dkim", "laposte", status(dkimState), dkimWhy)
	switch {
	case dmarcState == yes && rua:
		add("laposte_dmarc_rua", "laposte", "pass", lit("rua_ok"))
	case dmarcState == yes:
		add("laposte_dmarc_rua", "laposte", "fail", lit("rua_missing"))
	default:
		add("laposte_dmarc_rua", "laposte", status(dmarcState), dmarcWhy)
	}

	// Orange.
	add("orange_spf", "orange", status(spfState), spfWhy)
	st, why := blocklists(get("dnsbl"))
	add("orange_blocklists", "orange", st, why)
	add("orange_session", "orange", "unverifiable", lit("orange_session"))

	// Free.
	add("free_ip", "free", "unverifiable", lit("free_ip"))
	return rows
}

// readinessRows is how many rows Readiness makes.
const readinessRows = 18

// The catalog keys of the rows' words, made once (report.Keys): every
// report has the same eighteen rows, and joining their keys was most of
// Readiness's allocations.
var (
	reqKeys     = report.NewKeys("audit.ready.req.")
	appliesKeys = report.NewKeys("audit.ready.applies.")
	detailKeys  = report.NewKeys("audit.ready.detail.")
)

// status is a row's status for a single requirement.
func status(s state) string {
	switch s {
	case yes:
		return "pass"
	case no:
		return "fail"
	}
	return "unverifiable"
}

// anyOf: at least one of the mechanisms is in place.
func anyOf(ss ...state) string {
	all := true
	for _, s := range ss {
		if s == yes {
			return "pass"
		}
		all = all && s == no
	}
	if all {
		return "fail"
	}
	return "unverifiable"
}

// dmarcPublished: a DMARC policy applies to the domain (p=none at least),
// and whether it names a rua address for aggregate reports.
func dmarcPublished(sec *report.Section) (state, report.Msg, bool) {
	if sec == nil || sec.Status == report.StatusUnknown {
		return unknown, report.T("audit.ready.detail.dmarc_unknown", nil), false
	}
	data, _ := sec.Data.(*dmarc.Data)
	if data == nil || data.EffectivePolicy == "" {
		return no, report.T("audit.ready.detail.dmarc_none", nil), false
	}
	rua := data.Record != nil && len(data.Record.RUA) > 0
	return yes, report.T("audit.ready.detail.dmarc_policy", report.Params{"policy": string(data.EffectivePolicy), "domain": data.PolicyDomain}), rua
}

// sendingPTRs judges forward-confirmed reverse DNS of the sending
// addresses.
func sendingPTRs(sec *report.Section) (string, report.Msg) {
	switch sending, confirmed, known := sendingRDNS(sec); {
	case sending == 0:
		return "unverifiable", report.T("audit.ready.detail.fcrdns_no_ip", nil)
	case confirmed == sending:
		return "pass", report.T("audit.ready.detail.fcrdns_ok", report.Params{"count": sending})
	case known < sending:
		return "unverifiable", report.T("audit.ready.detail.fcrdns_unknown", nil)
	default:
		return "fail", report.T("audit.ready.detail.fcrdns_missing", report.Params{"count": sending - confirmed, "total": sending})
	}
}

// blocklists: the sending addresses and the domain are on no blocklist
// the dnsbl check asked.
func blocklists(sec *report.Section) (string, report.Msg) {
	switch {
	case sec == nil || sec.Status == report.StatusUnknown || sec.Status == report.StatusSkipped:
		return "unverifiable", report.T("audit.ready.detail.dnsbl_unknown", nil)
	case hasAny(sec, "dnsbl.ip.listed.major", "dnsbl.ip.listed.minor", "dnsbl.ip.listed.pbl", "dnsbl.domain.listed"):
		return "fail", report.T("audit.ready.detail.dnsbl_listed", nil)
	}
	return "pass", report.T("audit.ready.detail.dnsbl_clean", nil)
}

// sendingRDNS counts the sending addresses (not MX-only ones) the rdns
// section checked, those with FCrDNS, and those whose lookups answered.
func sendingRDNS(sec *report.Section) (sending, confirmed, known int) {
	if sec == nil {
		return 0, 0, 0
	}
	data, ok := sec.Data.(*rdns.Data)
	if !ok {
		return 0, 0, 0
	}
	for _, r := range data.Addrs {
		if !slices.Contains(r.Roles, rdns.RoleSending) {
			continue
		}
		sending++
		if r.FCrDNS {
			confirmed++
		}
		if r.Error == "" {
			known++
		}
	}
	return sending, confirmed, known
}

type state int

const (
	unknown state = iota
	yes
	no
)

func spfUsable(sec *report.Section) (state, report.Msg) {
	switch {
	case sec == nil || sec.Status == report.StatusUnknown:
		return unknown, report.T("audit.ready.detail.spf_unknown", nil)
	case hasAny(sec, "spf.record.missing"):
		return no, report.T("audit.ready.detail.spf_missing", nil)
	case hasSeverity(sec, report.Critical):
		return no, report.T("audit.ready.detail.spf_broken", nil)
	default:
		return yes, report.T("audit.ready.detail.spf_ok", nil)
	}
}

func dkimUsable(sec *report.Section) (state, report.Msg) {
	switch {
	case sec == nil || sec.Status == report.StatusUnknown:
		return unknown, report.T("audit.ready.detail.dkim_unknown", nil)
	case sec.Status == report.StatusFail:
		return no, report.T("audit.ready.detail.dkim_broken", nil)
	default:
		return yes, report.T("audit.ready.detail.dkim_ok", nil)
	}
}

func either(a, b state) string {
	switch {
	case a == yes || b == yes:
		return "pass"
	case a == no && b == no:
		return "fail"
	default:
		return "unverifiable"
	}
}

func both(a, b state) string {
	switch {
	case a == yes && b == yes:
		return "pass"
	case a == no || b == no:
		return "fail"
	default:
		return "unverifiable"
	}
}

func hasAny(sec *report.Section, ids ...string) bool {
	for _, f := range sec.Findings {
		for _, id := range ids {
			if f.ID == id && !f.Inconclusive {
				return true
			}
		}
	}
	return false
}

func hasSeverity(sec *report.Section, min report.Severity) bool {
	for _, f := range sec.Findings {
		if !f.Inconclusive && f.Severity.AtLeast(min) && strings.HasPrefix(f.ID, sec.Check+".") {
			return true
		}
	}
	return false
}

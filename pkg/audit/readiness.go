package audit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/rdns"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// Readiness builds the mailbox-provider sender requirements checklist
// (Gmail and Yahoo since February 2024, Outlook.com since May 2025;
// https://support.google.com/a/answer/81126, https://senders.yahooinc.com)
// from the sections. Each row passes, fails, or says it
// cannot be verified from DNS: it is reported beside the score and never
// folded into it a second time.
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
	var rows []report.Readiness
	add := func(req, applies, status, detail string) {
		rows = append(rows, report.Readiness{Requirement: report.Lit(req), Applies: report.Lit(applies), Status: status, Detail: report.Lit(detail)})
	}

	add("SPF or DKIM authenticates the domain", "all senders", either(spfState, dkimState), spfWhy+"; "+dkimWhy)
	add("SPF and DKIM both set up", "bulk senders", both(spfState, dkimState), spfWhy+"; "+dkimWhy)

	switch sec := get("dmarc"); {
	case sec == nil || sec.Status == report.StatusUnknown:
		add("DMARC policy published (p=none at least)", "bulk senders", "unverifiable", "the DMARC lookup did not answer")
	default:
		data, _ := sec.Data.(*dmarc.Data)
		if data != nil && data.EffectivePolicy != "" {
			add("DMARC policy published (p=none at least)", "bulk senders", "pass", fmt.Sprintf("policy %s at _dmarc.%s", data.EffectivePolicy, data.PolicyDomain))
		} else {
			add("DMARC policy published (p=none at least)", "bulk senders", "fail", "no valid DMARC record")
		}
	}

	add("From domain aligned with SPF or DKIM", "bulk senders", "unverifiable",
		"alignment is a property of each message: check a sample with mailcheck dkim --message")

	const fcrdns = "Sending IPs have forward-confirmed reverse DNS"
	switch sending, confirmed, known := sendingRDNS(get("rdns")); {
	case sending == 0:
		add(fcrdns, "all senders", "unverifiable", "no sending address known: pass --ip (or name the senders in SPF with ip4:/ip6:)")
	case confirmed == sending:
		add(fcrdns, "all senders", "pass", fmt.Sprintf("all %d sending addresses have a PTR that resolves back to them", sending))
	case known < sending:
		add(fcrdns, "all senders", "unverifiable", "a reverse or forward lookup did not answer")
	default:
		add(fcrdns, "all senders", "fail", fmt.Sprintf("%d of %d sending addresses lack a PTR that resolves back to them", sending-confirmed, sending))
	}

	switch sec := get("smtp"); {
	case sec == nil || sec.Status == report.StatusUnknown || sec.Status == report.StatusSkipped:
		add("TLS for transmission (STARTTLS on the MX hosts)", "all senders", "unverifiable", "the MX hosts were not probed from this machine")
	case hasAny(sec, "smtp.starttls.missing", "smtp.starttls.failed"):
		add("TLS for transmission (STARTTLS on the MX hosts)", "all senders", "fail", "an MX host does not offer working STARTTLS")
	default:
		add("TLS for transmission (STARTTLS on the MX hosts)", "all senders", "pass", "the MX hosts probed offer STARTTLS")
	}

	add("Messages conform to RFC 5322", "all senders", "unverifiable", "a property of each message")
	add("One-click unsubscribe (RFC 8058)", "bulk senders", "unverifiable", "a property of each marketing message: List-Unsubscribe and List-Unsubscribe-Post, DKIM-signed")
	add("Spam complaint rate below 0.3%", "all senders", "unverifiable", "visible only in Google Postmaster Tools, Yahoo and Microsoft SNDS")
	return rows
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

func spfUsable(sec *report.Section) (state, string) {
	switch {
	case sec == nil || sec.Status == report.StatusUnknown:
		return unknown, "SPF could not be checked"
	case hasAny(sec, "spf.record.missing"):
		return no, "no SPF record"
	case hasSeverity(sec, report.Critical):
		return no, "SPF evaluates to permerror or lets anyone pass"
	default:
		return yes, "SPF record usable"
	}
}

func dkimUsable(sec *report.Section) (state, string) {
	switch {
	case sec == nil || sec.Status == report.StatusUnknown:
		return unknown, "no DKIM key found under the selectors tried (pass --selector)"
	case sec.Status == report.StatusFail:
		return no, "DKIM keys found are unusable"
	default:
		return yes, "DKIM key published"
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

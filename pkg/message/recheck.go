package message

import (
	"context"
	"net/mail"
	"net/netip"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/pkg/arc"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dkim"
	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/spf"
)

// Where an input of a re-check came from.
const (
	SourceFlag       = "flag"        // --ip, --helo, --sender
	SourceBoundary   = "boundary"    // the boundary Received field
	SourceReturnPath = "return-path" // the Return-Path field
	SourceMissing    = "missing"     // nowhere
)

// SPFData is the SPF re-check: check_host() (RFC 7208 §4) for the
// boundary client.
type SPFData struct {
	IP           string `json:"ip,omitempty"`
	IPSource     string `json:"ip_source"`
	HELO         string `json:"helo,omitempty"`
	HELOSource   string `json:"helo_source"`
	Sender       string `json:"sender"`
	SenderSource string `json:"sender_source"`
	// Result is the RFC 8601 result; Evaluation the engine's evidence,
	// absent when there was no client address to check.
	Result     string          `json:"result"`
	Reason     report.Msg      `json:"reason,omitzero"`
	Evaluation *spf.Evaluation `json:"evaluation,omitempty"`
}

func recheckSPF(ctx context.Context, env check.Env, in inputs, at time.Time) SPFData {
	d := SPFData{IP: in.ip, IPSource: in.ipSource, HELO: in.helo, HELOSource: in.heloSource, Sender: in.sender, SenderSource: in.senderSource}
	ip, err := netip.ParseAddr(in.ip)
	if err != nil {
		d.Result, d.Reason = string(spf.None), report.T("message.reason.spf.no_client", nil)
		return d
	}
	if in.sender == "" && in.helo == "" {
		d.Result, d.Reason = string(spf.None), report.T("message.reason.spf.no_identity", nil)
		return d
	}
	ev := spf.Evaluate(ctx, env.Resolver, spf.Query{IP: ip, Sender: in.sender, HELO: in.helo, Now: at})
	d.Evaluation = &ev
	d.Result = string(ev.Result)
	d.Reason = ev.Problem
	return d
}

// DMARCData is the DMARC re-check (RFC 9989): the policy for the From
// domain, identifier alignment, and what the policy asks for.
type DMARCData struct {
	FromDomain string `json:"from_domain,omitempty"`
	// Result: pass, fail, none (no policy), temperror, permerror, or
	// neutral when the body is missing and DKIM alone could decide.
	Result string     `json:"result"`
	Reason report.Msg `json:"reason,omitzero"`
	// PolicyDomain is where the record was found (RFC 9989 §4.10 tree
	// walk); Record its text.
	PolicyDomain string `json:"policy_domain,omitempty"`
	Record       string `json:"record,omitempty"`
	// OrgDomain is the From domain's organizational domain (RFC 9989
	// §4.10.2).
	OrgDomain string `json:"org_domain,omitempty"`
	// Policy is the policy that applies (p, sp or np, PolicySource says);
	// Disposition what the receiver is asked to do with this message:
	// none when it passes, else the policy (one step milder with t=y).
	Policy       string `json:"policy,omitempty"`
	PolicySource string `json:"policy_source,omitempty"`
	Testing      bool   `json:"testing,omitempty"`
	Disposition  string `json:"disposition,omitempty"`
	// SPFAligned and DKIMAligned: a passing identifier aligned with From
	// under aspf/adkim (RFC 9989 §4.4); DKIMDomain the d= that aligned.
	SPFDomain   string `json:"spf_domain,omitempty"`
	SPFAligned  bool   `json:"spf_aligned"`
	DKIMAligned bool   `json:"dkim_aligned"`
	DKIMDomain  string `json:"dkim_domain,omitempty"`
	ASPF        string `json:"aspf,omitempty"`
	ADKIM       string `json:"adkim,omitempty"`
}

// fromDomain returns the domain of the single From field, or why there is
// none to judge (RFC 9989 §4.4: DMARC needs exactly one author domain).
func fromDomain(m *Message) (dnsname.Domain, report.Msg) {
	froms := m.Values("From")
	if len(froms) != 1 {
		return dnsname.Domain{}, report.T("message.reason.dmarc.from_count", report.Params{"count": len(froms)})
	}
	list, err := mail.ParseAddressList(froms[0])
	var addr string
	switch {
	case err == nil && len(list) == 1:
		addr = list[0].Address
	case err == nil:
		domains := map[string]bool{}
		for _, a := range list {
			domains[strings.ToLower(a.Address[strings.LastIndexByte(a.Address, '@')+1:])] = true
		}
		if len(domains) > 1 {
			return dnsname.Domain{}, report.T("message.reason.dmarc.from_domains", nil)
		}
		addr = list[0].Address
	default:
		if i := strings.LastIndexByte(froms[0], '<'); i >= 0 {
			addr = strings.TrimSuffix(strings.TrimSpace(froms[0][i+1:]), ">")
		} else {
			addr = strings.TrimSpace(froms[0])
		}
	}
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return dnsname.Domain{}, report.T("message.reason.dmarc.from_no_domain", report.Params{"from": clip(froms[0], 80)})
	}
	d, err := dnsname.ParseAny(strings.TrimRight(addr[at+1:], "> "))
	if err != nil {
		return dnsname.Domain{}, report.T("message.reason.dmarc.from_bad_domain", report.Params{"domain": clip(addr[at+1:], 80), "error": check.ErrMsg(err)})
	}
	return d, report.Msg{}
}

func recheckDMARC(ctx context.Context, env check.Env, m *Message, spfd SPFData, dk *dkim.MessageData) DMARCData {
	from, why := fromDomain(m)
	if from.IsZero() {
		return DMARCData{Result: "permerror", Reason: why}
	}
	d := DMARCData{FromDomain: from.String()}
	disc := dmarc.Discover(ctx, env.Resolver, from)
	d.OrgDomain = disc.OrgDomain
	if d.OrgDomain == "" {
		d.OrgDomain = dnsname.OrganizationalPSL(from).String()
	}
	for _, s := range disc.Steps {
		if s.Result == "error" {
			if dmarc.AboveOwner(from, s) {
				continue // a public suffix's name: it cannot hide the domain's policy
			}
			d.Result, d.Reason = "temperror", report.T("message.reason.dmarc.dns", report.Params{"domain": s.Domain, "error": stepError(s)})
			return d
		}
		if s.Result == "record" || s.Result == "multiple" || s.Result == "invalid" {
			break
		}
	}
	noRecord := disc.Found < 0
	if noRecord {
		// No policy: DMARC's result is none, but alignment (relaxed, the
		// default) is still worked out for the checklist.
		d.ASPF, d.ADKIM = "r", "r"
	} else {
		step := disc.Steps[disc.Found]
		d.PolicyDomain = step.Domain
		switch step.Result {
		case "multiple":
			d.Result, d.Reason = "permerror", report.T("message.reason.dmarc.multiple", report.Params{"domain": step.Domain})
			return d
		case "invalid":
			d.Result, d.Reason = "permerror", report.T("message.reason.dmarc.invalid", report.Params{"domain": step.Domain})
			return d
		}
		var rec *dmarc.Record
		for _, t := range step.TXT {
			if dmarc.IsCandidate(t) {
				if r, err := dmarc.Parse(t); err == nil {
					rec, d.Record = r, t
				}
			}
		}
		if rec == nil {
			d.Result, d.Reason = "permerror", report.T("message.reason.dmarc.invalid", report.Params{"domain": step.Domain})
			return d
		}
		d.ASPF, d.ADKIM = orDefault(rec.ASPF, "r"), orDefault(rec.ADKIM, "r")
		d.Testing = rec.Testing
		// Policy (RFC 9989 §4.7): p for the domain that published it, sp
		// for its subdomains, np for subdomains that do not exist.
		switch {
		case step.Domain == from.String():
			d.Policy, d.PolicySource = string(rec.EffectivePolicy()), "p"
		default:
			ex := dmarc.CheckExistence(ctx, env.Resolver, from)
			if ex.Known && !ex.Exists {
				d.Policy, d.PolicySource = string(rec.EffectiveNonexistentPolicy()), "np"
			} else {
				d.Policy, d.PolicySource = string(rec.EffectiveSubdomainPolicy()), "sp"
			}
		}
	}

	// Organizational domains (RFC 9989 §4.10.2) from the tree walk; when
	// a name above the policy cannot be asked (a DNS error, or offline
	// zone files that stop at the domain), the Public Suffix List's
	// answer (RFC 7489 §3.2) stands in, as most receivers still use it.
	orgOf := map[string]string{}
	org := func(s string) (string, bool) {
		if v, ok := orgOf[s]; ok {
			return v, v != ""
		}
		dd, err := dnsname.ParseAny(s)
		if err != nil {
			return "", false
		}
		o := disc.OrgDomain
		if s != from.String() {
			o = dmarc.Discover(ctx, env.Resolver, dd).OrgDomain
		}
		if o == "" {
			o = dnsname.OrganizationalPSL(dd).String()
		}
		orgOf[s] = o
		return o, o != ""
	}
	aligned := func(id, mode string) (bool, bool) {
		id = strings.ToLower(strings.TrimSuffix(id, "."))
		if id == from.String() {
			return true, true
		}
		if mode == "s" {
			return false, true
		}
		a, ok1 := org(id)
		b, ok2 := org(from.String())
		if !ok1 || !ok2 {
			return false, false // a DNS error: alignment undecided
		}
		return a == b, true
	}
	undecided := false
	// SPF (RFC 9989 §4.4.2): the MAIL FROM domain (the HELO domain for a
	// null sender, RFC 7208 §2.4) when SPF passed.
	d.SPFDomain = spfDomain(spfd)
	if spfd.Result == string(spf.Pass) && d.SPFDomain != "" {
		ok, known := aligned(d.SPFDomain, d.ASPF)
		d.SPFAligned = ok
		undecided = undecided || !known
	}
	neutral := false
	if dk != nil {
		for _, s := range dk.Signatures {
			switch s.Result {
			case dkim.ResultPass:
				ok, known := aligned(s.Domain, d.ADKIM)
				undecided = undecided || !known
				if ok && !d.DKIMAligned {
					d.DKIMAligned, d.DKIMDomain = true, s.Domain
				}
			case dkim.ResultNeutral:
				// Undecided only when the body was missing; an expired
				// signature is neutral too, and decides nothing.
				if s.HeaderSignatureOK == nil || !*s.HeaderSignatureOK {
					continue
				}
				if ok, _ := aligned(s.Domain, d.ADKIM); ok {
					neutral = true
				}
			}
		}
	}
	switch {
	case noRecord:
		d.Result, d.Reason = "none", report.T("message.reason.dmarc.none", report.Params{"domain": from.String()})
	case d.SPFAligned || d.DKIMAligned:
		d.Result = "pass"
		d.Disposition = "none"
	case neutral:
		d.Result, d.Reason = "neutral", report.T("message.reason.dmarc.no_body", nil)
	case undecided:
		d.Result, d.Reason = "temperror", report.T("message.reason.dmarc.org_unknown", nil)
	default:
		d.Result = "fail"
		d.Reason = report.T("message.reason.dmarc.not_aligned", report.Params{"domain": from.String()})
		d.Disposition = d.Policy
		if d.Testing {
			// RFC 9989 §4.7 t=y: reject is applied as quarantine,
			// quarantine as none.
			switch d.Policy {
			case "reject":
				d.Disposition = "quarantine"
			case "quarantine":
				d.Disposition = "none"
			}
		}
	}
	return d
}

func spfDomain(s SPFData) string {
	if s.Evaluation != nil {
		return s.Evaluation.Domain
	}
	if i := strings.LastIndexByte(s.Sender, '@'); i >= 0 {
		return strings.ToLower(s.Sender[i+1:])
	}
	return strings.ToLower(s.HELO)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ARCData is the ARC re-check (RFC 8617 §5.2); Section.Data of
// "message.arc" is its arc.Result.
type ARCData = arc.Result

func recheckARC(ctx context.Context, env check.Env, m *Message) ARCData {
	return arc.ValidateFields(ctx, env.Resolver, m.Fields, m.Body, arc.Options{HeadersOnly: m.HeadersOnly})
}

// arcResult maps the chain state to RFC 8601's arc method results (RFC
// 8617 §4.4); a pass whose body could not be checked is neutral.
func arcResult(a ARCData) string {
	if a.CV == arc.Pass && a.BodyUnchecked {
		return "neutral"
	}
	return a.CV
}

// stepError is a discovery step's error as words (pkg/dmarc keeps the
// error itself beside its English text).
func stepError(s dmarc.Step) report.Msg {
	if s.Err != nil {
		return check.ErrMsg(s.Err)
	}
	return report.Lit(s.Error)
}

// arcWhy is why the chain failed or could not be checked, in words
// (pkg/arc's), else its English evidence.
func arcWhy(a ARCData) report.Msg {
	if !a.Why.IsZero() {
		return a.Why
	}
	return report.Lit(orDash(a.Reason))
}

package bounce

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// providerCode is a code a mailbox provider really sends, with what it
// means (the words are in the catalogs, under bounce.provider.<key>). The
// meanings are the providers' own published ones, stable for years: Gmail's
// and Microsoft's support pages, Yahoo's postmaster pages, Orange's
// postmaster page (postmaster.orange.fr), Free's (postmaster.free.fr), and
// the code lists of La Poste (LPNxxx_yyy) and SFR (SFR_IN_xyy) that the
// French deliverability community publishes from them.
type providerCode struct {
	re       *lazyRE
	provider string
	// code is the code shown; "*" shows the text the pattern matched (the
	// exact OFR, LPN or SFR_IN code), "" marks the provider's servers
	// recognized without a code that explains them.
	code   string
	reason string // the reason it implies, "" to keep the classifier's
	key    string // the catalog message: bounce.provider.<key>
	// next: the provider says what to do (wait out a block of known
	// length), bounce.next.provider.<key>, instead of the reason's step.
	next bool
}

var providerCodes = []providerCode{
	{lazy(`5\.7\.26`), "Gmail", "550 5.7.26", "authfailure", "gmail.5_7_26", false},
	{lazy(`5\.7\.25`), "Gmail", "550 5.7.25", "requireptr", "gmail.5_7_25", false},
	{lazy(`4\.7\.28|5\.7\.28`), "Gmail", "421 4.7.28", "speeding", "gmail.4_7_28", false},
	{lazy(`(?i)\bS3150\b`), "Microsoft", "S3150", "blocked", "microsoft.s3150", false},
	{lazy(`(?i)\bS3140\b`), "Microsoft", "S3140", "blocked", "microsoft.s3140", false},
	{lazy(`\b(?:SC|DY|OU)-00[1-9]\b`), "Microsoft", "*", "blocked", "microsoft.sc", false},
	{lazy(`5\.7\.515`), "Microsoft", "550 5.7.515", "authfailure", "microsoft.5_7_515", false},
	{lazy(`5\.7\.509`), "Microsoft", "550 5.7.509", "authfailure", "microsoft.5_7_509", false},
	{lazy(`5\.7\.(?:606|607|608|708)`), "Microsoft", "5.7.606", "blocked", "microsoft.5_7_606", false},
	{lazy(`(?i)RecipientNotFound|RESOLVER\.ADR\.Recip`), "Microsoft", "5.1.10", "userunknown", "microsoft.5_1_10", false},
	{lazy(`(?i)\bTSS04\b`), "Yahoo", "TSS04", "", "yahoo.tss04", false},
	{lazy(`(?i)\bTSS09\b`), "Yahoo", "TSS09", "blocked", "yahoo.tss09", false},
	{lazy(`(?i)\bTSS0[1-3]\b|\bTS0[1-3]\b`), "Yahoo", "TS01", "", "yahoo.ts01", false},

	// Orange (orange.fr, wanadoo.fr): every refusal ends with an OFR code,
	// OFR_nnn or OFRccc_nnn, whose last three digits name the rule
	// (postmaster.orange.fr lists them); the texts are bilingual.
	{lazy(`(?i)\bOFR(?:\d{3})?_416\b`), "Orange", "*", "userunknown", "orange.416", false},
	{lazy(`(?i)\bOFR(?:\d{3})?_506\b`), "Orange", "*", "spamdetected", "orange.506", false},
	{lazy(`(?i)\bOFR(?:\d{3})?_104\b`), "Orange", "*", "toomanyconn", "orange.104", true},
	{lazy(`(?i)\bOFR(?:\d{3})?_102\b`), "Orange", "*", "blocked", "orange.102", true},
	{lazy(`(?i)\bOFR(?:\d{3})?_999\b`), "Orange", "*", "", "orange.999", true},
	{lazy(`(?i)\bOFR(?:\d{3})?_(?:105|108|505)\b`), "Orange", "*", "", "orange.refused", false},
	{lazy(`(?i)\bOFR(?:BL)?[0-9_]*\b|\bmwinf\w*|orange\.fr|wanadoo`), "Orange", "", "", "orange.generic", false},

	// La Poste (laposte.net): every refusal ends with LPNccc_nnn.
	{lazy(`\bLPN\d{3}_405\b`), "La Poste", "*", "rejected", "laposte.405", false},
	{lazy(`\bLPN\d{3}_416\b`), "La Poste", "*", "userunknown", "laposte.416", false},
	{lazy(`\bLPN\d{3}_510\b`), "La Poste", "*", "spamdetected", "laposte.510", false},
	{lazy(`\bLPN\d{3}_517\b`), "La Poste", "*", "authfailure", "laposte.517", false},
	{lazy(`\bLPN\d{3}_503\b`), "La Poste", "*", "", "laposte.503", true},
	{lazy(`\bLPN\d{3}_\d+|(?i)laposte`), "La Poste", "", "", "laposte.generic", false},

	// SFR (sfr.fr, neuf.fr, club-internet.fr, numericable.fr...): SFR_IN_xyy,
	// the last two digits the cause; each blocks the sending IP for two hours.
	{lazy(`(?i)\bSFR_IN_\d01\b`), "SFR", "*", "blocked", "sfr.01", true},
	{lazy(`(?i)\bSFR_IN_\d02\b`), "SFR", "*", "blocked", "sfr.02", true},
	{lazy(`(?i)\bSFR_IN_\d03\b`), "SFR", "*", "blocked", "sfr.03", true},
	{lazy(`(?i)\bSFR_IN_\d04\b`), "SFR", "*", "blocked", "sfr.04", true},
	{lazy(`(?i)\bSFR_IN_\d05\b`), "SFR", "*", "speeding", "sfr.05", true},
	{lazy(`(?i)\bsfr\b|neufcegetel`), "SFR", "", "", "sfr.generic", false},

	// Free (free.fr, aliceadsl.fr): postmaster.free.fr explains its refusals.
	{lazy(`(?i)(?:free\.fr|\bproxad\b).{0,200}\bspam detected\b|\bspam detected\b.{0,200}(?:free\.fr|\bproxad\b)`), "Free", "550 spam detected", "spamdetected", "free.spam", false},
	{lazy(`(?i)free\.fr|\bproxad\b`), "Free", "", "", "free.generic", false},
}

// reasons are the reason names that have words (bounce.reason.<name>).
var reasons = []string{
	"userunknown", "mailboxfull", "filtered", "rejected", "blocked", "expired", "hostunknown",
	"authfailure", "policyviolation", "requireptr", "suspend", "spamdetected", "systemerror",
	"networkerror", "securityerror", "mailererror", "notaccept", "norelaying", "hasmoved",
	"toomanyconn", "contenterror", "mesgtoobig", "onhold", "vacation", "delivered",
	"badreputation", "notcompliantrfc", "undefined", "exceedlimit", "virusdetected",
	"syntaxerror", "speeding", "systemfull", "feedback",
}

// reasonMsg is what a reason means, in words.
func reasonMsg(reason string) report.Msg {
	if !slices.Contains(reasons, reason) {
		reason = "undefined"
	}
	return report.T("bounce.reason."+reason, nil)
}

// finish infers missing status codes, classifies each recipient and writes
// what to do next.
func finish(res *Result) *Result {
	if len(res.Recipients) > maxRecipients {
		// A real report names a handful; thousands is a list or an attack.
		res.Recipients, res.Truncated = res.Recipients[:maxRecipients], true
	}
	for i := range res.Recipients {
		r := &res.Recipients[i]
		r.Diagnostic = clean(joinReplyLines(r.Diagnostic), 1000)
		if r.ReplyCode == "" {
			r.ReplyCode = firstReply(r.Diagnostic)
		}
		if r.Action == "" && r.Reason != "feedback" {
			r.Action = "failed"
		}
		// The code the remote server itself answered is more exact than the
		// one the reporting MTA chose for its Status field (which is often
		// the generic x.0.0, or its own 4.4.7 for a timeout).
		if dc := failureFirst(replyThenStatus.FindAllStringSubmatch(r.Diagnostic, 50), 2); dc != nil && (r.Status == "" || r.Status[0] == dc[2][0] || dc[1][0] == dc[2][0] && r.Status[0] != '2' && dc[2][0] != '2') {
			r.Status = dc[2]
		} else if r.Status == "" || strings.HasSuffix(r.Status, ".0.0") {
			if c := firstStatus(r.Diagnostic); c != "" && (r.Status == "" || r.Status[0] == c[0]) {
				r.Status = c
			}
		}
		if r.ClientIP == "" {
			r.ClientIP = clientIP(r.Diagnostic, r.RemoteMTA)
		}
		classify(r)
		said := r.Diagnostic + " " + r.RemoteMTA
		var pc *providerCode
		for j := range providerCodes {
			m := providerCodes[j].re.FindString(said)
			if m == "" {
				continue
			}
			pc = &providerCodes[j]
			r.Provider, r.ProviderCode = pc.provider, pc.code
			if pc.code == "*" {
				r.ProviderCode = strings.ToUpper(m)
			}
			if pc.reason != "" && r.Reason != "delivered" {
				r.Reason = pc.reason
			}
			r.Explanation = report.T("bounce.provider."+pc.key, nil)
			if pc.code == "" {
				// A provider recognized but not a code it explains:
				// the reason's words, then what is known of its codes.
				r.Explanation = report.T("bounce.provider."+pc.key, report.Params{"reason": reasonMsg(r.Reason)})
			}
			break
		}
		if r.Explanation.Key == "" {
			r.Explanation = reasonMsg(r.Reason)
		}
		if r.Status == "" && r.Reason != "feedback" && r.Reason != "vacation" {
			// No RFC 3463 code: the class is what the reply code or the
			// action supports, the detail "other or undefined" (x.0.0).
			switch {
			case r.Reason == "delivered":
				r.Status = "2.0.0"
			case strings.HasPrefix(r.ReplyCode, "4") || r.Action == "delayed":
				r.Status = "4.0.0"
			default:
				r.Status = "5.0.0"
			}
			r.StatusInferred = true
		}
		r.Bounce = hardness(r)
		r.Responsible = responsibleFor(r)
		r.NextStep, r.Checks = nextStep(res, r)
		if pc != nil && pc.next {
			r.NextStep = report.T("bounce.next.provider."+pc.key, nil)
		}
	}
	return res
}

var ipInText = lazy(`\[?\b((?:\d{1,3}\.){3}\d{1,3})\b\]?|\[(?:IPv6:)?([0-9A-Fa-f:]{3,45})\]`)

// clientIP finds the sending address a rejection quotes ("Client host
// [192.0.2.1] blocked"), skipping the remote server's own address.
func clientIP(diag, remote string) string {
	for _, m := range ipInText.FindAllStringSubmatch(diag, 20) {
		a, err := netip.ParseAddr(m[1] + m[2])
		if err != nil || !publicAddr(a) || a.String() == remote {
			continue
		}
		if i := strings.Index(diag, m[0]); i > 0 {
			before := strings.ToLower(diag[max(0, i-40):i])
			if strings.Contains(before, "host ") && strings.Contains(before, remote) && remote != "" {
				continue
			}
		}
		return a.String()
	}
	return ""
}

// nextStep says what to do and which mailcheck commands confirm the cause,
// built from the bounce's own facts.
func nextStep(res *Result, r *Recipient) (report.Msg, []Suggestion) {
	sender := senderDomain(res)
	rcpt := domainOf(r.Address)
	ip := r.ClientIP
	if ip == "" && res.Original != nil {
		ip = res.Original.SendingIP
	}
	var cmds []Suggestion
	// add keeps the suggestions whose target the bounce revealed.
	add := func(check, target string) {
		if target != "" {
			cmds = append(cmds, suggest(check, target, ""))
		}
	}
	var step string
	switch r.Reason {
	case "authfailure":
		step = "authfailure"
		from, envelope := sender, sender
		// The receiver often names the domains it judged: trust its words
		// over the copy of the original (which may be cut or rewritten).
		if m := fromDomainInDiag.FindStringSubmatch(strings.ToLower(r.Diagnostic)); m != nil && validDomain(m[1]) {
			from = m[1]
		}
		if m := spfDomainInDiag.FindStringSubmatch(strings.ToLower(r.Diagnostic)); m != nil && validDomain(m[1]+m[2]) {
			envelope = m[1] + m[2]
		}
		add("dmarc", from)
		add("spf", envelope)
		if envelope != from {
			add("spf", from)
		}
		add("dkim", from)
	case "requireptr":
		step = "requireptr"
		if sender != "" {
			cmds = append(cmds, suggest("mx", sender, ip))
		}
	case "blocked", "badreputation":
		step = "blocked"
		if ip != "" {
			add("dnsbl", ip)
		} else {
			add("dnsbl", sender)
		}
	case "speeding", "toomanyconn":
		step = "speeding"
		add("dnsbl", ip)
		add("dmarc", sender)
	case "spamdetected", "policyviolation", "contenterror", "notcompliantrfc":
		step = "spamdetected"
		add("dmarc", sender)
		add("spf", sender)
	case "virusdetected":
		step = "virusdetected"
	case "mesgtoobig", "exceedlimit":
		step = "mesgtoobig"
	case "userunknown":
		step = "userunknown"
	case "hasmoved":
		step = "hasmoved"
	case "mailboxfull":
		step = "mailboxfull"
	case "suspend":
		step = "suspend"
	case "filtered":
		step = "filtered"
	case "hostunknown", "notaccept":
		step = "hostunknown"
		add("mx", rcpt)
	case "norelaying":
		step = "norelaying"
		add("mx", rcpt)
	case "rejected":
		step = "rejected"
		add("spf", sender)
		add("dmarc", sender)
	case "securityerror":
		step = "securityerror"
		add("mx", rcpt)
		add("dmarc", sender)
	case "expired", "networkerror":
		if r.Action == "delayed" {
			step = "retrying"
		} else {
			step = "expired"
		}
		add("mx", rcpt)
	case "systemerror", "systemfull", "mailererror":
		step = "systemerror"
	case "feedback":
		step = "feedback"
	case "vacation":
		step = "vacation"
	case "delivered":
		step = "delivered"
	default:
		step = "unclear"
	}
	return report.T("bounce.next."+step, nil), cmds
}

// senderDomain is the domain whose setup a sender-side cause points at:
// the original's From (the one DMARC judges), else the bounce's To.
func senderDomain(res *Result) string {
	if res.Original != nil && res.Original.FromDomain != "" {
		return res.Original.FromDomain
	}
	return domainOf(addrOnly(res.To))
}

var continuation = lazy(`\s[245]\d\d[ \-](?:[245]\.\d{1,3}\.\d{1,3}\s)?`)

// joinReplyLines drops the code prefix an SMTP server repeats on each line
// of a multi-line reply (RFC 5321 §4.2.1: "550-5.7.1 ...", "550 5.7.1 ..."),
// keeping the first, so the words read as one sentence.
func joinReplyLines(s string) string {
	m := replyThenStatus.FindStringSubmatchIndex(s)
	if m == nil {
		return s
	}
	head, rest := s[:m[1]], s[m[1]:]
	code := s[m[2]:m[3]]
	return head + continuation.ReplaceAllStringFunc(rest, func(c string) string {
		if strings.HasPrefix(strings.TrimSpace(c), code) {
			return " "
		}
		return c
	})
}

var (
	// "Unauthenticated email from shop.example is not accepted due to
	// domain's DMARC policy"; "sending domain shop.example does not meet".
	fromDomainInDiag = lazy(`(?:email from|sending domain|messages from the domain) \[?([a-z0-9][a-z0-9.-]*\.[a-z]{2,})\]?`)
	// "The MAIL FROM domain [x.example] has an SPF record"; "domain of
	// a@x.example does not designate".
	spfDomainInDiag = lazy(`mail from domain \[?([a-z0-9][a-z0-9.-]*\.[a-z]{2,})\]?|domain of (?:[^\s@]+@)?([a-z0-9][a-z0-9.-]*\.[a-z]{2,}) does not designate`)
)

func validDomain(d string) bool {
	return len(d) > 3 && len(d) < 254 && !strings.Contains(d, "..") && !strings.HasPrefix(d, ".") && !strings.HasSuffix(d, ".")
}

package bounce

import (
	"net/netip"
	"regexp"
	"strings"
)

// providerCode is a code a mailbox provider really sends, with what it
// means. The texts are the providers' own, stable for years.
type providerCode struct {
	re          *regexp.Regexp
	provider    string
	code        string
	reason      string // the reason it implies, "" to keep the classifier's
	explanation string
}

var providerCodes = []providerCode{
	{regexp.MustCompile(`5\.7\.26`), "Gmail", "550 5.7.26", "authfailure",
		"Gmail refused the message because it is not authenticated: it passed neither SPF nor DKIM aligned with the From domain, so the domain's DMARC policy (or Gmail's rule for bulk senders) rejected it."},
	{regexp.MustCompile(`5\.7\.25`), "Gmail", "550 5.7.25", "requireptr",
		"Gmail requires the sending IP address to have a reverse DNS (PTR) name that resolves back to it; this one has none."},
	{regexp.MustCompile(`4\.7\.28|5\.7\.28`), "Gmail", "421 4.7.28", "speeding",
		"Gmail saw an unusual rate of mail, or of unsolicited mail, from this IP address or domain and is deferring or refusing it."},
	{regexp.MustCompile(`(?i)\bS3150\b`), "Microsoft", "S3150", "blocked",
		"The sending IP address is on Microsoft's own blocklist (Outlook.com, Hotmail, Live)."},
	{regexp.MustCompile(`(?i)\bS3140\b`), "Microsoft", "S3140", "blocked",
		"Microsoft refuses mail from this IP address for its reputation (their own blocklist)."},
	{regexp.MustCompile(`\b(?:SC|DY|OU)-00[1-9]\b`), "Microsoft", "SC-001", "blocked",
		"Outlook.com refused mail from this IP address (SC- codes: its reputation or policy; DY- codes: a dynamic address range; OU- codes: blocked by Outlook.com)."},
	{regexp.MustCompile(`5\.7\.515`), "Microsoft", "550 5.7.515", "authfailure",
		"Outlook.com requires high-volume senders to pass SPF, DKIM and DMARC; the sending domain does not meet that authentication level."},
	{regexp.MustCompile(`5\.7\.509`), "Microsoft", "550 5.7.509", "authfailure",
		"Microsoft rejected the message because the From domain's DMARC policy failed."},
	{regexp.MustCompile(`5\.7\.(?:606|607|608|708)`), "Microsoft", "5.7.606", "blocked",
		"Microsoft blocks this IP address or range for its reputation."},
	{regexp.MustCompile(`(?i)RecipientNotFound|RESOLVER\.ADR\.Recip`), "Microsoft", "5.1.10", "userunknown",
		"The recipient's Exchange Online or Outlook.com organization has no such address."},
	{regexp.MustCompile(`(?i)\bTSS04\b`), "Yahoo", "TSS04", "",
		"Yahoo is temporarily deferring mail from this IP address because of its volume or of complaints from Yahoo users."},
	{regexp.MustCompile(`(?i)\bTSS09\b`), "Yahoo", "TSS09", "blocked",
		"Yahoo has permanently deferred all mail from this IP address for its reputation."},
	{regexp.MustCompile(`(?i)\bTSS0[1-3]\b|\bTS0[1-3]\b`), "Yahoo", "TS01", "",
		"Yahoo is deferring mail from this IP address for its reputation or for user complaints."},
	{regexp.MustCompile(`(?i)\bOFR_?506\b`), "Orange", "OFR_506", "spamdetected",
		"Orange's filters took the message for spam (\"Mail rejete\")."},
	{regexp.MustCompile(`(?i)\bOFR(?:BL)?[0-9_]*\b|\bmwinf\w*|orange\.fr|wanadoo`), "Orange", "", "",
		"Orange's OFR code names the rule that refused it; \"Service refuse, veuillez essayer plus tard\" is a temporary refusal of the sending IP."},
	{regexp.MustCompile(`\bLPN\d{3}_\d+|(?i)laposte`), "La Poste", "", "",
		"La Poste's LPN code names the rule that refused it."},
	{regexp.MustCompile(`(?i)free\.fr|\bproxad\b`), "Free", "", "",
		"The answer came from Free's servers."},
	{regexp.MustCompile(`(?i)\bsfr\b|neufcegetel`), "SFR", "", "",
		"The answer came from SFR's servers."},
}

var explanations = map[string]string{
	"userunknown":     "The address does not exist at the recipient's domain.",
	"mailboxfull":     "The recipient's mailbox is full.",
	"filtered":        "A filter at the recipient's side refused the message (a rule the recipient or their provider set).",
	"rejected":        "The receiving server refused the sender (the envelope sender address or its domain).",
	"blocked":         "The receiving server refused the sending IP address or host (a blocklist, or its reputation).",
	"expired":         "The sending server gave up after retrying for too long without reaching the recipient's server.",
	"hostunknown":     "The recipient's domain does not exist or has no mail server.",
	"authfailure":     "The message failed the receiver's authentication checks (SPF, DKIM, DMARC).",
	"policyviolation": "The message broke a policy of the receiving side (its content, attachments or sender rules).",
	"requireptr":      "The sending IP address has no reverse DNS (PTR) name, or it does not match.",
	"suspend":         "The recipient's mailbox is suspended or disabled.",
	"spamdetected":    "The receiver classified the message as spam.",
	"systemerror":     "The receiving system had an error.",
	"networkerror":    "The sending server could not reach the recipient's server (network, DNS or a mail loop).",
	"securityerror":   "The receiver refused the message for a security reason (TLS, authentication or a security policy).",
	"mailererror":     "The recipient's local mail program failed.",
	"notaccept":       "The recipient's domain accepts no mail (null MX, RFC 7505, or no working server).",
	"norelaying":      "The server refused to relay: it is not the recipient's mail server, or the sender is not allowed to use it.",
	"hasmoved":        "The recipient has moved to another address.",
	"toomanyconn":     "The receiver refused because too many connections were open at once.",
	"contenterror":    "The message's content or format was refused.",
	"mesgtoobig":      "The message is larger than the receiver accepts.",
	"onhold":          "The bounce does not say enough to know why.",
	"vacation":        "An automatic reply (vacation, out of office): the message was delivered.",
	"delivered":       "The message was delivered.",
	"badreputation":   "The receiver refused the message for the sending IP's or domain's reputation.",
	"notcompliantrfc": "The message does not follow the Internet Message Format (RFC 5322).",
	"undefined":       "The bounce does not say why.",
	"exceedlimit":     "The message exceeded a limit of the recipient (size or count).",
	"virusdetected":   "The receiver found a virus in the message.",
	"syntaxerror":     "The receiver did not understand an SMTP command the sending server sent.",
	"speeding":        "The receiver is limiting how fast it accepts mail from this sender.",
	"systemfull":      "The receiving system is out of storage.",
	"feedback":        "A feedback-loop report: a recipient marked the message as spam (RFC 5965).",
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
		for _, pc := range providerCodes {
			if pc.re.MatchString(r.Diagnostic) {
				r.Provider, r.ProviderCode = pc.provider, pc.code
				if pc.reason != "" && r.Reason != "delivered" {
					r.Reason = pc.reason
				}
				r.Explanation = pc.explanation
				if pc.code == "" {
					// A provider recognized but not a code it explains:
					// the reason's words, then what is known of its codes.
					r.Explanation = explanations[r.Reason] + " " + pc.explanation
				}
				break
			}
		}
		if r.Explanation == "" {
			r.Explanation = explanations[r.Reason]
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
	}
	return res
}

var ipInText = regexp.MustCompile(`\[?\b((?:\d{1,3}\.){3}\d{1,3})\b\]?|\[(?:IPv6:)?([0-9A-Fa-f:]{3,45})\]`)

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
func nextStep(res *Result, r *Recipient) (string, []Suggestion) {
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
		step = "Make the From domain pass SPF or DKIM, aligned with it, and check its DMARC record."
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
		step = "Ask the owner of the sending IP (your host or ISP) to publish a PTR name for it that resolves back to the same address."
		if sender != "" {
			cmds = append(cmds, suggest("mx", sender, ip))
		}
	case "blocked", "badreputation":
		step = "Find which blocklist names the sending IP or domain, fix the cause (a compromised account, a bad list) and ask for delisting; for Microsoft use their sender support portal."
		if ip != "" {
			add("dnsbl", ip)
		} else {
			add("dnsbl", sender)
		}
	case "speeding", "toomanyconn":
		step = "Send more slowly to this provider; the sending server retries. If it persists, check the IP's reputation and the domain's authentication."
		add("dnsbl", ip)
		add("dmarc", sender)
	case "spamdetected", "policyviolation", "contenterror", "notcompliantrfc":
		step = "Change the message (content, links, attachments, headers) and make sure the sending domain is authenticated, then send again."
		add("dmarc", sender)
		add("spf", sender)
	case "virusdetected":
		step = "Remove the infected attachment and scan the sending machine."
	case "mesgtoobig", "exceedlimit":
		step = "Send a smaller message (share large files by link)."
	case "userunknown":
		step = "Check the address with the recipient: it is misspelled or no longer exists. Remove it from your lists."
	case "hasmoved":
		step = "Ask the recipient for the new address and update it."
	case "mailboxfull":
		step = "The recipient must make room; try again later or reach them another way."
	case "suspend":
		step = "The recipient's mailbox is disabled; reach them another way and stop sending to it."
	case "filtered":
		step = "The recipient's filter refused the message: ask the recipient to allow your address or domain."
	case "hostunknown", "notaccept":
		step = "Check the recipient's domain for typos; if it is right, its DNS publishes no working mail server."
		add("mx", rcpt)
	case "norelaying":
		step = "The message went to a server that does not handle the recipient's domain: check the recipient domain's MX, and that your server is allowed to relay."
		add("mx", rcpt)
	case "rejected":
		step = "The receiving server refused your sender address: make sure the envelope sender's domain exists, receives mail and is authenticated."
		add("spf", sender)
		add("dmarc", sender)
	case "securityerror":
		step = "The receiver requires a security feature the sending side did not meet (TLS, authentication): check the sending server's TLS and the domain's authentication."
		add("mx", rcpt)
		add("dmarc", sender)
	case "expired", "networkerror":
		if r.Action == "delayed" {
			step = "Nothing yet: the sending server keeps retrying. If it stays delayed, check the recipient domain's mail servers."
		} else {
			step = "The recipient's mail servers could not be reached in time: check them, then send again."
		}
		add("mx", rcpt)
	case "systemerror", "systemfull", "mailererror":
		step = "The recipient's server had a problem; send again later, or tell the recipient another way."
	case "feedback":
		step = "A recipient reported your message as spam: stop sending to them and review how the list was collected."
	case "vacation":
		step = "Nothing: the message was delivered and the recipient is away."
	case "delivered":
		step = "Nothing: the message was delivered."
	default:
		step = "Read the diagnostic text; if it is not clear, ask the recipient's postmaster."
	}
	return step, cmds
}

// senderDomain is the domain whose setup a sender-side cause points at:
// the original's From (the one DMARC judges), else the bounce's To.
func senderDomain(res *Result) string {
	if res.Original != nil && res.Original.FromDomain != "" {
		return res.Original.FromDomain
	}
	return domainOf(addrOnly(res.To))
}

var continuation = regexp.MustCompile(`\s[245]\d\d[ \-](?:[245]\.\d{1,3}\.\d{1,3}\s)?`)

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
	fromDomainInDiag = regexp.MustCompile(`(?:email from|sending domain|messages from the domain) \[?([a-z0-9][a-z0-9.-]*\.[a-z]{2,})\]?`)
	// "The MAIL FROM domain [x.example] has an SPF record"; "domain of
	// a@x.example does not designate".
	spfDomainInDiag = regexp.MustCompile(`mail from domain \[?([a-z0-9][a-z0-9.-]*\.[a-z]{2,})\]?|domain of (?:[^\s@]+@)?([a-z0-9][a-z0-9.-]*\.[a-z]{2,}) does not designate`)
)

func validDomain(d string) bool {
	return len(d) > 3 && len(d) < 254 && !strings.Contains(d, "..") && !strings.HasPrefix(d, ".") && !strings.HasSuffix(d, ".")
}

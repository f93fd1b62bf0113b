package bounce

import (
	"net/netip"
	"strings"
)

var (
	addrRE = lazy(`<?[A-Za-z0-9!#$%&'*+/=?^_{|}~.\-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}[A-Za-z0-9])?)*>?`)
	// RFC 3463 §2: class.subject.detail; not part of a dotted quad.
	statusRE = lazy(`\b[245]\.\d{1,3}\.\d{1,3}\b`)
	// A status code in running text: not inside an IP address or a version.
	statusInText = lazy(`(?:^|[^\d.])([245]\.\d{1,3}\.\d{1,3})(?:[^\d.]|\.(?:\D|$)|$)`)
	// RFC 5321 §4.2: a reply code, followed by a space, a dash or the end.
	replyInText = lazy(`(?:^|[^\d.#\-/:])([245][0-5]\d)(?:[ \-]|$)`)
)

// block is what a plain-text bounce says about one recipient.
type block struct {
	addr string
	text string
}

// Lines that name a recipient in the MTAs' plain-text formats:
//
//	<user@example.com>: host mx.example.com[192.0.2.1] said: 550 ...  (Postfix, qmail)
//	  user@example.com                                                (Exim, Gmail, ...)
//	    user@example.com (expanded from: <alias@example.com>)
//	550 5.1.1 <user@example.com>... User unknown                      (Sendmail transcript)
//	user@example.com on 29/04/2010 00:00                              (Exchange)
var (
	anchorAlone   = lazy(`^[\s>*"'\-]*(?:(?:Recipient(?: address)?|Address|Failed recipient|Original-Recipient|Destinataire|Empfänger|Adresse)s?\s*:\s*)?(?:rfc822;\s*)?<?([^\s<>@]+@[^\s<>]+?)>?\s*(?:\(.{0,120}\))?\s*[:,;.]?\s*["']?\s*$`)
	anchorColon   = lazy(`^\s*<([^\s<>@]+@[^\s<>]+)>\s*(?:\(.{0,120}?\))?\s*:\s*(.*)$`)
	anchorSays    = lazy(`^\s*(?:[245]\d\d[ \-](?:[245]\.\d+\.\d+\s+)?)?<([^\s<>@]+@[^\s<>]+)>\.\.\.\s*(.*)$`)
	anchorOn      = lazy(`^\s*(?:>>>\s*)?['"]?<?([^\s<>@'"]+@[^\s<>'":,;]+?)>?['"]?(?:<mailto:[^>]*>)?[:,;]?(?:\s+(.*))?$`)
	anchorFailed  = lazy(`(?i)^\s*(?:delivery to|could not deliver to|undeliverable to|unable to deliver (?:your )?(?:message )?to|failed to deliver to|message (?:to|for)|recipient|address)\s*:?\s*<?([^\s<>@]+@[^\s<>]+?)>?\s*(?:failed|has failed|:)?.{0,80}$`)
	anchorRcptTo  = lazy(`(?i)^\s*(?:in:|>>>)\s*RCPT TO:\s*<([^\s<>@]+@[^\s<>]+)>`)
	anchorTrail   = lazy(`^\s*([^@<>:]{3,80}):\s*<?([^\s<>@]+@[^\s<>]+?)>?\.?\s*$`)
	anchorDeliver = lazy(`(?i)error delivering (?:your )?mail to <?([^\s<>@]+@[^\s<>]+?)>?\.?\s*$|(?:delivery to|deliver(?:y)? (?:your message )?to)\s+<?([^\s<>@]+@[^\s<>]+?)>?\s+(?:failed|has failed|was unsuccessful|was not possible)`)
)

// textRecipients finds the recipients a plain-text bounce names and the
// words that concern each.
func textRecipients(human string, top header) []block {
	lines := strings.SplitN(human, "\n", maxTextLines+1)
	if len(lines) > maxTextLines {
		// A bounce's own words are a few dozen lines; past this it is
		// something else (a pasted mailbox, noise).
		lines = lines[:maxTextLines]
	}
	type anchor struct {
		line int
		addr string
		rest string
	}
	var anchors []anchor
	skip := senderAddrs(top)
	for i, l := range lines {
		if len(l) > 1000 {
			continue
		}
		var a, rest string
		if m := anchorColon.FindStringSubmatch(l); m != nil {
			a, rest = m[1], m[2]
		} else if m := anchorSays.FindStringSubmatch(l); m != nil {
			a, rest = m[1], m[2]
		} else if m := anchorRcptTo.FindStringSubmatch(l); m != nil {
			a = m[1]
		} else if m := anchorAlone.FindStringSubmatch(l); m != nil {
			a = m[1]
		} else if m := anchorOn.FindStringSubmatch(l); m != nil {
			a, rest = m[1], m[2]
			if strings.HasPrefix(rest, "on ") || strings.HasPrefix(rest, "<") {
				rest = ""
			}
		} else if m := anchorDeliver.FindStringSubmatch(l); m != nil {
			a = m[1] + m[2]
		} else if m := anchorFailed.FindStringSubmatch(l); m != nil {
			a = m[1]
		} else if m := anchorTrail.FindStringSubmatch(l); m != nil && !headerLike.MatchString(l) {
			a, rest = m[2], m[1]
		}
		if a == "" {
			continue
		}
		a = normAddr(a)
		if a == "" {
			continue
		}
		if n := len(anchors); n > 0 && anchors[n-1].addr == a && i-anchors[n-1].line < 12 {
			// The same address again (quoted in the reply): one block.
			continue
		}
		if len(anchors) > maxRecipients {
			break
		}
		anchors = append(anchors, anchor{i, a, rest})
	}
	if len(anchors) == 0 {
		// No line is about one address: take the lines that name an address
		// among words of failure ("[Status: Error, Address: <a@b>, ...]",
		// "rejected recipient <a@b> (Error following RCPT command)").
		for i, l := range lines {
			if len(l) > 1000 || headerLike.MatchString(l) || !inlineFailure.MatchString(l) {
				continue
			}
			if m := addrRE.FindString(l); m != "" {
				if a := normAddr(m); a != "" {
					anchors = append(anchors, anchor{i, a, l})
				}
			}
		}
	}
	// The bounce's own From and To are named in its text too; drop them
	// unless they are all there is (a bounce of mail sent to oneself).
	kept := anchors[:0:0]
	for _, a := range anchors {
		if !skip[a.addr] {
			kept = append(kept, a)
		}
	}
	if len(kept) > 0 {
		anchors = kept
	}
	// X-Failed-Recipients (Exim, Gmail) names them when the text does not.
	if len(anchors) == 0 {
		var out []block
		text := clean(human[:min(len(human), 8<<10)], 2000)
		for _, v := range top.all("X-Failed-Recipients") {
			for _, a := range strings.Split(v, ",") {
				if a = normAddr(a); a != "" && len(out) < maxRecipients {
					out = append(out, block{addr: a, text: text})
				}
			}
		}
		return dedupe(out)
	}
	var out []block
	for k, a := range anchors {
		end := len(lines)
		if k+1 < len(anchors) {
			end = anchors[k+1].line
		}
		if end-a.line > 40 {
			end = a.line + 40
		}
		var b strings.Builder
		if a.rest != "" {
			b.WriteString(a.rest)
			b.WriteByte('\n')
		}
		for _, l := range lines[a.line+1 : end] {
			b.WriteString(l)
			b.WriteByte('\n')
		}
		txt := strings.TrimSpace(b.String())
		// An anchor followed at once by the next one shares the text after
		// it (a list of addresses, then one explanation).
		out = append(out, block{addr: a.addr, text: txt})
	}
	for i := len(out) - 2; i >= 0; i-- {
		if out[i].text == "" {
			out[i].text = out[i+1].text
		}
	}
	return dedupe(out)
}

// dedupe keeps the first block of each address, merging empty texts.
func dedupe(in []block) []block {
	var out []block
	seen := map[string]int{}
	for _, b := range in {
		if i, ok := seen[b.addr]; ok {
			if out[i].text == "" || (b.text != "" && !hasCode(out[i].text) && hasCode(b.text)) {
				out[i].text = b.text
			}
			continue
		}
		seen[b.addr] = len(out)
		out = append(out, b)
	}
	return out
}

func hasCode(s string) bool {
	return statusInText.MatchString(s) || replyInText.MatchString(s)
}

// senderAddrs are addresses that a bounce names but that are not its
// failed recipients: the bounce's own From and To, postmasters.
func senderAddrs(top header) map[string]bool {
	m := map[string]bool{}
	for _, f := range []string{"From", "To", "Reply-To", "Return-Path", "Sender"} {
		if a := addrOnly(top.get(f)); a != "" {
			m[a] = true
		}
	}
	return m
}

func normAddr(a string) string {
	a = strings.ToLower(strings.Trim(strings.TrimSpace(a), "<>\"'(),;:."))
	a = strings.TrimPrefix(a, "rfc822;")
	a = strings.TrimPrefix(a, "mailto:")
	i := strings.LastIndexByte(a, '@')
	if i <= 0 || i == len(a)-1 || strings.ContainsAny(a, " \t<>") {
		return ""
	}
	local, domain := a[:i], a[i+1:]
	// RFC 5321 §4.1.2 allows quoted local parts with any of these, but a
	// bounce's text puts them around addresses ("F=[a@b]", "(a@b)").
	if strings.ContainsAny(local, "[](),;:\\\"") || strings.ContainsAny(domain, "[](),;:=\\\"'") || !strings.Contains(domain, ".") {
		return ""
	}
	return a
}

// enrichFromText completes a DSN recipient with what the text part says
// about it: Postfix and others put the remote reply only in the text.
func enrichFromText(r *Recipient, blocks []block, human string) {
	var txt string
	for _, b := range blocks {
		if b.addr == r.Address || b.addr == r.OriginalAddress {
			txt = b.text
			break
		}
	}
	if r.Diagnostic == "" && txt != "" {
		r.Diagnostic = clean(txt, 1000)
	}
	if r.Diagnostic == "" && len(blocks) == 0 {
		r.Diagnostic = clean(human[:min(len(human), 4<<10)], 1000)
		r.DiagnosticType = ""
	}
	if r.Status == "" {
		r.Status = firstStatus(r.Diagnostic)
	}
	if r.ReplyCode == "" {
		r.ReplyCode = firstReply(r.Diagnostic)
	}
	if r.RemoteMTA == "" {
		r.RemoteMTA = remoteHost(txt)
	}
	if r.Command == "" {
		r.Command = smtpCommand(r.Diagnostic + "\n" + txt)
	}
	if r.Command == "" && len(blocks) <= 1 {
		r.Command = smtpCommand(human[:min(len(human), 64<<10)])
	}
	if r.Action == "" {
		r.Action = "failed"
	}
}

// textFacts are what a plain-text bounce says for all its recipients,
// read once however many recipients it names.
type textFacts struct {
	human   string
	command string
	delayed bool
}

func newTextFacts(human string) textFacts {
	head := human
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	return textFacts{human: human, command: smtpCommand(head), delayed: isDelayWording(head) && !isPermanentWording(head)}
}

// fillFromText fills a recipient of a plain-text bounce from its block.
func fillFromText(r *Recipient, txt string, tf textFacts) {
	diag := txt
	if diag == "" {
		diag = tf.human
		if len(diag) > 4<<10 {
			diag = diag[:4<<10]
		}
	}
	r.Diagnostic = clean(diag, 1000)
	r.Status = firstStatus(diag)
	r.ReplyCode = firstReply(diag)
	r.RemoteMTA = remoteHost(diag)
	r.Command = smtpCommand(diag)
	if r.Command == "" {
		r.Command = tf.command
	}
	if tf.delayed {
		r.Action = "delayed"
	}
}

// firstStatus finds the enhanced status code in a reply: the one after a
// reply code first ("550 5.1.1", "550-5.1.1"), then any.
//
// A transcript quotes the successes before the failure ("250 2.1.5 Ok"):
// a 4xx or 5xx code wins over the 2xx and 3xx ones before it.
func firstStatus(s string) string {
	if m := failureFirst(replyThenStatus.FindAllStringSubmatch(s, 50), 2); m != nil {
		return m[2]
	}
	if m := failureFirst(statusInText.FindAllStringSubmatch(s, 50), 1); m != nil {
		return m[1]
	}
	return ""
}

// failureFirst picks the first match whose group g is a 4 or 5 class
// code, else the first match.
func failureFirst(ms [][]string, g int) []string {
	for _, m := range ms {
		if c := m[g][0]; c == '4' || c == '5' {
			return m
		}
	}
	if len(ms) > 0 {
		return ms[0]
	}
	return nil
}

var replyThenStatus = lazy(`\b([245]\d\d)[ \-]+['"#(]?([245]\.\d{1,3}\.\d{1,3})\b`)

func firstReply(s string) string {
	if m := failureFirst(replyThenStatus.FindAllStringSubmatch(s, 50), 1); m != nil {
		return m[1]
	}
	for _, m := range replyInText.FindAllStringSubmatchIndex(s, -1) {
		code := s[m[2]:m[3]]
		// Skip numbers that are plainly something else: a year, a size.
		rest := s[m[3]:]
		if strings.HasPrefix(rest, " bytes") || strings.HasPrefix(rest, " KB") || strings.HasPrefix(rest, " seconds") || strings.HasPrefix(rest, " days") || strings.HasPrefix(rest, " hours") {
			continue
		}
		return code
	}
	return ""
}

var (
	remoteHostRE = lazy(`(?i)(?:\bhost|remote (?:host|server|mta)|generating server|mail server)\s*:?\s*\[?([A-Za-z0-9][A-Za-z0-9.\-]*\.[A-Za-z0-9\-]+)\]?\s*(?:\[([0-9A-Fa-f:.]+)\]|\(([0-9.]+)\))?`)
)

// remoteHost finds the remote server a text bounce names.
func remoteHost(s string) string {
	m := remoteHostRE.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	h := strings.ToLower(strings.TrimRight(m[1], "."))
	if _, err := netip.ParseAddr(h); err != nil && !strings.Contains(h, ".") {
		return ""
	}
	switch h {
	case "said", "name", "returned":
		return ""
	}
	return h
}

// Ways MTAs name the SMTP command a reply answered.
var (
	commandWord = lazy(`(?i)\b(initial connection|connect|greeting|banner|EHLO|HELO|MAIL|RCPT|DATA|TEXT|BDAT|STARTTLS|AUTH)\b`)
	commandPrep = lazy(`(?i)\b(?:in reply to|after|during|for|response to|when sending|at)\s+(?:the\s+)?(?:end of\s+)?$`)
)

// commandAfterPreposition finds "in reply to RCPT", "after end of data",
// "during MAIL": the command word first (rare), then the words before it,
// which is much cheaper than one expression that starts at every "for".
func commandAfterPreposition(s string) string {
	for _, m := range commandWord.FindAllStringSubmatchIndex(s, 100) {
		if commandPrep.MatchString(s[max(0, m[0]-32):m[0]]) {
			return s[m[2]:m[3]]
		}
	}
	return ""
}

var commandREs = []*lazyRE{
	lazy(`(?m)^\s*>>>\s*(EHLO|HELO|MAIL|RCPT|DATA|BDAT|STARTTLS|AUTH)\b`),
	lazy(`(?i)SMTP command:?\s*(EHLO|HELO|MAIL|RCPT|DATA)\b`),
	lazy(`(?i)\[(RCPT)_TO\]|does not like (recipient)|did not like our (RCPT|MAIL|DATA)|(RCPT) TO:<|(MAIL) FROM:<`),
}

var inlineFailure = lazy(`(?i)reject|error|fail|unknown|invalid|denied|refused|not (?:found|exist|reachable|delivered)|undeliver|status|\b[245]\d\d\b`)

var headerLike = lazy(`(?i)^\s*(?:from|to|cc|bcc|reply-to|sender|return-path|delivered-to|x-[a-z\-]+|envelope-to|resent-[a-z]+|subject|date|message-id|in-reply-to|references|received)\s*:`)

// smtpCommand is the SMTP command a failure answered, when the text says.
func smtpCommand(s string) string {
	c := commandAfterPreposition(s)
	for _, re := range commandREs {
		if c != "" {
			break
		}
		m := re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		for _, g := range m[1:] {
			c += g
		}
	}
	switch u := strings.ToUpper(c); {
	case u == "":
		return ""
	case u == "DATA" || u == "TEXT" || u == "BDAT":
		return "DATA"
	case u == "RCPT" || u == "RECIPIENT":
		return "RCPT"
	case u == "MAIL":
		return "MAIL"
	case u == "EHLO" || u == "HELO":
		return "HELO"
	case u == "STARTTLS" || u == "AUTH":
		return u
	default:
		return "CONN"
	}
}

var (
	bounceSubject = lazy(`(?i)undeliver|undelivered|delivery (?:status notification|failure|report|has failed|notification)|returned mail|mail delivery (?:failed|failure|system|subsystem)|failure notice|non[- ]?delivery|could not be delivered|delivery problem|nondeliverable|warning: (?:could not send|message)|returned to sender|rejected|delayed mail|delivery delay|mail system error|message not delivered|delivery fail|unzustellbar|non remis|échec de la remise|non recapitabile|no se puede entregar|bounce`)
	bounceFrom    = lazy(`(?i)mailer-daemon|postmaster|mail delivery|mail administrator|mdaemon|mail system|nobody@|bounce|no-?reply|system administrator`)
	failWording   = lazy(`(?i)could\s+not\s+be\s+delivered|couldn't\s+be\s+delivered|was\s+not\s+delivered|wasn't\s+delivered|delivery\s+(?:has\s+)?failed|failed\s+permanently|permanent\s+(?:fatal\s+)?error|undeliverable|unable\s+to\s+deliver|not\s+able\s+to\s+deliver|wasn't\s+able\s+to\s+deliver|could\s+not\s+deliver|did\s+not\s+reach|delivery\s+to\s+the\s+following|following\s+address(?:es)?\s+failed|returned\s+to\s+you|message\s+you\s+sent|has\s+been\s+rejected|was\s+rejected|delivery\s+problem|delivery\s+attempts|delayed|temporary\s+failure|retry|non\s+remis|n'a\s+pas\s+pu\s+être|nicht\s+zugestellt|error\s+delivering|i'm\s+sorry\s+to\s+have\s+to\s+inform\s+you|this\s+is\s+the\s+mail\s+system\s+at|\bdeferred\b|cannot\s+send\s+message|transcript\s+of\s+session|mail\s+delivery\s+software|qmail-send\s+program`)
	delayWording  = lazy(`(?i)\bdelayed\b|will (?:continue to )?(?:re)?try|still trying|has not yet been delivered|not yet been able|temporary (?:failure|problem)|warning: message|delivery is delayed|will be retried|delivery attempts will continue`)
	permWording   = lazy(`(?i)permanent|given up|gave up|could not be delivered|failed permanently|will not be retried|undeliverable`)
)

func looksLikeBounce(top header, human string) bool {
	return bounceSubject.MatchString(top.get("Subject")) || bounceFrom.MatchString(top.get("From")) ||
		top.get("X-Failed-Recipients") != "" || strings.Contains(strings.ToLower(top.get("Return-Path")), "<>")
}

func hasFailureWording(s string) bool {
	if len(s) > 64<<10 {
		s = s[:64<<10]
	}
	return failWording.MatchString(s)
}

func isDelayWording(s string) bool     { return delayWording.MatchString(s) }
func isPermanentWording(s string) bool { return permWording.MatchString(s) }

var autoSubject = lazy(`(?i)^(?:auto(?:matic)?[ \-]?(?:reply|response|antwort)|out of (?:the )?office|abwesenheit|absence|vacation|away from|r[ée]ponse automatique|auto:|autoreply|i am out|on leave|respuesta autom)`)

// isAutoReply: RFC 3834 §5 Auto-Submitted: auto-replied, or the fields
// and subjects vacation programs use instead.
func isAutoReply(top header, human string) bool {
	as := strings.ToLower(top.get("Auto-Submitted"))
	if strings.HasPrefix(as, "auto-replied") {
		return true
	}
	if top.get("X-Autoreply") != "" || top.get("X-Autorespond") != "" || strings.EqualFold(top.get("Precedence"), "auto_reply") {
		return true
	}
	if autoSubject.MatchString(strings.TrimSpace(decodeHeader(top.get("Subject")))) {
		return true
	}
	return false
}

// looksLikeFeedback recognizes a pasted or mislabelled ARF report: the
// Feedback-Type field of RFC 5965 §3.1 in the text.
func looksLikeFeedback(text string, top header) bool {
	return feedbackTypeRE.MatchString(text) && strings.Contains(strings.ToLower(text), "user-agent:")
}

var feedbackTypeRE = lazy(`(?im)^Feedback-Type:\s*\S+`)

func parseFeedback(parts []string, text string) *Feedback {
	src := strings.Join(parts, "\n")
	if src == "" {
		src = text
	}
	fb := &Feedback{}
	for _, l := range strings.Split(src, "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		v = clean(v, 200)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "feedback-type":
			fb.Type = strings.ToLower(v)
		case "user-agent":
			fb.UserAgent = v
		case "source-ip":
			fb.SourceIP = v
		case "reported-domain", "reporting-mta":
			if fb.Reporter == "" {
				fb.Reporter = typedValue(v)
			}
		}
	}
	if fb.Type == "" {
		fb.Type = "abuse"
	}
	return fb
}

// complaintSubject: feedback loops that send the complained-of message
// without an RFC 5965 report part (Microsoft's JMRP, hand-forwarded abuse).
var complaintSubject = lazy(`(?i)complaint about message|abuse report|spam report|feedback report|^\s*(?:fw|fwd):\s*spam\b`)

// feedbackRecipients lists the addresses a feedback report is about: its
// Original-Rcpt-To fields (RFC 5965 §3.2), else the complained-of message's
// recipient.
func feedbackRecipients(res *Result, p *parsed) []Recipient {
	var addrs []string
	for _, part := range p.feedback {
		for _, l := range strings.Split(part, "\n") {
			k, v, ok := strings.Cut(l, ":")
			if ok && (strings.EqualFold(strings.TrimSpace(k), "Original-Rcpt-To") || strings.EqualFold(strings.TrimSpace(k), "Removal-Recipient")) {
				if a := addrOnly(v); a != "" && len(addrs) < 1000 {
					addrs = append(addrs, a)
				}
			}
		}
	}
	if len(addrs) == 0 && p.original != nil {
		if a := addrOnly(p.original.header.get("X-HmXmrOriginalRecipient")); a != "" {
			addrs = append(addrs, a)
		}
	}
	if len(addrs) == 0 && res.Original != nil {
		if a := addrOnly(res.Original.To); a != "" {
			addrs = append(addrs, a)
		}
	}
	if len(addrs) == 0 {
		addrs = append(addrs, "")
	}
	out := make([]Recipient, 0, len(addrs))
	for _, a := range addrs {
		r := Recipient{Address: a, Reason: "feedback"}
		if res.Feedback != nil {
			r.Diagnostic = "feedback report: " + res.Feedback.Type
			r.ClientIP = res.Feedback.SourceIP
		}
		out = append(out, r)
	}
	return out
}

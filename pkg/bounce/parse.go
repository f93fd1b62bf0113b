package bounce

import (
	"bytes"
	"net/mail"
	"net/netip"
	"strings"
)

// MaxInput is the most of one message Analyze reads; the rest is ignored
// and the result says Truncated.
const MaxInput = 8 << 20

// parsed is the walk over one message's parts.
type parsed struct {
	top      header
	texts    []string // human-readable parts, in order
	dsn      []string // message/delivery-status bodies
	feedback []string // message/feedback-report bodies
	original *entity  // the attached original (message/rfc822 or headers)
	origText []byte   // text/rfc822-headers body
	report   string   // report-type of the top multipart/report
	w        walker
}

// Analyze reads one message (a bounce, or what was pasted of one) and
// returns what it says about each recipient, classified. It never fails:
// input it cannot read is a Result of KindNone.
func Analyze(data []byte) *Result {
	res := &Result{Recipients: []Recipient{}}
	if len(data) > MaxInput {
		data, res.Truncated = data[:MaxInput], true
	}
	p := &parsed{}
	root := p.w.parseEntity(data, 0)
	if len(root.header) == 0 {
		// A pasted body that kept its MIME parts but lost the header that
		// named the boundary: read it as the multipart it is.
		if b := pastedBoundary(data); b != "" {
			p.w = walker{}
			root = p.w.build(header{{name: "Content-Type", value: `multipart/mixed; boundary="` + b + `"`}}, data, 0)
			root.header = nil
		}
	}
	p.top = root.header
	if len(root.header) == 0 || (root.header.get("From") == "" && root.header.get("Subject") == "" && root.header.get("Content-Type") == "" && root.header.get("Received") == "") {
		res.HeadersMissing = true
	}
	if strings.HasPrefix(root.mediaType, "multipart/report") {
		p.report = strings.ToLower(root.params["report-type"])
	}
	p.collect(root, 0)
	res.Truncated = res.Truncated || p.w.truncated
	res.Subject = clean(decodeHeader(p.top.get("Subject")), 200)
	res.From = clean(decodeHeader(p.top.get("From")), 200)
	res.To = clean(decodeHeader(p.top.get("To")), 200)

	text := strings.Join(p.texts, "\n")
	if len(text) > maxTextBytes {
		text = text[:maxTextBytes]
	}
	human, copied := splitOriginal(text)
	if p.original == nil && p.origText == nil && copied != "" {
		p.origText = []byte(copied)
	}
	res.Original = p.originalOf()

	switch {
	case p.report == "feedback-report" || len(p.feedback) > 0 || looksLikeFeedback(text, p.top) ||
		p.original != nil && complaintSubject.MatchString(res.Subject):
		res.Kind, res.Format = KindFeedback, "arf"
		res.Feedback = parseFeedback(p.feedback, text)
		res.Recipients = append(res.Recipients, feedbackRecipients(res, p)...)
		return finish(res)
	}

	if recs, ok := parseSES(text); ok {
		res.Kind, res.Format = KindBounce, "amazonses-json"
		res.Recipients = recs
		return finish(res)
	}

	dsnText := strings.Join(p.dsn, "\n\n")
	if dsnText == "" {
		dsnText = pastedDSN(text)
	}
	if dsnText != "" {
		msg, recs := parseDSN(dsnText)
		if len(recs) > 0 {
			res.Kind, res.Format = KindBounce, "rfc3464"
			res.ReportingMTA, res.ArrivalDate = clean(msg.get("Reporting-MTA"), 255), clean(msg.get("Arrival-Date"), 100)
			blocks := textRecipients(human, p.top)
			for i := range recs {
				enrichFromText(&recs[i], blocks, human)
			}
			res.Recipients = recs
			return finish(res)
		}
	}

	blocks := textRecipients(human, p.top)
	bounceLike := looksLikeBounce(p.top, human)
	// Exim and Google mark their bounces auto-replied too (RFC 3834 §5
	// allows it): a reply from a mail system that names failed recipients
	// is a bounce.
	fromSystem := bounceFrom.MatchString(p.top.get("From")) && !strings.Contains(strings.ToLower(p.top.get("From")), "no-reply")
	if isAutoReply(p.top, human) && !(len(blocks) > 0 && (fromSystem || hasFailureWording(human) && (bounceLike || p.top.get("X-Failed-Recipients") != ""))) {
		res.Kind, res.Format = KindAutoReply, "rfc3834"
		r := Recipient{Address: addrOnly(p.top.get("From")), Action: "delivered", Diagnostic: clean(human[:min(len(human), 4<<10)], 300), Reason: "vacation"}
		res.Recipients = append(res.Recipients, r)
		return finish(res)
	}
	if len(blocks) == 0 && bounceLike && hasFailureWording(human) && res.Original != nil {
		// The text names no address: the original's recipients are the
		// ones that failed (a bounce sent to a single recipient's message).
		for _, a := range strings.Split(res.Original.To, ",") {
			if a = addrOnly(a); a != "" && len(blocks) < 20 {
				blocks = append(blocks, block{addr: a, text: strings.TrimSpace(human[:min(len(human), 4<<10)])})
			}
		}
	}
	if len(blocks) > 0 && (bounceLike || hasFailureWording(human) || res.HeadersMissing && anyCode(blocks)) {
		res.Kind, res.Format = KindBounce, "text"
		tf := newTextFacts(human)
		for _, b := range blocks {
			r := Recipient{Address: b.addr, Action: "failed"}
			fillFromText(&r, b.text, tf)
			res.Recipients = append(res.Recipients, r)
		}
		return finish(res)
	}
	res.Kind, res.Format = KindNone, ""
	return res
}

var pastedPart = lazy(`(?m)^--([^\s]{1,70})\r?\n(?i:content-(?:type|transfer-encoding|description|disposition)):`)

// pastedBoundary finds a MIME boundary in headerless text: a "--xxx" line
// followed at once by a Content- field, as every part starts
// (RFC 2046 §5.1.1).
func pastedBoundary(data []byte) string {
	head := data
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	loc := pastedPart.FindSubmatchIndex(head)
	if loc == nil {
		return ""
	}
	// Only when the parts start the text (after at most a preamble line
	// or two): a boundary further down belongs to a quoted original.
	n := 0
	for _, l := range bytes.Split(head[:loc[0]], []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 {
			n++
		}
	}
	if n > 2 {
		return ""
	}
	return string(head[loc[2]:loc[3]])
}

// anyCode reports whether a block quotes an SMTP reply or status code.
func anyCode(blocks []block) bool {
	for _, b := range blocks {
		if hasCode(b.text) {
			return true
		}
	}
	return false
}

// collect sorts the parts of e into texts, reports and the original.
func (p *parsed) collect(e *entity, d int) {
	switch {
	case e.mediaType == "message/delivery-status" || e.mediaType == "message/global-delivery-status":
		// RFC 6533 §6.1: the global form is UTF-8; the fields are the same.
		p.dsn = append(p.dsn, validText(decodeCharset(e.params["charset"], e.body)))
		return
	case e.mediaType == "message/feedback-report":
		p.feedback = append(p.feedback, validText(e.body))
		return
	case e.mediaType == "text/rfc822-headers" || e.mediaType == "message/global-headers":
		if p.original == nil && p.origText == nil {
			p.origText = e.body
		}
		return
	case isMessageType(e.mediaType):
		if d == 0 {
			break
		}
		if p.original == nil && len(e.parts) == 1 {
			p.original = e.parts[0]
		}
		return
	case strings.HasPrefix(e.mediaType, "multipart/"):
		for _, c := range e.parts {
			p.collect(c, d+1)
		}
		if len(e.parts) == 0 && len(e.body) > 0 {
			p.addText(e.body)
		}
		return
	case e.mediaType == "text/html":
		p.addText(stripHTML(decodeCharset(e.params["charset"], e.body)))
		return
	case strings.HasPrefix(e.mediaType, "text/") || e.mediaType == "" || e.mediaType == "application/json":
		p.addText(decodeCharset(e.params["charset"], e.body))
		return
	}
	// Attachments of other types (images, application/octet-stream) say
	// nothing about delivery.
	if d == 0 {
		for _, c := range e.parts {
			p.collect(c, d+1)
		}
	}
}

func (p *parsed) addText(b []byte) {
	if p.w.text >= maxTextBytes {
		p.w.truncated = true
		return
	}
	if room := maxTextBytes - p.w.text; len(b) > room {
		b, p.w.truncated = b[:room], true
	}
	p.w.text += len(b)
	p.texts = append(p.texts, validText(b))
}

var htmlTag = lazy(`(?s)<(?:script|style)[^>]*>.*?</(?:script|style)>|<br\s*/?>|</p>|</div>|</tr>|<[^>]{0,1000}>`)

// stripHTML keeps the text of an HTML part, one line per block.
func stripHTML(b []byte) []byte {
	s := htmlTag.ReplaceAllStringFunc(string(b), func(m string) string {
		l := strings.ToLower(m)
		if strings.HasPrefix(l, "<br") || strings.HasPrefix(l, "</p") || strings.HasPrefix(l, "</div") || strings.HasPrefix(l, "</tr") {
			return "\n"
		}
		return " "
	})
	r := strings.NewReplacer("&nbsp;", " ", "&lt;", "<", "&gt;", ">", "&amp;", "&", "&quot;", `"`, "&#39;", "'")
	return []byte(r.Replace(s))
}

// Separators MTAs put between their explanation and the copy of the
// original message (Exim, qmail, Sendmail, Gmail, Postfix, Domino, ...).
var originalMarker = lazy(`(?im)^[ \t>]*(?:` +
	`-+ ?This is a copy of the message.*` +
	`|-+ ?(?:The )?Original message.*` +
	`|-+ ?Below this line is a copy of the message.*` +
	`|-+ ?Returned message.*` +
	`|-+ ?Unsent message (?:below|follows).*` +
	`|-+ ?Message text follows.*` +
	`|-+ ?(?:Original|Returned|Undelivered) (?:message )?(?:headers|text|mail) follow.*` +
	`|Message headers follow\.?` +
	`|Original message follows\.?` +
	`|Included is a copy of the message header.*` +
	`|Return-Path: ?<.*` +
	`|Received: ?from \S+.*` +
	`|-+ ?Original message header.*` +
	`|-+ ?Header of (?:the )?original message.*` +
	`|-+ ?Received message headers?.*` +
	`|\*+ ?Original message.*` +
	`|Original message headers?:?` +
	`|-+ ?Start of returned message.*` +
	`|-+ ?The header of the original message is following.*` +
	`|-+ ?(?:This|The) (?:is the )?(?:header|headers) of (?:the |your )?(?:original )?message.*` +
	`|The original message was received at.*\n(?s:.*?)\n\n-+ .*follow.*` +
	`)$`)

// splitOriginal cuts plain text into the bounce's own words and the copy
// of the original message that follows them, if any.
func splitOriginal(text string) (human, original string) {
	loc := originalMarker.FindStringIndex(text)
	if loc == nil {
		return text, ""
	}
	rest := text[loc[1]:]
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(text[loc[0]:loc[1]])), "the original message was received") {
		// Sendmail's intro line is not a separator: keep looking after it.
		if l2 := originalMarker.FindStringIndex(rest); l2 != nil {
			return text[:loc[1]+l2[0]], strings.TrimLeft(rest[l2[1]:], "\n")
		}
		return text, ""
	}
	return text[:loc[0]], strings.TrimLeft(rest, "\n ")
}

// originalOf reads the From, To, Subject, Message-ID and sending IP of the
// attached original message.
func (p *parsed) originalOf() *Original {
	var h header
	switch {
	case p.original != nil:
		h = p.original.header
	case p.origText != nil:
		h, _, _ = readHeader(bytes.TrimLeft(p.origText, "\r\n \t"))
	}
	if len(h) == 0 {
		return nil
	}
	o := &Original{
		From:      clean(decodeHeader(h.get("From")), 200),
		To:        clean(decodeHeader(h.get("To")), 300),
		Subject:   clean(decodeHeader(h.get("Subject")), 200),
		MessageID: clean(h.get("Message-ID"), 200),
		SendingIP: sendingIP(h.all("Received")),
	}
	if a := addrOnly(o.From); a != "" {
		o.FromDomain = domainOf(a)
	}
	if *o == (Original{}) {
		return nil
	}
	return o
}

var receivedIP = lazy(`\[(?:IPv6:)?([0-9A-Fa-f:.]{7,45})\]|\(\s*([0-9]{1,3}(?:\.[0-9]{1,3}){3})\s*\)|\b([0-9]{1,3}(?:\.[0-9]{1,3}){3})\b`)

// sendingIP is the first public address in the from clause of the Received
// fields, read from the oldest hop up: the machine that handed the message
// to the internet (RFC 5321 §4.4 puts the newest field on top).
func sendingIP(received []string) string {
	var found string
	for i := 0; i < len(received); i++ {
		r := received[i]
		from := r
		if j := strings.Index(asciiLower(r), " by "); j >= 0 {
			from = r[:j]
		}
		if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(from)), "from") {
			continue
		}
		for _, m := range receivedIP.FindAllStringSubmatch(from, -1) {
			s := m[1] + m[2] + m[3]
			a, err := netip.ParseAddr(s)
			if err != nil || !publicAddr(a) {
				continue
			}
			found = a.Unmap().String()
			break
		}
		if found != "" {
			// The topmost public hop is the last relay before the one that
			// bounced it: the address the receiving side judged.
			return found
		}
	}
	return ""
}

// publicAddr: not private, loopback, link-local, unspecified or multicast.
// Documentation ranges count as public: the corpus is anonymized to them.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsValid() && !a.IsPrivate() && !a.IsLoopback() && !a.IsLinkLocalUnicast() && !a.IsUnspecified() && !a.IsMulticast() &&
		!(a.Is4() && (a.As4()[0] == 0 || a.As4()[0] >= 224 || (a.As4()[0] == 100 && a.As4()[1]&0xc0 == 64)))
}

// addrOnly returns the bare address of an address field value, or "".
func addrOnly(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if a, err := mail.ParseAddress(v); err == nil {
		return strings.ToLower(a.Address)
	}
	if m := addrRE.FindString(v); m != "" {
		return strings.ToLower(strings.Trim(m, "<>"))
	}
	return ""
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(strings.TrimRight(addr[i+1:], ".>"))
	}
	return ""
}

// clean collapses white space and bounds the length of a value taken from
// the message, so one line of output stays one line.
func clean(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	// Control characters (an ESC that starts a terminal sequence, a
	// stray ISO-2022 shift) never leave the package.
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return '\uFFFD'
		}
		return r
	}, s)
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

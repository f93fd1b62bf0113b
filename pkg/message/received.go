package message

import (
	"net/mail"
	"net/netip"
	"regexp"
	"strings"
	"time"
)

// Hop is one Received field (RFC 5321 §4.4), parsed.
type Hop struct {
	// Index is the position among Received fields, 1 = top-most (the last
	// hop, added by the final receiver).
	Index int `json:"index"`
	// From is the name the client gave in HELO/EHLO; FromRDNS the name the
	// receiver found for FromIP (both as the receiver wrote them).
	From     string `json:"from,omitempty"`
	FromRDNS string `json:"from_rdns,omitempty"`
	FromIP   string `json:"from_ip,omitempty"`
	By       string `json:"by,omitempty"`
	Via      string `json:"via,omitempty"`
	With     string `json:"with,omitempty"`
	ID       string `json:"id,omitempty"`
	For      string `json:"for,omitempty"`
	// Date is the time the receiver accepted the message; nil when absent
	// or unreadable.
	Date *time.Time `json:"date,omitempty"`
	// TLS: the with protocol says the session used TLS (ESMTPS, ESMTPSA,
	// LMTPS, UTF8SMTPS..., RFC 3848 §1, RFC 6531 §3.7.3), or a comment
	// names the TLS version or cipher. nil when the field does not say.
	TLS       *bool  `json:"tls,omitempty"`
	TLSDetail string `json:"tls_detail,omitempty"`
	// Authenticated: the with protocol ends in "A" (ESMTPA, ESMTPSA:
	// the client authenticated, RFC 3848).
	Authenticated bool `json:"authenticated,omitempty"`
	// DelaySeconds is the time since the hop below (the previous one in
	// time); nil when either date is missing. Negative values mean skewed
	// clocks.
	DelaySeconds *float64 `json:"delay_seconds,omitempty"`
	// Comments are the parenthesized comments, in order.
	Comments []string `json:"comments,omitempty"`
	Raw      string   `json:"raw"`

	pos int // index of the field among all header fields
}

var (
	bracketIP = regexp.MustCompile(`\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]`)
	bareIP    = regexp.MustCompile(`(?:^|[\s(=])((?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]*:[0-9A-Fa-f:.]+)(?:$|[\s)\]])`)
	tlsNote   = regexp.MustCompile(`(?i)\b(TLS ?v?1[._]?[0-3]|TLSv1(?:\.\d)?|SSLv3|version=TLS\S*|cipher=\S+|using TLS\S*)`)
)

// clauseWords are the Received clauses of RFC 5321 §4.4 (Stamp), in their
// usual order; any may be absent.
var clauseWords = map[string]bool{"from": true, "by": true, "via": true, "with": true, "id": true, "for": true}

// ParseReceived parses a Received field value. It never fails: what it
// cannot read stays empty, and Raw keeps the whole field.
func ParseReceived(index int, value string) Hop {
	h := Hop{Index: index, Raw: value}
	v := strings.ReplaceAll(value, "\r\n", " ")
	// The date follows the last ";" (RFC 5321 §4.4: ";" date-time).
	if i := strings.LastIndexByte(v, ';'); i >= 0 {
		date := strings.TrimSpace(v[i+1:])
		v = v[:i]
		if t, err := mail.ParseDate(stripComments(date)); err == nil {
			t = t.UTC()
			h.Date = &t
		} else if t, err := mail.ParseDate(date); err == nil {
			t = t.UTC()
			h.Date = &t
		}
	}
	// Split into words and comments, comments attached to the clause
	// that precedes them.
	clause := ""
	clauses := map[string][]string{}
	comments := map[string][]string{}
	for _, tok := range tokens(v) {
		if strings.HasPrefix(tok, "(") {
			c := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(tok, "("), ")"))
			comments[clause] = append(comments[clause], c)
			if len(h.Comments) < 16 {
				h.Comments = append(h.Comments, c)
			}
			continue
		}
		// A clause word starts its clause the first time only: "for" or
		// "id" met again is a value.
		if w := strings.ToLower(tok); clauseWords[w] {
			if _, seen := clauses[w]; !seen {
				clause = w
				clauses[w] = []string{}
				continue
			}
		}
		clauses[clause] = append(clauses[clause], tok)
	}
	first := func(c string) string {
		if len(clauses[c]) > 0 {
			return clauses[c][0]
		}
		return ""
	}
	h.From, h.By, h.Via, h.With, h.ID = first("from"), first("by"), first("via"), first("with"), first("id")
	h.For = strings.Trim(first("for"), "<>")
	// The connecting address: an address literal in the from clause or its
	// comment (RFC 5321 §4.4 TCP-info: address-literal / Domain FWS
	// address-literal), or a bare address in the comment (Exim, qmail).
	for _, c := range comments["from"] {
		if h.FromIP == "" {
			h.FromIP = findIP(c)
		}
		if h.FromRDNS == "" {
			if w := strings.Fields(c); len(w) > 0 && !strings.HasPrefix(w[0], "[") && strings.Contains(w[0], ".") && !strings.Contains(w[0], "=") {
				if _, err := netip.ParseAddr(w[0]); err != nil {
					h.FromRDNS = strings.TrimSuffix(w[0], ".")
				}
			}
		}
		if helo := heloIn(c); helo != "" && (h.From == "" || strings.HasPrefix(h.From, "[") || strings.EqualFold(h.From, "unknown")) {
			h.From = helo
		}
	}
	if h.FromIP == "" {
		h.FromIP = findIP(strings.Join(clauses["from"], " "))
	}
	with := strings.ToUpper(h.With)
	switch {
	case with == "":
	case strings.HasSuffix(strings.TrimSuffix(with, "A"), "S") && strings.Contains(with, "SMTP") || with == "LMTPS" || with == "LMTPSA":
		t := true
		h.TLS = &t
	case strings.Contains(with, "SMTP") || strings.Contains(with, "LMTP"):
		f := false
		h.TLS = &f
	}
	h.Authenticated = strings.HasSuffix(with, "SA") || with == "ESMTPA" || with == "LMTPA"
	for _, c := range h.Comments {
		if m := tlsNote.FindString(c); m != "" {
			h.TLSDetail = c
			if h.TLS == nil || !*h.TLS {
				t := true
				h.TLS = &t
			}
			break
		}
	}
	return h
}

// heloIn finds "helo=NAME" (Exim) or "HELO NAME" (qmail) in a comment.
func heloIn(c string) string {
	words := strings.Fields(c)
	for i, w := range words {
		if v, ok := strings.CutPrefix(strings.ToLower(w), "helo="); ok {
			return strings.Trim(v, "[]")
		}
		if strings.EqualFold(w, "helo") && i+1 < len(words) {
			return strings.Trim(words[i+1], "[]")
		}
	}
	return ""
}

func findIP(s string) string {
	for _, m := range bracketIP.FindAllStringSubmatch(s, -1) {
		if a, err := netip.ParseAddr(m[1]); err == nil {
			return a.Unmap().String()
		}
	}
	for _, m := range bareIP.FindAllStringSubmatch(s, -1) {
		if a, err := netip.ParseAddr(m[1]); err == nil {
			return a.Unmap().String()
		}
	}
	return ""
}

// tokens splits a Received value into words and whole comments (nested
// parentheses kept together).
func tokens(s string) []string {
	var out []string
	for i := 0; i < len(s) && len(out) < 256; {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(':
			depth, j := 0, i
			for ; j < len(s); j++ {
				if s[j] == '\\' {
					j++
					continue
				}
				if s[j] == '(' {
					depth++
				} else if s[j] == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			end := min(j+1, len(s))
			out = append(out, s[i:end])
			i = end
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '(' {
				j++
			}
			out = append(out, s[i:j])
			i = j
		}
	}
	return out
}

func stripComments(s string) string {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth > 0 {
				depth--
			}
		default:
			if depth == 0 {
				b.WriteByte(s[i])
			}
		}
	}
	return strings.TrimSpace(b.String())
}

// ParsePath parses every Received field of m, top first, and computes the
// delay of each hop from the one below it.
func ParsePath(m *Message) []Hop {
	var hops []Hop
	for pos, f := range m.Fields {
		if !strings.EqualFold(f.Name, "Received") {
			continue
		}
		if len(hops) >= MaxHops {
			break
		}
		h := ParseReceived(len(hops)+1, unfold(f.Value()))
		h.pos = pos
		hops = append(hops, h)
	}
	if hops == nil {
		hops = []Hop{}
	}
	for i := 0; i+1 < len(hops); i++ {
		if hops[i].Date != nil && hops[i+1].Date != nil {
			d := hops[i].Date.Sub(*hops[i+1].Date).Seconds()
			hops[i].DelaySeconds = &d
		}
	}
	return hops
}

// MaxHops bounds the Received fields read; RFC 5321 §6.3 has receivers
// reject mail with more than about 100.
const MaxHops = 100

package smtpprobe

import (
	"slices"
	"strconv"
	"strings"
)

// EHLO is a parsed reply to EHLO (RFC 5321 §4.1.1.1): the server's name and
// greeting text on the first line, one service extension per following line.
type EHLO struct {
	// Domain is the name the server gives for itself.
	Domain string `json:"domain"`
	// Greet is the free text after the name, if any.
	Greet      string      `json:"greet,omitempty"`
	Extensions []Extension `json:"extensions"`
	// Invalid holds lines that are not an ehlo-line of RFC 5321 §4.1.1.1.
	Invalid []string `json:"invalid,omitempty"`
}

// Extension is one ehlo-line: a keyword and its parameters. The keyword is
// upper-cased (keywords are case-insensitive, RFC 5321 §2.4).
type Extension struct {
	Keyword string   `json:"keyword"`
	Params  []string `json:"params,omitempty"`
}

// String returns the ehlo-line: the keyword and parameters separated by spaces.
func (e Extension) String() string {
	if len(e.Params) == 0 {
		return e.Keyword
	}
	return e.Keyword + " " + strings.Join(e.Params, " ")
}

// ParseEHLO reads the lines of a 250 reply to EHLO. Lines that are not a
// valid ehlo-line are kept in Invalid rather than failing the whole reply:
// a client must still make sense of what it can.
//
// Some servers also advertise "AUTH=LOGIN PLAIN", an old form for clients
// that predate RFC 4954; it is read as AUTH with those mechanisms, unless a
// proper AUTH line is present too.
func ParseEHLO(lines []string) EHLO {
	var e EHLO
	if len(lines) == 0 {
		return e
	}
	first := strings.TrimSpace(lines[0])
	e.Domain, e.Greet, _ = strings.Cut(first, " ")
	e.Greet = strings.TrimSpace(e.Greet)
	for _, l := range lines[1:] {
		fields := strings.Fields(l)
		if len(fields) == 0 {
			e.Invalid = append(e.Invalid, l)
			continue
		}
		kw := strings.ToUpper(fields[0])
		params := fields[1:]
		if rest, ok := strings.CutPrefix(kw, "AUTH="); ok {
			if rest == "" || e.Has("AUTH") {
				continue
			}
			kw, params = "AUTH", append([]string{rest}, params...)
		} else if !validKeyword(kw) {
			e.Invalid = append(e.Invalid, l)
			continue
		}
		if kw == "AUTH" {
			// Mechanism names are case-insensitive (RFC 4954 §3, RFC 4422 §3.1).
			params = upperAll(params)
			if i := e.index("AUTH"); i >= 0 {
				// A second AUTH line (the old "AUTH=" form came first): merge.
				for _, p := range params {
					if !slices.Contains(e.Extensions[i].Params, p) {
						e.Extensions[i].Params = append(e.Extensions[i].Params, p)
					}
				}
				continue
			}
		}
		if e.Has(kw) {
			continue
		}
		e.Extensions = append(e.Extensions, Extension{Keyword: kw, Params: params})
	}
	return e
}

// Lines returns the reply lines of e, the inverse of ParseEHLO (invalid lines
// are left out).
func (e EHLO) Lines() []string {
	first := e.Domain
	if e.Greet != "" {
		first += " " + e.Greet
	}
	out := []string{first}
	for _, x := range e.Extensions {
		out = append(out, x.String())
	}
	return out
}

// String returns e as a 250 reply on the wire.
func (e EHLO) String() string { return Reply{Code: 250, Lines: e.Lines()}.String() }

// Has reports whether the keyword is advertised.
func (e EHLO) Has(keyword string) bool { return e.index(keyword) >= 0 }

// Params returns the parameters of a keyword.
func (e EHLO) Params(keyword string) []string {
	if i := e.index(keyword); i >= 0 {
		return e.Extensions[i].Params
	}
	return nil
}

// Keywords returns the advertised keywords, in order.
func (e EHLO) Keywords() []string {
	out := make([]string, len(e.Extensions))
	for i, x := range e.Extensions {
		out[i] = x.Keyword
	}
	return out
}

// AuthMechanisms returns the SASL mechanisms of the AUTH extension (RFC 4954 §3).
func (e EHLO) AuthMechanisms() []string { return e.Params("AUTH") }

// CleartextAuth returns the advertised mechanisms that send the password
// itself, PLAIN (RFC 4616) and LOGIN: offered outside TLS they expose it
// (RFC 4954 §4, RFC 8314 §3).
func (e EHLO) CleartextAuth() []string {
	var out []string
	for _, m := range e.AuthMechanisms() {
		if m == "PLAIN" || m == "LOGIN" {
			out = append(out, m)
		}
	}
	return out
}

// Size returns the SIZE limit in octets (RFC 1870 §4); ok is false when SIZE
// is absent, and 0 with ok means "no fixed limit".
func (e EHLO) Size() (n int64, ok bool) {
	i := e.index("SIZE")
	if i < 0 {
		return 0, false
	}
	p := e.Extensions[i].Params
	if len(p) == 0 {
		return 0, true
	}
	n, err := strconv.ParseInt(p[0], 10, 64)
	if err != nil || n < 0 {
		return 0, true
	}
	return n, true
}

func (e EHLO) index(keyword string) int {
	keyword = strings.ToUpper(keyword)
	for i, x := range e.Extensions {
		if x.Keyword == keyword {
			return i
		}
	}
	return -1
}

// validKeyword implements RFC 5321 §4.1.1.1:
// ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-").
func validKeyword(kw string) bool {
	if kw == "" || kw[0] == '-' {
		return false
	}
	for i := 0; i < len(kw); i++ {
		c := kw[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func upperAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToUpper(s)
	}
	return out
}

// diffKeywords returns the keywords of after that were not in before, and
// those of before no longer in after.
func diffKeywords(before, after EHLO) (added, removed []string) {
	for _, k := range after.Keywords() {
		if !before.Has(k) {
			added = append(added, k)
		}
	}
	for _, k := range before.Keywords() {
		if !after.Has(k) {
			removed = append(removed, k)
		}
	}
	return added, removed
}

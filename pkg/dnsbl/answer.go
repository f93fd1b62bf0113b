package dnsbl

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// Verdict is what one answer from one list says, before the list's health
// is taken into account.
type Verdict string

const (
	Listed      Verdict = "listed"      // a listing code (RFC 5782 §2.3)
	NotListed   Verdict = "not_listed"  // NXDOMAIN, or no A record
	Allowlisted Verdict = "allowlisted" // an allow-list or good-reputation code
	Refused     Verdict = "refused"     // an error/refusal code, or RCODE REFUSED: says nothing about the target
	Bogus       Verdict = "bogus"       // an answer that is not a listing code: outside 127/8, or undocumented bits
	Failed      Verdict = "error"       // timeout, SERVFAIL, network trouble: says nothing about the target
)

// Decisive reports whether the verdict says something about the target.
func (v Verdict) Decisive() bool {
	return v == Listed || v == NotListed || v == Allowlisted
}

// maxAnswerCodes bounds how many A records of one answer are read; lists
// return one to a handful.
const maxAnswerCodes = 16

// AnswerCode is one A record of an answer with its meaning.
type AnswerCode struct {
	Code string `json:"code"`
	// Meaning is what the code says: the list's own words from the catalog
	// (lists.json, data shown as written), or ours for codes it does not
	// document (catalog key dnsbl.code.*).
	Meaning report.Msg `json:"meaning"`
	Class   Class      `json:"class,omitempty"`
	// Error marks a refusal/error code rather than a listing.
	Error bool `json:"error,omitempty"`
}

// Reading is the classification of one answer.
type Reading struct {
	Verdict Verdict
	Codes   []AnswerCode
	// Class is the worst class among the listing codes (Listed/Allowlisted).
	Class Class
	// PublicResolver is set when a refusal code means "public resolver".
	PublicResolver bool
	// Err says, for a reader, why the answer is a failure or a refusal.
	Err report.Msg
}

// Read classifies the answer of a list to one query (the answer reader).
// RFC 5782 §2.3: an A record in 127.0.0.0/8 is a listing and NXDOMAIN is
// not; everything else is decoded through the catalog so that refusals
// (Spamhaus 127.255.255.254, URIBL 127.0.0.1) and answers outside 127/8 (a
// resolver rewriting NXDOMAIN) are never mistaken for listings
// (https://www.spamhaus.org/news/article/788, https://uribl.com/refused.shtml).
func Read(l *List, ans resolver.Answer, err error) Reading {
	if err != nil {
		if errors.Is(err, resolver.ErrRefused) {
			return Reading{Verdict: Refused, Err: report.T("dnsbl.err.refused", nil)}
		}
		return Reading{Verdict: Failed, Err: lookupError(err)}
	}
	var addrs []netip.Addr
	for _, rr := range ans.RRs {
		a, ok := rr.(*dns.A)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(a.A.To4())
		if !ok {
			continue
		}
		addrs = append(addrs, ip)
	}
	if ans.Outcome != resolver.Found || len(addrs) == 0 {
		return Reading{Verdict: NotListed}
	}
	return ReadCodes(l, addrs)
}

// ReadCodes classifies the A records of an answer.
func ReadCodes(l *List, addrs []netip.Addr) Reading {
	if len(addrs) > 1 { // one code, the usual answer, is in order already
		addrs = append([]netip.Addr(nil), addrs...)
		slices.SortFunc(addrs, netip.Addr.Compare) // a total order: equal addresses are alike
		addrs = dedupe(addrs)
	}
	var r Reading
	// An answer outside 127/8 is not a DNSBL answer at all: the resolver
	// rewrites NXDOMAIN (an ISP's search page) or something sits in the path.
	// Every record is looked at for this, however many there are.
	for _, a := range addrs {
		if !in127(a) && len(r.Codes) < maxAnswerCodes {
			r.Verdict = Bogus
			r.Codes = append(r.Codes, AnswerCode{Code: codeText(a), Meaning: report.T("dnsbl.code.outside", nil), Error: true})
		}
	}
	// Lists return one to a handful of codes; read a bounded number.
	if len(addrs) > maxAnswerCodes {
		addrs = addrs[:maxAnswerCodes]
	}
	if r.Verdict == Bogus {
		r.Err = report.T("dnsbl.err.outside", nil)
		return r
	}
	// Error codes first: a refusal code is never a listing, even when a
	// listing code comes with it.
	for _, a := range addrs {
		if c, ok := l.errorCode(a); ok || l.universalError(a, &c) {
			r.Verdict = Refused
			r.PublicResolver = r.PublicResolver || c.PublicResolver
			r.Codes = append(r.Codes, AnswerCode{Code: codeText(a), Meaning: c.meaning(a.As4()), Error: true})
		}
	}
	if r.Verdict == Refused {
		r.Err = report.T("dnsbl.err.code", report.Params{"code": r.Codes[0].Code, "meaning": r.Codes[0].Meaning})
		return r
	}
	worst := Class("")
	undocumented := 0
	for _, a := range addrs {
		codes := l.listingCodes(a)
		if len(codes) == 0 {
			undocumented++
		}
		if r.Codes == nil {
			r.Codes = codes // listingCodes' own slice: no copy
		} else {
			r.Codes = append(r.Codes, codes...)
		}
		for _, c := range codes {
			if worst == "" || c.Class.rank() > worst.rank() {
				worst = c.Class
			}
		}
	}
	switch {
	case worst == "" && undocumented > 0 && l.Bitmask:
		// SURBL (https://www.surbl.org/lists): bits the catalog does not document are
		// unknown, not a listing.
		r.Verdict = Bogus
		r.Err = report.T("dnsbl.err.no_bit", nil)
	case worst == "":
		r.Verdict = NotListed
	case worst == ClassAllow:
		r.Verdict, r.Class = Allowlisted, worst
	default:
		r.Verdict, r.Class = Listed, worst
	}
	return r
}

// expand replaces {0}..{3} in a meaning with the answer's octets, so a
// pattern code can name what its wildcard matched ("category {2}").
func expand(meaning string, b [4]byte) string {
	if !strings.Contains(meaning, "{") {
		return meaning
	}
	for i := range 4 {
		meaning = strings.ReplaceAll(meaning, fmt.Sprintf("{%d}", i), strconv.Itoa(int(b[i])))
	}
	return meaning
}

func dedupe(s []netip.Addr) []netip.Addr {
	out := s[:0]
	for i, a := range s {
		if i == 0 || a != s[i-1] {
			out = append(out, a)
		}
	}
	return out
}

// errorCode finds a refusal/error code; exact codes win over patterns. On a
// bitmask list, an error code is a bit (URIBL and SURBL set bit 1 on refused
// queries).
func (l *List) errorCode(a netip.Addr) (*Code, bool) {
	b := a.As4()
	if c, ok := matchCodes(l.errors, b); ok {
		return c, true
	}
	if l.Bitmask && b[1] == 0 && b[2] == 0 {
		for _, e := range l.errors {
			if e.exact() && e.octets[1] == 0 && e.octets[2] == 0 && int(b[3])&e.octets[3] != 0 {
				return e.code, true
			}
		}
	}
	return nil, false
}

// universalErrors are answers that are never listings on any list that does
// not document them otherwise, so that a zone named with --list (or a
// catalog entry without error codes) cannot turn a refusal into a listing.
var universalErrors = []struct {
	prefix netip.Prefix
	code   Code
}{
	{netip.MustParsePrefix("127.255.255.254/32"), Code{key: "dnsbl.code.public_resolver", PublicResolver: true}},
	{netip.MustParsePrefix("127.255.255.0/24"), Code{key: "dnsbl.code.error_range"}},
	// RFC 5782 §5: 127.0.0.1 must never be listed; URIBL and SURBL answer it
	// for refused queries.
	{netip.MustParsePrefix("127.0.0.1/32"), Code{key: "dnsbl.code.loopback", PublicResolver: true}},
}

// universalError reports whether a is one of universalErrors and not a code
// the list documents (Hostkarma's 127.0.0.1 means allow-listed).
func (l *List) universalError(a netip.Addr, out **Code) bool {
	if _, ok := matchCodes(l.codes, a.As4()); ok {
		return false
	}
	for _, u := range universalErrors {
		if u.prefix.Contains(a) {
			c := u.code
			*out = &c
			return true
		}
	}
	return false
}

func matchCodes(cs []compiledCode, b [4]byte) (*Code, bool) {
	for _, c := range cs {
		if c.exact() && c.match(b) {
			return c.code, true
		}
	}
	for _, c := range cs {
		if !c.exact() && c.match(b) {
			return c.code, true
		}
	}
	return nil, false
}

// listingCodes decodes one A record into its listing meanings. A list not in
// the catalog (or a code the catalog does not know) follows RFC 5782 §2.3:
// any 127/8 answer is a listing. A bitmask list is decoded bit by bit.
func (l *List) listingCodes(a netip.Addr) []AnswerCode {
	b := a.As4()
	classOf := func(c *Code) Class {
		if c.Class != "" {
			return c.Class
		}
		return l.Class
	}
	if l.Bitmask {
		if b[1] != 0 || b[2] != 0 {
			return nil
		}
		var out []AnswerCode
		var unknown []string
		for bit := 1; bit < 256; bit <<= 1 {
			if int(b[3])&bit == 0 {
				continue
			}
			bb := [4]byte{127, 0, 0, byte(bit)}
			if c, ok := matchCodes(l.codes, bb); ok {
				out = append(out, AnswerCode{Code: codeText(a), Meaning: report.Lit(c.Meaning), Class: classOf(c)})
			} else {
				unknown = append(unknown, fmt.Sprintf("0x%x", bit))
			}
		}
		if len(out) > 0 && len(unknown) > 0 {
			out = append(out, AnswerCode{Code: codeText(a), Meaning: report.T("dnsbl.code.undocumented_bits", report.Params{"bits": unknown}), Class: ClassInformational})
		}
		return out
	}
	if c, ok := matchCodes(l.codes, b); ok {
		return []AnswerCode{{Code: codeText(a), Meaning: c.meaning(b), Class: classOf(c)}}
	}
	cls := l.Class
	if cls == ClassAllow {
		// An undocumented code from an allow list is not good news we can vouch for.
		cls = ClassInformational
	}
	return []AnswerCode{{Code: codeText(a), Meaning: report.T("dnsbl.code.undocumented", nil), Class: cls}}
}

// lookupError words a resolver failure for a reader, tersely (the same
// failure for many targets is said once): the kind of failure, or the
// error itself when the resolver did not classify it.
func lookupError(err error) report.Msg {
	switch k := resolver.KindOf(err); k {
	case resolver.KindTimeout, resolver.KindServFail, resolver.KindRefused, resolver.KindCanceled, resolver.KindNetwork:
		return report.T("dnsbl.err."+string(k), nil)
	case "":
		return check.ErrMsg(err)
	default:
		return report.T("dnsbl.err.unclassified", report.Params{"kind": string(k)})
	}
}

// codeText is a.String(), made once per process for the codes lists
// answer with most (127.0.0.0/24) rather than for every answer.
func codeText(a netip.Addr) string {
	if a.Is4() {
		if b := a.As4(); b[0] == 127 && b[1] == 0 && b[2] == 0 {
			return codeTexts()[b[3]]
		}
	}
	return a.String()
}

var codeTexts = sync.OnceValue(func() *[256]string {
	var t [256]string
	for i := range t {
		t[i] = netip.AddrFrom4([4]byte{127, 0, 0, byte(i)}).String()
	}
	return &t
})

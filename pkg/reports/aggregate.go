package reports

import (
	"bytes"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// PolicyPublished is the DMARC policy the reporter found for the domain
// (RFC 7489 Appendix C "PolicyPublishedType"; RFC 9990 adds np, testing
// and discovery_method and drops pct).
type PolicyPublished struct {
	Domain  string `json:"domain"`
	ADKIM   string `json:"adkim,omitempty"`
	ASPF    string `json:"aspf,omitempty"`
	P       string `json:"p,omitempty"`
	SP      string `json:"sp,omitempty"`
	NP      string `json:"np,omitempty"`
	Pct     string `json:"pct,omitempty"`
	Fo      string `json:"fo,omitempty"`
	Testing string `json:"testing,omitempty"`
	// DiscoveryMethod is RFC 9990's "psl" or "treewalk".
	DiscoveryMethod string `json:"discovery_method,omitempty"`
}

// row is one <record> of an aggregate report: the messages from one source
// IP with one set of results. A row is folded into its report's sources
// as soon as its end tag is read, and its memory reused for the next:
// a report costs memory per distinct source, not per record.
type row struct {
	ip          string // canonical form, or the text as sent when not an address
	count       int64
	disposition string
	dkim, spf   string // policy_evaluated, lower case
	reason      string // policy_evaluated/reason/type, lower case
	headerFrom  string
	envFrom     string
	authDKIM    []authResult
	authSPF     []authResult
}

type authResult struct {
	domain, selector, result string
}

// aggregate is one aggregate report as read: metadata, the policy and its
// rows.
type aggregate struct {
	version  string
	org      string
	reportID string
	email    string
	begin    time.Time
	end      time.Time
	policy   PolicyPublished
	// sources aggregates the complete records by source address; order
	// lists the addresses as first seen, so merging is deterministic.
	sources map[string]*sourceAgg
	order   []string
	// messages and pass total the complete records (pass: dkim=pass or
	// spf=pass in policy_evaluated).
	messages, pass int64
	// headerFrom is the first record's header_from.
	headerFrom string
	// cur is the record being read.
	cur row
	// ownCache remembers ownOrService's answers for header_from ownFor.
	ownCache map[string]bool
	ownFor   string
	notes    []report.Msg // what was repaired while reading
	interned map[string]string
	// complete counts the records read to their end tag.
	complete int
	// upperCase: an enumerated value (pass, fail, none...) came in upper
	// case; such values are compared case-insensitively.
	upperCase bool
}

// str returns b as a string, interned: the same values (pass, fail, the
// domain, the selector) repeat in every record, so each is allocated once
// per report.
func (a *aggregate) str(b []byte) string {
	if v, ok := a.interned[string(b)]; ok {
		return v
	}
	v := clean(string(b))
	if a.interned == nil {
		a.interned = map[string]string{}
	}
	if len(a.interned) < 4096 {
		a.interned[string(b)] = v
	}
	return v
}

// lower returns v in lower case, noting when that changed it.
func (a *aggregate) lower(v string) string {
	lv := strings.ToLower(v)
	if lv != v {
		a.upperCase = true
	}
	return lv
}

// element codes, so the parser compares small integers, not strings.
const (
	eOther = iota
	eFeedback
	eVersion
	eReportMetadata
	eOrgName
	eEmail
	eReportID
	eDateRange
	eBegin
	eEnd
	ePolicyPublished
	eDomain
	eADKIM
	eASPF
	eP
	eSP
	eNP
	ePct
	eFo
	eTesting
	eDiscovery
	eRecord
	eRow
	eSourceIP
	eCount
	ePolicyEvaluated
	eDisposition
	eDKIM
	eSPF
	eReason
	eType
	eIdentifiers
	eHeaderFrom
	eEnvelopeFrom
	eAuthResults
	eSelector
	eResult
)

var elementCodes = map[string]int{
	"feedback": eFeedback, "version": eVersion, "report_metadata": eReportMetadata,
	"org_name": eOrgName, "email": eEmail, "report_id": eReportID, "date_range": eDateRange,
	"begin": eBegin, "end": eEnd, "policy_published": ePolicyPublished, "domain": eDomain,
	"adkim": eADKIM, "aspf": eASPF, "p": eP, "sp": eSP, "np": eNP, "pct": ePct, "fo": eFo,
	"testing": eTesting, "discovery_method": eDiscovery, "record": eRecord, "row": eRow,
	"source_ip": eSourceIP, "count": eCount, "policy_evaluated": ePolicyEvaluated,
	"disposition": eDisposition, "dkim": eDKIM, "spf": eSPF, "reason": eReason, "type": eType,
	// Early drafts (and some reporters) say "identities".
	"identifiers": eIdentifiers, "identities": eIdentifiers,
	"header_from": eHeaderFrom, "envelope_from": eEnvelopeFrom, "auth_results": eAuthResults,
	"selector": eSelector, "result": eResult,
}

// code maps an element's local name to its code, ignoring case: some
// reporters capitalize element names.
func code(name []byte) int {
	var buf [32]byte
	if len(name) > len(buf) {
		return eOther
	}
	for i, c := range name {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return elementCodes[string(buf[:len(name)])] // no allocation: map index by converted bytes
}

var errNoFeedback = errors.New("no <feedback> element")

// maxCount bounds one record's message count, so that totals cannot
// overflow: no receiver sees 2^32 messages from one address in a report's
// day. The bound is what keeps the sums safe: reading for the whole
// --timeout at the parser's speed gives some 20 million records, and 2^32
// of them each total under 2^57, far from 2^63 (at 2^40 they would not).
const maxCount = 1 << 32

// parseAggregate reads an RFC 7489 Appendix C / RFC 9990 report. When the
// document as a whole is not well formed but holds a well-formed
// <feedback> element with junk before or after it, that element is read
// and a note says so.
func parseAggregate(data []byte) (*aggregate, error) {
	start := findFeedback(data)
	if start < 0 {
		return nil, errNoFeedback
	}
	agg := &aggregate{}
	end, err := agg.parse(data[start:])
	switch {
	case errors.Is(err, errTruncated) && agg.complete > 0 && (agg.org != "" || agg.reportID != ""):
		// A report cut short (a truncated attachment) keeps the records
		// read to the end; the totals then cover those only.
		agg.notes = append(agg.notes, note("cut_short", report.Params{"count": agg.complete}))
		end = len(data) - start
	case err != nil:
		return nil, err
	}
	if !onlyProlog(data[:start]) || len(bytes.TrimSpace(data[start+end:])) > 0 && !onlyProlog(data[start+end:]) {
		agg.notes = append(agg.notes, note("junk", nil))
	}
	if agg.policy.Domain == "" && agg.org == "" && agg.reportID == "" && agg.complete == 0 {
		return nil, problemf("empty_feedback", nil)
	}
	if agg.policy.Domain == "" && agg.headerFrom != "" {
		agg.policy.Domain = agg.headerFrom
		agg.notes = append(agg.notes, note("header_from", nil))
	}
	return agg, nil
}

// findFeedback finds the start of the <feedback> element, with or without
// a namespace prefix, in any case.
func findFeedback(data []byte) int {
	for off := 0; off < len(data); {
		j := bytes.IndexByte(data[off:], '<')
		if j < 0 {
			return -1
		}
		off += j
		k := off + 1
		for k < len(data) && isNameChar(data[k]) {
			k++
		}
		if code(localName(data[off+1:k])) == eFeedback && k < len(data) && (isSpace(data[k]) || data[k] == '>') {
			return off
		}
		off++
	}
	return -1
}

// onlyProlog reports whether b holds nothing but an XML declaration,
// comments, processing instructions, a DOCTYPE and white space (or a
// byte-order mark).
func onlyProlog(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	s := xmlScanner{b: b}
	for {
		k, err := s.next()
		if err != nil {
			return false
		}
		switch k {
		case tokEOF:
			return true
		case tokText:
			if len(bytes.TrimSpace(s.text)) > 0 {
				return false
			}
		default:
			return false
		}
	}
}

// parse reads the <feedback> element at the start of b and returns the
// offset just after it.
func (a *aggregate) parse(b []byte) (int, error) {
	s := xmlScanner{b: b}
	var path [maxXMLDepth]int
	depth := 0
	var text []byte
	var cur *row
	var auth *authResult
	for {
		k, err := s.next()
		if err != nil {
			return 0, err
		}
		switch k {
		case tokEOF:
			return 0, problemf("eof", nil)
		case tokText:
			text = append(text, s.text...)
		case tokStart:
			c := code(s.name)
			path[depth] = c
			depth++
			text = text[:0]
			switch {
			case depth == 2 && c == eRecord:
				a.cur = row{authDKIM: a.cur.authDKIM[:0], authSPF: a.cur.authSPF[:0]}
				cur = &a.cur
			case depth == 4 && cur != nil && path[2] == eAuthResults && (c == eDKIM || c == eSPF):
				if c == eDKIM {
					cur.authDKIM = append(cur.authDKIM, authResult{})
					auth = &cur.authDKIM[len(cur.authDKIM)-1]
				} else {
					cur.authSPF = append(cur.authSPF, authResult{})
					auth = &cur.authSPF[len(cur.authSPF)-1]
				}
			}
		case tokEnd:
			depth--
			if depth == 0 {
				return s.i, nil
			}
			v := a.str(bytes.TrimSpace(text))
			text = text[:0]
			if err := a.leaf(path[:depth+1], v, cur, auth); err != nil {
				return 0, err
			}
			if depth == 3 && path[2] == eAuthResults {
				auth = nil
			}
			if depth == 1 && path[1] == eRecord && cur != nil {
				a.fold(cur)
				cur = nil
				a.complete++
			}
		}
	}
}

// fold adds a complete record to its source's totals.
func (a *aggregate) fold(r *row) {
	if a.sources == nil {
		a.sources = map[string]*sourceAgg{}
	}
	s := a.sources[r.ip]
	if s == nil {
		s = &sourceAgg{}
		a.sources[r.ip] = s
		a.order = append(a.order, r.ip)
	}
	n := r.count
	a.messages += n
	s.messages += n
	dk, sp := r.dkim == "pass", r.spf == "pass"
	if dk || sp {
		s.pass += n
		a.pass += n
	}
	if dk {
		s.dkimPass += n
	}
	if sp {
		s.spfPass += n
	}
	switch r.reason {
	case "forwarded", "mailing_list", "trusted_forwarder":
		s.forwardedReason += n
	}
	if r.disposition == "quarantine" || r.disposition == "reject" {
		s.rejected += n
	}
	for _, x := range r.authDKIM {
		s.dkim = addIdentity(s.dkim, x.domain, x.result == "pass", n)
	}
	spfSeen := false
	for _, x := range r.authSPF {
		s.spf = addIdentity(s.spf, x.domain, x.result == "pass", n)
		spfSeen = spfSeen || x.domain != ""
	}
	if !spfSeen && r.envFrom != "" {
		s.spf = addIdentity(s.spf, r.envFrom, sp, n)
	}
	if !dk && !sp && a.foreign(r) {
		s.foreign += n
	}
	if a.headerFrom == "" {
		a.headerFrom = r.headerFrom
	}
}

// foreign reports whether a record shows identities (DKIM d=, SPF or
// envelope domains) and none is under the header_from's organizational
// domain or a known service's default domains. Answers are cached per
// report: the same few domains repeat in every record.
func (a *aggregate) foreign(r *row) bool {
	hf := r.headerFrom
	if hf == "" {
		hf = a.policy.Domain
	}
	if hf == "" {
		return false
	}
	seen := false
	for _, ids := range [2][]authResult{r.authDKIM, r.authSPF} {
		for _, x := range ids {
			if x.domain == "" {
				continue
			}
			seen = true
			if a.ownOrService(hf, x.domain) {
				return false
			}
		}
	}
	if r.envFrom != "" {
		seen = true
		if a.ownOrService(hf, r.envFrom) {
			return false
		}
	}
	return seen
}

func (a *aggregate) ownOrService(headerFrom, domain string) bool {
	// Keyed by domain for one header_from at a time (a report has one,
	// almost always): no key to build per record.
	if headerFrom != a.ownFor || a.ownCache == nil {
		a.ownFor, a.ownCache = headerFrom, map[string]bool{}
	}
	if v, ok := a.ownCache[domain]; ok {
		return v
	}
	v := orgOf(domain) == orgOf(headerFrom)
	for i := 0; !v && i < len(Services); i++ {
		for _, suf := range Services[i].Domains {
			if underDomain(domain, suf) {
				v = true
				break
			}
		}
	}
	if len(a.ownCache) < 4096 {
		a.ownCache[domain] = v
	}
	return v
}

// leaf stores the value v of the element at path (path[0] is feedback).
func (a *aggregate) leaf(path []int, v string, cur *row, auth *authResult) error {
	if len(path) < 3 {
		if len(path) == 2 && path[1] == eVersion {
			a.version = v
		}
		return nil
	}
	switch path[1] {
	case eReportMetadata:
		switch {
		case len(path) == 3 && path[2] == eOrgName:
			a.org = v
		case len(path) == 3 && path[2] == eEmail:
			a.email = v
		case len(path) == 3 && path[2] == eReportID:
			a.reportID = v
		case len(path) == 4 && path[2] == eDateRange && (path[3] == eBegin || path[3] == eEnd):
			t, err := parseTime(v)
			if err != nil {
				a.notes = append(a.notes, note("date_range", report.Params{"value": err.Error()}))
				return nil
			}
			if path[3] == eBegin {
				a.begin = t
			} else {
				a.end = t
			}
		}
	case ePolicyPublished:
		if len(path) != 3 {
			return nil
		}
		p := &a.policy
		var lv string
		switch path[2] {
		case eADKIM, eASPF, eP, eSP, eNP, eTesting, eDiscovery:
			lv = a.lower(v)
		}
		switch path[2] {
		case eDomain:
			p.Domain = normDomain(v)
		case eADKIM:
			p.ADKIM = lv
		case eASPF:
			p.ASPF = lv
		case eP:
			p.P = lv
		case eSP:
			p.SP = lv
		case eNP:
			p.NP = lv
		case ePct:
			p.Pct = v
		case eFo:
			p.Fo = v
		case eTesting:
			p.Testing = lv
		case eDiscovery:
			p.DiscoveryMethod = lv
		}
	case eRecord:
		if cur == nil {
			return nil
		}
		return a.recordLeaf(path[2:], v, cur, auth)
	}
	return nil
}

func (a *aggregate) recordLeaf(path []int, v string, cur *row, auth *authResult) error {
	switch path[0] {
	case eRow:
		switch {
		case len(path) == 2 && path[1] == eSourceIP:
			cur.ip = canonicalIP(v)
		case len(path) == 2 && path[1] == eCount:
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 || n > maxCount {
				a.notes = append(a.notes, note("count", report.Params{"value": truncate(v, 40)}))
				n = 0
			}
			cur.count = n
		case len(path) == 3 && path[1] == ePolicyEvaluated:
			switch path[2] {
			case eDisposition:
				cur.disposition = a.lower(v)
			case eDKIM:
				cur.dkim = a.lower(v)
			case eSPF:
				cur.spf = a.lower(v)
			}
		case len(path) == 4 && path[1] == ePolicyEvaluated && path[2] == eReason && path[3] == eType:
			if cur.reason == "" {
				cur.reason = strings.ToLower(v)
			}
		}
	case eIdentifiers:
		if len(path) == 2 {
			switch path[1] {
			case eHeaderFrom:
				cur.headerFrom = normDomain(v)
			case eEnvelopeFrom:
				cur.envFrom = normDomain(v)
			}
		}
	case eAuthResults:
		if len(path) == 3 && auth != nil {
			switch path[2] {
			case eDomain:
				auth.domain = normDomain(v)
			case eSelector:
				auth.selector = v
			case eResult:
				auth.result = a.lower(v)
			}
		}
	}
	return nil
}

// parseTime reads a date_range bound: seconds since the epoch (RFC 7489
// Appendix C), tolerating a fraction and, from some reporters, RFC 3339.
func parseTime(v string) (time.Time, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 && f < 1e11 {
		return time.Unix(int64(f), 0).UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, errors.New(truncate(v, 40))
}

func canonicalIP(v string) string {
	if a, err := netip.ParseAddr(v); err == nil {
		return a.Unmap().String()
	}
	return truncate(v, 64)
}

// normDomain lowers a domain and drops a trailing dot; an address-like
// value ("bounce@x.example", as some reporters put in envelope_from) keeps
// its domain.
func normDomain(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if i := strings.LastIndexByte(v, '@'); i >= 0 {
		v = v[i+1:]
	}
	return truncate(strings.TrimSuffix(v, "."), 253)
}

// truncate cuts s to about n bytes, on a rune boundary, and cleans it.
func truncate(s string, n int) string {
	if len(s) <= n {
		return clean(s)
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return clean(s[:n]) + "..."
}

// clean makes text from a report safe to store and show: invalid UTF-8
// and control characters (C0, DEL, C1) become U+FFFD. Reports come from
// anyone; their text must not drive a terminal.
func clean(s string) string {
	ok := utf8.ValidString(s)
	for i := 0; ok && i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f {
			ok = false
		}
	}
	if ok {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f && r <= 0x9f || r == utf8.RuneError {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

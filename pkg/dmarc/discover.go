package dmarc

import (
	"context"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// MaxWalkQueries bounds the DNS tree walk (RFC 9989 §4.10: at most 8).
const MaxWalkQueries = 8

// Step is one name asked during discovery and what was found there.
type Step struct {
	Domain string `json:"domain"` // the domain, without _dmarc
	// Result: "record", "none", "multiple", "invalid" or "error".
	Result string   `json:"result"`
	TXT    []string `json:"txt,omitempty"` // every TXT string found at _dmarc.<domain>
	// Error is the resolver's error as it said it (evidence); Err is the
	// error itself, for a report to word (check.ErrMsg).
	Error string `json:"error,omitempty"`
	Err   error  `json:"-"`

	record     *Record // the one valid candidate, for Result "record"
	candidates []string
	parseErr   error
}

// Discovery is the outcome of the RFC 9989 §4.10 DNS tree walk.
type Discovery struct {
	Steps []Step
	// Found is the index in Steps of the policy record used, or -1.
	Found int
	// OrgDomain is the RFC 9989 §4.10.2 Organizational Domain; "" when the
	// walk could not decide (a DNS error on the way).
	OrgDomain string
}

// walkNames lists the names RFC 9989 §4.10 asks, in order: the domain
// itself; then, for a name of 8 labels or more, its rightmost 7 labels;
// then one label fewer at a time down to the top-level domain (a public
// suffix operator may publish _dmarc.<tld> with psd=y). At most 8 names.
func walkNames(d dnsname.Domain) []dnsname.Domain {
	names := []dnsname.Domain{d}
	cur := d
	if cur.NumLabels() >= 8 {
		cur = cur.Suffix(7)
		if !cur.Equal(d) {
			names = append(names, cur)
		}
	}
	for len(names) < MaxWalkQueries {
		p, ok := cur.Parent()
		if !ok {
			break
		}
		names = append(names, p)
		cur = p
	}
	return names
}

// Discover walks the tree for d. The whole walk is made (at most 8 TXT
// queries) because the organizational domain needs the records above the
// policy record too; the policy record is the first one found from the
// bottom. The names are independent, so they are asked at once: the walk
// costs one round trip, not eight.
func Discover(ctx context.Context, r resolver.Resolver, d dnsname.Domain) Discovery {
	names := walkNames(d)
	steps := make([]Step, len(names))
	// One batch: the resolver sends the names together (one system call,
	// one wait), where a goroutine per name cost a stack each.
	qs := make([]resolver.Question, 0, len(names))
	asked := make([]int, 0, len(names))
	for i, name := range names {
		steps[i] = Step{Domain: name.String()}
		q, err := name.Child("_dmarc")
		if err != nil {
			steps[i].Result, steps[i].Error = "none", err.Error()
			continue
		}
		qs = append(qs, resolver.Question{Name: q.FQDN(), Type: dns.TypeTXT})
		asked = append(asked, i)
	}
	for j, res := range resolver.Batch(ctx, r, qs, len(qs)) {
		s := &steps[asked[j]]
		if res.Err != nil {
			s.Result, s.Error, s.Err = "error", res.Err.Error(), res.Err
			continue
		}
		judgeStep(s, resolver.TXTRecords(res.Answer))
	}
	disc := Discovery{Steps: steps, Found: -1}
	for i, s := range steps {
		if s.Result == "error" {
			break // what lies above an unanswered name cannot be trusted
		}
		if s.Result == "record" || s.Result == "multiple" || s.Result == "invalid" {
			disc.Found = i
			break
		}
	}
	disc.OrgDomain = orgDomain(d, steps)
	return disc
}

// judgeStep reads the TXT records found at a step's _dmarc name.
func judgeStep(s *Step, txts []resolver.TXT) {
	for _, t := range txts {
		text := t.Text()
		s.TXT = append(s.TXT, text)
		if IsCandidate(text) {
			s.candidates = append(s.candidates, text)
		}
	}
	switch len(s.candidates) {
	case 0:
		s.Result = "none"
	case 1:
		rec, err := Parse(s.candidates[0])
		if err != nil {
			s.Result, s.parseErr = "invalid", err
			return
		}
		s.record = rec
		s.Result = "record"
	default:
		// RFC 9989 §4.10 (RFC 7489 §6.6.3): more than one record at a
		// name means no policy applies.
		s.Result = "multiple"
	}
}

// orgDomain applies RFC 9989 §4.10.2 to the walk: the first record (from the
// bottom) with psd=n names its own domain; a record with psd=y makes the
// domain one label below it the organizational domain (unless the record is
// at the start domain); otherwise the domain with the fewest labels that has
// a valid record; otherwise the start domain itself.
func orgDomain(d dnsname.Domain, steps []Step) string {
	fewest := ""
	for i, s := range steps {
		if s.Result == "error" {
			return ""
		}
		if s.Result != "record" {
			continue
		}
		switch s.record.PSD {
		case "n":
			return s.Domain
		case "y":
			if i == 0 {
				return s.Domain
			}
			return oneBelow(d, s.Domain)
		}
		fewest = s.Domain
	}
	if fewest != "" {
		return fewest
	}
	return d.String()
}

// oneBelow returns the ancestor of d (or d) that has one label more than psd.
func oneBelow(d dnsname.Domain, psd string) string {
	n := strings.Count(psd, ".") + 2
	return d.Suffix(n).String()
}

// Existence says whether a domain exists in the sense of RFC 9989 (from
// RFC 9091 §2.1): a domain with no A, AAAA or MX records is non-existent
// for DMARC, and np applies to it.
type Existence struct {
	Exists bool
	Known  bool // false when a query failed
	// Reason says why, in words (dmarc.exists.*, or the DNS error).
	Reason  report.Msg
	Queries int
}

// CheckExistence asks A, AAAA and MX for d.
func CheckExistence(ctx context.Context, r resolver.Resolver, d dnsname.Domain) Existence {
	var failed error
	for i, qtype := range []uint16{1, 28, 15} { // A, AAAA, MX
		ans, err := r.Lookup(ctx, d.FQDN(), qtype)
		if err != nil {
			if failed == nil {
				failed = err
			}
			continue
		}
		if ans.Outcome == resolver.Found {
			return Existence{Exists: true, Known: true, Queries: i + 1,
				Reason: report.T("dmarc.exists.found", report.Params{"domain": d.String(), "type": resolver.TypeString(qtype)})}
		}
	}
	if failed != nil {
		return Existence{Known: false, Reason: check.ErrMsg(failed), Queries: 3}
	}
	return Existence{Exists: false, Known: true, Reason: report.T("dmarc.exists.none", report.Params{"domain": d.String()}), Queries: 3}
}

// AboveOwner reports whether step s of d's tree walk lies above d's
// organizational domain (by the Public Suffix List): a public suffix's
// _dmarc name. RFC 9989 §4.10 takes the first record found from the
// bottom, so a failed query at or below the organizational domain could
// hide the policy that applies and leaves it unknown; one above can only
// hide a public-suffix operator's psd=y fallback (RFC 9091), and the
// domain's own absence is still decided. Authoritative servers and --zone
// refuse such names because they do not serve them.
func AboveOwner(d dnsname.Domain, s Step) bool {
	sd, err := dnsname.ParseAny(s.Domain)
	return err == nil && sd.NumLabels() < dnsname.OrganizationalPSL(d).NumLabels()
}

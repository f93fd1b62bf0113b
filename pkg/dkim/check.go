// Package dkim checks DomainKeys Identified Mail (RFC 6376, with RFC 8301
// for algorithms and key sizes and RFC 8463 for Ed25519).
//
// A domain's DKIM keys are TXT records at <selector>._domainkey.<domain>.
// Selectors cannot be listed from DNS, so the check looks at the selectors
// it is given, or at those named by a message's DKIM-Signature fields, or,
// failing both, probes a short list of selectors that large providers use
// (KnownSelectors). Each key record found is parsed (tag-list, RFC 6376
// §3.2), its key decoded (RSA SubjectPublicKeyInfo or PKCS#1, Ed25519 raw)
// and judged against RFC 6376 §3.6.1 and RFC 8301 §3.
//
// Given a raw message, the check verifies every DKIM-Signature with
// github.com/emersion/go-msgauth, fetching keys through mailcheck's own
// resolver, and reports per signature the result, the signed header
// fields, the body length limit and alignment with the From domain.
//
// DNS names queried: TXT <selector>._domainkey.<domain> for each selector.
package dkim

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// Options configure Check.
type Options struct {
	// Selectors to look up at the target domain. When empty and there is
	// no Message, KnownSelectors are probed.
	Selectors []string
	// Message, when set, is verified; its signatures' d= and s= name more
	// keys to look up. Build it with ReadMessage or ParseMessage, which
	// return ErrBadMessage for input that is not a message.
	Message *Message
	// Concurrency bounds parallel key lookups (default DefaultConcurrency:
	// the whole built-in guess list at once, so probing costs one round
	// trip; 25 small TXT queries to one's own resolver are not a burden).
	Concurrency int
}

// Where a selector came from.
const (
	SourceGiven   = "given"   // --selector
	SourceMessage = "message" // a DKIM-Signature's s= and d=
	SourceGuessed = "guessed" // KnownSelectors
)

// Data is the evidence of the check (Section.Data), documented in docs/json.md.
type Data struct {
	Domain string `json:"domain"`
	// Probed lists the guessed selectors that were tried, when guessing.
	Probed []string `json:"probed,omitempty"`
	// Selectors holds every selector looked up, except guessed ones that
	// had nothing.
	Selectors []SelectorData `json:"selectors"`
	Message   *MessageData   `json:"message,omitempty"`
}

// SelectorData is what DNS holds at one selector.
type SelectorData struct {
	Selector string `json:"selector"`
	Domain   string `json:"domain"`
	// Name is the queried name, <selector>._domainkey.<domain>.
	Name   string `json:"name"`
	Source string `json:"source"`
	// Providers that are known to use this selector (guessed ones only).
	Providers []string `json:"providers,omitempty"`
	// Outcome is found, nxdomain, nodata or error.
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
	err     error  // for the report's words (check.ErrMsg)
	// CNAMEs is the alias chain followed, when the key is delegated to a
	// provider (Microsoft 365, Fastmail, Proton and most ESPs do this).
	CNAMEs []string `json:"cnames,omitempty"`
	// Size is the DNS answer size in octets.
	Size    int       `json:"size,omitempty"`
	Records []KeyData `json:"records,omitempty"`
}

// KeyData describes one TXT record at a selector.
type KeyData struct {
	// Text is the record with its strings joined without separators.
	Text string `json:"text"`
	// Strings is how many character-strings the TXT record has.
	Strings int `json:"strings"`
	// DKIM is false for a TXT record at a guessed selector that does not
	// look like a key record (for example a wildcard SPF record); such
	// selectors are left out of Data.
	DKIM    bool     `json:"-"`
	Version string   `json:"version,omitempty"`
	KeyType string   `json:"key_type,omitempty"`
	Bits    int      `json:"bits,omitempty"`
	Format  string   `json:"format,omitempty"`
	Hashes  []string `json:"hashes,omitempty"`
	// Services is s=; Flags is t= (y testing, s strict identity).
	Services []string `json:"services,omitempty"`
	Flags    []string `json:"flags,omitempty"`
	Revoked  bool     `json:"revoked,omitempty"`
	// Usable is true when a verifier could check signatures with this key.
	Usable bool `json:"usable"`
	// Problem is why it is not usable, when it is not (words for people:
	// a string in the report's language in JSON).
	Problem report.Msg `json:"problem,omitzero"`
}

type lookup struct {
	sel    string
	domain dnsname.Domain
	name   string // sel._domainkey.domain, as reports show it
	qname  string // the same with its trailing dot, as asked (name is its prefix)
	source string
	txts   []resolver.TXT
	ans    resolver.Answer
	err    error
}

// Check looks up and judges the DKIM keys of target and, with
// opts.Message, verifies the message. When target is the zero Domain the
// message's From domain is used.
func Check(ctx context.Context, env check.Env, target dnsname.Domain, opts Options) report.Section {
	if target.IsZero() && opts.Message != nil {
		target = opts.Message.FromDomain
	}
	sec := report.Section{Check: "dkim", Title: "DKIM", Target: target.String()}
	if env.Resolver == nil {
		sec.Status = report.StatusSkipped
		sec.Summary = report.T("dkim.summary.no_resolver", nil)
		return sec
	}
	data := &Data{Domain: target.String()}

	lookups := planLookups(target, opts)
	guessing := len(lookups) > 0 && lookups[0].source == SourceGuessed
	if guessing {
		data.Probed = make([]string, 0, len(lookups)) // 25 guesses: not grown six times
		for _, l := range lookups {
			data.Probed = append(data.Probed, l.sel)
		}
	}
	runLookups(ctx, env.Resolver, lookups, opts.Concurrency)

	var findings []report.Finding
	keyFindings, selData := judgeKeys(lookups)
	findings = append(findings, keyFindings...)
	data.Selectors = selData

	if guessing && !anyDKIMRecord(selData) {
		findings = append(findings, SelectorUnverified.With(report.Params{
			"count": len(lookups), "selectors": data.Probed, "domain": target.String()}))
	}

	if opts.Message != nil {
		md, msgFindings := verifyMessage(ctx, env, opts.Message, lookups)
		data.Message = md
		findings = append(findings, msgFindings...)
	}

	report.SortFindings(findings)
	if findings == nil {
		findings = []report.Finding{}
	}
	sec.Findings = findings
	sec.Status = report.StatusOf(findings)
	sec.Data = data
	sec.Summary = summarize(data, guessing)
	if !env.NoDisplay {
		sec.Display = display(data)
	}
	return sec
}

// planLookups decides which names to query: given selectors first, then
// those named by the message, and the guess list only when there is neither.
func planLookups(target dnsname.Domain, opts Options) []*lookup {
	var out []*lookup
	// The lookups are allocated together, and a name is looked for in out
	// rather than in a map: a domain's list is a few dozen names at most,
	// and the guess list is asked for every domain of a bulk run.
	var pool []lookup
	add := func(sel string, d dnsname.Domain, source string) {
		sel = strings.ToLower(strings.TrimSpace(sel))
		if d.IsZero() {
			return
		}
		addNamed(&out, &pool, sel, sel+"._domainkey."+d.FQDN(), d, source)
	}

	for _, s := range opts.Selectors {
		add(s, target, SourceGiven)
	}
	if opts.Message != nil {
		sigs := opts.Message.Signatures()
		if len(sigs) > maxSignatures {
			sigs = sigs[:maxSignatures] // the verifier stops there too
		}
		for _, v := range sigs {
			tags, err := ParseTagList(v)
			if err != nil {
				continue
			}
			s, okS := tags.Get("s")
			d, okD := tags.Get("d")
			if !okS || !okD || ValidateSelector(stripFWS(s)) != nil {
				continue
			}
			dom, err := dnsname.ParseAny(stripFWS(d))
			if err != nil {
				continue
			}
			add(stripFWS(s), dom, SourceMessage)
		}
	}
	if len(out) == 0 && len(opts.Selectors) == 0 && opts.Message == nil && !target.IsZero() {
		// The guessed names share one buffer: one allocation for all.
		suffix := "._domainkey." + target.FQDN()
		var b strings.Builder
		n := 0
		for _, k := range KnownSelectors {
			n += len(k.Selector) + len(suffix)
		}
		b.Grow(n)
		for _, k := range KnownSelectors {
			start := b.Len()
			b.WriteString(k.Selector)
			b.WriteString(suffix)
			addNamed(&out, &pool, k.Selector, b.String()[start:], target, SourceGuessed)
		}
	}
	return out
}

// addNamed adds the lookup of name to out unless it is there already,
// allocating lookups from pool in chunks.
func addNamed(out *[]*lookup, pool *[]lookup, sel, fqdn string, d dnsname.Domain, source string) {
	// The name is asked with its trailing dot and shown without it: one
	// string for both, where a name without the dot cost the resolver a
	// copy per question.
	name := strings.TrimSuffix(fqdn, ".")
	for _, l := range *out {
		if l.name == name {
			return
		}
	}
	if len(*pool) == cap(*pool) {
		*pool = make([]lookup, 0, max(8, len(KnownSelectors)))
	}
	if *out == nil {
		*out = make([]*lookup, 0, cap(*pool)) // the guesses: not grown five times
	}
	*pool = append(*pool, lookup{sel: sel, domain: d, name: name, qname: fqdn, source: source})
	*out = append(*out, &(*pool)[len(*pool)-1])
}

// DefaultConcurrency is the default bound on parallel key lookups.
const DefaultConcurrency = 32

// looksLikeKey tells a key record from other TXT data found at a guessed
// name (a wildcard SPF or verification record answers every name), so that
// a guess never turns someone else's record into a DKIM error.
func looksLikeKey(text string) bool {
	t := strings.TrimLeft(text, " \t")
	if strings.HasPrefix(t, "v=DKIM1") {
		return true
	}
	tags, err := ParseTagList(text)
	if err != nil {
		return strings.Contains(text, "p=")
	}
	_, hasP := tags.Get("p")
	_, hasK := tags.Get("k")
	return hasP || hasK
}

// judgeKeys turns the lookups into selector data and DNS-only findings
// (RFC 6376 §3.6.1, RFC 8301 §3.2; our severities).
func judgeKeys(lookups []*lookup) ([]report.Finding, []SelectorData) {
	var findings []report.Finding
	var out []SelectorData
	var temp []report.Msg

	type revokedAt struct {
		domain string
		detail string
		sel    string
	}
	var revoked []revokedAt
	live := map[string][]string{}     // domain -> selectors with a usable key
	keyTypes := map[string][]string{} // domain -> types of usable keys

	for _, l := range lookups {
		sd := SelectorData{Selector: l.sel, Domain: l.domain.String(), Name: l.name, Source: l.source}
		if l.source == SourceGuessed {
			sd.Providers = providersOf(l.sel)
		}
		where := l.name // sel._domainkey.domain (planLookups), not made again
		if l.err != nil {
			sd.Outcome, sd.Error, sd.err = "error", l.err.Error(), l.err
			if resolver.KindOf(l.err) == resolver.KindName {
				if l.source != SourceGuessed {
					findings = append(findings, RecordSyntax.Alt("selector", report.Params{"name": where, "error": check.ErrMsg(l.err)}))
				}
			} else {
				temp = append(temp, report.T("dkim.dns.lookup", report.Params{"name": where, "error": check.ErrMsg(l.err)}))
			}
			out = append(out, sd)
			continue
		}
		sd.Outcome, sd.CNAMEs, sd.Size = string(l.ans.Outcome), l.ans.CNAMEs, l.ans.Size
		if len(l.txts) == 0 {
			if l.source == SourceGiven {
				p := report.Params{"name": where, "outcome": string(l.ans.Outcome)}
				if n := len(l.ans.CNAMEs); n > 0 {
					p["alias"] = l.ans.CNAMEs[n-1]
				}
				findings = append(findings, KeyMissing.With(p))
			}
			if l.source != SourceGuessed {
				out = append(out, sd)
			}
			continue
		}
		var dkimRecords []*KeyData
		for _, t := range l.txts {
			kd := KeyData{Text: t.Text(), Strings: len(t.Strings), DKIM: true}
			if l.source == SourceGuessed && !looksLikeKey(kd.Text) {
				kd.DKIM = false
				kd.Problem = report.T("dkim.problem.not_key", nil)
			}
			sd.Records = append(sd.Records, kd)
		}
		for i := range sd.Records {
			if sd.Records[i].DKIM {
				dkimRecords = append(dkimRecords, &sd.Records[i])
			}
		}
		if len(dkimRecords) == 0 {
			// Only unrelated TXT data at a guessed name (typically a
			// wildcard): not a key, and not worth a row per guess.
			continue
		}
		if l.source != SourceGuessed && len(sd.Records) == 1 && !looksLikeKey(sd.Records[0].Text) {
			// One TXT record that is plainly something else (an SPF
			// record from a wildcard, a verification token): for a
			// verifier there is no key here.
			sd.Records[0].DKIM = false
			sd.Records[0].Problem = report.T("dkim.problem.not_key", nil)
			if l.source == SourceGiven {
				findings = append(findings, KeyMissing.Alt("not_key", report.Params{"name": where, "record": fmt.Sprintf("%q", clip(sd.Records[0].Text))}))
			}
			out = append(out, sd)
			continue
		}
		// The delegated clause of the details: the name is an alias, so
		// the record is fixed where the alias points.
		delegated := ""
		if len(l.ans.CNAMEs) > 0 {
			delegated = l.ans.CNAMEs[len(l.ans.CNAMEs)-1]
		}
		if len(sd.Records) > 1 {
			findings = append(findings, RecordMultiple.With(report.Params{"name": where, "count": len(sd.Records), "alias": delegated}))
		}
		if need, over := answerOver512(l.name, l.ans); over {
			findings = append(findings, KeyDNSSize.With(report.Params{"name": where, "size": need}))
		}
		for _, kd := range dkimRecords {
			fs, rec := judgeRecord(kd, where, delegated)
			findings = append(findings, fs...)
			if len(sd.Records) > 1 && kd.Usable {
				// RFC 6376 §3.6.2.2: with several records the key that
				// a verifier uses is undefined; go-msgauth uses none.
				kd.Usable, rec = false, nil
				kd.Problem = report.T("dkim.problem.several", nil)
			}
			if kd.Revoked {
				revoked = append(revoked, revokedAt{domain: l.domain.String(), sel: l.sel, detail: where})
			}
			if kd.Usable && rec != nil {
				live[l.domain.String()] = append(live[l.domain.String()], l.sel)
				keyTypes[l.domain.String()] = append(keyTypes[l.domain.String()], kd.KeyType)
			}
		}
		out = append(out, sd)
	}

	// RFC 6376 §3.6.1: an empty p= revokes a key. That is normal after a
	// rotation when another selector carries a live key (info), and a
	// problem when it is the only key found (medium).
	for _, r := range revoked {
		var others []string
		for _, s := range live[r.domain] {
			if s != r.sel {
				others = append(others, s)
			}
		}
		p := report.Params{"name": r.detail, "domain": r.domain}
		if len(others) > 0 {
			p["selectors"] = others
			findings = append(findings, KeyRevoked.Alt("rotated", p))
			continue
		}
		findings = append(findings, KeyRevoked.With(p))
	}

	// RFC 8463 §1 deploys Ed25519 next to RSA: verifier support is not
	// universal, and a receiver that cannot check Ed25519 sees no DKIM.
	domains := make([]string, 0, len(keyTypes))
	for d := range keyTypes {
		domains = append(domains, d)
	}
	sort.Strings(domains)
	for _, d := range domains {
		onlyEd := true
		for _, t := range keyTypes[d] {
			if t != "ed25519" {
				onlyEd = false
			}
		}
		if onlyEd {
			findings = append(findings, KeyEd25519Only.With(report.Params{"domain": d, "selectors": live[d]}))
		}
	}

	if len(temp) > 0 {
		findings = append(findings, DNSTemperror.With(report.Params{"lookups": temp}))
	}
	return findings, out
}

// judgeRecord parses and judges one key record, filling kd. It returns the
// parsed record when it is usable. alias, when not empty, is the name the
// selector is an alias of: the details then say to fix the record there.
func judgeRecord(kd *KeyData, where, alias string) ([]report.Finding, *KeyRecord) {
	var fs []report.Finding
	p := func(more report.Params) report.Params {
		out := report.Params{"name": where, "alias": alias}
		for k, v := range more {
			out[k] = v
		}
		return out
	}
	rec, err := ParseKeyRecord(kd.Text)
	if err != nil {
		kd.Problem = ProblemMsg(err)
		switch {
		case errors.Is(err, ErrVersion):
			f := RecordVersion.With(p(report.Params{"problem": kd.Problem}))
			f.Record = fixedRecord(kd.Text, where, func(r *KeyRecord) { r.Version = "DKIM1" })
			fs = append(fs, f)
		default:
			fs = append(fs, RecordSyntax.With(p(report.Params{"problem": kd.Problem})))
		}
		return fs, nil
	}
	kd.Version, kd.KeyType, kd.Hashes, kd.Services, kd.Flags = rec.Version, rec.EffectiveKeyType(), rec.HashAlgs, rec.Services, rec.Flags

	if kt := rec.EffectiveKeyType(); kt != "rsa" && kt != "ed25519" {
		kd.Problem = report.T("dkim.problem.unknown_type", report.Params{"value": clip(kt)})
		fs = append(fs, KeyTypeUnknown.With(p(report.Params{"type": clip(kt)})))
		return fs, nil
	}
	if rec.Revoked() {
		kd.Revoked = true
		kd.Problem = report.T("dkim.problem.revoked", nil)
		// The finding is made by the caller, which knows the other selectors.
		return fs, nil
	}
	key, err := DecodeKey(rec.KeyType, rec.PublicKey)
	if err != nil {
		kd.Problem = ProblemMsg(err)
		fs = append(fs, KeyUnparseable.With(p(report.Params{"problem": kd.Problem})))
		return fs, nil
	}
	kd.Bits, kd.Format = key.Bits, key.Format
	usable := true

	if key.Type == "rsa" {
		switch {
		case key.Bits < 1024:
			usable = false
			kd.Problem = report.T("dkim.problem.rsa_bits", report.Params{"bits": key.Bits})
			fs = append(fs, KeyRSALt1024.With(p(report.Params{"bits": key.Bits})))
		case key.Bits < 2048:
			fs = append(fs, KeyRSA1024.With(p(report.Params{"bits": key.Bits})))
		case key.Bits > 4096:
			fs = append(fs, KeyRSAGt4096.With(p(report.Params{"bits": key.Bits})))
		}
	}
	if !rec.AllowsSHA256() {
		usable = false
		kd.Problem = report.T("dkim.problem.sha1_only", nil)
		f := KeySHA1Only.With(p(report.Params{"hashes": strings.Join(rec.HashAlgs, ":")}))
		f.Record = fixedRecord(kd.Text, where, func(r *KeyRecord) { r.HashAlgs = []string{"sha256"} })
		fs = append(fs, f)
	}
	if !rec.ForEmail() {
		usable = false
		kd.Problem = report.T("dkim.problem.service", nil)
		f := KeyService.With(p(report.Params{"services": strings.Join(rec.Services, ":")}))
		f.Record = fixedRecord(kd.Text, where, func(r *KeyRecord) { r.Services = nil })
		fs = append(fs, f)
	}
	if rec.Testing() {
		f := KeyTesting.With(p(nil))
		f.Record = fixedRecord(kd.Text, where, func(r *KeyRecord) {
			var keep []string
			for _, x := range r.Flags {
				if x != "y" {
					keep = append(keep, x)
				}
			}
			r.Flags = keep
		})
		fs = append(fs, f)
	}
	kd.Usable = usable
	if !usable {
		return fs, nil
	}
	return fs, rec
}

// fixedRecord returns the record to publish at where once fix is applied,
// or nil when the original cannot be parsed into a record even after
// dropping a misplaced v= tag.
func fixedRecord(text, where string, fix func(*KeyRecord)) *report.Record {
	rec, err := ParseKeyRecord(text)
	if err != nil {
		tags, err2 := ParseTagList(text)
		if err2 != nil {
			return nil
		}
		var kept []string
		for _, t := range tags {
			if t.Name != "v" {
				kept = append(kept, t.Name+"="+t.Value)
			}
		}
		rec, err = ParseKeyRecord(strings.Join(kept, "; "))
		if err != nil {
			return nil
		}
	}
	fix(rec)
	return &report.Record{Name: where, Type: "TXT", Value: report.TXTValue(rec.String())}
}

// answerOver512 reports whether the smallest response that carries the
// answer is above 512 octets, and its size then: above 512 a resolver that
// does not use EDNS0 (RFC 6891) must retry over TCP. A response without
// compression is never smaller, so when it fits, the compressed size
// (whose reckoning costs a map of names, for every domain with a key) is
// not needed.
func answerOver512(name string, ans resolver.Answer) (int, bool) {
	if minimalAnswerSize(name, ans, false) <= 512 {
		return 0, false
	}
	n := minimalAnswerSize(name, ans, true)
	return n, n > 512
}

// minimalAnswerSize is the size of the smallest response that carries the
// answer: header, question and the answer records (CNAMEs included), with
// name compression (when compress is set) and no authority, additional or
// EDNS0 data, which a server drops before truncating.
func minimalAnswerSize(name string, ans resolver.Answer, compress bool) int {
	m := new(dns.Msg)
	// Not SetQuestion: its random ID costs a crypto/rand read, and the
	// size does not depend on the ID.
	m.Question = []dns.Question{{Name: dns.Fqdn(name), Qtype: dns.TypeTXT, Qclass: dns.ClassINET}}
	m.Response = true
	m.Compress = compress
	m.Answer = make([]dns.RR, 0, len(ans.CNAMEs)+len(ans.RRs))
	target := dns.Fqdn(name)
	for _, c := range ans.CNAMEs {
		m.Answer = append(m.Answer, &dns.CNAME{Hdr: dns.RR_Header{Name: target, Rrtype: dns.TypeCNAME, Class: dns.ClassINET}, Target: c})
		target = c
	}
	m.Answer = append(m.Answer, ans.RRs...)
	return m.Len()
}

// plain is an error's text without the package prefix, for reports.
func plain(err error) string { return strings.TrimPrefix(err.Error(), "dkim: ") }

func anyDKIMRecord(sel []SelectorData) bool {
	for _, s := range sel {
		for _, r := range s.Records {
			if r.DKIM {
				return true
			}
		}
	}
	return false
}

// lookupMemo hands the verifier the answers already fetched, so verifying
// a message costs no second query for a key the check has looked up.
type lookupMemo struct {
	mu sync.Mutex
	m  map[string]*lookup
}

func newMemo(lookups []*lookup) *lookupMemo {
	m := &lookupMemo{m: map[string]*lookup{}}
	for _, l := range lookups {
		m.m[strings.ToLower(l.name)] = l
	}
	return m
}

func (m *lookupMemo) get(name string) (*lookup, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.m[strings.ToLower(strings.TrimSuffix(name, "."))]
	return l, ok
}

func (m *lookupMemo) put(name string, l *lookup) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[strings.ToLower(strings.TrimSuffix(name, "."))] = l
}

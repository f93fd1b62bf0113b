package dkim

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"

	msgdkim "github.com/emersion/go-msgauth/dkim"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// Signature results, in the vocabulary of RFC 8601 §2.7.1.
const (
	ResultPass      = "pass"
	ResultFail      = "fail"
	ResultPermerror = "permerror"
	ResultTemperror = "temperror"
	ResultNeutral   = "neutral"
)

// MessageData is the evidence from verifying a message.
type MessageData struct {
	From       string `json:"from"`
	FromDomain string `json:"from_domain"`
	// FromOrgDomain is the From domain's organizational domain (public
	// suffix + 1, RFC 7489 §3.2), used for relaxed alignment.
	FromOrgDomain string `json:"from_org_domain"`
	Authors       int    `json:"authors"`
	Size          int    `json:"size"`
	// Normalized lists repairs made before verifying (CRLF, mbox line),
	// in words (strings in the report's language in JSON).
	Normalized          []report.Msg    `json:"normalized,omitempty"`
	ListUnsubscribe     bool            `json:"list_unsubscribe"`
	ListUnsubscribePost bool            `json:"list_unsubscribe_post"`
	Signatures          []SignatureData `json:"signatures"`
	// Unverified counts signatures beyond the verification limit.
	Unverified int `json:"unverified,omitempty"`
	// VerifiedAt is the time x= (expiry) was judged at, and
	// VerifiedAtSource where it came from: "received" (the top-most
	// Received field's date), "given" (the caller's, e.g. --at) or "clock"
	// (no Received date: the current time).
	VerifiedAt       time.Time `json:"verified_at"`
	VerifiedAtSource string    `json:"verified_at_source"`
}

// SignatureData is the verdict on one DKIM-Signature field.
type SignatureData struct {
	// Index is the position among DKIM-Signature fields, 1 = top-most.
	Index            int    `json:"index"`
	Domain           string `json:"d"`
	Selector         string `json:"s"`
	Algorithm        string `json:"a"`
	Canonicalization string `json:"c"`
	Identity         string `json:"i,omitempty"`
	// Result is pass, fail, permerror or temperror (RFC 8601), or neutral
	// when only the headers were given and b= verifies over them
	// (header_signature_ok), or the signature had expired (x=) when judged
	// or has x= not after t= (RFC 6376 §3.5).
	Result string `json:"result"`
	// Reason is a short, stable explanation; Error is the verifier's text.
	Reason string `json:"reason,omitempty"`
	Error  string `json:"error,omitempty"`
	// BodyHash is bh= as signed; BodyHashOK says whether the body matched
	// it, when the verifier got that far.
	BodyHash      string   `json:"body_hash,omitempty"`
	BodyHashOK    *bool    `json:"body_hash_ok,omitempty"`
	SignedHeaders []string `json:"signed_headers"`
	// FromSigned: From is in h= (RFC 6376 §5.4). FromOversigned: it is
	// listed more times than the message has From fields (§5.4.2).
	FromSigned     bool `json:"from_signed"`
	FromOversigned bool `json:"from_oversigned"`
	// HeaderSignatureOK says whether b= verifies over the signed header
	// fields, set when the body could not be checked (headers only).
	HeaderSignatureOK *bool `json:"header_signature_ok,omitempty"`
	// BodyLength is l=, when present (RFC 6376 §3.5, §8.2).
	BodyLength *int64     `json:"body_length,omitempty"`
	Signed     *time.Time `json:"signed,omitempty"`
	Expires    *time.Time `json:"expires,omitempty"`
	// Alignment of d= with the From domain (RFC 7489 §3.1.1).
	AlignedStrict  bool `json:"aligned_strict"`
	AlignedRelaxed bool `json:"aligned_relaxed"`
	// Malformed is set when the field is not a valid tag-list; the other
	// fields are then as far as they could be read.
	Malformed bool `json:"malformed,omitempty"`
	// syntax is the tag-list error of a malformed field, in words.
	syntax report.Msg
}

// Where VerifiedAt came from.
const (
	AtReceived = "received"
	AtGiven    = "given"
	AtClock    = "clock"
)

// verifyMessage verifies every signature of m, fetching keys through
// env.Resolver (and the answers already in lookups). Expiry is judged at
// the time the message was received, when a Received field says it: a
// message checked days later was judged by its receiver on arrival.
func verifyMessage(ctx context.Context, env check.Env, m *Message, lookups []*lookup) (*MessageData, []report.Finding) {
	at, src := m.ReceivedAt(), AtReceived
	if at.IsZero() {
		at, src = env.Clock(), AtClock
	}
	return verifyMessageAt(ctx, env, m, lookups, at, src, false)
}

// VerifyAt verifies every signature of m as a receiver would have at time
// at: a signature's x= is compared with at, never with the wall clock
// (RFC 6376 §3.5: a signature is valid until x=, so what matters is
// whether it was valid when the receiver judged it).
func VerifyAt(ctx context.Context, env check.Env, m *Message, at time.Time) (*MessageData, []report.Finding) {
	return verifyMessageAt(ctx, env, m, nil, at, AtGiven, false)
}

// ReceivedAt is the date of the top-most Received field (RFC 5321 §4.4:
// the date-time after the last ";"), the time the last receiver accepted
// the message; zero when there is none or it does not parse.
func (m *Message) ReceivedAt() time.Time {
	vals := m.values("Received")
	if len(vals) == 0 {
		return time.Time{}
	}
	i := strings.LastIndexByte(vals[0], ';')
	if i < 0 {
		return time.Time{}
	}
	t, err := mail.ParseDate(strings.TrimSpace(unfold(vals[0][i+1:])))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// VerifyRawAt is VerifyAt for a raw message (CRLF line endings, header
// terminated) that ParseMessage may refuse for its From fields (none, or
// several): the signatures are still verified, as a receiver does before
// DMARC looks at From. With headersOnly (the body was not supplied, e.g.
// headers pasted from a mail client), a signature whose body hash cannot
// match is checked over its header fields only and reported as neutral
// (reasonNoBody), because what the body hash would say is unknown.
func VerifyRawAt(ctx context.Context, env check.Env, raw []byte, at time.Time, headersOnly bool) (*MessageData, []report.Finding, error) {
	m, err := ParseMessage(raw)
	if err != nil {
		fields, _, serr := SplitMessage(raw)
		if serr != nil || len(fields) == 0 {
			return nil, nil, err
		}
		m = &Message{raw: raw}
		for _, f := range fields {
			m.fields = append(m.fields, headerField{name: f.Name, value: strings.TrimSpace(f.Value())})
		}
		if froms := m.values("From"); len(froms) > 0 {
			if addr, n, perr := parseFrom(unfold(froms[0])); perr == nil {
				if d, derr := dnsname.ParseAny(addr[strings.LastIndexByte(addr, '@')+1:]); derr == nil {
					m.From, m.FromDomain, m.Authors = addr, d, n
				}
			}
		}
	}
	md, fs := verifyMessageAt(ctx, env, m, nil, at, AtGiven, headersOnly)
	return md, fs, nil
}

// reasonNoBody: the body was not supplied, so only b= could be checked.
const reasonNoBody = "body not available (headers only); the header signature verifies"

func verifyMessageAt(ctx context.Context, env check.Env, m *Message, lookups []*lookup, at time.Time, atSource string, headersOnly bool) (*MessageData, []report.Finding) {
	md := &MessageData{
		VerifiedAt:          at.UTC(),
		VerifiedAtSource:    atSource,
		From:                m.From,
		FromDomain:          m.FromDomain.String(),
		FromOrgDomain:       dnsname.OrganizationalPSL(m.FromDomain).String(),
		Authors:             m.Authors,
		Size:                m.Size(),
		Normalized:          m.Normalized,
		ListUnsubscribe:     m.count("List-Unsubscribe") > 0,
		ListUnsubscribePost: m.count("List-Unsubscribe-Post") > 0,
		Signatures:          []SignatureData{},
	}
	sigs := m.Signatures()
	if len(sigs) == 0 {
		return md, []report.Finding{SigMissing.With(report.Params{"from": m.From, "domain": m.FromDomain.String()})}
	}

	memo := newMemo(lookups)
	verifs, verr := verifyRaw(ctx, env.Resolver, m.raw, memo)
	if verr != nil && !errors.Is(verr, msgdkim.ErrTooManySignatures) {
		// go-msgauth fails as a whole only on I/O or header errors, which
		// ParseMessage has ruled out; report it rather than hide it.
		return md, []report.Finding{SigInvalid.Alt("unreadable", report.Params{"error": strings.TrimPrefix(verr.Error(), "dkim: ")})}
	}
	if len(sigs) > len(verifs) {
		md.Unverified = len(sigs) - len(verifs)
	}

	var findings []report.Finding
	var temp []report.Msg
	fromCount := m.count("From")
	for i, v := range verifs {
		sd := describeSignature(i+1, sigs[i], v, m.FromDomain, fromCount)
		judgeExpiry(ctx, env.Resolver, memo, m, i, &sd, at, headersOnly)
		if sd.Reason == reasonBodyLength || (headersOnly && sd.Reason == reasonBodyHash) {
			reverify(ctx, env.Resolver, memo, m, i, &sd, headersOnly)
		}
		applyRulesGoMsgauthSkips(&sd, memo)
		md.Signatures = append(md.Signatures, sd)
		// who: the signature's number, d= and s=, in every finding's words.
		who := func(more report.Params) report.Params {
			p := report.Params{"index": sd.Index, "d": orDash(sd.Domain), "s": orDash(sd.Selector)}
			for k, v := range more {
				p[k] = v
			}
			return p
		}

		if sd.Malformed && sd.Result != ResultPass {
			why := sd.syntax
			if why.IsZero() {
				why = report.Lit(sd.Error)
			}
			findings = append(findings, SigInvalid.Alt("malformed", who(report.Params{"error": why})))
			continue
		}
		sha1 := strings.HasSuffix(strings.ToLower(sd.Algorithm), "-sha1")
		if sha1 {
			findings = append(findings, SigSHA1.With(who(report.Params{"algorithm": sd.Algorithm})))
		}
		if !sd.FromSigned && sd.Result != ResultPass {
			findings = append(findings, SigFromUnsigned.With(who(report.Params{"headers": strings.Join(sd.SignedHeaders, ":")})))
		}
		if sd.FromSigned && !sd.FromOversigned {
			findings = append(findings, SigFromNotOversigned.With(who(nil)))
		}
		if sd.BodyLength != nil {
			findings = append(findings, SigBodyLength.With(who(report.Params{"length": *sd.BodyLength})))
		}

		coveredElsewhere := sha1 || (!sd.FromSigned) || (sd.BodyLength != nil && sd.Reason == reasonBodyLength)
		switch sd.Result {
		case ResultPass:
		case ResultNeutral:
			// reasonNoBody: the caller says the body is missing; nothing
			// is wrong with the signature. Other neutrals (expired, x= not
			// after t=) are invalid signatures like the default case.
			if sd.Reason != reasonNoBody {
				findings = append(findings, invalidFinding(sd, who(nil)))
			}
		case ResultTemperror:
			// Reported once: the key lookup's own failure is already a
			// finding when the check planned that lookup.
			if l, ok := memo.get(sd.Selector + "._domainkey." + sd.Domain); !ok || l.source == "" || l.err == nil {
				temp = append(temp, report.T("dkim.dns.signature", who(report.Params{"error": sd.Error})))
			}
		default:
			if !coveredElsewhere {
				findings = append(findings, invalidFinding(sd, who(nil)))
			}
		}
	}
	if len(temp) > 0 {
		findings = append(findings, DNSTemperror.Alt("message", report.Params{"lookups": temp}))
	}

	// Alignment (RFC 7489 §3.1.1): DMARC passes through DKIM only with a
	// valid signature whose d= is the From domain (strict) or shares its
	// organizational domain (relaxed).
	var passing, aligned []SignatureData
	for _, sd := range md.Signatures {
		if sd.Result == ResultPass {
			passing = append(passing, sd)
			if sd.AlignedRelaxed {
				aligned = append(aligned, sd)
			}
		}
	}
	if len(passing) > 0 && len(aligned) == 0 {
		var ds []string
		for _, sd := range passing {
			ds = append(ds, "d="+sd.Domain)
		}
		findings = append(findings, SigUnaligned.With(report.Params{"signatures": ds, "domain": md.FromDomain, "org": md.FromOrgDomain}))
	}

	// RFC 8058 §4: one-click unsubscription needs List-Unsubscribe and
	// List-Unsubscribe-Post covered by a valid DKIM signature.
	if md.ListUnsubscribe || md.ListUnsubscribePost {
		need := []string{}
		if md.ListUnsubscribe {
			need = append(need, "list-unsubscribe")
		}
		if md.ListUnsubscribePost {
			need = append(need, "list-unsubscribe-post")
		}
		candidates := passing
		if len(candidates) == 0 {
			candidates = md.Signatures
		}
		covered := false
		for _, sd := range candidates {
			if coversAll(sd.SignedHeaders, need) {
				covered = true
				break
			}
		}
		if !covered {
			findings = append(findings, SigListUnsubUnsigned.With(report.Params{
				"post": md.ListUnsubscribePost, "list": md.ListUnsubscribe, "valid": len(passing) > 0}))
		}
	}
	return md, findings
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func coversAll(signed, need []string) bool {
	for _, n := range need {
		found := false
		for _, s := range signed {
			if strings.EqualFold(s, n) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// describeSignature builds the data of one signature from its tags (parsed
// here, leniently, so that a signature the verifier rejects is still
// described) and the verifier's verdict.
func describeSignature(index int, value string, v *msgdkim.Verification, from dnsname.Domain, fromCount int) SignatureData {
	sd := SignatureData{Index: index, SignedHeaders: []string{}}
	tags, perr := ParseTagList(value)
	if perr != nil {
		sd.Malformed, sd.syntax = true, ProblemMsg(perr)
		tags = lenientTags(value)
	}
	get := func(name string) string { s, _ := tags.Get(name); return stripFWS(s) }
	sd.Domain = strings.ToLower(get("d"))
	if sd.Domain == "" && v != nil {
		sd.Domain = strings.ToLower(v.Domain)
	}
	sd.Selector = get("s")
	sd.Algorithm = get("a")
	sd.Canonicalization = get("c")
	if sd.Canonicalization == "" {
		sd.Canonicalization = "simple/simple"
	} else if !strings.Contains(sd.Canonicalization, "/") {
		sd.Canonicalization += "/simple"
	}
	sd.Identity = get("i")
	sd.BodyHash = get("bh")
	if h, ok := tags.Get("h"); ok {
		sd.SignedHeaders = splitColonList(h)
	}
	n := 0
	for _, h := range sd.SignedHeaders {
		if strings.EqualFold(h, "from") {
			n++
		}
	}
	sd.FromSigned = n > 0
	sd.FromOversigned = n > fromCount
	if l, ok := tags.Get("l"); ok {
		if n, err := strconv.ParseInt(stripFWS(l), 10, 64); err == nil {
			sd.BodyLength = &n
		} else {
			zero := int64(0)
			sd.BodyLength = &zero
		}
	}
	if t := get("t"); t != "" {
		if n, err := strconv.ParseInt(t, 10, 64); err == nil {
			ts := time.Unix(n, 0).UTC()
			sd.Signed = &ts
		}
	}
	if x := get("x"); x != "" {
		if n, err := strconv.ParseInt(x, 10, 64); err == nil {
			ts := time.Unix(n, 0).UTC()
			sd.Expires = &ts
		}
	}
	if d, err := dnsname.ParseAny(sd.Domain); err == nil && !from.IsZero() {
		sd.AlignedStrict = d.Equal(from)
		sd.AlignedRelaxed = dnsname.OrganizationalPSL(d).Equal(dnsname.OrganizationalPSL(from))
	}

	var err error
	if v != nil {
		err = v.Err
	}
	sd.Result, sd.Reason = classify(err)
	if err != nil {
		sd.Error = strings.TrimPrefix(err.Error(), "dkim: ")
	}
	// go-msgauth checks the body hash before the header signature, so a
	// signature that fails only there had a matching body.
	ok, bad := true, false
	switch {
	case sd.Result == ResultPass || sd.Reason == reasonSignature:
		sd.BodyHashOK = &ok
	case sd.Reason == reasonBodyHash:
		sd.BodyHashOK = &bad
	}
	return sd
}

// Stable reasons, mapped from go-msgauth's error texts. The conformance
// manifest uses the same words.
const (
	reasonBodyHash  = "body hash mismatch"
	reasonSignature = "signature does not verify"
	reasonRevoked   = "key revoked"
	reasonKeyType   = "key type does not match signature algorithm"
	reasonNoKey     = "no key"
	// reasonBodyLength is go-msgauth's refusal of l=; verifyOne then
	// verifies the signature as RFC 6376 §6.1.3 says.
	reasonBodyLength = "body length limit (l=) refused"
	// Rules checked here because go-msgauth does not.
	reasonExpiryBeforeSigning = "x= is not after t="
	reasonStrictIdentity      = "i= domain differs from d= but the key has t=s"
)

var reasonTable = []struct{ contains, reason string }{
	{"body hash did not verify", reasonBodyHash},
	{"signature did not verify", reasonSignature},
	{"key revoked", reasonRevoked},
	{"inappropriate key algorithm", reasonKeyType},
	{"no key for signature", reasonNoKey},
	{"no valid key found", reasonNoKey},
	{"multiple TXT records found for key", "multiple key records"},
	{"signature has expired", "signature expired (x=)"},
	{"hash algorithm too weak", "rsa-sha1 not accepted (RFC 8301)"},
	{"key is too short", "RSA key shorter than 1024 bits (RFC 8301)"},
	{"incompatible signature version", "signature v= is not 1"},
	{"signature missing required tag", "signature lacks a required tag"},
	{"From field not signed", "From not signed"},
	{"domain mismatch", "i= is not within d="},
	{"insecure body length tag", reasonBodyLength},
	{"inappropriate hash algorithm", "key h= does not allow the signature's hash"},
	{"inappropriate service", "key s= does not allow email"},
	{"unsupported key algorithm", "unknown key type"},
	{"incompatible public key version", "key record v= is not DKIM1"},
	{"invalid Ed25519 public key size", "key unparseable"},
	{"key syntax error", "key unparseable"},
	{"key record error", "key record syntax error"},
	{"key unavailable", "DNS error fetching the key"},
	{"malformed signature tags", "malformed signature"},
	{"canonicalization algorithm", "unsupported canonicalization"},
	{"unsupported public key query method", "unsupported query method (q=)"},
	{"unsupported hash algorithm", "unsupported algorithm"},
	{"malformed algorithm name", "unsupported algorithm"},
	{"malformed", "malformed signature"},
}

// classify maps a go-msgauth verification error to an RFC 8601 result and
// a stable reason.
func classify(err error) (result, reason string) {
	if err == nil {
		return ResultPass, ""
	}
	switch {
	case msgdkim.IsTempFail(err):
		result = ResultTemperror
	case msgdkim.IsPermFail(err):
		result = ResultPermerror
	default:
		result = ResultFail
	}
	msg := err.Error()
	for _, r := range reasonTable {
		if strings.Contains(msg, r.contains) {
			return result, r.reason
		}
	}
	return result, strings.TrimPrefix(msg, "dkim: ")
}

// invalidFinding is dkim.sig.invalid for a signature that did not verify:
// the variant named by its reason carries the fix for that cause.
func invalidFinding(sd SignatureData, p report.Params) report.Finding {
	p["result"], p["reason"] = sd.Result, reasonMsg(sd.Reason)
	switch sd.Reason {
	case reasonBodyHash:
		return SigInvalid.Alt("body_hash", p)
	case reasonSignature:
		return SigInvalid.Alt("signature", p)
	case reasonRevoked, reasonNoKey:
		return SigInvalid.Alt("no_key", p)
	case reasonKeyType:
		return SigInvalid.Alt("key_type", p)
	}
	return SigInvalid.With(p)
}

// reasonCodes name the stable reasons in the catalogs (dkim.reason.<code>).
var reasonCodes = map[string]string{
	reasonBodyHash:                     "body_hash",
	reasonSignature:                    "signature",
	reasonRevoked:                      "revoked",
	reasonKeyType:                      "key_type",
	reasonNoKey:                        "no_key",
	reasonBodyLength:                   "body_length",
	reasonExpiryBeforeSigning:          "expiry_before_signing",
	reasonStrictIdentity:               "strict_identity",
	reasonNoBody:                       "no_body",
	reasonExpired:                      "expired",
	"multiple key records":             "multiple_keys",
	"rsa-sha1 not accepted (RFC 8301)": "sha1",
	"RSA key shorter than 1024 bits (RFC 8301)":  "short_key",
	"signature v= is not 1":                      "sig_version",
	"signature lacks a required tag":             "missing_tag",
	"From not signed":                            "from_unsigned",
	"i= is not within d=":                        "identity",
	"key h= does not allow the signature's hash": "key_hash",
	"key s= does not allow email":                "key_service",
	"unknown key type":                           "key_unknown_type",
	"key record v= is not DKIM1":                 "key_version",
	"key unparseable":                            "key_unparseable",
	"key record syntax error":                    "key_syntax",
	"DNS error fetching the key":                 "dns",
	"malformed signature":                        "malformed",
	"unsupported canonicalization":               "canon",
	"unsupported query method (q=)":              "query_method",
	"unsupported algorithm":                      "algorithm",
}

// ReasonMsg words a signature's Reason (SignatureData.Reason) for a
// report: the catalog's dkim.reason.<code>.
func ReasonMsg(reason string) report.Msg { return reasonMsg(reason) }

// reasonMsg words a stable reason; one the table does not know (a
// go-msgauth error text) is shown as it is.
func reasonMsg(reason string) report.Msg {
	if c, ok := reasonCodes[reason]; ok {
		return report.T("dkim.reason."+c, nil)
	}
	return report.Lit(reason)
}

// verifyRaw verifies every DKIM-Signature of a raw message (CRLF line
// endings) with go-msgauth, fetching keys through r, or from memo when the
// check has already looked them up.
func verifyRaw(ctx context.Context, r resolver.Resolver, raw []byte, memo *lookupMemo) ([]*msgdkim.Verification, error) {
	if memo == nil {
		memo = newMemo(nil)
	}
	opts := &msgdkim.VerifyOptions{
		MaxVerifications: maxSignatures,
		LookupTXT: func(name string) ([]string, error) {
			l, ok := memo.get(name)
			if !ok {
				l = &lookup{name: name}
				l.txts, l.ans, l.err = resolver.LookupTXT(ctx, r, name)
				memo.put(name, l)
			}
			return txtForVerifier(l)
		},
	}
	return msgdkim.VerifyWithOptions(bytes.NewReader(raw), opts)
}

// txtForVerifier turns a lookup into what go-msgauth's LookupTXT must
// return: one string per TXT record, its character-strings joined without
// separators (RFC 6376 §3.6.2.2), and errors that it classifies through
// net.Error.Temporary: DNS trouble is a temporary failure (temperror,
// RFC 6376 §6.1.2), a missing name a permanent one.
func txtForVerifier(l *lookup) ([]string, error) {
	if l.err != nil {
		temporary := resolver.KindOf(l.err) != resolver.KindName
		return nil, &net.DNSError{Err: l.err.Error(), Name: l.name, IsTemporary: temporary}
	}
	if l.ans.Outcome == resolver.NXDomain {
		return nil, &net.DNSError{Err: "no such domain (NXDOMAIN)", Name: l.name, IsNotFound: true}
	}
	out := make([]string, 0, len(l.txts))
	for _, t := range l.txts {
		out = append(out, t.Text())
	}
	return out, nil
}

// lenientTags reads what it can of a tag-list that ParseTagList refused,
// first occurrence winning, so that a broken signature is still described.
func lenientTags(s string) TagList {
	var out TagList
	for _, spec := range strings.Split(s, ";") {
		name, value, ok := strings.Cut(spec, "=")
		name = trimFWS(name)
		if !ok || name == "" {
			continue
		}
		if _, dup := out.Get(name); !dup {
			out = append(out, Tag{Name: name, Value: trimFWS(value)})
		}
	}
	return out
}

// applyRulesGoMsgauthSkips enforces two MUSTs of RFC 6376 that go-msgauth
// v0.7.0 does not check, turning a pass into neutral (x= before t=) or
// permerror (t=s):
//   - §3.5 x=: "MUST be greater than the value of the t= tag if both are
//     present";
//   - §3.6.1 t=s: the domain of i= must equal d= exactly, not be a
//     subdomain of it.
func applyRulesGoMsgauthSkips(sd *SignatureData, memo *lookupMemo) {
	if sd.Result != ResultPass {
		return
	}
	if sd.Signed != nil && sd.Expires != nil && !sd.Expires.After(*sd.Signed) {
		// A tag that breaks a MUST of the signature's syntax: RFC 8601
		// §2.7.1 neutral ("contained syntax errors"), as mailauth reports.
		sd.Result, sd.Reason = ResultNeutral, reasonExpiryBeforeSigning
		sd.Error = fmt.Sprintf("x=%d is not after t=%d (RFC 6376 §3.5)", sd.Expires.Unix(), sd.Signed.Unix())
		return
	}
	at := strings.LastIndexByte(sd.Identity, '@')
	if at < 0 {
		return
	}
	idDomain := strings.ToLower(sd.Identity[at+1:])
	if idDomain == sd.Domain {
		return
	}
	l, ok := memo.get(sd.Selector + "._domainkey." + sd.Domain)
	if !ok || l.err != nil || len(l.txts) != 1 {
		return
	}
	rec, err := ParseKeyRecord(l.txts[0].Text())
	if err != nil || !rec.StrictIdentity() {
		return
	}
	sd.Result, sd.Reason = ResultPermerror, reasonStrictIdentity
	sd.Error = fmt.Sprintf("the key has t=s, so the i= domain %s must equal d=%s (RFC 6376 §3.6.1)", idDomain, sd.Domain)
}

// reasonExpired is what classify makes of go-msgauth's expiry error.
const reasonExpired = "signature expired (x=)"

// judgeExpiry replaces go-msgauth's view of x=, which is the wall clock,
// with the time at: a signature whose x= had passed at that time is
// neutral. RFC 6376 §6.1.1 lets verifiers ignore an expired signature
// (PERMFAIL "signature expired"); it did not fail verification (RFC 8601
// §2.7.1 fail) and nothing unrecoverable went wrong (permerror), so it is
// one of the "other failures not covered elsewhere" of neutral, which is
// also what mailauth writes. One that
// go-msgauth refused only because x= has passed since is verified here
// in full (go-msgauth stops at x= before fetching the key).
func judgeExpiry(ctx context.Context, r resolver.Resolver, memo *lookupMemo, m *Message, index int, sd *SignatureData, at time.Time, headersOnly bool) {
	if sd.Expires == nil {
		return
	}
	if at.After(*sd.Expires) {
		sd.Result, sd.Reason, sd.BodyHashOK = ResultNeutral, reasonExpired, nil
		sd.Error = fmt.Sprintf("x= (%s) is before %s, the time the signature is judged at", sd.Expires.Format(time.RFC3339), at.UTC().Format(time.RFC3339))
		return
	}
	if sd.Reason != reasonExpired {
		return
	}
	reverify(ctx, r, memo, m, index, sd, headersOnly)
}

// reverify verifies DKIM-Signature number index (0 = top-most) with
// verifyOne.
func reverify(ctx context.Context, r resolver.Resolver, memo *lookupMemo, m *Message, index int, sd *SignatureData, skipBody bool) {
	fields, body, err := SplitMessage(m.raw)
	if err != nil {
		return
	}
	n := -1
	for _, f := range fields {
		if strings.EqualFold(f.Name, "DKIM-Signature") {
			n++
			if n == index {
				verifyOne(ctx, r, memo, fields, body, f, sd, skipBody)
				return
			}
		}
	}
}

// verifyOne verifies one DKIM-Signature field (RFC 6376 §6.1) with the
// checks go-msgauth makes, in its order, except x=, which the caller has
// judged. It sets the result, reason and error of sd in go-msgauth's
// vocabulary, so the rest of the report cannot tell which one verified.
//
// With skipBody the body hash is not compared (the body is not there) and
// a signature whose b= verifies is neutral with reasonNoBody.
func verifyOne(ctx context.Context, r resolver.Resolver, memo *lookupMemo, fields []Field, body []byte, self Field, sd *SignatureData, skipBody bool) {
	sd.BodyHashOK = nil
	fail := func(result, reason, text string) {
		sd.Result, sd.Reason, sd.Error = result, reason, text
	}
	tags, err := ParseTagList(self.Value())
	if err != nil {
		fail(ResultPermerror, "malformed signature", err.Error())
		return
	}
	get := func(n string) string { v, _ := tags.Get(n); return stripFWS(v) }
	if get("v") != "1" {
		fail(ResultPermerror, "signature v= is not 1", "incompatible signature version")
		return
	}
	for _, n := range []string{"a", "b", "bh", "d", "h", "s"} {
		if _, ok := tags.Get(n); !ok {
			fail(ResultPermerror, "signature lacks a required tag", "signature missing required tag "+n+"=")
			return
		}
	}
	d, sel := get("d"), get("s")
	if i := get("i"); i != "" && !strings.HasSuffix(strings.ToLower(i), "@"+strings.ToLower(d)) && !strings.HasSuffix(strings.ToLower(i), "."+strings.ToLower(d)) {
		fail(ResultPermerror, "i= is not within d=", "domain mismatch")
		return
	}
	names := SplitNames(get("h"))
	if !coversAll(names, []string{"from"}) {
		fail(ResultPermerror, "From not signed", "From field not signed")
		return
	}
	if q := get("q"); q != "" && !strings.Contains(q, "dns/txt") {
		fail(ResultPermerror, "unsupported query method (q=)", "unsupported public key query method")
		return
	}
	name := sel + "._domainkey." + d
	l, ok := memo.get(name)
	if !ok {
		l = &lookup{name: name}
		l.txts, l.ans, l.err = resolver.LookupTXT(ctx, r, name)
		memo.put(name, l)
	}
	txts, err := txtForVerifier(l)
	switch {
	case err != nil && resolver.KindOf(l.err) != resolver.KindName && l.err != nil:
		fail(ResultTemperror, "DNS error fetching the key", "key unavailable: "+err.Error())
		return
	case err != nil || len(txts) == 0:
		fail(ResultPermerror, reasonNoKey, "no key for signature")
		return
	case len(txts) > 1:
		fail(ResultPermerror, "multiple key records", "multiple TXT records found for key")
		return
	}
	rec, err := ParseKeyRecord(txts[0])
	if err != nil {
		fail(ResultPermerror, "key record syntax error", "key record error: "+err.Error())
		return
	}
	key, err := DecodeKey(rec.EffectiveKeyType(), rec.PublicKey)
	switch {
	case errors.Is(err, ErrRevoked):
		fail(ResultPermerror, reasonRevoked, "key revoked")
		return
	case errors.Is(err, ErrUnknownKeyType):
		fail(ResultPermerror, "unknown key type", "unsupported key algorithm")
		return
	case err != nil:
		fail(ResultPermerror, "key unparseable", "key syntax error: "+err.Error())
		return
	}
	keyAlg, hashAlg, _ := strings.Cut(strings.ToLower(get("a")), "-")
	switch {
	case !rec.AllowsSHA256():
		fail(ResultPermerror, "key h= does not allow the signature's hash", "inappropriate hash algorithm")
		return
	case hashAlg == "sha1":
		fail(ResultPermerror, "rsa-sha1 not accepted (RFC 8301)", "hash algorithm too weak: sha1")
		return
	case hashAlg != "sha256":
		fail(ResultPermerror, "unsupported algorithm", "unsupported hash algorithm")
		return
	case keyAlg != key.Type:
		fail(ResultPermerror, reasonKeyType, "inappropriate key algorithm")
		return
	case !rec.ForEmail():
		fail(ResultPermerror, "key s= does not allow email", "inappropriate service")
		return
	case key.Type == "rsa" && key.Bits < MinRSABits:
		fail(ResultPermerror, "RSA key shorter than 1024 bits (RFC 8301)", "key is too short")
		return
	}
	hc, bc := Simple, Simple
	if c := strings.ToLower(get("c")); c != "" {
		h, b, _ := strings.Cut(c, "/")
		hc = h
		if b != "" {
			bc = b
		}
	}
	if (hc != Simple && hc != Relaxed) || (bc != Simple && bc != Relaxed) {
		fail(ResultPermerror, "unsupported canonicalization", "unsupported canonicalization algorithm")
		return
	}
	// l= (RFC 6376 §3.5, §6.1.3 step 2): the body hash covers the first
	// l octets of the canonicalized body; content appended after them (a
	// list footer) is unsigned but does not break the signature. The
	// dkim.sig.body_length finding warns of the risk (§8.2). go-msgauth
	// refuses such signatures; the RFC's algorithm, and mailauth, verify
	// them.
	var bodyLen int64 = -1
	if v, ok := tags.Get("l"); ok {
		n, err := strconv.ParseInt(stripFWS(v), 10, 64)
		if err != nil || n < 0 {
			fail(ResultPermerror, "malformed signature", "malformed body length tag")
			return
		}
		bodyLen = n
	}
	bh, err := base64.StdEncoding.DecodeString(get("bh"))
	if err != nil {
		fail(ResultPermerror, "malformed signature", "malformed body hash")
		return
	}
	good, bad := true, false
	bodySkipped := false
	if !bytes.Equal(BodyHash(bc, body, bodyLen), bh) {
		if !skipBody {
			sd.BodyHashOK = &bad
			fail(ResultFail, reasonBodyHash, "body hash did not verify")
			return
		}
		// No body supplied: what the body hash would say is unknown. A
		// body that matches (an empty body signed as such) is checked.
		bodySkipped = true
	} else {
		sd.BodyHashOK = &good
	}
	data := HeaderData(hc, fields, names, self)
	if err := VerifySignature(key, get("a"), get("b"), data); err != nil {
		if bodySkipped {
			sd.HeaderSignatureOK = &bad
		}
		if errors.Is(err, ErrSignature) {
			fail(ResultFail, reasonSignature, "signature did not verify")
		} else {
			fail(ResultPermerror, "malformed signature", strings.TrimPrefix(err.Error(), "dkim: "))
		}
		return
	}
	if bodySkipped {
		sd.HeaderSignatureOK = &good
		sd.Result, sd.Reason, sd.Error = ResultNeutral, reasonNoBody, ""
		return
	}
	sd.Result, sd.Reason, sd.Error = ResultPass, "", ""
}

// Package arc validates an Authenticated Received Chain (RFC 8617): the
// ARC sets (ARC-Authentication-Results, ARC-Message-Signature, ARC-Seal)
// that intermediaries such as mailing lists and forwarders add so that a
// later receiver can see the authentication results from before they
// changed the message. Signatures are checked with the DKIM machinery of
// RFC 6376 (canonicalization, key records at <s>._domainkey.<d>), which
// RFC 8617 §4.1 reuses; keys come from the resolver given.
package arc

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/dkim"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/mailcheck/mailcheck/pkg/taglist"
)

// Chain validation states (RFC 8617 §4.4); also the cv= values.
const (
	None = "none"
	Pass = "pass"
	Fail = "fail"
	// TempError is not a cv= value: a key could not be fetched, so the
	// chain could be neither passed nor failed. RFC 8601's arc method
	// reports it as temperror.
	TempError = "temperror"
)

// MaxInstances is RFC 8617 §4.2.1: i= is 1 to 50.
const MaxInstances = 50

// Set is one ARC set as found in the message.
type Set struct {
	Instance int `json:"i"`
	// Domain and Selector are the seal's d= and s=.
	Domain   string `json:"d"`
	Selector string `json:"s"`
	CV       string `json:"cv"`
	// AuthServID and Results are the ARC-Authentication-Results payload
	// after "i=N;".
	AuthServID string `json:"authserv_id,omitempty"`
	Results    string `json:"results,omitempty"`
	// AMS and Seal: "pass", "fail" or "" when not checked (RFC 8617
	// §5.2 checks only the newest AMS); the Error fields say why.
	AMS       string `json:"ams,omitempty"`
	AMSError  string `json:"ams_error,omitempty"`
	AMSDomain string `json:"ams_d,omitempty"`
	Seal      string `json:"seal,omitempty"`
	SealError string `json:"seal_error,omitempty"`
}

// Result is the chain's state with the evidence.
type Result struct {
	// CV is none, pass, fail or temperror.
	CV string `json:"cv"`
	// Reason says why a chain failed, or what could not be checked (the
	// English evidence); Why is the same in words for a report (Msg).
	Reason string     `json:"reason,omitempty"`
	Why    report.Msg `json:"-"`
	Sets   []Set      `json:"sets"`
	// OldestPass is the lowest instance whose AMS still verifies, when the
	// chain passed (RFC 8617 §5.2 step 6); 0 when unknown.
	OldestPass int `json:"oldest_pass,omitempty"`
	// BodyUnchecked: the body was not supplied; AMS body hashes were not
	// compared, so a pass covers the header fields only.
	BodyUnchecked bool `json:"body_unchecked,omitempty"`
}

type parsedSet struct {
	aar, ams, as []dkim.Field
	amsTags      dkim.TagList
	asTags       dkim.TagList
}

// Options tune Validate.
type Options struct {
	// HeadersOnly: the body was not supplied, so AMS body hashes are not
	// compared (Result.BodyUnchecked says so) and only b= is verified.
	HeadersOnly bool
}

// Validate runs the chain validation algorithm of RFC 8617 §5.2 on a raw
// message (CRLF line endings).
func Validate(ctx context.Context, r resolver.Resolver, raw []byte) Result {
	fields, body, err := dkim.SplitMessage(raw)
	if err != nil {
		return Result{CV: Fail, Reason: err.Error(), Why: Msg(err), Sets: []Set{}}
	}
	return ValidateFields(ctx, r, fields, body, Options{})
}

// ValidateFields is Validate on a message already split.
func ValidateFields(ctx context.Context, r resolver.Resolver, fields []dkim.Field, body []byte, opts Options) Result {
	res := Result{Sets: []Set{}}
	sets := map[int]*parsedSet{}
	maxI := 0
	var bad error
	note := func(err *Error) {
		if bad == nil {
			bad = err
		}
	}
	fail := func(err error) Result {
		res.CV, res.Reason, res.Why = Fail, err.Error(), Msg(err)
		return res
	}
	for _, f := range fields {
		var kind string
		switch strings.ToLower(f.Name) {
		case "arc-authentication-results":
			kind = "aar"
		case "arc-message-signature":
			kind = "ams"
		case "arc-seal":
			kind = "as"
		default:
			continue
		}
		var inst int
		var tags dkim.TagList
		var err error
		if kind == "aar" {
			inst, err = aarInstance(f.Value())
		} else {
			tags, err = parseTags(f.Value())
			if err == nil {
				inst, err = tagInstance(tags)
			}
		}
		if err != nil {
			note(newErr(nil, "field", report.Params{"field": f.Name}, err, "%s: %v", f.Name, err))
			continue
		}
		if inst > maxI {
			maxI = inst
		}
		s := sets[inst]
		if s == nil {
			s = &parsedSet{}
			sets[inst] = s
		}
		switch kind {
		case "aar":
			s.aar = append(s.aar, f)
		case "ams":
			s.ams = append(s.ams, f)
			s.amsTags = tags
		case "as":
			s.as = append(s.as, f)
			s.asTags = tags
		}
	}
	if maxI == 0 && bad == nil {
		res.CV = None
		return res
	}
	// RFC 8617 §5.2 step 2: every instance from 1 to N has exactly one of
	// each field, and nothing else is valid.
	for i := 1; i <= maxI && bad == nil; i++ {
		s := sets[i]
		switch {
		case s == nil:
			note(newErr(nil, "set_missing", report.Params{"i": i, "max": maxI}, nil, "ARC set %d is missing (instances must run 1 to %d)", i, maxI))
		case len(s.aar) != 1 || len(s.ams) != 1 || len(s.as) != 1:
			note(newErr(nil, "set_count", report.Params{"i": i, "aar": len(s.aar), "ams": len(s.ams), "as": len(s.as)}, nil,
				"ARC set %d has %d ARC-Authentication-Results, %d ARC-Message-Signature and %d ARC-Seal fields; exactly one of each is required", i, len(s.aar), len(s.ams), len(s.as)))
		}
	}
	for i := 1; i <= maxI; i++ {
		s := sets[i]
		set := Set{Instance: i}
		if s != nil {
			if len(s.as) == 1 {
				set.Domain = tagOf(s.asTags, "d")
				set.Selector = tagOf(s.asTags, "s")
				set.CV = strings.ToLower(tagOf(s.asTags, "cv"))
			}
			if len(s.ams) == 1 {
				set.AMSDomain = tagOf(s.amsTags, "d")
			}
			if len(s.aar) == 1 {
				set.AuthServID, set.Results = aarPayload(s.aar[0].Value())
			}
		}
		res.Sets = append(res.Sets, set)
	}
	if bad != nil {
		return fail(bad)
	}
	// Tag checks on the seals and signatures (RFC 8617 §4.1.2, §4.1.3).
	for i := 1; i <= maxI; i++ {
		if err := checkSealTags(sets[i].asTags, i); err != nil {
			return fail(newErr(nil, "seal", report.Params{"i": i}, err, "ARC-Seal i=%d: %v", i, err))
		}
	}
	// Step 3: the newest seal says the chain already failed.
	if res.Sets[maxI-1].CV == Fail {
		return fail(newErr(nil, "newest_fail", report.Params{"i": maxI}, nil, "the newest ARC-Seal (i=%d) has cv=fail", maxI))
	}
	// Step 4: i=1 has cv=none, every later set cv=pass.
	for _, s := range res.Sets {
		want := Pass
		if s.Instance == 1 {
			want = None
		}
		if s.CV != want {
			return fail(newErr(nil, "cv", report.Params{"i": s.Instance, "cv": s.CV, "want": want}, nil, "ARC-Seal i=%d has cv=%s, want cv=%s", s.Instance, s.CV, want))
		}
	}
	keys := &keyCache{r: r}
	// Step 5: the newest AMS must verify.
	var temp error
	err := verifyAMS(ctx, keys, fields, body, sets[maxI].ams[0], sets[maxI].amsTags, opts.HeadersOnly, &res.BodyUnchecked)
	if err != nil {
		res.Sets[maxI-1].AMS, res.Sets[maxI-1].AMSError = Fail, err.Error()
		if errors.Is(err, ErrKeyTemp) {
			temp = err
		} else {
			return fail(newErr(nil, "ams", report.Params{"i": maxI}, err, "ARC-Message-Signature i=%d: %v", maxI, err))
		}
	} else {
		res.Sets[maxI-1].AMS = Pass
	}
	// Step 7: every seal, newest first.
	for i := maxI; i >= 1; i-- {
		err := verifySeal(ctx, keys, sets, i)
		if err != nil {
			res.Sets[i-1].Seal, res.Sets[i-1].SealError = Fail, err.Error()
			if errors.Is(err, ErrKeyTemp) {
				if temp == nil {
					temp = err
				}
				continue
			}
			return fail(newErr(nil, "seal", report.Params{"i": i}, err, "ARC-Seal i=%d: %v", i, err))
		}
		res.Sets[i-1].Seal = Pass
	}
	if temp != nil {
		res.CV, res.Reason, res.Why = TempError, temp.Error(), Msg(temp)
		return res
	}
	// Step 6 (optional, after the chain is known good): the oldest AMS
	// that still verifies tells how far back the message is unchanged.
	res.OldestPass = maxI
	for i := maxI - 1; i >= 1; i-- {
		var ignored bool // older AMSs say how far back, not whether the chain holds
		err := verifyAMS(ctx, keys, fields, body, sets[i].ams[0], sets[i].amsTags, opts.HeadersOnly, &ignored)
		if err != nil {
			res.Sets[i-1].AMS, res.Sets[i-1].AMSError = Fail, err.Error()
			break
		}
		res.Sets[i-1].AMS = Pass
		res.OldestPass = i
	}
	res.CV = Pass
	return res
}

// parseTags reads a tag-list with the shared parser (pkg/taglist) and no
// tolerance of empty tag-specs: RFC 6376 §3.2 allows one trailing ";"
// only, and the ValiMail suite (as_format_tags_sc) fails a seal with ";;".
func parseTags(v string) (dkim.TagList, error) {
	l, err := taglist.Parse(v, taglist.Options{NoEmpty: true})
	if err != nil {
		return nil, newErr(ErrTags, "tags", nil, err, "%v", err)
	}
	return l, nil
}

func tagOf(t dkim.TagList, name string) string {
	v, _ := t.Get(name)
	return stripWSP(v)
}

// tagInstance reads i= (RFC 8617 §4.2.1: 1*2DIGIT, 1 to 50).
func tagInstance(t dkim.TagList) (int, error) {
	v, ok := t.Get("i")
	if !ok {
		return 0, newErr(nil, "no_i", nil, nil, "no i= tag")
	}
	return parseInstance(stripWSP(v))
}

func parseInstance(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxInstances || v[0] == '+' {
		return 0, newErr(nil, "bad_i", report.Params{"value": fmt.Sprintf("%q", v), "max": MaxInstances}, nil, "i=%q is not an instance from 1 to %d", v, MaxInstances)
	}
	return n, nil
}

// aarInstance reads the "i=N;" that starts an ARC-Authentication-Results
// value (RFC 8617 §4.1.1).
func aarInstance(v string) (int, error) {
	v = strings.TrimLeft(v, " \t\r\n")
	head, _, ok := strings.Cut(v, ";")
	if !ok {
		return 0, newErr(nil, "aar_no_instance", nil, nil, "no \"i=N;\" before the authserv-id")
	}
	name, val, ok := strings.Cut(head, "=")
	if !ok || stripWSP(name) != "i" {
		return 0, newErr(nil, "aar_no_i", nil, nil, "does not start with i=")
	}
	return parseInstance(stripWSP(val))
}

func aarPayload(v string) (authservID, results string) {
	_, rest, _ := strings.Cut(v, ";")
	rest = strings.Join(strings.Fields(strings.ReplaceAll(rest, "\r\n", " ")), " ")
	id, more, _ := strings.Cut(rest, ";")
	return strings.TrimSpace(id), strings.TrimSpace(more)
}

// checkSealTags applies RFC 8617 §4.1.3: a, b, cv, d, s, i required, and
// no h= (the seal covers the ARC fields only).
func checkSealTags(t dkim.TagList, inst int) error {
	for _, name := range []string{"a", "b", "cv", "d", "s"} {
		if v, ok := t.Get(name); !ok || stripWSP(v) == "" {
			return newErr(ErrTags, "no_tag", report.Params{"tag": name}, nil, "no %s= tag", name)
		}
	}
	if _, ok := t.Get("h"); ok {
		return newErr(ErrTags, "seal_h", nil, nil, "h= is not allowed in an ARC-Seal")
	}
	switch strings.ToLower(tagOf(t, "cv")) {
	case None, Pass, Fail:
	default:
		return newErr(ErrTags, "bad_cv", report.Params{"value": tagOf(t, "cv")}, nil, "cv=%s is not none, pass or fail", tagOf(t, "cv"))
	}
	return nil
}

// verifyAMS checks one ARC-Message-Signature like a DKIM signature (RFC
// 8617 §4.1.2): the body hash over the canonicalized body, then the
// signature over the h= fields (picked bottom up, RFC 6376 §5.4.2) and
// the AMS itself with b= emptied.
// With skipBody (no body supplied) a body hash that does not match is
// passed over and *skipped set; one that matches (an empty body signed as
// such) is a full check.
func verifyAMS(ctx context.Context, keys *keyCache, fields []dkim.Field, body []byte, self dkim.Field, t dkim.TagList, skipBody bool, skipped *bool) error {
	for _, name := range []string{"a", "b", "bh", "d", "h", "s"} {
		// h= may be empty: RFC 8617 §4.1.2 does not require From to be
		// signed (the ValiMail suite's ams_fields_h_empty passes).
		if v, ok := t.Get(name); !ok || (name != "h" && stripWSP(v) == "") {
			return newErr(ErrTags, "no_tag", report.Params{"tag": name}, nil, "no %s= tag", name)
		}
	}
	hc, bc := dkim.Simple, dkim.Simple
	if c := tagOf(t, "c"); c != "" {
		h, b, _ := strings.Cut(strings.ToLower(c), "/")
		hc = h
		if b != "" {
			bc = b
		}
	}
	if (hc != dkim.Simple && hc != dkim.Relaxed) || (bc != dkim.Simple && bc != dkim.Relaxed) {
		return newErr(ErrTags, "canon", report.Params{"value": tagOf(t, "c")}, nil, "unknown canonicalization c=%s", tagOf(t, "c"))
	}
	names := dkim.SplitNames(tagOf(t, "h"))
	for _, n := range names {
		// RFC 8617 §4.1.2: the AMS MUST NOT sign ARC-Seal fields.
		if strings.EqualFold(n, "arc-seal") {
			return newErr(ErrTags, "ams_h_seal", nil, nil, "h= lists ARC-Seal")
		}
	}
	var l int64 = -1
	if v, ok := t.Get("l"); ok {
		n, err := strconv.ParseInt(stripWSP(v), 10, 64)
		if err != nil || n < 0 {
			return newErr(ErrTags, "bad_l", report.Params{"value": v}, nil, "l=%s", v)
		}
		l = n
	}
	bh, err := base64.StdEncoding.DecodeString(tagOf(t, "bh"))
	if err != nil {
		return newErr(ErrTags, "bh_base64", nil, nil, "bh= is not base64")
	}
	if !bytes.Equal(dkim.BodyHash(bc, body, l), bh) {
		if !skipBody {
			return ErrBody
		}
		*skipped = true
	}
	data := dkim.HeaderData(hc, fields, names, self)
	return verifySignature(ctx, keys, strings.ToLower(tagOf(t, "a")), tagOf(t, "s"), tagOf(t, "d"), tagOf(t, "b"), data)
}

// verifySeal checks ARC-Seal i=inst (RFC 8617 §5.1.1): relaxed header
// canonicalization over every ARC set from 1 to inst, each in the order
// AAR, AMS, AS, the seal being checked last with b= emptied.
func verifySeal(ctx context.Context, keys *keyCache, sets map[int]*parsedSet, inst int) error {
	var b bytes.Buffer
	for i := 1; i <= inst; i++ {
		s := sets[i]
		b.WriteString(dkim.CanonHeader(dkim.Relaxed, s.aar[0].Raw))
		b.WriteString(dkim.CanonHeader(dkim.Relaxed, s.ams[0].Raw))
		if i < inst {
			b.WriteString(dkim.CanonHeader(dkim.Relaxed, s.as[0].Raw))
		}
	}
	self := sets[inst].as[0]
	b.WriteString(strings.TrimSuffix(dkim.CanonHeader(dkim.Relaxed, dkim.WithoutB(self.Raw)), "\r\n"))
	t := sets[inst].asTags
	return verifySignature(ctx, keys, strings.ToLower(tagOf(t, "a")), tagOf(t, "s"), tagOf(t, "d"), tagOf(t, "b"), b.Bytes())
}

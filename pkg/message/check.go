// Package message answers, for one received message (or its pasted
// header section), what the receiving server concluded and whether it was
// right: the Received path and the boundary where the message entered the
// receiving organization, the receiver's Authentication-Results (RFC 8601)
// as recorded, SPF, DKIM, DMARC and ARC re-checked here over DNS at the
// time the message was received, where the two differ and why, and the
// checklist the large mailbox providers apply to a message.
//
// DNS names queried: the SPF records of the envelope sender (and what they
// include), <s>._domainkey.<d> for every DKIM and ARC signature,
// _dmarc.<domain> up the tree (RFC 9989 §4.10) for the From domain and the
// aligned identifiers, and the PTR and A/AAAA of the sending address.
package message

import (
	"context"
	"errors"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/mailcheck/mailcheck/pkg/authres"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dkim"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// Options override what the headers say.
type Options struct {
	// Receiver is the receiving organization's domain; zero to infer it.
	Receiver dnsname.Domain
	// IP, HELO and Sender replace the boundary's client address, HELO name
	// and the Return-Path; a set Sender of "" is the null sender.
	IP        string
	HELO      string
	Sender    string
	SenderSet bool
	// At is the time the time-bound checks (DKIM x=) are judged at; zero
	// means the boundary hop's date.
	At time.Time
}

// Where the judging time came from.
const (
	AtGiven    = "given"    // Options.At (--at)
	AtBoundary = "boundary" // the boundary Received field's date
	AtReceived = "received" // the top-most Received field's date
	AtClock    = "clock"    // nothing in the headers: the current time
)

// Verdicts are the re-checked results in one place, each in the RFC 8601
// vocabulary (pass, fail, softfail, neutral, none, temperror, permerror).
// neutral for dmarc and arc means the body was not supplied and the
// result depends on it; for a dkim signature it means that (the signature's
// header_signature_ok is then set) or a signature ignored as expired or
// with x= not after t= (RFC 6376 §3.5; see "Reading of the RFCs" in
// docs/findings/message.md).
type Verdicts struct {
	SPF   string        `json:"spf"`
	DKIM  []DKIMVerdict `json:"dkim"`
	DMARC string        `json:"dmarc"`
	ARC   string        `json:"arc"`
}

// DKIMVerdict is one signature's result.
type DKIMVerdict struct {
	Domain   string `json:"domain"`
	Selector string `json:"selector"`
	Result   string `json:"result"`
}

// Data is Section.Data of the "message" section.
type Data struct {
	Verdicts Verdicts `json:"verdicts"`
	// From, Subject, MessageID and Date as written (unfolded).
	From      string `json:"from,omitempty"`
	Subject   string `json:"subject,omitempty"`
	MessageID string `json:"message_id,omitempty"`
	Date      string `json:"date,omitempty"`
	Size      int    `json:"size"`
	// HeadersOnly: no body was given; Unchecked lists what that leaves
	// undecided.
	HeadersOnly bool         `json:"headers_only"`
	Unchecked   []report.Msg `json:"unchecked,omitempty"`
	Normalized  []report.Msg `json:"normalized,omitempty"`
	// At is the time time-bound checks were judged at; AtSource where it
	// came from (given, boundary, received, clock).
	At       time.Time `json:"at"`
	AtSource string    `json:"at_source"`
	Boundary Boundary  `json:"boundary"`
	// Differences list where the re-check and the receiver disagree.
	Differences []Difference `json:"differences"`
}

// Difference is one method where the receiver's recorded result and the
// re-check disagree, with the likely cause.
type Difference struct {
	Method   string     `json:"method"`
	Subject  string     `json:"subject,omitempty"` // e.g. "d=shop.example s=s1"
	Receiver string     `json:"receiver"`
	Recheck  string     `json:"recheck"`
	Cause    report.Msg `json:"cause"`
}

// PathData is Section.Data of the "message.path" section.
type PathData struct {
	Hops     []Hop    `json:"hops"`
	Boundary Boundary `json:"boundary"`
	// TotalSeconds is the time from the bottom dated hop to the top one.
	TotalSeconds *float64 `json:"total_seconds,omitempty"`
}

// ReceiverData is Section.Data of the "message.receiver" section.
type ReceiverData struct {
	// AuthServID is the receiver's authserv-id, as matched ("" when
	// none of the fields could be attributed to the receiver).
	AuthServID string           `json:"authserv_id,omitempty"`
	Fields     []ReceivedResult `json:"fields"`
}

// ReceivedResult is one Authentication-Results or ARC-Authentication-Results
// field.
type ReceivedResult struct {
	// Field is Authentication-Results, ARC-Authentication-Results or
	// Received-SPF (RFC 7208 §9.1, read as one spf result).
	Field string `json:"field"`
	// Receiver: the field's authserv-id is the receiver's.
	Receiver bool `json:"receiver"`
	// Forged: the field claims the receiver's authserv-id but sits below
	// the boundary Received field, so it came with the message from
	// outside; RFC 8601 §5 says the receiver should have removed it. It is
	// not used as the receiver's result.
	Forged bool `json:"forged,omitempty"`
	authres.Results
	// Error is set when the field could not be parsed at all.
	Error report.Msg `json:"error,omitzero"`

	pos int // index of the field among all header fields
}

// inputs are what the SPF re-check uses, and where each came from.
type inputs struct {
	ip, ipSource         string
	helo, heloSource     string
	sender, senderSource string
}

// Check analyses m. It returns the sections in order: message, path,
// receiver, spf, dkim, dmarc, arc, checklist.
func Check(ctx context.Context, env check.Env, m *Message, opts Options) []report.Section {
	hops := ParsePath(m)
	recv := parseResults(m)
	var topAR *authres.Results
	for _, r := range recv {
		if r.Field == "Authentication-Results" && r.Error.IsZero() {
			rr := r.Results
			topAR = &rr
			break
		}
	}
	b := findBoundary(hops, opts.Receiver, topAR)
	markReceiver(recv, b, topAR)
	markForged(recv, hops, b)

	// The time: --at, the boundary's date, the top date, the clock.
	at, atSource := opts.At, AtGiven
	if at.IsZero() {
		at, atSource = hopDate(hops, b.Hop), AtBoundary
	}
	if at.IsZero() && len(hops) > 0 && hops[0].Date != nil {
		at, atSource = *hops[0].Date, AtReceived
	}
	if at.IsZero() {
		at, atSource = env.Clock(), AtClock
	}

	in := inputs{ip: b.IP, ipSource: SourceBoundary, helo: b.HELO, heloSource: SourceBoundary}
	if b.IP == "" {
		in.ipSource = SourceMissing
	}
	if b.HELO == "" {
		in.heloSource = SourceMissing
	}
	if opts.IP != "" {
		in.ip, in.ipSource = opts.IP, SourceFlag
	}
	if opts.HELO != "" {
		in.helo, in.heloSource = opts.HELO, SourceFlag
	}
	switch {
	case opts.SenderSet:
		in.sender, in.senderSource = opts.Sender, SourceFlag
	default:
		if rp := m.Values("Return-Path"); len(rp) > 0 {
			in.sender, in.senderSource = returnPath(rp[0]), SourceReturnPath
		} else {
			in.senderSource = SourceMissing
		}
	}

	// The re-checks are independent but for DMARC, which needs SPF and
	// DKIM; the per-run resolver cache merges the names they share.
	var (
		spfd     SPFData
		dk       *dkim.MessageData
		dkFind   []report.Finding
		dkErr    error
		arcd     ARCData
		checkSec report.Section
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { spfd = recheckSPF(gctx, env, in, at); return nil })
	g.Go(func() error {
		dk, dkFind, dkErr = dkim.VerifyRawAt(gctx, env, m.Raw, at, m.HeadersOnly)
		return nil
	})
	g.Go(func() error { arcd = recheckARC(gctx, env, m); return nil })
	_ = g.Wait()
	dm := recheckDMARC(ctx, env, m, spfd, dk)
	checkSec = checklist(ctx, env, m, hops, b, in.ip, dm, dk)

	v := Verdicts{SPF: spfd.Result, DKIM: []DKIMVerdict{}, DMARC: dm.Result, ARC: arcResult(arcd)}
	if dk != nil {
		for _, s := range dk.Signatures {
			v.DKIM = append(v.DKIM, DKIMVerdict{Domain: s.Domain, Selector: s.Selector, Result: s.Result})
		}
	}
	headersOnly := m.HeadersOnly && !emptyBodySigned(dk, arcd)
	d := &Data{
		Verdicts: v, From: m.First("From"), Subject: m.First("Subject"), MessageID: m.First("Message-ID"), Date: m.First("Date"),
		Size: len(m.Raw), HeadersOnly: headersOnly, Normalized: m.Normalized, At: at.UTC(), AtSource: atSource, Boundary: b,
	}
	if headersOnly {
		d.Unchecked = []report.Msg{
			report.T("message.unchecked.dkim_body", nil),
			report.T("message.unchecked.arc_body", nil),
			report.T("message.unchecked.dmarc", nil),
		}
	}
	d.Differences = compare(recv, spfd, dk, dm, arcd)
	earlier := arcEarlier(recv, arcd)

	return []report.Section{
		messageSection(d, recv),
		pathSection(hops, b),
		receiverSection(recv),
		spfSection(spfd, b, explainByARC(recv, arcd, "spf")),
		dkimSection(dk, dkFind, dkErr, m, explainByARC(recv, arcd, "dkim")),
		// DMARC's finding says itself what a validated chain means.
		dmarcSection(dm, firstOf(earlier["dmarc"], earlier["dkim"], earlier["spf"])),
		arcSection(arcd),
		checkSec,
	}
}

// emptyBodySigned: the input ended at its header section (or a blank
// line), but every body hash checked matched it, so the message really
// has an empty body and nothing was left unchecked.
func emptyBodySigned(dk *dkim.MessageData, a ARCData) bool {
	if a.BodyUnchecked {
		return false
	}
	matched := false
	if dk != nil {
		for _, s := range dk.Signatures {
			if s.HeaderSignatureOK != nil {
				return false // a body hash that did not match
			}
			if s.BodyHashOK != nil && *s.BodyHashOK {
				matched = true
			}
		}
	}
	return matched
}

func hopDate(hops []Hop, index int) time.Time {
	for _, h := range hops {
		if h.Index == index && h.Date != nil {
			return *h.Date
		}
	}
	return time.Time{}
}

// returnPath reads the reverse-path of a Return-Path field (RFC 5322
// §3.6.7: "<" addr-spec ">" or "<>").
func returnPath(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		v = v[i+1:]
		if j := strings.IndexByte(v, '>'); j >= 0 {
			v = v[:j]
		}
	}
	return strings.TrimSpace(v)
}

// parseResults parses every Authentication-Results and
// ARC-Authentication-Results field, top first (bounded).
func parseResults(m *Message) []ReceivedResult {
	var out []ReceivedResult
	for pos, f := range m.Fields {
		name := ""
		var r *authres.Results
		var err error
		switch strings.ToLower(f.Name) {
		case "authentication-results":
			name = "Authentication-Results"
			r, err = authres.Parse(f.Value())
		case "arc-authentication-results":
			name = "ARC-Authentication-Results"
			r, err = authres.ParseARC(f.Value())
		case "received-spf":
			name = "Received-SPF"
			r, err = authres.ParseReceivedSPF(f.Value())
		default:
			continue
		}
		if len(out) >= 64 {
			break
		}
		rr := ReceivedResult{Field: name, pos: pos}
		if err != nil {
			rr.Error = report.Lit(err.Error())
			var pe *authres.Error
			if errors.As(err, &pe) {
				rr.Error = pe.Msg()
			}
			rr.Methods = []authres.Method{}
		} else {
			rr.Results = *r
		}
		out = append(out, rr)
	}
	return out
}

// markReceiver flags the fields whose authserv-id is the receiver's: the
// boundary's organization when known, else the top-most field's id.
func markReceiver(recv []ReceivedResult, b Boundary, topAR *authres.Results) {
	for i := range recv {
		r := &recv[i]
		if r.Field == "Received-SPF" && r.Error.IsZero() && r.AuthServID != "" {
			// Attributed by organization: Gmail writes "google.com" here
			// and "mx.google.com" in Authentication-Results.
			org := b.Receiver
			if topAR != nil && (org == "" || b.Method == BoundaryHeuristic) {
				if d, err := dnsname.ParseAny(topAR.AuthServID); err == nil {
					org = dnsname.OrganizationalPSL(d).String()
				}
			}
			if d, err := dnsname.ParseAny(r.AuthServID); err == nil && org != "" && dnsname.OrganizationalPSL(d).String() == org {
				r.Receiver = true
			}
			continue
		}
		if r.Field != "Authentication-Results" || !r.Error.IsZero() {
			continue
		}
		switch {
		case b.Receiver != "" && b.Method != BoundaryHeuristic:
			if d, err := dnsname.ParseAny(r.AuthServID); err == nil && dnsname.OrganizationalPSL(d).String() == b.Receiver {
				r.Receiver = true
			}
		case topAR != nil:
			r.Receiver = r.AuthServID == topAR.AuthServID
		}
	}
}

// markForged unmarks receiver fields that sit below the Received field
// of the hop before the boundary (the sender's side): they were in the
// message before the receiver got it. The receiver's own fields may sit
// just below its boundary Received field (Gmail writes them there), so
// only the next Received field down is a safe line.
func markForged(recv []ReceivedResult, hops []Hop, b Boundary) {
	if b.Hop == 0 || b.Method == BoundaryNone {
		return
	}
	line := -1
	for _, h := range hops {
		if h.Index == b.Hop+1 {
			line = h.pos
		}
	}
	if line < 0 {
		return
	}
	for i := range recv {
		if recv[i].Receiver && recv[i].Field != "ARC-Authentication-Results" && recv[i].pos > line {
			recv[i].Receiver, recv[i].Forged = false, true
		}
	}
}

// receiverMethods returns the receiver's results for a method, from its
// Authentication-Results fields, top first.
func receiverMethods(recv []ReceivedResult, method string) []authres.Method {
	var out []authres.Method
	for _, r := range recv {
		if !r.Receiver {
			continue
		}
		for _, m := range r.Methods {
			if m.Method == method {
				out = append(out, m)
			}
		}
	}
	return out
}

func authservID(recv []ReceivedResult) string {
	for _, r := range recv {
		if r.Receiver && r.Field == "Authentication-Results" {
			return r.AuthServID
		}
	}
	for _, r := range recv {
		if r.Receiver {
			return r.AuthServID
		}
	}
	return ""
}

package reports

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"strings"
)

// Failure is what an RFC 6591 authentication failure report says about one
// message.
type Failure struct {
	// AuthFailure is "dmarc", "dkim", "spf", "adsp"... (RFC 6591 §3.2).
	AuthFailure    string `json:"auth_failure,omitempty"`
	SourceIP       string `json:"source_ip,omitempty"`
	DeliveryResult string `json:"delivery_result,omitempty"`
	// OriginalMailFrom is the failed message's envelope sender.
	OriginalMailFrom string `json:"original_mail_from,omitempty"`
	DKIMDomain       string `json:"dkim_domain,omitempty"`
	// AuthenticationResults is the receiver's Authentication-Results field.
	AuthenticationResults string `json:"authentication_results,omitempty"`
}

// parseFailure reads a multipart/report; report-type=feedback-report
// (RFC 5965 §2) whose Feedback-Type is auth-failure (RFC 6591 §3.1).
func parseFailure(top mail.Header, body []byte, boundary string) (*Report, error) {
	if boundary == "" {
		return nil, errors.New("no boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		p, err := mr.NextRawPart()
		if err != nil {
			return nil, errors.New("no message/feedback-report part")
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if ct != "message/feedback-report" {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(p, 1<<20))
		if err != nil {
			return nil, err
		}
		// The fields are a header block (RFC 5965 §3.1); a block without
		// the final empty line is common.
		tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(bytes.TrimSpace(b), "\r\n\r\n"...))))
		f, err := tp.ReadMIMEHeader()
		if err != nil && len(f) == 0 {
			return nil, err
		}
		if t := strings.ToLower(f.Get("Feedback-Type")); t != "auth-failure" {
			return nil, errors.New("feedback report of type " + truncate(t, 32) + ", not auth-failure")
		}
		r := &Report{Kind: KindFailure, Domain: normDomain(f.Get("Reported-Domain"))}
		r.Org = reporter(top)
		r.ReportID = truncate(strings.Trim(top.Get("Message-Id"), "<> "), 200)
		if t, err := mail.ParseDate(f.Get("Arrival-Date")); err == nil {
			r.Begin, r.End = t.UTC(), t.UTC()
		} else if t, err := top.Date(); err == nil {
			r.Begin, r.End = t.UTC(), t.UTC()
		}
		r.Failure = &Failure{
			AuthFailure:           strings.ToLower(truncate(f.Get("Auth-Failure"), 32)),
			SourceIP:              canonicalIP(strings.TrimSpace(f.Get("Source-IP"))),
			DeliveryResult:        strings.ToLower(truncate(f.Get("Delivery-Result"), 32)),
			OriginalMailFrom:      truncate(strings.Trim(f.Get("Original-Mail-From"), "<> "), 254),
			DKIMDomain:            normDomain(f.Get("DKIM-Domain")),
			AuthenticationResults: truncate(f.Get("Authentication-Results"), 500),
		}
		return r, nil
	}
}

// reporter names who sent a report message: the domain of its From.
func reporter(h mail.Header) string {
	if a, err := mail.ParseAddress(h.Get("From")); err == nil {
		if i := strings.LastIndexByte(a.Address, '@'); i >= 0 {
			return strings.ToLower(a.Address[i+1:])
		}
	}
	return truncate(h.Get("From"), 100)
}

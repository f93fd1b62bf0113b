// Package fetch gets one small document over HTTPS the way mail
// policies must be fetched: through the caller's *http.Client (never a
// global one), with no redirect followed, a deadline, a size cap and
// certificate errors told apart from other failures. MTA-STS policies
// (RFC 8461 §3.3) and BIMI logos use it.
package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// Errors from Get; test with errors.Is. Every error Get returns is an
// *Error, which says which of these it is (Kind) and carries the facts
// (URL, status, location, limit) for a report to word it in the
// catalogs (Msg: fetch.error.<kind>).
var (
	ErrNoClient    = errors.New("no HTTP client configured")
	ErrNotHTTPS    = errors.New("URL is not https")
	ErrRedirect    = errors.New("redirect not followed")
	ErrStatus      = errors.New("HTTP status is not 200")
	ErrTooLarge    = errors.New("response larger than the limit")
	ErrCertificate = errors.New("TLS certificate not valid")
	ErrTimeout     = errors.New("timed out")
	ErrTransport   = errors.New("HTTPS request failed")
)

// Kind names what went wrong with a fetch.
type Kind string

const (
	KindNoClient    Kind = "no_client"
	KindNotHTTPS    Kind = "not_https"
	KindRedirect    Kind = "redirect"
	KindStatus      Kind = "status"
	KindTooLarge    Kind = "too_large"
	KindCertificate Kind = "certificate"
	KindTimeout     Kind = "timeout"
	KindTransport   Kind = "transport"
)

var sentinels = map[Kind]error{
	KindNoClient: ErrNoClient, KindNotHTTPS: ErrNotHTTPS, KindRedirect: ErrRedirect, KindStatus: ErrStatus,
	KindTooLarge: ErrTooLarge, KindCertificate: ErrCertificate, KindTimeout: ErrTimeout, KindTransport: ErrTransport,
}

// Error is a failed fetch.
type Error struct {
	Kind Kind
	URL  string
	// Status is the HTTP status (KindRedirect, KindStatus); Location the
	// refused redirect's target; Max the size limit (KindTooLarge).
	Status   int
	Location string
	Max      int64
	// Cert says what is wrong with the certificate (KindCertificate):
	// "hostname", "unknown_authority", "expired" or "invalid".
	Cert string
	// Err is the underlying error, when there is one.
	Err error
}

func (e *Error) Error() string {
	s := sentinels[e.Kind].Error()
	switch e.Kind {
	case KindNotHTTPS:
		s += fmt.Sprintf(": %q", e.URL)
	case KindRedirect:
		s += fmt.Sprintf(": HTTP %d to %q", e.Status, e.Location)
	case KindStatus:
		s += fmt.Sprintf(": HTTP %d", e.Status)
	case KindTooLarge:
		s += fmt.Sprintf(": more than %d bytes", e.Max)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap gives errors.Is the kind's sentinel (ErrTimeout...) and the cause.
func (e *Error) Unwrap() []error {
	out := []error{sentinels[e.Kind]}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// Msg words the error for a report: catalog key fetch.error.<kind>, with
// the URL, status, location and limit as parameters.
func (e *Error) Msg() report.Msg {
	p := report.Params{"url": e.URL}
	if e.Status != 0 {
		p["status"] = e.Status
	}
	if e.Location != "" {
		p["location"] = e.Location
	}
	if e.Max > 0 {
		p["max"] = int(e.Max)
	}
	if e.Cert != "" {
		p["cert"] = report.T("fetch.cert."+e.Cert, nil)
	}
	return report.T("fetch.error."+string(e.Kind), p)
}

// Response is what was fetched.
type Response struct {
	URL         string `json:"url"`
	Status      int    `json:"status,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	// MediaType is ContentType without parameters, lower case.
	MediaType string `json:"media_type,omitempty"`
	Location  string `json:"location,omitempty"` // of a refused redirect
	Body      []byte `json:"-"`
	Size      int    `json:"size"`
}

// Limits bound one fetch.
type Limits struct {
	MaxBytes int64
	Timeout  time.Duration
}

// Get fetches rawURL with client. A 3xx answer is returned as ErrRedirect
// with Location filled in, never followed (RFC 8461 §3.3: "HTTP 3xx
// redirects MUST NOT be followed"). The body is read up to lim.MaxBytes;
// one byte more is ErrTooLarge.
func Get(ctx context.Context, client *http.Client, rawURL string, lim Limits) (Response, error) {
	resp := Response{URL: rawURL}
	if client == nil {
		return resp, &Error{Kind: KindNoClient, URL: rawURL}
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return resp, &Error{Kind: KindNotHTTPS, URL: rawURL}
	}
	if lim.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, lim.Timeout)
		defer cancel()
	}
	// A shallow copy changes the redirect rule and drops cookies without
	// touching the caller's client; the Transport (and its dialer and
	// roots) is shared.
	c := *client
	c.Jar = nil
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return resp, &Error{Kind: KindTransport, URL: rawURL, Err: err}
	}
	// RFC 8461 §3.3: senders must not use HTTP caching of the policy.
	req.Header.Set("Cache-Control", "no-cache")
	r, err := c.Do(req)
	if err != nil {
		return resp, classify(ctx, rawURL, err)
	}
	defer r.Body.Close()
	resp.Status = r.StatusCode
	resp.ContentType = r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(resp.ContentType); err == nil {
		resp.MediaType = mt
	}
	if r.StatusCode >= 300 && r.StatusCode < 400 {
		resp.Location = r.Header.Get("Location")
		return resp, &Error{Kind: KindRedirect, URL: rawURL, Status: r.StatusCode, Location: resp.Location}
	}
	if r.StatusCode != http.StatusOK {
		return resp, &Error{Kind: KindStatus, URL: rawURL, Status: r.StatusCode}
	}
	max := lim.MaxBytes
	if max <= 0 {
		max = 64 << 10
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	resp.Size = len(body)
	if err != nil {
		return resp, classify(ctx, rawURL, err)
	}
	if int64(len(body)) > max {
		resp.Body = body[:max]
		resp.Size = int(max)
		return resp, &Error{Kind: KindTooLarge, URL: rawURL, Max: max}
	}
	resp.Body = body
	return resp, nil
}

func classify(ctx context.Context, rawURL string, err error) error {
	var (
		verr *tls.CertificateVerificationError
		herr x509.HostnameError
		aerr x509.UnknownAuthorityError
		ierr x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &herr):
		return &Error{Kind: KindCertificate, URL: rawURL, Cert: "hostname", Err: err}
	case errors.As(err, &aerr):
		return &Error{Kind: KindCertificate, URL: rawURL, Cert: "unknown_authority", Err: err}
	case errors.As(err, &ierr) && ierr.Reason == x509.Expired:
		return &Error{Kind: KindCertificate, URL: rawURL, Cert: "expired", Err: err}
	case errors.As(err, &verr), errors.As(err, &ierr):
		return &Error{Kind: KindCertificate, URL: rawURL, Cert: "invalid", Err: err}
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		// A server that stalls the TLS handshake or the response headers
		// (the transport's own limits) is as undecided as one that stalls
		// the body: a timeout, never "cannot be fetched".
		return &Error{Kind: KindTimeout, URL: rawURL, Err: err}
	}
	return &Error{Kind: KindTransport, URL: rawURL, Err: err}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

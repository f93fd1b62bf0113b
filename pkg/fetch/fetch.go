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
)

// Errors from Get; test with errors.Is.
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
		return resp, ErrNoClient
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return resp, fmt.Errorf("%w: %q", ErrNotHTTPS, rawURL)
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
		return resp, fmt.Errorf("%w: %v", ErrTransport, err)
	}
	// RFC 8461 §3.3: senders must not use HTTP caching of the policy.
	req.Header.Set("Cache-Control", "no-cache")
	r, err := c.Do(req)
	if err != nil {
		return resp, classify(ctx, err)
	}
	defer r.Body.Close()
	resp.Status = r.StatusCode
	resp.ContentType = r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(resp.ContentType); err == nil {
		resp.MediaType = mt
	}
	if r.StatusCode >= 300 && r.StatusCode < 400 {
		resp.Location = r.Header.Get("Location")
		return resp, fmt.Errorf("%w: HTTP %d to %q", ErrRedirect, r.StatusCode, resp.Location)
	}
	if r.StatusCode != http.StatusOK {
		return resp, fmt.Errorf("%w: HTTP %d", ErrStatus, r.StatusCode)
	}
	max := lim.MaxBytes
	if max <= 0 {
		max = 64 << 10
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	resp.Size = len(body)
	if err != nil {
		return resp, classify(ctx, err)
	}
	if int64(len(body)) > max {
		resp.Body = body[:max]
		resp.Size = int(max)
		return resp, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	resp.Body = body
	return resp, nil
}

func classify(ctx context.Context, err error) error {
	var (
		verr *tls.CertificateVerificationError
		herr x509.HostnameError
		aerr x509.UnknownAuthorityError
		ierr x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &verr), errors.As(err, &herr), errors.As(err, &aerr), errors.As(err, &ierr):
		return fmt.Errorf("%w: %v", ErrCertificate, err)
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		// A server that stalls the TLS handshake or the response headers
		// (the transport's own limits) is as undecided as one that stalls
		// the body: a timeout, never "cannot be fetched".
		return fmt.Errorf("%w: %v", ErrTimeout, err)
	}
	return fmt.Errorf("%w: %v", ErrTransport, err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

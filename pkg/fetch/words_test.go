package fetch

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/httpstest"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/check"
)

// Every error Get returns is typed: its kind for errors.Is, its facts for
// the catalogs, worded in French and English through check.ErrMsg.
func TestErrorsAreWorded(t *testing.T) {
	ca := httpstest.NewCA(t)
	router := httpstest.NewRouter()
	redirect := httpstest.Serve(t, http.RedirectHandler("https://elsewhere.example/policy", http.StatusFound), ca.Valid(t, "redirect.example"))
	router.Route("redirect.example:443", redirect)
	now := testclock.Now()
	expired := httpstest.Serve(t, http.NotFoundHandler(), ca.Issue(t, []string{"expired.example"}, now.AddDate(-2, 0, 0), now.AddDate(-1, 0, 0)))
	router.Route("expired.example:443", expired)
	client := router.Client(ca)

	_, err := Get(context.Background(), client, "https://redirect.example/policy", Limits{})
	var fe *Error
	if !errors.Is(err, ErrRedirect) || !errors.As(err, &fe) || fe.Status != http.StatusFound || fe.Location != "https://elsewhere.example/policy" {
		t.Fatalf("redirect: %v", err)
	}
	fr, en := i18n.For(i18n.French), i18n.For(i18n.English)
	if got := fr.Text(check.ErrMsg(err)); got != "https://redirect.example/policy a répondu HTTP 302, une redirection vers https://elsewhere.example/policy, qui n'est pas suivie" {
		t.Errorf("French %q", got)
	}
	if got := en.Text(check.ErrMsg(err)); !strings.Contains(got, "answered HTTP 302, a redirect to https://elsewhere.example/policy") {
		t.Errorf("English %q", got)
	}

	_, err = Get(context.Background(), client, "https://expired.example/", Limits{})
	if !errors.Is(err, ErrCertificate) || !errors.As(err, &fe) {
		t.Fatalf("expired: %v", err)
	}
	// The test CA's certificate is checked at the wall clock by crypto/tls,
	// so a certificate long expired is expired whatever the test clock.
	if got := fr.Text(check.ErrMsg(err)); !strings.HasPrefix(got, "https://expired.example/\u00a0: le certificat TLS n'est pas valide (") {
		t.Errorf("French %q", got)
	}
	if m := append(fr.Missing(), en.Missing()...); len(m) > 0 {
		t.Errorf("missing: %v", m)
	}
}

package bimi

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/httpstest"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// The logo host accepts TCP and never answers the TLS handshake: the logo
// is unknown (bimi.logo.timeout), not "cannot be fetched".
func TestStalledLogoIsUnknown(t *testing.T) {
	stalled := httpstest.Stalled(t)
	srv := dnstest.Start(t, dnstest.ZoneText("brand.example.", brandZone),
		dnstest.ZoneText("example.", "@ TXT \"parent\"\n"))
	client := check.HTTPClientVia(&http.Client{Transport: &http.Transport{TLSHandshakeTimeout: 150 * time.Millisecond}},
		httpstest.DialTo(stalled), testclock.Func())
	env := check.Env{Resolver: srv.Resolver(t), HTTPClient: client, Now: testclock.Func()}
	sec := Check(context.Background(), env, dnsname.MustParse("brand.example"), Options{FetchTimeout: 5 * time.Second})
	found := false
	for _, f := range sec.Findings {
		found = found || f.ID == "bimi.logo.timeout"
		if f.ID == "bimi.logo.unfetchable" {
			t.Errorf("a stalled handshake reported as %s", f.ID)
		}
	}
	if !found || sec.Status != report.StatusUnknown {
		t.Errorf("status %s, findings %+v", sec.Status, sec.Findings)
	}
}

package mtasts

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

// mta-sts.<domain> accepts TCP and never answers the TLS handshake: the
// policy is unknown (mtasts.policy.timeout), not "cannot be fetched" (high).
func TestStalledTLSHandshakeIsUnknown(t *testing.T) {
	stalled := httpstest.Stalled(t)
	srv := dnstest.Start(t, dnstest.ZoneText("shop.example.", zoneHead+`_mta-sts IN TXT "v=STSv1; id=1"`+"\n"))
	client := check.HTTPClientVia(&http.Client{Transport: &http.Transport{TLSHandshakeTimeout: 150 * time.Millisecond}},
		httpstest.DialTo(stalled), testclock.Func())
	env := check.Env{Resolver: srv.Resolver(t), HTTPClient: client, Now: testclock.Func()}
	sec := Check(context.Background(), env, dnsname.MustParse("shop.example"), Options{FetchTimeout: 5 * time.Second})
	if sec.Status != report.StatusUnknown || len(sec.Findings) != 1 || sec.Findings[0].ID != "mtasts.policy.timeout" {
		t.Errorf("status %s, findings %+v", sec.Status, sec.Findings)
	}
}

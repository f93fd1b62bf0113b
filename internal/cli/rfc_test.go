package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
)

// Cases other implementations' suites found, through the real CLI.

// An invalid np= with a valid rua: receivers act as none for non-existent
// subdomains (RFC 7489 §6.6.3, extended to np), so --require-policy reject
// fails there.
func TestRequirePolicyInvalidNP(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("shop.example.", `
$ORIGIN shop.example.
@        MX  10 mx
mx       A   192.0.2.25
_dmarc   TXT "v=DMARC1; p=reject; np=rejekt; rua=mailto:d@shop.example"
`))
	r := run(t, "dmarc", "ghost.shop.example", "--resolver", srv.Addr, "--require-policy", "reject")
	if r.code != ExitGateFailed || !strings.Contains(r.stderr, "is none (np at _dmarc.shop.example)") {
		t.Errorf("exit %d, stderr %q; want 1 and the np=none reason", r.code, r.stderr)
	}
	// The domain itself exists: p=reject applies to it.
	if r := run(t, "dmarc", "shop.example", "--resolver", srv.Addr, "--require-policy", "reject"); r.code != ExitOK {
		t.Errorf("shop.example: exit %d, %q", r.code, r.stderr)
	}
}

// v=DMARC1; adkim=s has no valid p and no rua: receivers apply no DMARC, so
// it does not meet the Gmail and Yahoo minimum.
func TestNoPolicyRecordDoesNotMeetMinimum(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("shop.example.", `
$ORIGIN shop.example.
@        MX  10 mx
@        TXT "v=spf1 -all"
mx       A   192.0.2.25
_dmarc   TXT "v=DMARC1; adkim=s"
`))
	r := run(t, "domain", "shop.example", "--resolver", srv.Addr, "--no-probe", "--format", "json")
	var docs []struct {
		Readiness []struct{ Requirement, Status string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &docs); err != nil || len(docs) != 1 {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	doc := docs[0]
	found := false
	for _, row := range doc.Readiness {
		if strings.HasPrefix(row.Requirement, "DMARC policy published") {
			found = true
			if row.Status != "fail" {
				t.Errorf("%q: %s, want fail", row.Requirement, row.Status)
			}
		}
	}
	if !found {
		t.Errorf("no DMARC readiness row: %+v", doc.Readiness)
	}
	if strings.Contains(r.stdout, "meets the Gmail and Yahoo") {
		t.Error("the report says the record meets the minimum")
	}
	if r := run(t, "dmarc", "shop.example", "--resolver", srv.Addr, "--require-policy", "none"); r.code != ExitGateFailed {
		t.Errorf("--require-policy none: exit %d, want 1", r.code)
	}
}

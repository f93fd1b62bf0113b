package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/miekg/dns"
)

const dnssecShop = `@ SOA ns.shop.example. h.shop.example. 1 3600 600 86400 300
@ MX 10 mx.shop.example.
@ TXT "v=spf1 ip4:192.0.2.25 -all"
_dmarc TXT "v=DMARC1; p=reject; rua=mailto:d@shop.example"
mx A 192.0.2.25
`

// A zone whose signatures are broken, through a validating resolver on
// loopback: the DNSSEC section says bogus and what it means for mail, the
// gate fails, and the domain score is capped as the outage it is.
func TestDNSSECBogusThroughValidatingResolver(t *testing.T) {
	opts, anchors := dnstest.Hierarchy(t, dnstest.Child{Origin: "shop.example.", Text: dnssecShop,
		Sign: &dnstest.SignOptions{Corrupt: []string{"shop.example. TXT", "_dmarc.shop.example. TXT"}}})
	v := dnstest.StartValidating(t, dnstest.ValidatingOptions{Anchors: anchors}, opts...)

	r := run(t, "mx", "shop.example", "--resolver", v.Addr, "--format", "json")
	if r.code != 1 {
		t.Errorf("mx exit %d, stderr %q", r.code, r.stderr)
	}
	var doc mxDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.status()["dnssec"]; got != "fail" || !strings.Contains(strings.Join(doc.ids("dnssec"), " "), "dnssec.zone.bogus") {
		t.Errorf("dnssec %s %v", got, doc.ids("dnssec"))
	}

	r = run(t, "mx", "shop.example", "--resolver", v.Addr, "--no-color")
	for _, want := range []string{"bogus", "see no SPF, DKIM or DMARC", "_dmarc.shop.example TXT"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text output lacks %q", want)
		}
	}

	r = run(t, "domain", "shop.example", "--resolver", v.Addr, "--no-probe", "--format", "json")
	var rep []struct {
		Score struct {
			Value int    `json:"value"`
			Grade string `json:"grade"`
		} `json:"score"`
		Sections []struct {
			Check    string
			Findings []struct{ ID, Detail string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep) != 1 {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if rep[0].Score.Value > 20 || rep[0].Score.Grade != "F" {
		t.Errorf("score %+v: a bogus domain zone is an outage", rep[0].Score)
	}
	// The SPF and DMARC sections say why their lookups failed.
	for _, sec := range rep[0].Sections {
		if sec.Check != "spf" && sec.Check != "dmarc" {
			continue
		}
		if len(sec.Findings) == 0 || !strings.Contains(sec.Findings[0].Detail, "shop.example is DNSSEC-bogus") {
			t.Errorf("%s findings %+v", sec.Check, sec.Findings)
		}
	}
}

// The same zone, valid: secure, and no cap.
func TestDNSSECSecureThroughValidatingResolver(t *testing.T) {
	opts, anchors := dnstest.Hierarchy(t, dnstest.Child{Origin: "shop.example.", Text: dnssecShop, Sign: &dnstest.SignOptions{}})
	v := dnstest.StartValidating(t, dnstest.ValidatingOptions{Anchors: anchors}, opts...)
	r := run(t, "mx", "shop.example", "--resolver", v.Addr, "--format", "json")
	var doc mxDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.status()["dnssec"]; got != "pass" {
		t.Errorf("dnssec %s %v", got, doc.ids("dnssec"))
	}
}

// Offline, a signed zone file is checked from its own records: the
// expiring signatures and the NSEC3 iterations are found, validation is
// unknown, and nothing is sent to the network.
func TestDNSSECOfflineZoneFile(t *testing.T) {
	s := dnstest.Sign(t, "shop.example.", dnssecShop, dnstest.SignOptions{
		Expiration: testclock.Now().Add(2 * 24 * time.Hour),
		NSEC3:      &dns.NSEC3PARAM{Iterations: 20},
	})
	path := filepath.Join(t.TempDir(), "shop.example.zone")
	if err := os.WriteFile(path, []byte(s.Text), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, "mx", "shop.example", "--zone", path, "--format", "json")
	var doc mxDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	ids := strings.Join(doc.ids("dnssec"), " ")
	for _, want := range []string{"dnssec.rrsig.expiring", "dnssec.nsec3.iterations", "dnssec.offline"} {
		if !strings.Contains(ids, want) {
			t.Errorf("dnssec findings %s lack %s", ids, want)
		}
	}
	if strings.Contains(ids, "bogus") || strings.Contains(ids, "insecure") {
		t.Errorf("a validation verdict offline: %s", ids)
	}
}

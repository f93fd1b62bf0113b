package dane

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"slices"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/httpstest"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/miekg/dns"
)

const digest = "8b0f3b6c4b0e0d0c5a1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c"

// The zone of each case is its own domain below example.; tests choose
// which are "signed" with SetAuthentic.
const zone = `
@                    TXT   "parent of the cases"
_25._tcp.mx1.signed  TLSA  3 1 1 ` + digest + `
_25._tcp.mx2.signed  TLSA  2 0 1 ` + digest + `
_25._tcp.mx.unsigned TLSA  3 1 1 ` + digest + `
_25._tcp.mx.pkix     TLSA  1 1 1 ` + digest + `
_25._tcp.mx.short    TLSA  3 1 1 abcd
_25._tcp.mx.odd      TLSA  3 2 1 ` + digest + `
_25._tcp.mx.fail     TLSA  3 1 1 ` + digest + `
mx.none              A     192.0.2.1
`

func TestCheck(t *testing.T) {
	tests := []struct {
		name      string
		domain    string
		hosts     []string
		signed    bool // the domain's zone is validated (AD bit)
		validates bool // the resolver validates (AD on the parent)
		want      []string
		status    report.Status
		resolver  Validation
	}{
		{"signed, two hosts", "signed.example", []string{"mx1.signed.example", "mx2.signed.example"}, true, true, nil, report.StatusPass, Validating},
		{"signed zone seen through a resolver that sets AD below it only", "signed.example", []string{"mx1.signed.example"}, true, false, nil, report.StatusPass, Validating},
		{"unsigned zone, validating resolver", "unsigned.example", []string{"mx.unsigned.example"}, false, true, []string{"dane.tlsa.insecure"}, report.StatusWarn, Validating},
		{"no AD anywhere", "unsigned.example", []string{"mx.unsigned.example"}, false, false, []string{"dane.dnssec.unknown"}, report.StatusUnknown, Unknown},
		{"no TLSA", "none.example", []string{"mx.none.example"}, false, true, []string{"dane.absent"}, report.StatusPass, Validating},
		{"no TLSA, unknown resolver", "none.example", []string{"mx.none.example"}, false, false, []string{"dane.absent"}, report.StatusPass, Unknown},
		{"PKIX usage", "pkix.example", []string{"mx.pkix.example"}, true, true, []string{"dane.tlsa.pkix_usage"}, report.StatusWarn, Validating},
		{"short digest", "short.example", []string{"mx.short.example"}, true, true, []string{"dane.tlsa.invalid"}, report.StatusWarn, Validating},
		{"unknown selector", "odd.example", []string{"mx.odd.example"}, true, true, []string{"dane.tlsa.invalid"}, report.StatusWarn, Validating},
		{"SERVFAIL", "fail.example", []string{"mx.fail.example"}, true, true, []string{"dane.dns.temperror"}, report.StatusUnknown, Validating},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dnstest.Start(t, dnstest.ZoneText("example.", zone))
			srv.SetFault("_25._tcp.mx.fail.example.", dns.TypeTLSA, dnstest.ServFail)
			srv.SetAuthentic("example.", tt.validates)
			srv.SetAuthentic(tt.domain+".", tt.signed)
			env := check.Env{Resolver: srv.Resolver(t)}
			sec := Check(context.Background(), env, dnsname.MustParse(tt.domain), Options{Hosts: tt.hosts, MXAuthentic: tt.signed})
			var ids []string
			for _, f := range sec.Findings {
				ids = append(ids, f.ID)
			}
			slices.Sort(ids)
			if !slices.Equal(ids, tt.want) {
				t.Errorf("findings = %v, want %v", ids, tt.want)
				for _, f := range sec.Findings {
					t.Logf("  %s: %s", f.ID, f.Detail)
				}
			}
			if sec.Status != tt.status {
				t.Errorf("status = %s, want %s", sec.Status, tt.status)
			}
			if d := sec.Data.(*Data); d.Resolver != tt.resolver {
				t.Errorf("resolver = %s, want %s", d.Resolver, tt.resolver)
			}
		})
	}
}

func TestNoHostsIsSkipped(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("example.", zone))
	sec := Check(context.Background(), check.Env{Resolver: srv.Resolver(t)}, dnsname.MustParse("none.example"), Options{})
	if sec.Status != report.StatusSkipped || srv.Queries() != 0 {
		t.Errorf("status %s after %d queries", sec.Status, srv.Queries())
	}
}

func TestMatchChain(t *testing.T) {
	ca := httpstest.NewCA(t)
	leafCert := ca.Valid(t, "mx.shop.example")
	leaf, err := x509.ParseCertificate(leafCert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	spki := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	full := sha256.Sum256(leaf.Raw)
	other := sha256.Sum256([]byte("another key"))
	tests := []struct {
		name string
		recs []TLSA
		want bool
	}{
		{"DANE-EE SPKI SHA-256", []TLSA{{3, 1, 1, hex.EncodeToString(spki[:])}}, true},
		{"DANE-EE full cert SHA-256", []TLSA{{3, 0, 1, hex.EncodeToString(full[:])}}, true},
		{"DANE-EE full cert exact", []TLSA{{3, 0, 0, hex.EncodeToString(leaf.Raw)}}, true},
		{"DANE-TA on the leaf of a one-certificate chain", []TLSA{{2, 1, 1, hex.EncodeToString(spki[:])}}, true},
		{"other key", []TLSA{{3, 1, 1, hex.EncodeToString(other[:])}}, false},
		{"PKIX-EE is not used", []TLSA{{1, 1, 1, hex.EncodeToString(spki[:])}}, false},
		{"rollover: old and new", []TLSA{{3, 1, 1, hex.EncodeToString(other[:])}, {3, 1, 1, hex.EncodeToString(spki[:])}}, true},
	}
	for _, tt := range tests {
		if got := MatchChain(tt.recs, []*x509.Certificate{leaf}); got != tt.want {
			t.Errorf("%s: MatchChain = %v, want %v", tt.name, got, tt.want)
		}
	}
}

package dane

import (
	"context"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// DANE saw no AD bit anywhere, so alone it says "unknown"; pkg/dnssec saw
// the resolver validate and the MX zone unsigned: the TLSA records are
// ignored by senders (insecure), and the finding names the zone.
func TestNoteZonesInsecure(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("example.", zone))
	sec := Check(context.Background(), check.Env{Resolver: srv.Resolver(t)}, dnsname.MustParse("unsigned.example"), Options{Hosts: []string{"mx.unsigned.example"}})
	if sec.Status != report.StatusUnknown {
		t.Fatalf("before: %s %+v", sec.Status, sec.Findings)
	}
	NoteZones(&sec, true, map[string]ZoneStatus{"mx.unsigned.example": {Zone: "unsigned.example", Status: "insecure", Reason: report.Lit("not signed")}})
	i18n.For(i18n.English).LocalizeSection(&sec)
	if len(sec.Findings) != 1 || sec.Findings[0].ID != "dane.tlsa.insecure" || !strings.Contains(sec.Findings[0].Detail, "zone unsigned.example is insecure (not signed)") {
		t.Errorf("after: %+v", sec.Findings)
	}
	if sec.Status != report.StatusWarn || sec.Data.(*Data).Resolver != Validating {
		t.Errorf("status %s", sec.Status)
	}
}

// A TLSA lookup that failed in a bogus zone says so.
func TestNoteZonesBogus(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("example.", zone))
	srv.SetFault("_25._tcp.mx.fail.example.", 0, dnstest.ServFail)
	sec := Check(context.Background(), check.Env{Resolver: srv.Resolver(t)}, dnsname.MustParse("fail.example"), Options{Hosts: []string{"mx.fail.example"}})
	NoteZones(&sec, true, map[string]ZoneStatus{"mx.fail.example": {Zone: "fail.example", Status: "bogus", Reason: report.Lit("signature expired")}})
	i18n.For(i18n.English).LocalizeSection(&sec)
	if len(sec.Findings) != 1 || !strings.Contains(sec.Findings[0].Detail, "DNSSEC-bogus (signature expired)") || sec.Status != report.StatusUnknown {
		t.Errorf("%s %+v", sec.Status, sec.Findings)
	}
}

// The same in French, from the catalogs.
func TestNoteZonesFrench(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("example.", zone))
	srv.SetFault("_25._tcp.mx.fail.example.", 0, dnstest.ServFail)
	sec := Check(context.Background(), check.Env{Resolver: srv.Resolver(t)}, dnsname.MustParse("fail.example"), Options{Hosts: []string{"mx.fail.example"}})
	NoteZones(&sec, true, map[string]ZoneStatus{"mx.fail.example": {Zone: "fail.example", Status: "bogus", Reason: report.Lit("signature expirée")}})
	fr := i18n.For(i18n.French)
	fr.LocalizeSection(&sec)
	if m := fr.Missing(); len(m) > 0 {
		t.Fatalf("missing: %v", m)
	}
	f := sec.Findings[0]
	if f.Variant != "bogus_zone" || !strings.Contains(f.Detail, "La zone fail.example est invalide au sens de DNSSEC (bogus)") ||
		!strings.Contains(f.Fix, "Corrigez les signatures DNSSEC de fail.example") || !strings.HasPrefix(sec.Summary.String(), "0 serveur MX sur 1 avec TLSA") {
		t.Errorf("%+v / %q", f, sec.Summary)
	}
}

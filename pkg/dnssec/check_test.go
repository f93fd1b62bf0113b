package dnssec

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

const shopText = `@ SOA ns1.shop.example. hostmaster.shop.example. 1 3600 600 86400 300
@ NS ns1.shop.example.
@ MX 10 mx1.shop.example.
@ TXT "v=spf1 ip4:192.0.2.25 -all"
_dmarc TXT "v=DMARC1; p=reject"
mx1 A 192.0.2.25
ns1 A 192.0.2.53
`

const mailText = `@ SOA ns1.mail.example. hostmaster.mail.example. 1 3600 600 86400 300
@ NS ns1.mail.example.
mx A 192.0.2.26
_25._tcp.mx TLSA 3 1 1 0000000000000000000000000000000000000000000000000000000000000000
`

type child = dnstest.Child

func hierarchy(t *testing.T, children ...child) ([]dnstest.Option, []*dns.DS) {
	return dnstest.Hierarchy(t, children...)
}

func run(t *testing.T, r resolver.Resolver, domain string, mx ...string) (report.Section, *Data) {
	t.Helper()
	d, err := dnsname.Parse(domain)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sec := Check(ctx, check.Env{Resolver: resolver.NewCache(r), Now: testclock.Func()}, d, Options{MXHosts: mx})
	i18n.For(i18n.English).LocalizeSection(&sec)
	return sec, sec.Data.(*Data)
}

// zoneFile writes shop.example's zone text to a file and loads it, as
// --zone does.
func zoneFile(t *testing.T, text string) *resolver.Zones {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shop.example.zone")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	z, err := resolver.LoadZones(path)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func ids(sec report.Section) []string {
	var out []string
	for _, f := range sec.Findings {
		out = append(out, f.ID)
	}
	return out
}

func finding(t *testing.T, sec report.Section, id string) report.Finding {
	t.Helper()
	for _, f := range sec.Findings {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("no %s in %v", id, ids(sec))
	return report.Finding{}
}

func zoneOf(t *testing.T, d *Data, name string) Zone {
	t.Helper()
	for _, z := range d.Zones {
		if z.Zone == name {
			return z
		}
	}
	t.Fatalf("no zone %s in %+v", name, d.Zones)
	return Zone{}
}

func TestSecure(t *testing.T) {
	opts, anchors := hierarchy(t,
		child{Origin: "shop.example.", Text: shopText, Sign: &dnstest.SignOptions{}},
		child{Origin: "mail.example.", Text: mailText, Sign: &dnstest.SignOptions{Algorithm: dns.ED25519}})
	v := dnstest.StartValidating(t, dnstest.ValidatingOptions{Anchors: anchors}, opts...)
	sec, d := run(t, v.Resolver(t), "shop.example", "mx1.shop.example", "mx.mail.example")
	if d.Resolver != Validating {
		t.Errorf("resolver %s (%s)", d.Resolver, d.Evidence)
	}
	if len(d.Zones) != 2 {
		t.Fatalf("zones %+v", d.Zones)
	}
	shop := zoneOf(t, d, "shop.example")
	if shop.Status != Secure || !shop.Domain || !slices.Equal(shop.MXHosts, []string{"mx1.shop.example"}) {
		t.Errorf("shop %+v", shop)
	}
	if len(shop.DNSKEYs) != 1 || len(shop.DS) != 1 || !shop.DS[0].Matches || shop.SignaturesSeen == 0 {
		t.Errorf("shop evidence %+v", shop)
	}
	if m := zoneOf(t, d, "mail.example"); m.Status != Secure || m.DNSKEYs[0].AlgorithmName != "ED25519" {
		t.Errorf("mail %+v", m)
	}
	if sec.Status != report.StatusPass || len(sec.Findings) != 0 {
		t.Errorf("status %s findings %v", sec.Status, ids(sec))
	}
}

func TestBogusDomainZone(t *testing.T) {
	opts, anchors := hierarchy(t, child{Origin: "shop.example.", Text: shopText,
		Sign: &dnstest.SignOptions{Corrupt: []string{"shop.example. MX", "shop.example. TXT"}}})
	v := dnstest.StartValidating(t, dnstest.ValidatingOptions{Anchors: anchors}, opts...)
	sec, d := run(t, v.Resolver(t), "shop.example", "mx1.shop.example")
	z := zoneOf(t, d, "shop.example")
	if z.Status != Bogus {
		t.Fatalf("status %s (%s)", z.Status, z.Reason)
	}
	var failing []string
	for _, f := range z.Failing {
		failing = append(failing, f.Name+" "+f.Type)
		if !strings.Contains(f.Reason.String(), "does not verify") || !strings.Contains(f.Extended, "EDE 6") {
			t.Errorf("failure %+v", f)
		}
	}
	if !slices.Equal(failing, []string{"shop.example MX", "shop.example TXT"}) {
		t.Errorf("failing %v", failing)
	}
	f := finding(t, sec, "dnssec.zone.bogus")
	for _, want := range []string{"see no SPF, DKIM or DMARC", "DANE and validating senders defer mail to mx1.shop.example", "shop.example MX"} {
		if !strings.Contains(f.Detail, want) {
			t.Errorf("detail lacks %q: %s", want, f.Detail)
		}
	}
	if sec.Status != report.StatusFail {
		t.Errorf("status %s", sec.Status)
	}
	if d.Resolver != Validating {
		t.Errorf("resolver %s", d.Resolver)
	}
}

func TestBogusMXZoneExpired(t *testing.T) {
	opts, anchors := hierarchy(t,
		child{Origin: "shop.example.", Text: strings.Replace(shopText, "mx1.shop.example.", "mx.mail.example.", 1), Sign: &dnstest.SignOptions{}},
		child{Origin: "mail.example.", Text: mailText, Sign: &dnstest.SignOptions{Expire: []string{"mx.mail.example. A", "_25._tcp.mx.mail.example. TLSA"}}})
	v := dnstest.StartValidating(t, dnstest.ValidatingOptions{Anchors: anchors}, opts...)
	sec, d := run(t, v.Resolver(t), "shop.example", "mx.mail.example")
	if z := zoneOf(t, d, "shop.example"); z.Status != Secure {
		t.Errorf("domain zone %s (%s)", z.Status, z.Reason)
	}
	m := zoneOf(t, d, "mail.example")
	if m.Status != Bogus || len(m.Failing) != 2 {
		t.Fatalf("mx zone %+v", m)
	}
	for _, f := range m.Failing {
		if !strings.Contains(f.Reason.String(), "signature expired") || !strings.Contains(f.Extended, "EDE 7") {
			t.Errorf("failure %+v", f)
		}
	}
	f := finding(t, sec, "dnssec.zone.bogus")
	if !strings.Contains(f.Detail, "DANE and validating senders defer mail to mx.mail.example") || strings.Contains(f.Detail, "SPF") {
		t.Errorf("detail %s", f.Detail)
	}
	if e := finding(t, sec, "dnssec.rrsig.expired"); !strings.Contains(e.Detail, "mx.mail.example A") {
		t.Errorf("expired %s", e.Detail)
	}
}

func TestUnsignedIsInsecure(t *testing.T) {
	opts, anchors := hierarchy(t,
		child{Origin: "shop.example.", Text: strings.Replace(shopText, "mx1.shop.example.", "mx.mail.example.", 1)},
		child{Origin: "mail.example.", Text: mailText})
	v := dnstest.StartValidating(t, dnstest.ValidatingOptions{Anchors: anchors}, opts...)
	sec, d := run(t, v.Resolver(t), "shop.example", "mx.mail.example")
	for _, z := range d.Zones {
		if z.Status != Insecure {
			t.Errorf("%s: %s (%s)", z.Zone, z.Status, z.Reason)
		}
	}
	if d.Resolver != Validating {
		t.Errorf("resolver %s", d.Resolver)
	}
	var tlsa bool
	for _, f := range sec.Findings {
		if f.ID != "dnssec.zone.insecure" {
			t.Errorf("finding %s", f.ID)
		}
		tlsa = tlsa || strings.Contains(f.Detail, "TLSA records of mx.mail.example are ignored by senders")
	}
	if !tlsa {
		t.Errorf("no TLSA statement in %+v", sec.Findings)
	}
	if sec.Status != report.StatusPass {
		t.Errorf("status %s", sec.Status)
	}
}

func TestIsland(t *testing.T) {
	opts, anchors := hierarchy(t, child{Origin: "shop.example.", Text: shopText, Sign: &dnstest.SignOptions{}, NoDS: true})
	v := dnstest.StartValidating(t, dnstest.ValidatingOptions{Anchors: anchors}, opts...)
	sec, d := run(t, v.Resolver(t), "shop.example")
	if z := zoneOf(t, d, "shop.example"); z.Status != Insecure {
		t.Errorf("status %s", z.Status)
	}
	f := finding(t, sec, "dnssec.zone.island")
	if f.Record == nil || f.Record.Type != "DS" || !strings.HasPrefix(f.Record.Value, "") {
		t.Errorf("record %+v", f.Record)
	}
}

func TestDSMismatch(t *testing.T) {
	other := dnstest.NewKey(t, "shop.example.", dns.ECDSAP256SHA256, 257)
	opts, anchors := hierarchy(t, child{Origin: "shop.example.", Text: shopText, Sign: &dnstest.SignOptions{},
		DS: other.DNSKEY.ToDS(dns.SHA256).String() + "\n"})
	v := dnstest.StartValidating(t, dnstest.ValidatingOptions{Anchors: anchors}, opts...)
	sec, d := run(t, v.Resolver(t), "shop.example")
	z := zoneOf(t, d, "shop.example")
	if z.Status != Bogus || len(z.DS) != 1 || z.DS[0].Matches {
		t.Fatalf("zone %+v", z)
	}
	if !slices.ContainsFunc(z.Failing, func(f Failure) bool {
		return f.Type == "DNSKEY" && f.Reason.String() == "no DNSKEY matches the DS records at the parent"
	}) {
		t.Errorf("failing %+v", z.Failing)
	}
	f := finding(t, sec, "dnssec.ds.mismatch")
	if f.Record == nil || f.Record.Value == "" || !strings.HasPrefix(f.Record.String(), "shop.example. IN DS ") {
		t.Errorf("record %+v", f.Record)
	}
	if b := finding(t, sec, "dnssec.zone.bogus"); b.Record == nil {
		t.Errorf("bogus fix has no DS: %+v", b)
	}
}

func TestHygiene(t *testing.T) {
	opts, anchors := hierarchy(t, child{Origin: "shop.example.", Text: shopText, Sign: &dnstest.SignOptions{
		Algorithm:  dns.RSASHA1,
		Expiration: testclock.Now().Add(48 * time.Hour),
		NSEC3:      &dns.NSEC3PARAM{Iterations: 10, Salt: "ABCD"},
	}})
	v := dnstest.StartValidating(t, dnstest.ValidatingOptions{Anchors: anchors}, opts...)
	sec, d := run(t, v.Resolver(t), "shop.example")
	z := zoneOf(t, d, "shop.example")
	if z.Status != Secure {
		t.Errorf("status %s (%s)", z.Status, z.Reason)
	}
	if z.NSEC3 == nil || z.NSEC3.Iterations != 10 || z.NSEC3.Salt != "abcd" {
		t.Errorf("nsec3 %+v", z.NSEC3)
	}
	for _, id := range []string{"dnssec.rrsig.expiring", "dnssec.algorithm.deprecated", "dnssec.nsec3.iterations", "dnssec.nsec3.salt"} {
		finding(t, sec, id)
	}
	if e := finding(t, sec, "dnssec.rrsig.expiring"); !strings.Contains(e.Detail, testclock.Now().Add(48*time.Hour).UTC().Format(time.RFC3339)) {
		t.Errorf("expiring %s", e.Detail)
	}
	if sec.Status != report.StatusFail {
		t.Errorf("status %s", sec.Status)
	}
}

func TestNotValidatingResolver(t *testing.T) {
	opts, anchors := hierarchy(t,
		child{Origin: "shop.example.", Text: shopText, Sign: &dnstest.SignOptions{Corrupt: []string{"shop.example. MX"}}},
		child{Origin: "mail.example.", Text: mailText})
	v := dnstest.StartValidating(t, dnstest.ValidatingOptions{Anchors: anchors, NotValidating: true}, opts...)
	sec, d := run(t, v.Resolver(t), "shop.example", "mx.mail.example")
	if d.Resolver != NotValidating || !strings.Contains(d.Evidence.String(), "root") {
		t.Errorf("resolver %s (%s)", d.Resolver, d.Evidence)
	}
	if z := zoneOf(t, d, "shop.example"); z.Status != Unknown {
		t.Errorf("signed zone %s", z.Status)
	}
	// Unsigned stays insecure whatever the resolver: no DNSKEY, no DS.
	if z := zoneOf(t, d, "mail.example"); z.Status != Insecure {
		t.Errorf("unsigned zone %s", z.Status)
	}
	f := finding(t, sec, "dnssec.resolver.not_validating")
	if !strings.Contains(f.Fix, "--resolver") {
		t.Errorf("fix %s", f.Fix)
	}
	if sec.Status != report.StatusUnknown {
		t.Errorf("status %s", sec.Status)
	}
}

// A plain server that knows nothing of DNSSEC: no AD, no RRSIGs. Unsigned
// zones are still provably insecure; SERVFAIL without and with CD is a
// dead server, not a bogus zone.
func TestPlainServer(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("shop.example.", shopText), dnstest.ZoneText("mail.example.", mailText))
	srv.SetFault("mx.mail.example.", 0, dnstest.ServFail)
	sec, d := run(t, srv.Resolver(t), "shop.example", "mx.mail.example")
	if d.Resolver != Undetermined {
		t.Errorf("resolver %s", d.Resolver)
	}
	if z := zoneOf(t, d, "shop.example"); z.Status != Insecure {
		t.Errorf("shop %s (%s)", z.Status, z.Reason)
	}
	if z := zoneOf(t, d, "mx.mail.example"); z.Status != Unknown || !strings.Contains(z.Reason.String(), "SERVFAIL, also with CD") {
		t.Errorf("mx %+v", z)
	}
	if sec.Status != report.StatusUnknown || slices.Contains(ids(sec), "dnssec.zone.bogus") {
		t.Errorf("status %s %v", sec.Status, ids(sec))
	}
}

// Offline, a signed zone file is checked from its own records; nothing
// is validated.
func TestOfflineZoneFile(t *testing.T) {
	s := dnstest.Sign(t, "shop.example.", shopText, dnstest.SignOptions{
		Algorithm:  dns.RSASHA1NSEC3SHA1,
		Expiration: testclock.Now().Add(2 * 24 * time.Hour),
		NSEC3:      &dns.NSEC3PARAM{Iterations: 5},
		Expire:     []string{"_dmarc.shop.example. TXT"},
	})
	z := zoneFile(t, s.Text)
	sec, d := run(t, z, "shop.example", "mx1.shop.example")
	if d.Resolver != Offline || len(d.Zones) != 1 || d.Zones[0].Status != Unknown {
		t.Fatalf("data %+v", d)
	}
	if d.Zones[0].SignaturesSeen < 8 {
		t.Errorf("signatures seen %d: the file's RRSIGs were not all read", d.Zones[0].SignaturesSeen)
	}
	for _, id := range []string{"dnssec.offline", "dnssec.rrsig.expiring", "dnssec.rrsig.expired", "dnssec.algorithm.deprecated", "dnssec.nsec3.iterations"} {
		finding(t, sec, id)
	}
	if e := finding(t, sec, "dnssec.rrsig.expired"); !strings.Contains(e.Detail, "_dmarc.shop.example TXT") {
		t.Errorf("expired %s", e.Detail)
	}
	if slices.Contains(ids(sec), "dnssec.zone.bogus") || slices.Contains(ids(sec), "dnssec.zone.insecure") {
		t.Errorf("a validation verdict offline: %v", ids(sec))
	}
}

// An unsigned zone file offline: no hygiene, validation unknown.
func TestOfflineUnsigned(t *testing.T) {
	z := zoneFile(t, shopText)
	sec, _ := run(t, z, "shop.example")
	if !slices.Equal(ids(sec), []string{"dnssec.offline"}) || sec.Status != report.StatusUnknown {
		t.Errorf("%s %v", sec.Status, ids(sec))
	}
}

// A resolver that validates but cannot reach the root (a loopback
// resolver with a local trust anchor): the zone's own AD bits decide, and
// the silent root probe is called off.
func TestRootProbeSilent(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("shop.example.", shopText))
	srv.SetAuthentic("shop.example.", true)
	srv.SetFault(".", 0, dnstest.Silence)
	srv.SetFault("example.", 0, dnstest.Silence)
	_, d := run(t, srv.Resolver(t), "shop.example")
	if d.Resolver != Validating || !strings.Contains(d.Evidence.String(), "shop.example") {
		t.Errorf("resolver %s (%s)", d.Resolver, d.Evidence)
	}
	if z := zoneOf(t, d, "shop.example"); z.Status != Secure {
		t.Errorf("status %s", z.Status)
	}
}

// A validating resolver built without SHA-1 treats an RSASHA1 zone as
// unsigned: insecure, and the algorithm finding says why.
func TestRSASHA1Unsupported(t *testing.T) {
	opts, anchors := hierarchy(t, child{Origin: "shop.example.", Text: shopText, Sign: &dnstest.SignOptions{Algorithm: dns.RSASHA1}})
	v := dnstest.StartValidating(t, dnstest.ValidatingOptions{Anchors: anchors, Unsupported: []uint8{dns.RSASHA1}}, opts...)
	sec, d := run(t, v.Resolver(t), "shop.example")
	if z := zoneOf(t, d, "shop.example"); z.Status != Insecure || !strings.Contains(z.Reason.String(), "RSASHA1") {
		t.Errorf("zone %s (%s)", z.Status, z.Reason)
	}
	finding(t, sec, "dnssec.algorithm.deprecated")
}

// Hostile or broken answers: bounded, no panic, and "unknown", never a
// verdict the evidence does not support.
func TestHostileAnswers(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("shop.example.", shopText+"@ DNSKEY 257 3 13 AAAA\n"))
	srv.SetFault("shop.example.", dns.TypeDNSKEY, dnstest.Oversize(40000))
	srv.SetFault("shop.example.", dns.TypeSOA, dnstest.Truncate)
	srv.SetFault("mx1.shop.example.", dns.TypeSOA, dnstest.Silence)
	sec, d := run(t, srv.Resolver(t), "shop.example", "mx1.shop.example")
	shop := zoneOf(t, d, "shop.example")
	if shop.Status != Unknown || !strings.Contains(shop.Reason.String(), "too large") {
		t.Errorf("shop %s (%s)", shop.Status, shop.Reason)
	}
	if mx := zoneOf(t, d, "mx1.shop.example"); mx.Status != Unknown {
		t.Errorf("mx %+v", mx)
	}
	if sec.Status != report.StatusUnknown {
		t.Errorf("status %s %v", sec.Status, ids(sec))
	}
}

// A SERVFAIL that CD lifts in a zone without a DS is not a DNSSEC failure:
// a validator has nothing to check there.
func TestServfailInUnsignedZoneIsNotBogus(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("shop.example.", shopText))
	srv.SetFault("shop.example.", dns.TypeMX, dnstest.ServFail)
	// The fault answers SERVFAIL with and without CD; cdLifts answers
	// the CD queries, as a resolver would if it were validation.
	sec, d := run(t, cdLifts{srv.Resolver(t)}, "shop.example")
	if z := zoneOf(t, d, "shop.example"); z.Status != Unknown || len(z.Failing) != 0 {
		t.Errorf("zone %+v", z)
	}
	if slices.Contains(ids(sec), "dnssec.zone.bogus") {
		t.Errorf("bogus without a DS: %v", ids(sec))
	}
}

// cdLifts answers CD queries from the zone text as if the SERVFAIL had
// been a validation failure.
type cdLifts struct{ *resolver.Client }

func (c cdLifts) QueryDNSSEC(ctx context.Context, name string, qtype uint16, cd bool) (resolver.Reply, error) {
	rep, err := c.Client.QueryDNSSEC(ctx, name, qtype, cd)
	if cd && err == nil && rep.Rcode == dns.RcodeServerFailure {
		rep.Rcode = dns.RcodeSuccess
		rep.Answer = []dns.RR{&dns.MX{Hdr: dns.RR_Header{Name: rep.Name, Rrtype: dns.TypeMX, Class: dns.ClassINET}, Preference: 10, Mx: "mx1.shop.example."}}
	}
	return rep, err
}

// Explain adds its sentence once, only to inconclusive SERVFAIL findings
// about names in a bogus zone: the SERVFAIL parameter is wrapped in the
// message that says the zone is bogus.
func TestExplain(t *testing.T) {
	servfail := func(name string) report.Msg {
		return check.ErrMsg(&resolver.Error{Name: name, Type: dns.TypeTXT, Kind: resolver.KindServFail})
	}
	secs := []report.Section{
		{Check: "dnssec", Data: &Data{Zones: []Zone{{Zone: "shop.example", Status: Bogus}, {Zone: "mail.example", Status: Secure}}}},
		{Check: "spf", Findings: []report.Finding{
			{ID: "a", Inconclusive: true, Params: report.Params{"error": servfail("shop.example.")}},
			{ID: "b", Inconclusive: true, Params: report.Params{"error": servfail("mx.mail.example.")}},
			{ID: "c", Params: report.Params{"error": servfail("shop.example.")}},
		}},
	}
	Explain(secs)
	Explain(secs)
	f := secs[1].Findings
	key := func(i int) string { return f[i].Params["error"].(report.Msg).Key }
	if key(0) != "dnssec.explain.servfail" || key(1) != "dns.error.servfail" || key(2) != "dns.error.servfail" {
		t.Errorf("%+v", f)
	}
	inner := f[0].Params["error"].(report.Msg).Params["error"].(report.Msg)
	if inner.Key != "dns.error.servfail" {
		t.Errorf("explained twice: %+v", f[0].Params)
	}
	fr := i18n.For(i18n.French)
	if got := fr.Text(f[0].Params["error"].(report.Msg)); !strings.Contains(got, "La zone shop.example est invalide au sens de DNSSEC") {
		t.Errorf("French %q", got)
	}
}

// The rest of the hygiene table, each through the validating stand-in.
func TestHygieneTable(t *testing.T) {
	key := dnstest.NewKey(t, "shop.example.", dns.ECDSAP256SHA256, 257)
	other := dnstest.NewKey(t, "shop.example.", dns.ECDSAP256SHA256, 257)
	tests := []struct {
		name   string
		child  child
		status Status
		ids    []string
	}{
		{"SHA-1 DS only", child{Origin: "shop.example.", Text: shopText, Sign: &dnstest.SignOptions{Keys: []dnstest.Key{key}},
			DS: key.DNSKEY.ToDS(dns.SHA1).String() + "\n"}, Secure, []string{"dnssec.ds.sha1"}},
		{"a stale DS beside the good one", child{Origin: "shop.example.", Text: shopText, Sign: &dnstest.SignOptions{Keys: []dnstest.Key{key}},
			DS: key.DNSKEY.ToDS(dns.SHA256).String() + "\n" + other.DNSKEY.ToDS(dns.SHA256).String() + "\n"}, Secure, []string{"dnssec.ds.stale"}},
		{"signatures from the future", child{Origin: "shop.example.", Text: shopText, Sign: &dnstest.SignOptions{
			Inception: testclock.Now().Add(24 * time.Hour), Expiration: testclock.Now().Add(30 * 24 * time.Hour)}}, Bogus,
			[]string{"dnssec.zone.bogus", "dnssec.rrsig.not_yet_valid"}},
		{"RSASHA512", child{Origin: "shop.example.", Text: shopText, Sign: &dnstest.SignOptions{Algorithm: dns.RSASHA512}}, Secure,
			[]string{"dnssec.algorithm.not_recommended"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, anchors := hierarchy(t, tt.child)
			v := dnstest.StartValidating(t, dnstest.ValidatingOptions{Anchors: anchors}, opts...)
			sec, d := run(t, v.Resolver(t), "shop.example")
			if z := zoneOf(t, d, "shop.example"); z.Status != tt.status {
				t.Errorf("status %s (%s), want %s", z.Status, z.Reason, tt.status)
			}
			if got := strings.Join(ids(sec), " "); got != strings.Join(tt.ids, " ") {
				t.Errorf("findings %q, want %q", got, strings.Join(tt.ids, " "))
			}
		})
	}
}

// Signatures that do not verify are found where the record sets are at
// hand: offline in the zone file, and online in the answers held, even
// through a resolver that does not validate.
func TestInvalidSignatures(t *testing.T) {
	s := dnstest.Sign(t, "shop.example.", shopText, dnstest.SignOptions{Corrupt: []string{"_dmarc.shop.example. TXT", "mx1.shop.example. A"}})
	z := zoneFile(t, s.Text)
	sec, _ := run(t, z, "shop.example")
	f := finding(t, sec, "dnssec.rrsig.invalid")
	if !strings.Contains(f.Detail, "2 signatures do not verify") || !strings.Contains(f.Detail, "_dmarc.shop.example TXT") || !strings.Contains(f.Detail, "mx1.shop.example A") {
		t.Errorf("offline: %s", f.Detail)
	}

	opts, anchors := hierarchy(t, child{Origin: "shop.example.", Text: shopText, Sign: &dnstest.SignOptions{Corrupt: []string{"shop.example. SOA"}}})
	v := dnstest.StartValidating(t, dnstest.ValidatingOptions{Anchors: anchors, NotValidating: true}, opts...)
	sec, d := run(t, v.Resolver(t), "shop.example")
	if d.Resolver != NotValidating {
		t.Errorf("resolver %s", d.Resolver)
	}
	if f := finding(t, sec, "dnssec.rrsig.invalid"); !strings.Contains(f.Detail, "shop.example SOA") {
		t.Errorf("online: %s", f.Detail)
	}
}

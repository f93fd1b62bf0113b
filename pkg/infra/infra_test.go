package infra

import (
	"context"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/httpstest"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dane"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/dnssec"
	"github.com/mailcheck/mailcheck/pkg/mx"
	"github.com/mailcheck/mailcheck/pkg/rdns"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

const logo = `<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 1 1"><title>Shop</title><rect width="1" height="1"/></svg>`

// Start serves testdata/zones/mx-good.zone (plus mx-ptr.zone for a sending
// address) and shop.example's MTA-STS policy and BIMI logo over HTTPS.
func start(t *testing.T, policy string) check.Env {
	t.Helper()
	srv := dnstest.Start(t,
		dnstest.ZoneFile("../../testdata/zones/mx-good.zone"),
		dnstest.ZoneFile("../../testdata/zones/mx-ptr.zone"),
		dnstest.ZoneText("example.", "@ TXT \"parent of the test domains\"\n"))
	srv.SetAuthentic("shop.example.", true)
	ca := httpstest.NewCA(t)
	router := httpstest.NewRouter()
	router.Route("mta-sts.shop.example:443", httpstest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(policy))
	}), ca.Valid(t, "mta-sts.shop.example")))
	router.Route("bimi.shop.example:443", httpstest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		_, _ = w.Write([]byte(logo))
	}), ca.Valid(t, "bimi.shop.example")))
	return check.Env{Resolver: srv.Resolver(t), HTTPClient: router.Client(ca)}
}

func TestRun(t *testing.T) {
	tests := []struct {
		name   string
		policy string
		ips    []string
		status map[string]report.Status
		ids    map[string][]string
	}{
		{
			name:   "healthy",
			policy: "version: STSv1\nmode: enforce\nmx: mx1.shop.example\nmx: *.shop.example\nmax_age: 604800\n",
			status: map[string]report.Status{"mx": report.StatusPass, "rdns": report.StatusPass, "mtasts": report.StatusPass, "tlsrpt": report.StatusPass, "dane": report.StatusPass, "bimi": report.StatusPass},
		},
		{
			name:   "policy misses mx2, sending address without FCrDNS",
			policy: "version: STSv1\nmode: enforce\nmx: mx1.shop.example\nmax_age: 604800\n",
			ips:    []string{"198.51.100.2"},
			status: map[string]report.Status{"mx": report.StatusPass, "rdns": report.StatusFail, "mtasts": report.StatusFail},
			ids:    map[string][]string{"mtasts": {"mtasts.mx.uncovered"}, "rdns": {"ptr.not_fcrdns"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := start(t, tt.policy)
			var ips []netip.Addr
			for _, s := range tt.ips {
				ips = append(ips, netip.MustParseAddr(s))
			}
			secs := Run(context.Background(), env, dnsname.MustParse("shop.example"), Options{SendingIPs: ips})
			var names []string
			for _, s := range secs {
				names = append(names, s.Check)
				if want, ok := tt.status[s.Check]; ok && s.Status != want {
					t.Errorf("%s: status %s, want %s", s.Check, s.Status, want)
					for _, f := range s.Findings {
						t.Logf("  %s: %s", f.ID, f.Detail)
					}
				}
				if want, ok := tt.ids[s.Check]; ok {
					var got []string
					for _, f := range s.Findings {
						got = append(got, f.ID)
					}
					if !slices.Equal(got, want) {
						t.Errorf("%s: findings %v, want %v", s.Check, got, want)
					}
				}
			}
			if !slices.Equal(names, Checks) {
				t.Errorf("sections %v, want %v", names, Checks)
			}
		})
	}
}

func TestSPFAddrs(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("spf.example.", `
@     TXT "v=spf1 ip4:192.0.2.1 +ip4:192.0.2.2/32 ip4:192.0.2.0/24 -ip4:192.0.2.3 ip6:2001:db8::1 ip6:2001:db8::/32 ip4:bad include:x.example ~all"
other TXT "not spf"
`))
	got := SPFAddrs(context.Background(), srv.Resolver(t), dnsname.MustParse("spf.example"))
	want := []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"), netip.MustParseAddr("2001:db8::1")}
	if !slices.Equal(got, want) {
		t.Errorf("SPFAddrs = %v, want %v", got, want)
	}
	if got := SPFAddrs(context.Background(), srv.Resolver(t), dnsname.MustParse("other.spf.example")); len(got) != 0 {
		t.Errorf("SPFAddrs(no SPF) = %v", got)
	}
}

// An IP-literal or address-less MX target gets no TLSA lookup: there is no
// host to connect to, and asking "_25._tcp.192.0.2.1" would be noise.
func TestRunSkipsUnusableHostsForDANE(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile("../../testdata/zones/mx-targets.zone"))
	secs := Run(context.Background(), check.Env{Resolver: srv.Resolver(t)}, dnsname.MustParse("broken.example"), Options{})
	d := secs[slices.Index(Checks, "dane")].Data.(*dane.Data)
	var hosts []string
	for _, h := range d.Hosts {
		hosts = append(hosts, h.Host)
	}
	if want := []string{"alias.broken.example", "internal.broken.example"}; !slices.Equal(hosts, want) {
		t.Errorf("DANE hosts %v, want %v", hosts, want)
	}
	for _, q := range srv.Log() {
		if strings.HasPrefix(q.Name, "_25._tcp.192.") || strings.HasPrefix(q.Name, "_25._tcp.gone.") {
			t.Errorf("asked %s", q.Name)
		}
	}
	// The private address gets no reverse lookup either.
	for _, r := range secs[1].Data.(*rdns.Data).Addrs {
		if mx.Bogon(r.Addr) != "" {
			t.Errorf("reverse DNS of private address %s checked", r.Addr)
		}
	}
}

func BenchmarkRun(b *testing.B) {
	srv := dnstest.Start(b, dnstest.ZoneFile("../../testdata/zones/mx-good.zone"), dnstest.ZoneText("example.", "@ TXT \"parent\"\n"))
	srv.SetAuthentic("shop.example.", true)
	ca := httpstest.NewCA(b)
	router := httpstest.NewRouter()
	router.Route("mta-sts.shop.example:443", httpstest.Serve(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("version: STSv1\nmode: enforce\nmx: *.shop.example\nmax_age: 604800\n"))
	}), ca.Valid(b, "mta-sts.shop.example")))
	router.Route("bimi.shop.example:443", httpstest.Serve(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(logo))
	}), ca.Valid(b, "bimi.shop.example")))
	client := router.Client(ca)
	d := dnsname.MustParse("shop.example")
	b.ResetTimer()
	for b.Loop() {
		// A fresh per-run cache each time, as the CLI does.
		env := check.Env{Resolver: resolver.NewCache(srv.Resolver(b)), HTTPClient: client}
		Run(context.Background(), env, d, Options{})
	}
	b.ReportMetric(float64(srv.Queries())/float64(b.N), "queries/op")
}

// Through a validating resolver: the domain's zone validates, the MX
// host's zone does not (its TLSA signature is spoilt). The DNSSEC section
// names the zone and the record set; DANE says why its TLSA lookup failed.
func TestRunDNSSECBogusMXZone(t *testing.T) {
	shop := `@ SOA ns.shop.example. h.shop.example. 1 3600 600 86400 300
@ MX 10 mx.mail.example.
@ TXT "v=spf1 -all"
`
	mail := `@ SOA ns.mail.example. h.mail.example. 1 3600 600 86400 300
mx A 192.0.2.26
_25._tcp.mx TLSA 3 1 1 ` + strings.Repeat("ab", 32) + "\n"
	opts, anchors := dnstest.Hierarchy(t,
		dnstest.Child{Origin: "shop.example.", Text: shop, Sign: &dnstest.SignOptions{}},
		dnstest.Child{Origin: "mail.example.", Text: mail, Sign: &dnstest.SignOptions{Corrupt: []string{"_25._tcp.mx.mail.example. TLSA"}}})
	v := dnstest.StartValidating(t, dnstest.ValidatingOptions{Anchors: anchors}, opts...)
	secs := Run(context.Background(), check.Env{Resolver: resolver.NewCache(v.Resolver(t)), Now: testclock.Func()}, dnsname.MustParse("shop.example"), Options{})
	sec := secs[slices.Index(Checks, "dnssec")]
	d := sec.Data.(*dnssec.Data)
	if len(d.Zones) != 2 || d.Zones[0].Status != dnssec.Secure || d.Zones[1].Status != dnssec.Bogus {
		t.Fatalf("zones %+v", d.Zones)
	}
	if f := d.Zones[1].Failing; len(f) != 1 || f[0].Name != "_25._tcp.mx.mail.example" || f[0].Type != "TLSA" {
		t.Errorf("failing %+v", f)
	}
	if sec.Status != report.StatusFail {
		t.Errorf("dnssec status %s", sec.Status)
	}
	dn := secs[slices.Index(Checks, "dane")]
	fr := i18n.For(i18n.French)
	fr.LocalizeSection(&dn)
	found := false
	for _, f := range dn.Findings {
		found = found || (f.ID == "dane.dns.temperror" && f.Variant == "bogus_zone" &&
			strings.Contains(f.Detail, "La zone mail.example est invalide au sens de DNSSEC (bogus)"))
	}
	if m := fr.Missing(); len(m) > 0 {
		t.Errorf("missing French: %v", m)
	}
	if !found {
		t.Errorf("dane findings %+v", dn.Findings)
	}
}

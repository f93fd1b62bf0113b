package bimi

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/httpstest"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/miekg/dns"
)

// One zone per organizational domain; the subdomains of brand.example are cases.
const brandZone = `
_dmarc              TXT "v=DMARC1; p=reject"
default._bimi       TXT "v=BIMI1; l=https://img.brand.example/logo.svg; a=https://img.brand.example/vmc.pem"
default._bimi.noa   TXT "v=BIMI1; l=https://img.brand.example/logo.svg"
default._bimi.bad   TXT "v=BIMI1; l=https://img.brand.example/bad.svg; a=https://img.brand.example/vmc.pem"
default._bimi.gone  TXT "v=BIMI1; l=https://img.brand.example/missing.svg; a=https://img.brand.example/vmc.pem"
default._bimi.http  TXT "v=BIMI1; l=http://img.brand.example/logo.svg"
default._bimi.two   TXT "v=BIMI1; l=https://img.brand.example/logo.svg"
default._bimi.two   TXT "v=BIMI1; l=https://img.brand.example/logo.svg; a=https://img.brand.example/vmc.pem"
default._bimi.no    TXT "v=BIMI1; l=; a=;"
inherit             A   192.0.2.1
_dmarc.fail         TXT "v=DMARC1; p=reject"
default._bimi.fail  TXT "v=BIMI1; l=https://img.brand.example/logo.svg; a=https://img.brand.example/vmc.pem"
`

const laxZone = `
_dmarc              TXT "v=DMARC1; p=none; rua=mailto:d@lax.example"
default._bimi       TXT "v=BIMI1; l=https://img.brand.example/logo.svg; a=https://img.brand.example/vmc.pem"
_dmarc.pct          TXT "v=DMARC1; p=reject; pct=50"
default._bimi.pct   TXT "v=BIMI1; l=https://img.brand.example/logo.svg; a=https://img.brand.example/vmc.pem"
`

const spZone = `
_dmarc              TXT "v=DMARC1; p=reject; sp=none"
default._bimi       TXT "v=BIMI1; l=https://img.brand.example/logo.svg; a=https://img.brand.example/vmc.pem"
`

const noneZone = `
@                   MX  10 mx.plain.example.
`

func TestCheck(t *testing.T) {
	srv := dnstest.Start(t,
		dnstest.ZoneText("brand.example.", brandZone),
		dnstest.ZoneText("lax.example.", laxZone),
		dnstest.ZoneText("sp.example.", spZone),
		dnstest.ZoneText("plain.example.", noneZone),
		dnstest.ZoneText("example.", "@ TXT \"the parent of every test domain, so DMARC tree walks end in NXDOMAIN\"\n"))
	srv.SetFault("default._bimi.fail.brand.example.", dns.TypeTXT, dnstest.ServFail)

	ca := httpstest.NewCA(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/logo.svg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		_, _ = w.Write([]byte(goodSVG))
	})
	mux.HandleFunc("/bad.svg", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`<svg xmlns="http://www.w3.org/2000/svg" version="1.1"><rect/></svg>`))
	})
	router := httpstest.NewRouter()
	router.Route("img.brand.example:443", httpstest.Serve(t, mux, ca.Valid(t, "img.brand.example")))
	env := check.Env{Resolver: srv.Resolver(t), HTTPClient: router.Client(ca)}

	tests := []struct {
		domain  string
		offline bool
		want    []string
		status  report.Status
		detail  string
		fr      string // words the French detail holds
	}{
		{domain: "brand.example", status: report.StatusPass},
		{domain: "inherit.brand.example", status: report.StatusPass}, // record and policy from the organizational domain
		{domain: "noa.brand.example", want: []string{"bimi.authority.missing"}, status: report.StatusWarn},
		{domain: "bad.brand.example", want: []string{"bimi.logo.invalid"}, status: report.StatusWarn, detail: "tiny-ps"},
		{domain: "gone.brand.example", want: []string{"bimi.logo.unfetchable"}, status: report.StatusWarn, detail: "404"},
		{domain: "http.brand.example", want: []string{"bimi.record.invalid"}, status: report.StatusWarn},
		{domain: "two.brand.example", want: []string{"bimi.record.invalid"}, status: report.StatusWarn},
		{domain: "no.brand.example", want: []string{"bimi.declined"}, status: report.StatusPass},
		{domain: "fail.brand.example", want: []string{"bimi.dns.temperror"}, status: report.StatusUnknown},
		{domain: "lax.example", want: []string{"bimi.dmarc.not_enforced"}, status: report.StatusWarn, detail: "is none",
			fr: "BIMI exige une politique DMARC contraignante, or la politique applicable à lax.example est none."},
		{domain: "pct.lax.example", want: []string{"bimi.dmarc.not_enforced"}, status: report.StatusWarn, detail: "pct=50"},
		{domain: "sp.example", want: []string{"bimi.dmarc.not_enforced"}, status: report.StatusWarn, detail: "sp=none"},
		{domain: "plain.example", want: []string{"bimi.absent"}, status: report.StatusPass},
		{domain: "brand.example", offline: true, want: []string{"bimi.logo.skipped"}, status: report.StatusSkipped},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			e := env
			if tt.offline {
				e.HTTPClient = nil
			}
			sec := Check(context.Background(), e, dnsname.MustParse(tt.domain), Options{})
			// Every case reads in French with no message missing and no
			// English sentence of the catalogs left; it is then asserted
			// on its English words.
			fr := sec
			fr.Findings = slices.Clone(sec.Findings)
			loc := i18n.For(i18n.French)
			loc.LocalizeSection(&fr)
			if m := loc.Missing(); len(m) > 0 {
				t.Errorf("missing French: %v", m)
			}
			for _, f := range fr.Findings {
				if left := i18n.EnglishIn(f.Title + "\n" + f.Detail + "\n" + f.Fix + "\n" + fr.Summary.String()); len(left) > 0 {
					t.Errorf("English left in the French %s: %q", f.ID, left)
				}
			}
			if tt.fr != "" && (len(fr.Findings) == 0 || !strings.Contains(fr.Findings[0].Detail, tt.fr)) {
				t.Errorf("French detail should say %q: %+v", tt.fr, fr.Findings)
			}
			i18n.For(i18n.English).LocalizeSection(&sec)
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
			if tt.detail != "" && (len(sec.Findings) == 0 || !strings.Contains(sec.Findings[0].Detail, tt.detail)) {
				t.Errorf("detail should mention %q: %+v", tt.detail, sec.Findings)
			}
		})
	}
}

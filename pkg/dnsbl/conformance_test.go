package dnsbl

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/conformance"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
	"gopkg.in/yaml.v3"
)

type rfc5782Suite struct {
	QueryNameVectors []struct {
		Kind   string `yaml:"kind"`
		Input  string `yaml:"input"`
		Zone   string `yaml:"zone"`
		QName  string `yaml:"qname"`
		Expect string `yaml:"expect"`
	} `yaml:"query_name_vectors"`
	ClassificationVectors []struct {
		Zone    string   `yaml:"zone"`
		Rcode   string   `yaml:"rcode"`
		Answers []string `yaml:"answers"`
		Verdict string   `yaml:"verdict"`
		Meaning []string `yaml:"meaning"`
		Note    string   `yaml:"note"`
	} `yaml:"classification_vectors"`
}

func loadYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestConformanceQueryNames runs the RFC 5782 query-name vectors.
func TestConformanceQueryNames(t *testing.T) {
	var s rfc5782Suite
	loadYAML(t, conformance.Path(t, "dnsbl", "rfc5782.yaml"), &s)
	if len(s.QueryNameVectors) != 10 {
		t.Fatalf("%d query-name vectors, README says 10", len(s.QueryNameVectors))
	}
	for i, v := range s.QueryNameVectors {
		t.Run(fmt.Sprintf("%d_%s_%s", i, v.Kind, v.Input), func(t *testing.T) {
			var got string
			switch v.Kind {
			case "ipv4", "ipv6":
				a := netip.MustParseAddr(v.Input)
				if string(KindOf(a)) != v.Kind {
					t.Fatalf("KindOf(%s) = %s, want %s", v.Input, KindOf(a), v.Kind)
				}
				got = AddrQueryName(a, v.Zone)
			case "domain":
				var err error
				if got, err = DomainQueryName(v.Input, v.Zone); err != nil {
					t.Fatal(err)
				}
			default:
				t.Fatalf("unknown kind %q", v.Kind)
			}
			// DNS names compare case-insensitively (RFC 4343).
			if !strings.EqualFold(got, v.QName+".") {
				t.Errorf("got %s, want %s.", got, v.QName)
			}
		})
	}
}

// TestConformanceClassification runs the answer-classification vectors
// through the embedded catalog and the answer reader.
func TestConformanceClassification(t *testing.T) {
	var s rfc5782Suite
	loadYAML(t, conformance.Path(t, "dnsbl", "rfc5782.yaml"), &s)
	if len(s.ClassificationVectors) != 21 {
		t.Fatalf("%d classification vectors, README says 21", len(s.ClassificationVectors))
	}
	cat := DefaultCatalog()
	for i, v := range s.ClassificationVectors {
		t.Run(fmt.Sprintf("%d_%s_%s", i, v.Zone, strings.Join(v.Answers, "+")), func(t *testing.T) {
			l, ok := cat.Lookup(v.Zone)
			if !ok {
				l = genericList(v.Zone, []Kind{KindIPv4})
			}
			ans := resolver.Answer{Outcome: resolver.NXDomain}
			var err error
			switch v.Rcode {
			case "", "NOERROR":
				if len(v.Answers) > 0 {
					ans.Outcome = resolver.Found
				} else {
					ans.Outcome = resolver.NoData
				}
			case "NXDOMAIN":
			case "SERVFAIL":
				err = &resolver.Error{Name: "x.", Type: dns.TypeA, Kind: resolver.KindServFail, Rcode: dns.RcodeServerFailure}
			case "REFUSED":
				err = &resolver.Error{Name: "x.", Type: dns.TypeA, Kind: resolver.KindRefused, Rcode: dns.RcodeRefused}
			default:
				t.Fatalf("rcode %q", v.Rcode)
			}
			for _, a := range v.Answers {
				ans.RRs = append(ans.RRs, &dns.A{Hdr: dns.RR_Header{Name: "x.", Rrtype: dns.TypeA, Class: dns.ClassINET}, A: net.ParseIP(a)})
			}
			r := Read(l, ans, err)
			want := map[string][]Verdict{
				"listed":      {Listed},
				"not_listed":  {NotListed},
				"allowlisted": {Allowlisted},
				"error":       {Refused, Bogus, Failed},
			}[v.Verdict]
			if want == nil {
				t.Fatalf("verdict %q not known", v.Verdict)
			}
			found := false
			for _, w := range want {
				found = found || r.Verdict == w
			}
			if !found {
				t.Fatalf("verdict %s, want %s (%+v)", r.Verdict, v.Verdict, r)
			}
			// Meanings: the conformance wording is shorter than the
			// catalog's; its key (before any parenthesis) must appear.
			var got []string
			for _, c := range r.Codes {
				got = append(got, strings.ToLower(words(c.Meaning)))
			}
			all := strings.Join(got, " | ")
			for _, m := range v.Meaning {
				key := strings.ToLower(m)
				if i := strings.Index(key, " ("); i > 0 {
					key = key[:i]
				}
				if !strings.Contains(all, key) {
					t.Errorf("meaning %q: key %q not in %q", m, key, all)
				}
			}
		})
	}
}

type listsSuite struct {
	Lists []struct {
		Name            string            `yaml:"name"`
		Zone            string            `yaml:"zone"`
		Type            string            `yaml:"type"`
		Kind            string            `yaml:"kind"`
		Status          string            `yaml:"status"`
		Bitmask         bool              `yaml:"bitmask"`
		Codes           map[string]string `yaml:"codes"`
		ErrorCodes      map[string]string `yaml:"error_codes"`
		HistoricalCodes map[string]string `yaml:"historical_codes"`
	} `yaml:"lists"`
}

// catalogDeviations are the places where the embedded catalog knowingly
// differs from dnsbl-lists.yaml, with the reason.
var catalogDeviations = map[string]string{
	"multi.surbl.org/kinds": "SURBL also lists IPs found in URLs; they say nothing about sending addresses, so only domain queries are made",
}

// TestConformanceCatalog cross-checks the embedded catalog with the suite's
// list data: every active list is present with the same codes, error codes
// and bitmask flag; keyed zones are left to --list; defunct and merged zones
// are never queried.
func TestConformanceCatalog(t *testing.T) {
	var s listsSuite
	loadYAML(t, conformance.Path(t, "dnsbl", "dnsbl-lists.yaml"), &s)
	if len(s.Lists) != 25 {
		t.Fatalf("%d lists, README says 25", len(s.Lists))
	}
	cat := DefaultCatalog()
	pattern := func(code string) string { return strings.ReplaceAll(code, "X", "*") }
	for _, want := range s.Lists {
		t.Run(want.Zone, func(t *testing.T) {
			switch want.Status {
			case "defunct", "merged":
				if _, ok := cat.DefunctFor(want.Zone); !ok {
					t.Errorf("%s (%s) is not in the defunct registry", want.Zone, want.Status)
				}
				if l, ok := cat.Lookup(want.Zone); ok {
					t.Errorf("%s (%s) is in the catalog: %+v", want.Zone, want.Status, l)
				}
				return
			}
			if strings.Contains(want.Zone, "<key>") {
				// Keyed zones (DQS-only, Abusix) need the user's key:
				// --list KEY.zone; not in the catalog.
				return
			}
			l, ok := cat.Lookup(want.Zone)
			if !ok {
				t.Fatalf("active list %s (%s) missing from the catalog", want.Zone, want.Name)
			}
			switch want.Type {
			case "ip":
				if !l.Takes(KindIPv4) || l.Takes(KindDomain) {
					t.Errorf("type ip, catalog kinds %v", l.Kinds)
				}
			case "domain":
				if !l.Takes(KindDomain) || l.Takes(KindIPv4) {
					t.Errorf("type domain, catalog kinds %v", l.Kinds)
				}
			case "ip+domain":
				if !l.Takes(KindIPv4) || !l.Takes(KindDomain) {
					if catalogDeviations[want.Zone+"/kinds"] == "" {
						t.Errorf("type ip+domain, catalog kinds %v", l.Kinds)
					}
				}
			}
			if want.Bitmask != l.Bitmask {
				t.Errorf("bitmask %v, catalog %v", want.Bitmask, l.Bitmask)
			}
			if (want.Kind == "allow") != (l.Purpose == PurposeAllow) || (want.Kind == "reputation") != (l.Purpose == PurposeReputation) {
				t.Errorf("kind %s, catalog purpose %s", want.Kind, l.Purpose)
			}
			have := map[string]bool{}
			for _, c := range l.Codes {
				have[c.Code] = true
			}
			for code := range want.Codes {
				if strings.Contains(code, "N") || strings.Contains(code, "-") {
					continue
				}
				if !have[pattern(code)] {
					t.Errorf("code %s (%s) missing", code, want.Codes[code])
				}
			}
			haveErr := map[string]bool{}
			for _, c := range l.Errors {
				haveErr[c.Code] = true
			}
			for code := range want.ErrorCodes {
				if !haveErr[pattern(code)] {
					t.Errorf("error code %s (%s) missing", code, want.ErrorCodes[code])
				}
			}
			// Every listing code must read as listed/allowlisted, every error
			// code as refused, through the reader itself.
			for code := range want.Codes {
				a, err := netip.ParseAddr(strings.ReplaceAll(code, "X", "15"))
				if err != nil {
					continue
				}
				if r := ReadCodes(l, []netip.Addr{a}); r.Verdict != Listed && r.Verdict != Allowlisted {
					t.Errorf("code %s reads as %s", code, r.Verdict)
				}
			}
			for code := range want.ErrorCodes {
				a := netip.MustParseAddr(strings.ReplaceAll(code, "X", "0"))
				if r := ReadCodes(l, []netip.Addr{a}); r.Verdict != Refused {
					t.Errorf("error code %s reads as %s", code, r.Verdict)
				}
			}
		})
	}
	for k, why := range catalogDeviations {
		t.Logf("known deviation %s: %s", k, why)
	}
}

package dnsbl

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultCatalog(t *testing.T) {
	c := DefaultCatalog()
	if c.Version == "" || c.Source != "embedded" {
		t.Fatalf("version %q source %q", c.Version, c.Source)
	}
	lists, defunct, bad := selectLists(c, nil)
	if len(defunct) != 0 || len(bad) != 0 {
		t.Errorf("default selection: defunct %v, bad %v", defunct, bad)
	}
	if len(lists) < 10 {
		t.Errorf("only %d default lists", len(lists))
	}
	kinds := map[Kind]int{}
	for _, l := range lists {
		if _, dead := c.DefunctFor(l.Zone); dead {
			t.Errorf("default list %s is defunct", l.Zone)
		}
		if strings.Contains(l.Zone, "<key>") {
			t.Errorf("default list %s needs a key", l.Zone)
		}
		for _, k := range l.Kinds {
			kinds[k]++
		}
		if !l.Takes(KindIPv4) && !l.Takes(KindDomain) && !l.Takes(KindIPv6) {
			t.Errorf("%s takes nothing", l.Zone)
		}
	}
	if kinds[KindIPv4] == 0 || kinds[KindDomain] == 0 || kinds[KindIPv6] == 0 {
		t.Errorf("default lists cover kinds %v; want ipv4, ipv6 and domain", kinds)
	}
	// These are dead (SORBS closed 5 June 2024; NJABL, AHBL long gone) and must never be queried.
	for _, z := range []string{"dnsbl.sorbs.net", "spam.dnsbl.sorbs.net", "dnsbl.njabl.org", "dnsbl.ahbl.org", "rhsbl.ahbl.org", "cbl.abuseat.org"} {
		if _, ok := c.DefunctFor(z); !ok {
			t.Errorf("%s is not known as defunct", z)
		}
		for _, l := range lists {
			if l.Zone == z {
				t.Errorf("defunct %s selected", z)
			}
		}
	}
	if _, ok := c.DefunctFor("notsorbs.net"); ok {
		t.Error("notsorbs.net matched the sorbs.net entry")
	}
}

func TestSelectListsExtra(t *testing.T) {
	c := DefaultCatalog()
	tests := []struct {
		name        string
		extra       []string
		wantZone    string
		wantKinds   []Kind
		wantCodes   bool // the catalog's codes were used
		wantDefunct string
		wantBad     bool
	}{
		{name: "catalog list not default", extra: []string{"pbl.spamhaus.org"}, wantZone: "pbl.spamhaus.org", wantKinds: []Kind{KindIPv4, KindIPv6}, wantCodes: true},
		{name: "DQS alias takes ZEN codes", extra: []string{"abc123.zen.dq.spamhaus.net"}, wantZone: "abc123.zen.dq.spamhaus.net", wantKinds: []Kind{KindIPv4, KindIPv6}, wantCodes: true},
		{name: "unknown zone is a generic IPv4 list", extra: []string{"RBL.Example.NET."}, wantZone: "rbl.example.net", wantKinds: []Kind{KindIPv4}},
		{name: "kinds given", extra: []string{"rhs.example.net:domain"}, wantZone: "rhs.example.net", wantKinds: []Kind{KindDomain}},
		{name: "defunct is never queried", extra: []string{"dnsbl.sorbs.net"}, wantDefunct: "dnsbl.sorbs.net"},
		{name: "bad zone", extra: []string{"not a zone"}, wantBad: true},
		{name: "bad kind", extra: []string{"rbl.example.net:ipv5"}, wantBad: true},
	}
	base, _, _ := selectLists(c, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lists, defunct, bad := selectLists(c, tt.extra)
			if tt.wantBad != (len(bad) > 0) {
				t.Fatalf("bad = %v, want bad %v", bad, tt.wantBad)
			}
			if tt.wantDefunct != "" {
				if len(defunct) != 1 || defunct[0].Zone != tt.wantDefunct || defunct[0].Note == "" {
					t.Fatalf("defunct = %+v", defunct)
				}
			}
			if tt.wantZone == "" {
				if len(lists) != len(base) {
					t.Fatalf("%d lists, want %d", len(lists), len(base))
				}
				return
			}
			if len(lists) != len(base)+1 {
				t.Fatalf("%d lists, want %d", len(lists), len(base)+1)
			}
			l := lists[len(lists)-1]
			if l.Zone != tt.wantZone {
				t.Errorf("zone %q, want %q", l.Zone, tt.wantZone)
			}
			if strings.Join(kindStrings(l.Kinds), ",") != strings.Join(kindStrings(tt.wantKinds), ",") {
				t.Errorf("kinds %v, want %v", l.Kinds, tt.wantKinds)
			}
			if got := len(l.Codes) > 0; got != tt.wantCodes {
				t.Errorf("catalog codes used = %v, want %v", got, tt.wantCodes)
			}
		})
	}
	// The DQS alias must not change the shared ZEN entry.
	zen, _ := c.Lookup("zen.spamhaus.org")
	if zen.Zone != "zen.spamhaus.org" || !zen.Default {
		t.Errorf("ZEN entry modified: %+v", zen)
	}
}

func kindStrings(ks []Kind) []string {
	var s []string
	for _, k := range ks {
		s = append(s, string(k))
	}
	return s
}

func TestReplacementCatalogStillSkipsDefunct(t *testing.T) {
	c, err := ParseCatalog([]byte(`{"version":"1","lists":[
		{"zone":"dnsbl.sorbs.net","kinds":["ipv4"],"class":"major"},
		{"zone":"old.example.net","kinds":["ipv4"],"class":"minor","status":"defunct"},
		{"zone":"rbl.example.net","kinds":["ipv4"],"class":"minor"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	lists, defunct, _ := selectLists(c, nil)
	if len(lists) != 1 || lists[0].Zone != "rbl.example.net" {
		t.Errorf("lists = %v", lists)
	}
	if len(defunct) != 2 {
		t.Errorf("defunct = %+v", defunct)
	}
}

func TestParseCatalogErrors(t *testing.T) {
	tests := []struct {
		name, json string
	}{
		{"not json", `{`},
		{"no version", `{"lists":[]}`},
		{"unknown field", `{"version":"1","lists":[],"extra":1}`},
		{"trailing data", `{"version":"1","lists":[]} {}`},
		{"null list", `{"version":"1","lists":[null]}`},
		{"bad zone", `{"version":"1","lists":[{"zone":"bad zone","kinds":["ipv4"]}]}`},
		{"single label zone", `{"version":"1","lists":[{"zone":"localhost","kinds":["ipv4"]}]}`},
		{"no kinds", `{"version":"1","lists":[{"zone":"a.example","kinds":[]}]}`},
		{"bad kind", `{"version":"1","lists":[{"zone":"a.example","kinds":["ip"]}]}`},
		{"bad class", `{"version":"1","lists":[{"zone":"a.example","kinds":["ipv4"],"class":"huge"}]}`},
		{"bad purpose", `{"version":"1","lists":[{"zone":"a.example","kinds":["ipv4"],"purpose":"x"}]}`},
		{"code outside 127/8", `{"version":"1","lists":[{"zone":"a.example","kinds":["ipv4"],"codes":[{"code":"10.0.0.2","meaning":"x"}]}]}`},
		{"code three octets", `{"version":"1","lists":[{"zone":"a.example","kinds":["ipv4"],"codes":[{"code":"127.0.2","meaning":"x"}]}]}`},
		{"code octet 256", `{"version":"1","lists":[{"zone":"a.example","kinds":["ipv4"],"codes":[{"code":"127.0.0.256","meaning":"x"}]}]}`},
		{"code leading zero", `{"version":"1","lists":[{"zone":"a.example","kinds":["ipv4"],"codes":[{"code":"127.0.0.02","meaning":"x"}]}]}`},
		{"code no meaning", `{"version":"1","lists":[{"zone":"a.example","kinds":["ipv4"],"codes":[{"code":"127.0.0.2","meaning":" "}]}]}`},
		{"code bad class", `{"version":"1","lists":[{"zone":"a.example","kinds":["ipv4"],"codes":[{"code":"127.0.0.2","meaning":"x","class":"y"}]}]}`},
		{"bitmask code not a bit", `{"version":"1","lists":[{"zone":"a.example","kinds":["domain"],"bitmask":true,"codes":[{"code":"127.0.0.6","meaning":"x"}]}]}`},
		{"bitmask code wildcard", `{"version":"1","lists":[{"zone":"a.example","kinds":["domain"],"bitmask":true,"codes":[{"code":"127.0.0.*","meaning":"x"}]}]}`},
		{"duplicate zone", `{"version":"1","lists":[{"zone":"a.example","kinds":["ipv4"]},{"zone":"A.example.","kinds":["ipv4"]}]}`},
		{"bad alias", `{"version":"1","lists":[{"zone":"a.example","kinds":["ipv4"],"aliases":["x.example"]}]}`},
		{"bad defunct", `{"version":"1","lists":[],"defunct":[{"zone":"","note":"x"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCatalog([]byte(tt.json))
			if !errors.Is(err, ErrCatalog) {
				t.Fatalf("err = %v, want ErrCatalog", err)
			}
		})
	}
}

func TestLoadCatalogFile(t *testing.T) {
	c, err := LoadCatalogFile(filepath.Join("testdata", "lists-test.json"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != filepath.Join("testdata", "lists-test.json") || c.Version != "test-1" {
		t.Errorf("source %q version %q", c.Source, c.Version)
	}
	big := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(big, []byte(`{"version":"1","comment":"`+strings.Repeat("x", MaxCatalogSize)+`","lists":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCatalogFile(big); !errors.Is(err, ErrCatalog) {
		t.Errorf("oversize catalog: err = %v, want ErrCatalog", err)
	}
	if _, err := LoadCatalogFile(filepath.Join(t.TempDir(), "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v", err)
	}
}

func TestParseListSpec(t *testing.T) {
	tests := []struct {
		in        string
		zone      string
		kinds     string
		wantError bool
	}{
		{in: "zen.spamhaus.org", zone: "zen.spamhaus.org"},
		{in: " Bl.SpamCop.Net. ", zone: "bl.spamcop.net"},
		{in: "rbl.example.net:ipv4,IPv6", zone: "rbl.example.net", kinds: "ipv4,ipv6"},
		{in: "rhs.example.net:domain", zone: "rhs.example.net", kinds: "domain"},
		{in: "rbl.example.net:", wantError: true},
		{in: "rbl.example.net:ipv4,web", wantError: true},
		{in: "", wantError: true},
		{in: "192.0.2.1", wantError: true},
		{in: "com", wantError: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			zone, kinds, err := ParseListSpec(tt.in)
			if tt.wantError {
				if !errors.Is(err, ErrZone) {
					t.Fatalf("err = %v, want ErrZone", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if zone != tt.zone || strings.Join(kindStrings(kinds), ",") != tt.kinds {
				t.Errorf("got %q %v, want %q %q", zone, kinds, tt.zone, tt.kinds)
			}
		})
	}
}

// The selection is memoized per (catalog, extra): asking again gives the
// same lists, and extras that join to the same text stay apart (nil and
// one empty spec, which is bad).
func TestSelectListsMemo(t *testing.T) {
	c := DefaultCatalog()
	a, _, badA := selectLists(c, nil)
	b, _, badB := selectLists(c, nil)
	if len(a) == 0 || len(a) != len(b) || &a[0] != &b[0] || len(badA)+len(badB) != 0 {
		t.Fatalf("second selection differs: %d and %d lists, bad %v %v", len(a), len(b), badA, badB)
	}
	if _, _, bad := selectLists(c, []string{""}); len(bad) != 1 {
		t.Errorf("an empty spec is bad, got %v", bad)
	}
	if _, _, bad := selectLists(c, []string{"", ""}); len(bad) != 2 {
		t.Errorf("two empty specs are two bad ones, got %v", bad)
	}
}

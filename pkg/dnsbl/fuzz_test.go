package dnsbl

import (
	"encoding/json"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

func packedAnswer(tb testing.TB, addrs ...string) []byte {
	m := new(dns.Msg)
	m.SetQuestion("2.0.0.127.zen.spamhaus.org.", dns.TypeA)
	m.Response = true
	for _, a := range addrs {
		m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: "2.0.0.127.zen.spamhaus.org.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.ParseIP(a)})
	}
	b, err := m.Pack()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// FuzzRead feeds DNS messages to the answer reader for every catalog list.
// Properties: no panic; a listing is in 127/8 with a class that is not
// "allow"; an address outside 127/8 always makes the answer bogus; an
// indecisive verdict always says why; codes stay bounded.
func FuzzRead(f *testing.F) {
	for _, seed := range [][]string{
		{}, {"127.0.0.2"}, {"127.0.0.4", "127.0.0.10"}, {"127.255.255.254"}, {"127.0.0.1"},
		{"192.0.2.1"}, {"127.0.0.2", "198.51.100.1"}, {"127.0.15.3"}, {"127.0.0.255"}, {"127.0.0.80"}, {"127.0.1.255"},
	} {
		f.Add(packedAnswer(f, seed...))
	}
	lists := append([]*List(nil), DefaultCatalog().Lists...)
	lists = append(lists, genericList("rbl.example.net", []Kind{KindIPv4}))
	valid := map[Verdict]bool{Listed: true, NotListed: true, Allowlisted: true, Refused: true, Bogus: true, Failed: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		m := new(dns.Msg)
		if err := m.Unpack(data); err != nil {
			return
		}
		ans := resolver.Answer{Outcome: resolver.NXDomain}
		outside := false
		for _, rr := range m.Answer {
			if a, ok := rr.(*dns.A); ok {
				ans.RRs = append(ans.RRs, rr)
				ip, ok := netip.AddrFromSlice(a.A.To4())
				if ok && !in127(ip) {
					outside = true
				}
			}
		}
		if len(ans.RRs) > 0 {
			ans.Outcome = resolver.Found
		}
		for _, l := range lists {
			r := Read(l, ans, nil)
			if !valid[r.Verdict] {
				t.Fatalf("%s: verdict %q", l.Zone, r.Verdict)
			}
			if outside && r.Verdict != Bogus {
				t.Fatalf("%s: address outside 127/8 read as %s", l.Zone, r.Verdict)
			}
			if !r.Verdict.Decisive() && r.Err.IsZero() {
				t.Fatalf("%s: %s without a reason", l.Zone, r.Verdict)
			}
			if r.Verdict == Listed {
				if r.Class == "" || r.Class == ClassAllow {
					t.Fatalf("%s: listed with class %q", l.Zone, r.Class)
				}
				for _, c := range r.Codes {
					if !in127(netip.MustParseAddr(c.Code)) {
						t.Fatalf("%s: listing code %s outside 127/8", l.Zone, c.Code)
					}
				}
			}
			if len(r.Codes) > maxAnswerCodes*9 {
				t.Fatalf("%s: %d codes", l.Zone, len(r.Codes))
			}
		}
	})
}

// FuzzParseCatalog: no panic on any input; a catalog that parses survives
// a JSON round trip with the same lists.
func FuzzParseCatalog(f *testing.F) {
	f.Add(embeddedCatalog)
	if b, err := os.ReadFile(filepath.Join("testdata", "lists-test.json")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"version":"1","lists":[{"zone":"a.example","kinds":["ipv4"],"codes":[{"code":"127.0.*.2","meaning":"{2}"}]}]}`))
	f.Add([]byte(`{"version":"1","lists":[{"zone":"a.example","kinds":["domain"],"bitmask":true,"codes":[{"code":"127.0.0.8","meaning":"x"}],"errors":[{"code":"127.0.0.1","meaning":"r"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCatalog(data)
		if err != nil {
			return
		}
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		c2, err := ParseCatalog(out)
		if err != nil {
			t.Fatalf("round trip: %v\n%s", err, out)
		}
		if len(c2.Lists) != len(c.Lists) || c2.Version != c.Version {
			t.Fatalf("round trip changed the catalog")
		}
		for i := range c.Lists {
			if c.Lists[i].Zone != c2.Lists[i].Zone || len(c.Lists[i].Codes) != len(c2.Lists[i].Codes) {
				t.Fatalf("list %d changed: %s -> %s", i, c.Lists[i].Zone, c2.Lists[i].Zone)
			}
		}
		// Every list must read its own codes without panicking.
		for _, l := range c.Lists {
			for _, code := range l.Codes {
				if a, err := netip.ParseAddr(code.Code); err == nil {
					_ = ReadCodes(l, []netip.Addr{a})
				}
			}
		}
	})
}

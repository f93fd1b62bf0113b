package dnsbl

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

func aAnswer(addrs ...string) resolver.Answer {
	ans := resolver.Answer{Outcome: resolver.Found}
	for _, a := range addrs {
		ans.RRs = append(ans.RRs, &dns.A{Hdr: dns.RR_Header{Name: "q.", Rrtype: dns.TypeA, Class: dns.ClassINET}, A: net.ParseIP(a)})
	}
	return ans
}

func TestRead(t *testing.T) {
	cat := DefaultCatalog()
	zen, _ := cat.Lookup("zen.spamhaus.org")
	uribl, _ := cat.Lookup("multi.uribl.com")
	surbl, _ := cat.Lookup("multi.surbl.org")
	spamcop, _ := cat.Lookup("bl.spamcop.net")
	hostkarma, _ := cat.Lookup("hostkarma.junkemailfilter.com")
	generic := genericList("rbl.example.net", []Kind{KindIPv4})
	tests := []struct {
		name    string
		list    *List
		ans     resolver.Answer
		err     error
		verdict Verdict
		class   Class
		public  bool
		meaning string // substring of the joined meanings
	}{
		{name: "nxdomain", list: zen, ans: resolver.Answer{Outcome: resolver.NXDomain}, verdict: NotListed},
		{name: "nodata", list: zen, ans: resolver.Answer{Outcome: resolver.NoData}, verdict: NotListed},
		{name: "found without A", list: zen, ans: resolver.Answer{Outcome: resolver.Found}, verdict: NotListed},
		{name: "SBL", list: zen, ans: aAnswer("127.0.0.2"), verdict: Listed, class: ClassMajor, meaning: "SBL"},
		{name: "PBL only is policy", list: zen, ans: aAnswer("127.0.0.11"), verdict: Listed, class: ClassPolicy, meaning: "PBL"},
		{name: "XBL and PBL: worst class", list: zen, ans: aAnswer("127.0.0.10", "127.0.0.4"), verdict: Listed, class: ClassMajor, meaning: "XBL"},
		{name: "duplicate records read once", list: spamcop, ans: aAnswer("127.0.0.2", "127.0.0.2"), verdict: Listed, class: ClassMajor},
		{name: "public resolver refusal", list: zen, ans: aAnswer("127.255.255.254"), verdict: Refused, public: true, meaning: "public/open resolver"},
		{name: "Spamhaus error range pattern", list: zen, ans: aAnswer("127.255.255.200"), verdict: Refused, meaning: "query error"},
		{name: "refusal beats listing codes", list: zen, ans: aAnswer("127.0.0.2", "127.255.255.254"), verdict: Refused, public: true},
		{name: "outside 127/8 is bogus", list: zen, ans: aAnswer("192.0.2.1"), verdict: Bogus, meaning: "outside 127.0.0.0/8"},
		{name: "bogus beats everything", list: zen, ans: aAnswer("127.0.0.2", "198.51.100.1"), verdict: Bogus},
		{name: "URIBL refused bit", list: uribl, ans: aAnswer("127.0.0.1"), verdict: Refused, public: true},
		{name: "URIBL refused bit with others", list: uribl, ans: aAnswer("127.0.0.3"), verdict: Refused, public: true},
		{name: "URIBL grey only", list: uribl, ans: aAnswer("127.0.0.4"), verdict: Listed, class: ClassMinor, meaning: "grey"},
		{name: "URIBL black and red", list: uribl, ans: aAnswer("127.0.0.10"), verdict: Listed, class: ClassMajor, meaning: "black"},
		{name: "SURBL undocumented bit only", list: surbl, ans: aAnswer("127.0.0.2"), verdict: Bogus},
		{name: "SURBL documented and undocumented bits", list: surbl, ans: aAnswer("127.0.0.10"), verdict: Listed, class: ClassMajor, meaning: "undocumented bits 0x2"},
		{name: "bitmask outside 127.0.0.x", list: surbl, ans: aAnswer("127.0.1.8"), verdict: Bogus},
		{name: "Hostkarma white is an allow answer", list: hostkarma, ans: aAnswer("127.0.0.1"), verdict: Allowlisted, class: ClassAllow},
		{name: "Hostkarma black", list: hostkarma, ans: aAnswer("127.0.0.2"), verdict: Listed, class: ClassMinor},
		{name: "undocumented code on a catalog list is a listing", list: spamcop, ans: aAnswer("127.0.0.3"), verdict: Listed, class: ClassMajor, meaning: "not documented"},
		{name: "generic list: any 127/8", list: generic, ans: aAnswer("127.0.0.7"), verdict: Listed, class: ClassMinor},
		// A zone the catalog does not know must not turn refusals into listings.
		{name: "generic list: Spamhaus-style refusal", list: generic, ans: aAnswer("127.255.255.254"), verdict: Refused, public: true, meaning: "public/open resolver"},
		{name: "generic list: error range", list: generic, ans: aAnswer("127.255.255.252"), verdict: Refused, meaning: "error range"},
		{name: "generic list: 127.0.0.1 is never a listing", list: generic, ans: aAnswer("127.0.0.1"), verdict: Refused, public: true, meaning: "RFC 5782 §5"},
		{name: "catalog list without error codes: 127.255.255.254", list: spamcop, ans: aAnswer("127.255.255.254"), verdict: Refused, public: true},
		{name: "timeout", list: zen, err: &resolver.Error{Kind: resolver.KindTimeout}, verdict: Failed},
		{name: "servfail", list: zen, err: &resolver.Error{Kind: resolver.KindServFail, Rcode: dns.RcodeServerFailure}, verdict: Failed},
		{name: "rcode refused", list: zen, err: &resolver.Error{Kind: resolver.KindRefused, Rcode: dns.RcodeRefused}, verdict: Refused},
		{name: "canceled", list: zen, err: &resolver.Error{Kind: resolver.KindCanceled, Err: context.Canceled}, verdict: Failed},
		{name: "other error", list: zen, err: errors.New("boom"), verdict: Failed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Read(tt.list, tt.ans, tt.err)
			if r.Verdict != tt.verdict {
				t.Fatalf("verdict %s, want %s (%+v)", r.Verdict, tt.verdict, r)
			}
			if tt.class != "" && r.Class != tt.class {
				t.Errorf("class %s, want %s", r.Class, tt.class)
			}
			if r.PublicResolver != tt.public {
				t.Errorf("public resolver %v, want %v", r.PublicResolver, tt.public)
			}
			var ms []string
			for _, c := range r.Codes {
				ms = append(ms, words(c.Meaning))
			}
			if tt.meaning != "" && !strings.Contains(strings.Join(ms, " | "), tt.meaning) {
				t.Errorf("meanings %q lack %q", ms, tt.meaning)
			}
			if !r.Verdict.Decisive() && r.Err.IsZero() {
				t.Errorf("indecisive verdict %s without an error text", r.Verdict)
			}
			if r.Verdict == Listed && r.Class == ClassAllow {
				t.Errorf("listed with class allow")
			}
		})
	}
}

func TestReadBoundsCodes(t *testing.T) {
	var addrs []string
	for i := 0; i < 100; i++ {
		addrs = append(addrs, netip.AddrFrom4([4]byte{127, 0, 1, byte(i)}).String())
	}
	l := genericList("rbl.example.net", []Kind{KindIPv4})
	r := Read(l, aAnswer(addrs...), nil)
	if r.Verdict != Listed || len(r.Codes) > maxAnswerCodes {
		t.Errorf("verdict %s with %d codes; want listed with at most %d", r.Verdict, len(r.Codes), maxAnswerCodes)
	}
	// One address outside 127/8 after many codes still makes the answer bogus.
	r = Read(l, aAnswer(append(addrs, "192.0.2.1")...), nil)
	if r.Verdict != Bogus {
		t.Errorf("verdict %s, want bogus", r.Verdict)
	}
}

func TestExpandMeaning(t *testing.T) {
	dnswl, _ := DefaultCatalog().Lookup("list.dnswl.org")
	r := ReadCodes(dnswl, []netip.Addr{netip.MustParseAddr("127.0.15.3")})
	if r.Verdict != Allowlisted || len(r.Codes) != 1 || words(r.Codes[0].Meaning) != "allow-listed: category 15, trust high (3)" {
		t.Errorf("%+v", r)
	}
	r = ReadCodes(dnswl, []netip.Addr{netip.MustParseAddr("127.0.0.255")})
	if r.Verdict != Refused || !r.PublicResolver {
		t.Errorf("%+v", r)
	}
}

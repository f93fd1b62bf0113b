package dnsbl

import (
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
)

func TestAddrQueryName(t *testing.T) {
	tests := []struct {
		addr, zone, want string
	}{
		{"192.0.2.99", "zen.spamhaus.org", "99.2.0.192.zen.spamhaus.org."},
		{"203.0.113.7", "bl.example", "7.113.0.203.bl.example."},
		{"2001:db8::1", "bl.example", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example."},
		{"2001:DB8:1:2:3:4:567:89AB", "bl.example", "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.bl.example."},
		// RFC 5782 §5 IPv6 test entry: the nibble name, never 2.0.0.127.
		{"::ffff:7f00:2", "bl.example", "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.example."},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			got := AddrQueryName(netip.MustParseAddr(tt.addr), tt.zone)
			if got != tt.want {
				t.Errorf("got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// The pitfall the conformance README warns about: net.IP's To4 turns the
// IPv6 test entry into 127.0.0.2. Our names must not.
func TestIPv6TestEntryIsNotIPv4(t *testing.T) {
	if net.ParseIP("::ffff:7f00:2").To4() == nil {
		t.Fatal("premise: To4 of the mapped address is non-nil")
	}
	a := netip.MustParseAddr("::ffff:7f00:2")
	if KindOf(a) != KindIPv6 {
		t.Errorf("KindOf(%s) = %s, want ipv6", a, KindOf(a))
	}
	if a != TestListedIPv6 {
		t.Errorf("TestListedIPv6 = %s, want %s", TestListedIPv6, a)
	}
	if got := AddrQueryName(TestListedIPv6, "z.example"); strings.HasPrefix(got, "2.0.0.127.") || strings.Count(got, ".") != 34 {
		t.Errorf("IPv6 test name %s", got)
	}
	if TestNotListedIPv6.Unmap() != TestNotListedIPv4 {
		t.Errorf("TestNotListedIPv6 = %s, want the mapped 127.0.0.1 (not ::1)", TestNotListedIPv6)
	}
	// A user's mapped address is taken as the IPv4 it maps.
	if tg := AddressTarget(netip.MustParseAddr("::ffff:192.0.2.1")); tg.Kind() != KindIPv4 || tg.Addr.String() != "192.0.2.1" {
		t.Errorf("AddressTarget(::ffff:192.0.2.1) = %s %s", tg.Kind(), tg.Addr)
	}
}

func TestDomainQueryName(t *testing.T) {
	got, err := DomainQueryName("Shop.Example.", "dbl.example")
	if err != nil || got != "shop.example.dbl.example." {
		t.Errorf("got %q, %v", got, err)
	}
	long := strings.Repeat("a", 60) + "." + strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + "." + strings.Repeat("d", 60) + ".example" // 252 characters
	if _, err := DomainQueryName(long, "multi.uribl.com"); !errors.Is(err, ErrNameTooLong) {
		t.Errorf("long name: err = %v, want ErrNameTooLong", err)
	}
}

func TestTestProbes(t *testing.T) {
	l := &List{Zone: "dbl.example", Kinds: []Kind{KindDomain}}
	yes, no, ok := testProbes(l, KindDomain)
	if !ok || yes.qname != "test.dbl.example." || no.qname != "invalid.dbl.example." {
		t.Errorf("RFC defaults: %+v %+v %v", yes, no, ok)
	}
	l.Test = &Test{Listed: "dbltest.com"}
	yes, no, _ = testProbes(l, KindDomain)
	if yes.qname != "dbltest.com.dbl.example." || no.qname != "invalid.dbl.example." {
		t.Errorf("override: %+v %+v", yes, no)
	}
	l.Test = &Test{Skip: true}
	if _, _, ok := testProbes(l, KindDomain); ok {
		t.Error("skip ignored")
	}
	ip := &List{Zone: "bl.example"}
	yes, no, _ = testProbes(ip, KindIPv4)
	if yes.qname != "2.0.0.127.bl.example." || no.qname != "1.0.0.127.bl.example." {
		t.Errorf("ipv4: %+v %+v", yes, no)
	}
	yes, no, _ = testProbes(ip, KindIPv6)
	if !strings.HasPrefix(yes.qname, "2.0.0.0.0.0.f.7.f.f.f.f.") || !strings.HasPrefix(no.qname, "1.0.0.0.0.0.f.7.f.f.f.f.") {
		t.Errorf("ipv6: %+v %+v", yes, no)
	}
}

func TestReserved(t *testing.T) {
	tests := []struct {
		addr     string
		reserved bool
	}{
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"172.32.0.1", false},
		{"192.168.1.1", true},
		{"127.0.0.2", true},
		{"100.64.0.1", true},
		{"100.128.0.1", false},
		{"169.254.1.1", true},
		{"192.0.2.1", true},
		{"198.51.100.1", true},
		{"203.0.113.1", true},
		{"198.18.0.1", true},
		{"224.0.0.1", true},
		{"255.255.255.255", true},
		{"0.1.2.3", true},
		{"8.8.8.8", false},
		{"81.2.69.160", false},
		{"::1", true},
		{"::", true},
		{"fe80::1", true},
		{"fd00::1", true},
		{"2001:db8::1", true},
		{"::ffff:8.8.8.8", true},
		{"ff02::1", true},
		{"2a00:1450:4001:80b::200e", false},
	}
	for _, tt := range tests {
		why, got := Reserved(netip.MustParseAddr(tt.addr))
		if got != tt.reserved {
			t.Errorf("Reserved(%s) = %v (%s), want %v", tt.addr, got, why, tt.reserved)
		}
		if got && (why.Key == "" || words(why) == why.Key) {
			t.Errorf("Reserved(%s): no reason", tt.addr)
		}
	}
}

func TestPublicResolver(t *testing.T) {
	tests := []struct {
		server string
		public bool
	}{
		{"8.8.8.8:53", true},
		{"1.1.1.1", true},
		{"[2606:4700:4700::1111]:53", true},
		{"9.9.9.9:53", true},
		{"127.0.0.1:53", false},
		{"192.0.2.53:53", false},
		{"resolver.example:53", false},
		{"", false},
	}
	for _, tt := range tests {
		name, got := PublicResolver(tt.server)
		if got != tt.public || (got && name == "") {
			t.Errorf("PublicResolver(%q) = %q, %v; want %v", tt.server, name, got, tt.public)
		}
	}
}

package dnsname

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in, ascii, unicode string
	}{
		{"shop.example", "shop.example", "shop.example"},
		{"Shop.Example.", "shop.example", "shop.example"},
		{"  shop.example ", "shop.example", "shop.example"},
		{"bücher.example", "xn--bcher-kva.example", "bücher.example"},
		{"xn--bcher-kva.example", "xn--bcher-kva.example", "bücher.example"},
		{"BÜCHER.example", "xn--bcher-kva.example", "bücher.example"},
		{"_dmarc.shop.example", "_dmarc.shop.example", "_dmarc.shop.example"},
		{strings.Repeat("a", 63) + ".example", strings.Repeat("a", 63) + ".example", strings.Repeat("a", 63) + ".example"},
	}
	for _, tt := range tests {
		d, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if d.String() != tt.ascii || d.Unicode() != tt.unicode || d.FQDN() != tt.ascii+"." {
			t.Errorf("Parse(%q) = %q / %q", tt.in, d.String(), d.Unicode())
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrEmpty},
		{".", ErrEmpty},
		{"localhost", ErrSingleLabel},
		{"192.0.2.1", ErrIPAddress},
		{"192.0.2.1.", ErrIPAddress},
		{"b\xfccher.example", ErrInvalid},
		{"[2001:db8::1]", ErrIPAddress},
		{"a..example", ErrEmptyLabel},
		{strings.Repeat("a", 64) + ".example", ErrLabelLength},
		{strings.Repeat("abcdefghi.", 26) + "example", ErrTooLong},
		{strings.Repeat("x", 5000), ErrTooLong},
		{"shop example.test", ErrInvalid},
		{"shop;example.test", ErrInvalid},
		{"192.0.2.300", ErrNotIPv4},
		{"999.1.1.1", ErrNotIPv4},
		{"192.0.2.300.", ErrNotIPv4},
		{"1.2", ErrNotIPv4},
		{"shop.123", ErrNumericTLD},
		{"2.300", ErrNotIPv4},
		{"shop.example/cart", ErrInvalid},
		{"shop.example:443", ErrInvalid},
		{"*.shop.example", ErrInvalid},
	}
	for _, tt := range tests {
		if _, err := Parse(tt.in); !errors.Is(err, tt.want) {
			t.Errorf("Parse(%.30q): %v, want %v", tt.in, err, tt.want)
		}
	}
}

func TestNavigation(t *testing.T) {
	d := MustParse("a.b.shop.example")
	if p, ok := d.Parent(); !ok || p.String() != "b.shop.example" {
		t.Errorf("Parent: %v", p)
	}
	if _, ok := MustParse("example").Parent(); ok {
		t.Error("a TLD has no parent")
	}
	if d.Suffix(2).String() != "shop.example" || d.Suffix(9).String() != d.String() || d.NumLabels() != 4 {
		t.Error("Suffix/NumLabels")
	}
	c, err := d.Child("_dmarc")
	if err != nil || c.String() != "_dmarc.a.b.shop.example" {
		t.Errorf("Child: %v %v", c, err)
	}
	if _, err := d.Child(strings.Repeat("x", 64)); err == nil {
		t.Error("Child accepted a 64-octet label")
	}
	if !d.IsSubdomainOf(MustParse("shop.example")) || MustParse("notshop.example").IsSubdomainOf(MustParse("shop.example")) {
		t.Error("IsSubdomainOf")
	}
}

func TestOrganizationalPSL(t *testing.T) {
	for in, want := range map[string]string{
		"mail.shop.example.co.uk": "example.co.uk",
		"a.b.shop.fr":             "shop.fr",
		"shop.fr":                 "shop.fr",
		"co.uk":                   "co.uk",
		"x.y.shop.example":        "shop.example", // unlisted TLD: the default rule "*"
	} {
		if got := OrganizationalPSL(MustParse(in)).String(); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

// FuzzParse: no panic, and a parsed name parses again to itself.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"shop.example", "bücher.example", "_dmarc.x.example.", "a..b", "xn--", "1.2.3.4", "ﬁ.example", "\x00.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(d.String())
		if err != nil || !again.Equal(d) {
			t.Fatalf("%q -> %q -> %v %v", s, d, again, err)
		}
		if len(d.String()) > MaxNameLength {
			t.Fatalf("%q: %d characters", d, len(d.String()))
		}
	})
}

// A Domain keeps its name in FQDN form: the zero value and the edges of
// that form (a top-level name, the root) behave as the methods say.
func TestFQDNForm(t *testing.T) {
	var zero Domain
	if zero.String() != "" || zero.FQDN() != "." || !zero.IsZero() || zero.NumLabels() != 0 || zero.Labels() != nil {
		t.Errorf("zero value: %q %q %v %d %v", zero.String(), zero.FQDN(), zero.IsZero(), zero.NumLabels(), zero.Labels())
	}
	if _, err := zero.Child("_dmarc"); err == nil {
		t.Error("a child of the empty name is refused (empty label)")
	}
	if _, ok := zero.Parent(); ok {
		t.Error("the empty name has no parent")
	}
	d := MustParse("Mail.Shop.Example.")
	if d.String() != "mail.shop.example" || d.FQDN() != "mail.shop.example." || d.NumLabels() != 3 {
		t.Errorf("%q %q %d", d.String(), d.FQDN(), d.NumLabels())
	}
	c, err := d.Child("S1._DomainKey.")
	if err != nil || c.FQDN() != "s1._domainkey.mail.shop.example." || c.String() != "s1._domainkey.mail.shop.example" {
		t.Errorf("child %q %q %v", c.String(), c.FQDN(), err)
	}
	if _, err := d.Child(strings.Repeat("a", 64)); err == nil || !errors.Is(err, ErrLabelLength) {
		t.Errorf("a 64-octet label: %v", err)
	}
	if _, err := d.Child("a..b"); err == nil || !errors.Is(err, ErrEmptyLabel) {
		t.Errorf("an empty label: %v", err)
	}
	tld := MustParse("example")
	if _, ok := tld.Parent(); ok {
		t.Error("a top-level name has no parent")
	}
	if !d.IsSubdomainOf(MustParse("shop.example")) || !d.IsSubdomainOf(d) || d.IsSubdomainOf(MustParse("hop.example")) ||
		d.IsSubdomainOf(zero) || !zero.IsSubdomainOf(zero) || MustParse("shop.example").IsSubdomainOf(d) {
		t.Error("IsSubdomainOf")
	}
	if !d.Equal(MustParse("mail.shop.example")) || d != MustParse("mail.shop.example.") {
		t.Error("the same name parsed with and without its dot is one value")
	}
	if s := d.Suffix(2); s.FQDN() != "shop.example." || s.String() != "shop.example" {
		t.Errorf("suffix %q", s.FQDN())
	}
	if o := OrganizationalPSL(d); o.FQDN() != "shop.example." || o != MustParse("shop.example") {
		t.Errorf("organizational %q", o.FQDN())
	}
	if u := MustParse("_dmarc.xn--bcher-kva.example").Unicode(); u != "_dmarc.xn--bcher-kva.example" {
		t.Errorf("a name IDNA's display profile refuses is shown as it is: %q", u)
	}
}

// FQDN and String are free: the form is kept, not made per call.
func TestFQDNAllocations(t *testing.T) {
	d := MustParse("shop.example")
	if n := testing.AllocsPerRun(100, func() { _, _, _ = d.FQDN(), d.String(), d.Unicode() }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

// A canonical name with its trailing dot (as DNS data gives names) is
// parsed without a copy.
func TestParseCanonicalFQDN(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _, _ = ParseAny("mx1.shop.example.") }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

// IsIPAddress is netip.ParseAddr's verdict, and costs nothing for a name.
func TestIsIPAddress(t *testing.T) {
	for _, s := range []string{"192.0.2.1", "192.0.2.300", "::1", "2001:db8::1", "fe80::1%eth0", "::ffff:192.0.2.1",
		"1.2.3", "01.2.3.4", "shop.example", "mx1.shop.example.", "", ".", "1.2.3.4%eth0", "[::1]", "0x7f.1.1.1", "١٢٣.1.1.1"} {
		_, err := netip.ParseAddr(s)
		if got := IsIPAddress(s); got != (err == nil) {
			t.Errorf("IsIPAddress(%q) = %v, ParseAddr says %v", s, got, err)
		}
	}
	if n := testing.AllocsPerRun(100, func() { IsIPAddress("mx1.shop.example") }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

package dnsname

import (
	"errors"
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

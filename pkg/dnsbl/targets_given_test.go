package dnsbl

import (
	"net/netip"
	"testing"
)

func TestAddGiven(t *testing.T) {
	g := Gathered{Targets: []Target{
		{Domain: "shop.example", Roles: []string{RoleDomain}},
		{Addr: netip.MustParseAddr("192.0.2.25"), Roles: []string{RoleMX}},
	}}
	g.AddGiven([]netip.Addr{netip.MustParseAddr("192.0.2.25"), netip.MustParseAddr("::ffff:198.51.100.7"), netip.MustParseAddr("10.0.0.1")})
	if len(g.Targets) != 4 {
		t.Fatalf("targets %+v", g.Targets)
	}
	if !g.Targets[1].Given() || !g.Targets[1].has(RoleMX) {
		t.Errorf("the MX address named with --ip keeps its role and gains given: %+v", g.Targets[1])
	}
	if g.Targets[2].Addr.String() != "198.51.100.7" || !g.Targets[2].Given() {
		t.Errorf("mapped address not unmapped: %+v", g.Targets[2])
	}
	if g.Targets[3].Addr.String() != "10.0.0.1" {
		t.Errorf("a named private address is still queried: %+v", g.Targets[3])
	}
}

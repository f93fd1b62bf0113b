package rdns

import (
	"context"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/miekg/dns"
)

func server(t *testing.T) *dnstest.Server {
	files, _ := filepath.Glob("../../testdata/zones/mx-*.zone")
	var opts []dnstest.Option
	for _, f := range files {
		opts = append(opts, dnstest.ZoneFile(f))
	}
	srv := dnstest.Start(t, opts...)
	srv.SetFault("6.100.51.198.in-addr.arpa.", dns.TypePTR, dnstest.ServFail)
	srv.SetFault("slow.ptr.example.", dns.TypeA, dnstest.ServFail)
	return srv
}

func TestCheck(t *testing.T) {
	srv := server(t)
	env := check.Env{Resolver: srv.Resolver(t)}
	tests := []struct {
		name    string
		targets []Target
		want    []string
		sev     report.Severity // of the first finding, when set
		status  report.Status
		fcrdns  bool
	}{
		{"confirmed IPv4", []Target{{Addr: netip.MustParseAddr("192.0.2.10"), Role: RoleSending}}, nil, "", report.StatusPass, true},
		{"confirmed IPv6", []Target{{Addr: netip.MustParseAddr("2001:db8:1::25"), Role: RoleSending}}, nil, "", report.StatusPass, true},
		{"no PTR", []Target{{Addr: netip.MustParseAddr("198.51.100.1"), Role: RoleSending}}, []string{"ptr.missing"}, report.High, report.StatusFail, false},
		{"no PTR, MX only", []Target{{Addr: netip.MustParseAddr("198.51.100.1"), Role: RoleMX, Host: "mx.ptr.example"}}, []string{"ptr.missing"}, report.Medium, report.StatusWarn, false},
		{"PTR does not confirm", []Target{{Addr: netip.MustParseAddr("198.51.100.2"), Role: RoleSending}}, []string{"ptr.not_fcrdns"}, report.High, report.StatusFail, false},
		{"PTR name does not exist", []Target{{Addr: netip.MustParseAddr("198.51.100.5"), Role: RoleSending}}, []string{"ptr.not_fcrdns"}, report.High, report.StatusFail, false},
		{"two PTR names, first confirms", []Target{{Addr: netip.MustParseAddr("198.51.100.3"), Role: RoleSending}}, []string{"ptr.multiple"}, report.Low, report.StatusWarn, true},
		{"generic name", []Target{{Addr: netip.MustParseAddr("198.51.100.4"), Role: RoleSending}}, []string{"ptr.generic"}, report.Medium, report.StatusWarn, true},
		{"PTR SERVFAIL", []Target{{Addr: netip.MustParseAddr("198.51.100.6"), Role: RoleSending}}, []string{"ptr.dns.temperror"}, "", report.StatusUnknown, false},
		{"forward SERVFAIL", []Target{{Addr: netip.MustParseAddr("198.51.100.7"), Role: RoleSending}}, []string{"ptr.dns.temperror"}, "", report.StatusUnknown, false},
		{"same address as MX and sender keeps sender severity", []Target{
			{Addr: netip.MustParseAddr("198.51.100.2"), Role: RoleMX, Host: "mail.ptr.example"},
			{Addr: netip.MustParseAddr("198.51.100.2"), Role: RoleSending},
		}, []string{"ptr.not_fcrdns"}, report.High, report.StatusFail, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sec := Check(context.Background(), env, dnsname.MustParse("ptr.example"), Options{Targets: tt.targets})
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
			if tt.sev != "" && len(sec.Findings) > 0 && sec.Findings[0].Severity != tt.sev {
				t.Errorf("severity = %s, want %s", sec.Findings[0].Severity, tt.sev)
			}
			if sec.Status != tt.status {
				t.Errorf("status = %s, want %s", sec.Status, tt.status)
			}
			d := sec.Data.(*Data)
			if len(d.Addrs) != 1 || d.Addrs[0].FCrDNS != tt.fcrdns {
				t.Errorf("data = %+v, want one address with fcrdns %v", d.Addrs, tt.fcrdns)
			}
		})
	}
}

func TestNoTargetsIsSkipped(t *testing.T) {
	srv := server(t)
	sec := Check(context.Background(), check.Env{Resolver: srv.Resolver(t)}, dnsname.MustParse("ptr.example"), Options{})
	if sec.Status != report.StatusSkipped || len(sec.Findings) != 0 || srv.Queries() != 0 {
		t.Errorf("status %s, %d findings, %d queries", sec.Status, len(sec.Findings), srv.Queries())
	}
}

func TestGeneric(t *testing.T) {
	tests := []struct {
		name, addr string
		generic    bool
	}{
		{"mail.shop.example", "192.0.2.1", false},
		{"mx1.shop.example", "192.0.2.10", false},
		{"4-100-51-198.dsl.isp.example", "198.51.100.4", true},
		{"198-51-100-4.static.isp.example", "198.51.100.4", true},
		{"ec2-198-51-100-4.compute-1.amazonaws.example", "198.51.100.4", true},
		{"static.4.100.51.198.clients.your-server.example", "198.51.100.4", true},
		{"host198051100004.isp.example", "198.51.100.4", true},
		{"c6336404.isp.example", "198.51.100.4", true},
		{"pool-71-2-3-4.isp.example", "203.0.113.9", true},
		{"adsl123.isp.example", "203.0.113.9", true},
		{"mail.dsl-provider.example", "203.0.113.9", false},
		{"smtp-out-4.shop.example", "198.51.100.4", false},
		{"2001-db8--25.v6.isp.example", "2001:db8::25", true},
		{"mail6.shop.example", "2001:db8::25", false},
	}
	for _, tt := range tests {
		if got := !Generic(tt.name, netip.MustParseAddr(tt.addr)).IsZero(); got != tt.generic {
			t.Errorf("Generic(%q, %s) = %v, want %v", tt.name, tt.addr, got, tt.generic)
		}
	}
}

// TestWords words findings in English and French from the catalogs: the
// variant of an address that only receives, and the heuristic's reason.
func TestWords(t *testing.T) {
	srv := server(t)
	env := check.Env{Resolver: srv.Resolver(t)}
	sec := Check(context.Background(), env, dnsname.MustParse("ptr.example"), Options{Targets: []Target{
		{Addr: netip.MustParseAddr("198.51.100.1"), Role: RoleMX, Host: "mx.ptr.example"},
		{Addr: netip.MustParseAddr("198.51.100.4"), Role: RoleSending},
	}})
	fr := i18n.For(i18n.French)
	frSec := sec
	frSec.Findings = slices.Clone(sec.Findings)
	fr.LocalizeSection(&frSec)
	en := i18n.For(i18n.English)
	en.LocalizeSection(&sec)
	if m := append(fr.Missing(), en.Missing()...); len(m) > 0 {
		t.Fatalf("missing messages: %v", m)
	}
	byID := map[string][2]report.Finding{}
	for i, f := range sec.Findings {
		byID[f.ID] = [2]report.Finding{f, frSec.Findings[i]}
	}
	miss := byID["ptr.missing"]
	if miss[0].Variant != "receiving" || !strings.Contains(miss[0].Detail, "198.51.100.1 (MX mx.ptr.example) has no PTR record") ||
		!strings.Contains(miss[0].Detail, "only receives mail here") {
		t.Errorf("ptr.missing in English: %+v", miss[0])
	}
	if !strings.Contains(miss[1].Detail, "198.51.100.1 (MX mx.ptr.example) n'a pas d'enregistrement PTR") ||
		miss[1].Title != "L'adresse n'a pas de DNS inverse (PTR)" {
		t.Errorf("ptr.missing in French: %+v", miss[1])
	}
	if g := byID["ptr.generic"]; !strings.Contains(g[1].Detail, "qui reprend l'adresse 198.51.100.4") && !strings.Contains(g[1].Detail, "qui contient «\u00a0") {
		t.Errorf("ptr.generic in French: %+v", g[1])
	}
	if s := frSec.Summary.String(); s != "DNS inverse confirmé pour 1 des 2 adresses" {
		t.Errorf("French summary %q", s)
	}
}

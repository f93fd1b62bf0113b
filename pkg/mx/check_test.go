package mx

import (
	"context"
	"fmt"
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

func zones() []dnstest.Option {
	files, _ := filepath.Glob("../../testdata/zones/mx-*.zone")
	var opts []dnstest.Option
	for _, f := range files {
		opts = append(opts, dnstest.ZoneFile(f))
	}
	return opts
}

func ids(fs []report.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	slices.Sort(out)
	return out
}

func TestCheck(t *testing.T) {
	srv := dnstest.Start(t, zones()...)
	env := check.Env{Resolver: srv.Resolver(t)}
	tests := []struct {
		domain  string
		opts    Options
		want    []string
		status  report.Status
		sev     map[string]report.Severity
		hosts   []string
		addrsOf map[string][]string
	}{
		{
			domain: "shop.example", status: report.StatusPass,
			hosts:   []string{"mx1.shop.example", "mx2.shop.example"},
			addrsOf: map[string][]string{"mx1.shop.example": {"192.0.2.10", "2001:db8::10"}, "mx2.shop.example": {"192.0.2.20"}},
		},
		{
			domain: "parked.example", want: []string{"mx.null"}, status: report.StatusPass,
			sev: map[string]report.Severity{"mx.null": report.Info},
		},
		{
			domain: "parked.example", opts: Options{Sending: true}, want: []string{"mx.null"}, status: report.StatusFail,
			sev: map[string]report.Severity{"mx.null": report.High},
		},
		{
			domain: "news.example", want: []string{"mx.null"}, status: report.StatusFail,
			sev: map[string]report.Severity{"mx.null": report.High},
		},
		{
			domain: "mixed.example", want: []string{"mx.null_mixed"}, status: report.StatusFail,
			hosts: []string{"mail.mixed.example"},
		},
		{
			domain: "implicit.example", want: []string{"mx.missing"}, status: report.StatusWarn,
			sev:     map[string]report.Severity{"mx.missing": report.Medium},
			hosts:   []string{"implicit.example"},
			addrsOf: map[string][]string{"implicit.example": {"192.0.2.70"}},
		},
		{
			domain: "dead.implicit.example", want: []string{"mx.missing"}, status: report.StatusFail,
			sev: map[string]report.Severity{"mx.missing": report.High},
		},
		{
			domain: "nowhere.implicit.example", want: []string{"mx.missing"}, status: report.StatusFail,
			sev: map[string]report.Severity{"mx.missing": report.High},
		},
		{
			domain: "broken.example", status: report.StatusFail,
			want:    []string{"mx.target_bogon", "mx.target_cname", "mx.target_ip_literal", "mx.target_no_address"},
			hosts:   []string{"alias.broken.example", "192.0.2.1", "gone.broken.example", "internal.broken.example"},
			addrsOf: map[string][]string{"alias.broken.example": {"192.0.2.80"}, "internal.broken.example": {"10.1.2.3", "::1"}},
		},
		{
			domain: "single.example", want: []string{"mx.single"}, status: report.StatusPass,
		},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			sec := Check(context.Background(), env, dnsname.MustParse(tt.domain), tt.opts)
			if got := ids(sec.Findings); !slices.Equal(got, tt.want) {
				t.Errorf("findings = %v, want %v", got, tt.want)
				for _, f := range sec.Findings {
					t.Logf("  %s %s: %s", f.ID, f.Severity, f.Detail)
				}
			}
			if sec.Status != tt.status {
				t.Errorf("status = %s, want %s", sec.Status, tt.status)
			}
			for _, f := range sec.Findings {
				if want, ok := tt.sev[f.ID]; ok && f.Severity != want {
					t.Errorf("%s severity = %s, want %s", f.ID, f.Severity, want)
				}
			}
			res := sec.Data.(*Result)
			if tt.hosts != nil && !slices.Equal(res.HostNames(), tt.hosts) {
				t.Errorf("hosts = %v, want %v", res.HostNames(), tt.hosts)
			}
			for _, h := range res.Hosts {
				want, ok := tt.addrsOf[h.Name]
				if !ok {
					continue
				}
				var got []string
				for _, a := range h.Addrs {
					got = append(got, a.String())
				}
				if !slices.Equal(got, want) {
					t.Errorf("addresses of %s = %v, want %v", h.Name, got, want)
				}
			}
		})
	}
}

func TestBogonDetail(t *testing.T) {
	srv := dnstest.Start(t, zones()...)
	sec := Check(context.Background(), check.Env{Resolver: srv.Resolver(t)}, dnsname.MustParse("broken.example"), Options{})
	fr := sec
	fr.Findings = slices.Clone(sec.Findings)
	i18n.For(i18n.English).LocalizeSection(&sec)
	i18n.For(i18n.French).LocalizeSection(&fr)
	for _, f := range fr.Findings {
		if f.ID == "mx.target_bogon" && !strings.Contains(f.Detail, "10.1.2.3 est une adresse privée (RFC 1918)") {
			t.Errorf("French bogon detail = %q", f.Detail)
		}
	}
	for _, f := range sec.Findings {
		if f.ID == "mx.target_bogon" && !(strings.Contains(f.Detail, "10.1.2.3 is private") && strings.Contains(f.Detail, "::1 is loopback")) {
			t.Errorf("bogon detail = %q", f.Detail)
		}
		if f.ID == "mx.target_cname" && !strings.Contains(f.Detail, "real.broken.example") {
			t.Errorf("cname detail = %q", f.Detail)
		}
	}
}

func TestDNSFailureIsUnknown(t *testing.T) {
	tests := []struct {
		name   string
		qname  string
		qtype  uint16
		fault  dnstest.Fault
		want   []string
		status report.Status
	}{
		{"MX SERVFAIL", "shop.example.", dns.TypeMX, dnstest.ServFail, []string{"mx.dns.temperror"}, report.StatusUnknown},
		{"MX REFUSED", "shop.example.", dns.TypeMX, dnstest.Refused, []string{"mx.dns.temperror"}, report.StatusUnknown},
		// One host's addresses failing is not "no address"; the other host still counts.
		{"host SERVFAIL", "mx2.shop.example.", 0, dnstest.ServFail, []string{"mx.dns.temperror"}, report.StatusUnknown},
		// AAAA failing while A answers: the host has an address, nothing to report.
		{"AAAA SERVFAIL", "mx2.shop.example.", dns.TypeAAAA, dnstest.ServFail, nil, report.StatusPass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dnstest.Start(t, zones()...)
			srv.SetFault(tt.qname, tt.qtype, tt.fault)
			sec := Check(context.Background(), check.Env{Resolver: srv.Resolver(t)}, dnsname.MustParse("shop.example"), Options{})
			if got := ids(sec.Findings); !slices.Equal(got, tt.want) {
				t.Errorf("findings = %v, want %v", got, tt.want)
			}
			if sec.Status != tt.status {
				t.Errorf("status = %s, want %s", sec.Status, tt.status)
			}
		})
	}
}

func TestBogon(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"10.0.0.1", true}, {"172.31.255.255", true}, {"172.32.0.1", false}, {"192.168.1.1", true},
		{"127.0.0.1", true}, {"100.64.0.1", true}, {"169.254.1.1", true}, {"0.1.2.3", true},
		{"224.0.0.5", true}, {"255.255.255.255", true}, {"198.18.0.1", true},
		{"8.8.8.8", false}, {"192.0.2.1", false}, {"2001:db8::1", false},
		{"::1", true}, {"fe80::1", true}, {"fd00::1", true}, {"::ffff:10.0.0.1", true}, {"2a00:1450::1", false},
	}
	for _, tt := range tests {
		if got := Bogon(netip.MustParseAddr(tt.addr)) != ""; got != tt.want {
			t.Errorf("Bogon(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

// More MX hosts than MaxHosts: the report says how many were not checked.
func TestManyMXHostsSaysHowManyUnchecked(t *testing.T) {
	var b strings.Builder
	b.WriteString("$ORIGIN many.example.\n")
	for i := range 25 {
		fmt.Fprintf(&b, "@ MX %d mx%02d\nmx%02d A 192.0.2.%d\n", i, i, i, i+1)
	}
	srv := dnstest.Start(t, dnstest.ZoneText("many.example.", b.String()))
	sec := Check(context.Background(), check.Env{Resolver: srv.Resolver(t)}, dnsname.MustParse("many.example"), Options{})
	i18n.For(i18n.English).LocalizeSection(&sec)
	res := sec.Data.(*Result)
	if len(res.Hosts) != MaxHosts || res.Omitted != 5 {
		t.Fatalf("%d hosts, %d omitted", len(res.Hosts), res.Omitted)
	}
	var found bool
	for _, f := range sec.Findings {
		if f.ID == "mx.hosts.unchecked" {
			found = true
			if !strings.Contains(f.Detail, "25 MX hosts") || !strings.Contains(f.Detail, "5 were not") {
				t.Errorf("detail %q", f.Detail)
			}
		}
	}
	if !found || !strings.Contains(sec.Summary.String(), "5 not checked") {
		t.Errorf("findings %v, summary %q", ids(sec.Findings), sec.Summary)
	}
}

package dnsbl

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/miekg/dns"
)

func TestSPFHostTerms(t *testing.T) {
	tests := []struct {
		record string
		want   []string // "mech addr|host|note"
	}{
		{"v=spf1 -all", nil},
		{"v=spf1 ip4:192.0.2.1 ip4:192.0.2.2/32 +ip6:2001:db8::1 ip6:2001:db8::2/128 ~all", []string{"ip4 192.0.2.1", "ip4 192.0.2.2", "ip6 2001:db8::1", "ip6 2001:db8::2"}},
		{"v=spf1 ip4:198.51.100.0/24 ip6:2001:db8::/32", []string{"ip4 note", "ip6 note"}},
		{"v=spf1 -ip4:192.0.2.1 ?a ~mx include:x.example redirect=y.example", nil},
		{"v=spf1 a mx a:Out.Shop.Example mx:mail.example/24 a/24 A", []string{"a shop.example", "mx shop.example", "a out.shop.example", "mx mail.example", "a shop.example", "a shop.example"}},
		{"v=spf1 a:%{i}.spf.example exists:%{i}.x.example", []string{"a note"}},
		{"v=spf1 ip4:999.1.1.1 ip4:2001:db8::1 ip6:192.0.2.1 a:bad..name", nil},
		{"V=SPF1 IP4:192.0.2.9", []string{"ip4 192.0.2.9"}},
	}
	for _, tt := range tests {
		t.Run(tt.record, func(t *testing.T) {
			var got []string
			for _, term := range spfHostTerms(tt.record, "shop.example") {
				switch {
				case term.addr.IsValid():
					got = append(got, term.mech+" "+term.addr.String())
				case term.note != "":
					got = append(got, term.mech+" note")
				default:
					got = append(got, term.mech+" "+term.host)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestGather(t *testing.T) {
	srv := startLists(t)
	env := envFor(t, srv)
	domain := dnsname.MustParse("mail.shop.example")

	t.Run("reserved addresses skipped", func(t *testing.T) {
		g := Gather(context.Background(), env, domain, false)
		if len(g.Targets) != 1 || g.Targets[0].Domain != "shop.example" || g.Targets[0].Kind() != KindDomain {
			t.Fatalf("targets %+v, want only the registrable domain", g.Targets)
		}
		if words(g.Targets[0].Label()) != "registrable domain of mail.shop.example" {
			t.Errorf("via %q", g.Targets[0].Via)
		}
		// mail.shop.example has no MX or SPF of its own.
		if len(g.Skipped) != 0 || len(g.Failures) != 0 {
			t.Errorf("skipped %+v failures %v", g.Skipped, g.Failures)
		}
		g = Gather(context.Background(), env, dnsname.MustParse("shop.example"), false)
		reasons := map[string]string{}
		for _, s := range g.Skipped {
			reasons[s.Address] = words(s.Reason)
		}
		want := map[string]string{
			"10.0.0.25":    "private (RFC 1918)",
			"192.0.2.1":    "documentation (RFC 5737)",
			"192.0.2.10":   "documentation (RFC 5737)",
			"192.0.2.99":   "documentation (RFC 5737)",
			"2001:db8::99": "documentation (RFC 3849)",
		}
		if fmt.Sprint(reasons) != fmt.Sprint(want) {
			t.Errorf("skipped %v\nwant %v", reasons, want)
		}
		if len(g.Targets) != 1 {
			t.Errorf("targets %+v", g.Targets)
		}
	})

	t.Run("reserved included", func(t *testing.T) {
		g := Gather(context.Background(), env, dnsname.MustParse("shop.example"), true)
		var got []string
		for _, tg := range g.Targets {
			got = append(got, tg.String()+" ["+strings.Join(tg.Roles, ",")+"] "+words(tg.Label()))
		}
		want := []string{
			"shop.example [domain] domain",
			"10.0.0.25 [mx,spf] MX mx2.shop.example, SPF mx",
			"192.0.2.1 [spf] SPF a:out.shop.example",
			"192.0.2.10 [mx,spf] MX mx1.shop.example, SPF mx",
			"192.0.2.99 [spf] SPF ip4:192.0.2.99",
			"2001:db8::99 [mx,spf] MX mx1.shop.example, SPF mx",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("targets\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		var notes []string
		for _, n := range g.Notes {
			notes = append(notes, words(n))
		}
		if !strings.Contains(strings.Join(notes, "\n"), "ip4:198.51.100.0/24 is a range") {
			t.Errorf("notes %q", g.Notes)
		}
		for _, q := range srv.Log() {
			if strings.Contains(q.Name, "provider.example") {
				t.Errorf("include followed: %s", q.Name)
			}
		}
	})

	t.Run("lookup failures", func(t *testing.T) {
		srv := startLists(t)
		srv.SetFault("shop.example.", dns.TypeMX, dnstest.ServFail)
		g := Gather(context.Background(), envFor(t, srv), dnsname.MustParse("shop.example"), true)
		// Both the domain's MX and the SPF mx term's MX lookup failed.
		if len(g.Failures) != 2 || !strings.Contains(strings.Join(wordsOf(g.Failures), "\n"), "MX shop.example: SERVFAIL") {
			t.Errorf("failures %q", g.Failures)
		}
		// The SPF-named hosts are still found.
		if len(g.Targets) < 3 {
			t.Errorf("targets %+v", g.Targets)
		}
	})
}

func TestCheckDomain(t *testing.T) {
	srv := startLists(t)
	opts := testOptions(t)
	opts.IncludeReserved = true
	sec := worded(Check(context.Background(), envFor(t, srv), dnsname.MustParse("shop.example"), opts))
	byID := findingsByID(sec)
	// 192.0.2.99 (SPF ip4) on major+minor+info; 192.0.2.10 (MX and SPF mx) on the
	// policy code, high because SPF names it as a sender; 2001:db8::99 on major.
	if n := len(byID["dnsbl.ip.listed.major"]); n != 2 {
		t.Errorf("%d major findings: %+v", n, byID["dnsbl.ip.listed.major"])
	}
	if f := byID["dnsbl.ip.listed.pbl"]; len(f) != 1 || f[0].Severity != report.High || !strings.Contains(f[0].Detail, "MX mx1.shop.example") {
		t.Errorf("pbl %+v", f)
	}
	if len(byID["dnsbl.domain.listed"]) != 0 || len(byID["dnsbl.targets.unknown"]) != 0 {
		t.Errorf("findings %+v", sec.Findings)
	}
	d := sec.Data.(Data)
	if len(d.Targets) != 6 || d.Targets[0].Target != "shop.example" || d.Targets[0].Status != StatusClean {
		t.Errorf("targets %+v", d.Targets)
	}
	if sec.Target != "shop.example" || len(sec.Display.Tables[0].Rows) != 6 {
		t.Errorf("target %q rows %d", sec.Target, len(sec.Display.Tables[0].Rows))
	}

	srv2 := startLists(t)
	srv2.SetFault("shop.example.", dns.TypeTXT, dnstest.ServFail)
	sec = worded(Check(context.Background(), envFor(t, srv2), dnsname.MustParse("shop.example"), testOptions(t)))
	if f := findingsByID(sec)["dnsbl.targets.unknown"]; len(f) != 1 || !strings.Contains(f[0].Detail, "TXT shop.example: SERVFAIL") {
		t.Errorf("targets.unknown %+v", f)
	}
	if sec.Status != report.StatusUnknown {
		t.Errorf("status %s, want unknown", sec.Status)
	}
	if d := sec.Data.(Data); len(d.Skipped) == 0 {
		t.Errorf("no skipped addresses: %+v", d)
	} else if !strings.Contains(fmt.Sprint(sec.Display.Facts), "10.0.0.25 (MX mx2.shop.example): private (RFC 1918)") {
		t.Errorf("facts %+v", sec.Display.Facts)
	}
}

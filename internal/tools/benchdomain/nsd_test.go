package main

import (
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/pkg/dnsbl"
	"github.com/miekg/dns"
)

// NSD takes one zone per file: each blocklist's zone must come out whole,
// with its own SOA and the $TTL the combined text gives before the first
// $ORIGIN, and parse as a zone of that origin.
func TestSplitOrigins(t *testing.T) {
	zones := splitOrigins(zoneText(writeLists, 1))
	want := 0
	for _, l := range dnsbl.DefaultCatalog().Lists {
		if l.Default {
			want++
			if _, ok := zones[l.Zone+"."]; !ok {
				t.Errorf("no zone for %s", l.Zone)
			}
		}
	}
	if len(zones) != want {
		t.Errorf("%d zones, want %d", len(zones), want)
	}
	for origin, text := range zones {
		if !strings.HasPrefix(text, "$TTL 3600\n$ORIGIN "+origin+"\n") {
			t.Errorf("%s: starts %q", origin, text[:min(len(text), 40)])
		}
		zp := dns.NewZoneParser(strings.NewReader(text), origin, "")
		soas := 0
		for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
			if !dns.IsSubDomain(origin, rr.Header().Name) {
				t.Errorf("%s holds %s", origin, rr.Header().Name)
			}
			if rr.Header().Rrtype == dns.TypeSOA {
				soas++
			}
		}
		if err := zp.Err(); err != nil {
			t.Errorf("%s: %v", origin, err)
		}
		if soas != 1 {
			t.Errorf("%s: %d SOA records", origin, soas)
		}
	}
}

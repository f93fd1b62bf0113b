package resolver_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// TXTRecords returns what TXTOf gives for each TXT record of an answer,
// in order, its strings apart and unescaped, and each record's strings its
// own: they share one array, and appending to one must not write into the
// next.
func TestTXTRecordsOfManyRecords(t *testing.T) {
	t.Parallel()
	_, got, want := txtRecordsServed(t, `@ TXT "v=spf1 " "-all"
@ TXT "quote \" and \092 backslash" "\255"
@ TXT "site-verification=abc"
`, 3)
	if s := got[1].Strings; s[0] != `quote " and \ backslash` || s[1] != "\xff" {
		t.Errorf("escapes: %q", s)
	}
	_ = append(got[0].Strings, "appended")
	if !reflect.DeepEqual(got[1], want[1]) {
		t.Errorf("appending to the first record's strings changed the second: %q", got[1].Strings)
	}
	if resolver.TXTRecords(resolver.Answer{}) != nil {
		t.Error("no records: want nil")
	}
}

// Without escapes the strings are the records' own: the same as TXTOf
// gives, and an append to one record's strings changes neither the record
// nor the next one's strings.
func TestTXTRecordsWithoutEscapes(t *testing.T) {
	t.Parallel()
	ans, got, want := txtRecordsServed(t, `@ TXT "v=spf1 " "-all"
@ TXT "site-verification=abc"
`, 2)
	for i := range got {
		_ = append(got[i].Strings, "appended")
	}
	again := resolver.TXTRecords(ans)
	if !reflect.DeepEqual(again, want) || !reflect.DeepEqual(got, want) {
		t.Errorf("appending to the strings changed the records: %q, %q", again, got)
	}
}

// txtRecordsServed serves records (of txt.example) and returns the answer
// of n TXT records to a lookup, its TXTRecords, and what TXTOf gives for
// each record; it fails unless the last two agree.
func txtRecordsServed(t *testing.T, records string, n int) (ans resolver.Answer, got, want []resolver.TXT) {
	t.Helper()
	srv := dnstest.Start(t, dnstest.ZoneText("txt.example.", "@ SOA ns. h. 1 1 1 1 60\n"+records))
	ans, err := srv.Resolver(t).Lookup(context.Background(), "txt.example", dns.TypeTXT)
	if err != nil || len(ans.RRs) != n {
		t.Fatalf("Lookup = %d records, %v", len(ans.RRs), err)
	}
	got = resolver.TXTRecords(ans)
	for _, rr := range ans.RRs {
		want = append(want, resolver.TXTOf(rr.(*dns.TXT).Txt))
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("TXTRecords = %q\nwant (TXTOf each) %q", got, want)
	}
	return ans, got, want
}

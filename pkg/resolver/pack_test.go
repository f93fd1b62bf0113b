package resolver

import (
	"bytes"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// packQuery writes what dns.Msg.Pack writes, for every query shape the
// client sends and a few it falls back on.
func TestPackQueryMatchesPack(t *testing.T) {
	names := []string{
		"example.", "s1._domainkey.d1.bench.example.", "_dmarc.EXAMPLE.org.",
		"a.b.c.d.e.f.g.h.example.", "_25._tcp.mx.example.", "xn--bcher-kva.example.",
		`we\.ird.example.`, `a\032b.example.`, "63-" + string(bytes.Repeat([]byte("x"), 60)) + ".example.",
	}
	for _, name := range names {
		for _, qtype := range []uint16{dns.TypeTXT, dns.TypeMX, dns.TypeDNSKEY} {
			for _, variant := range []func(*dns.Msg){
				func(q *dns.Msg) { q.RecursionDesired = true; q.AuthenticatedData = true; q.SetEdns0(1232, false) },
				func(q *dns.Msg) { q.RecursionDesired = true; q.CheckingDisabled = true; q.SetEdns0(1232, true) },
				func(q *dns.Msg) { q.SetEdns0(4096, true) },
				func(q *dns.Msg) { q.Id = 0xbeef; q.RecursionDesired = true; q.SetEdns0(512, false) },
				func(q *dns.Msg) { q.RecursionDesired = true }, // no OPT: Pack
			} {
				q := &dns.Msg{Question: []dns.Question{{Name: name, Qtype: qtype, Qclass: dns.ClassINET}}}
				variant(q)
				want, err := q.Pack()
				if err != nil {
					t.Fatalf("%s: Pack: %v", name, err)
				}
				got, err := packQuery(q)
				if err != nil {
					t.Fatalf("%s: packQuery: %v", name, err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s %s: packQuery\n%x\nwant\n%x", name, TypeString(qtype), got, want)
				}
			}
		}
	}
}

func BenchmarkPackQuery(b *testing.B) {
	q := &dns.Msg{Question: []dns.Question{{Name: "selector1._domainkey.d123.bench.example.", Qtype: dns.TypeTXT, Qclass: dns.ClassINET}}}
	q.RecursionDesired, q.AuthenticatedData = true, true
	q.SetEdns0(1232, false)
	b.Run("packQuery", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = packQuery(q)
		}
	})
	b.Run("Pack", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = q.Pack()
		}
	})
}

// QueryDNSSEC's direct query (RD, CD as asked, DO via optDO) is the
// message it would build and Pack.
func TestAppendQueryDNSSECMatchesPack(t *testing.T) {
	for _, cd := range []bool{false, true} {
		q := &dns.Msg{Question: []dns.Question{{Name: "example.", Qtype: dns.TypeDNSKEY, Qclass: dns.ClassINET}}}
		q.RecursionDesired, q.CheckingDisabled = true, cd
		q.SetEdns0(1232, true)
		want, err := q.Pack()
		if err != nil {
			t.Fatal(err)
		}
		flags := uint16(flagRD)
		if cd {
			flags |= flagCD
		}
		got, ok := appendQuery(nil, 0, "example.", dns.TypeDNSKEY, dns.ClassINET, flags, 1232, optDO)
		if !ok || !bytes.Equal(got, want) {
			t.Errorf("cd=%v: appendQuery\n%x\nwant\n%x", cd, got, want)
		}
	}
}

// Canonical's ASCII path gives exactly what dns.CanonicalName gives.
func TestCanonicalMatchesDNS(t *testing.T) {
	for _, name := range []string{
		"", ".", "example", "example.", "EXAMPLE.org", "Mixed.Case.Example.", " spaced.example \t",
		`esc\.`, `esc\\.`, `esc\\\.`, `a\065b.example`, "a..b", "xn--bcher-kva.example",
		"bücher.example", "B\xffad.example", "\xff", "_dmarc.Example.COM", "UPPER",
	} {
		want := dns.CanonicalName(strings.TrimSpace(name))
		if got := Canonical(name); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", name, got, want)
		}
	}
}

func BenchmarkCanonical(b *testing.B) {
	for _, f := range []struct {
		name string
		fn   func(string) string
	}{
		{"Canonical", Canonical},
		{"dns.CanonicalName", func(s string) string { return dns.CanonicalName(strings.TrimSpace(s)) }},
	} {
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = f.fn("selector1._domainkey.d123.bench.example.")
				_ = f.fn("_dmarc.D123.bench.example")
			}
		})
	}
}

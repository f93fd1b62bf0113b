package resolver_test

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// sameAsUnpack parses wire with both parsers and fails unless they agree:
// a reflect.DeepEqual message where dns.Msg.Unpack succeeds, the same
// error where it fails, and a fast path that never accepts what Unpack
// rejects. It reports whether the fast path took the message.
func sameAsUnpack(t testing.TB, wire []byte) bool {
	t.Helper()
	want := new(dns.Msg)
	werr := want.Unpack(wire)
	got, gerr := resolver.UnpackReply(wire)
	fast := resolver.FastUnpack(wire)
	switch {
	case werr != nil:
		if gerr == nil || gerr.Error() != werr.Error() {
			t.Fatalf("% x\nUnpack: %v\nunpackReply: %v", wire, werr, gerr)
		}
		if got != nil || fast != nil {
			t.Fatalf("% x\nUnpack failed (%v), the fast path did not:\n%v", wire, werr, fast)
		}
	case gerr != nil:
		t.Fatalf("% x\nUnpack succeeded, unpackReply: %v", wire, gerr)
	case !reflect.DeepEqual(got, want):
		t.Fatalf("% x\nunpackReply:\n%#v\nUnpack:\n%#v", wire, got, want)
	case fast != nil && !reflect.DeepEqual(fast, want):
		t.Fatalf("% x\nfast path:\n%#v\nUnpack:\n%#v", wire, fast, want)
	case len(want.Question) == 1:
		sameAsked(t, wire, want)
	}
	return fast != nil
}

// sameAsked checks the UDP pool's parser, which is told the name asked:
// the same message whether the reply repeats that name (the question then
// holds the asker's string itself, not a copy), repeats it in another
// case, or names another.
func sameAsked(t testing.TB, wire []byte, want *dns.Msg) {
	t.Helper()
	qname := want.Question[0].Name
	for _, asked := range []string{strings.Clone(qname), strings.ToUpper(qname), "other.example."} {
		got, err := resolver.UnpackReplyTo(wire, asked)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("% x asked %q\nunpackReplyTo (%v):\n%#v\nUnpack:\n%#v", wire, asked, err, got, want)
		}
		if fast := resolver.FastUnpack(wire); fast != nil && asked == qname && qname != "." && unsafe.StringData(got.Question[0].Name) != unsafe.StringData(asked) {
			t.Fatalf("% x: the question's name is a copy of the name asked", wire)
		}
	}
}

// servedZone has a record of each type the checks ask for, an alias
// chain, names that need escapes and a TXT record in many strings.
const servedZone = `$ORIGIN parse.example.
$TTL 300
@        SOA   ns1.parse.example. hostmaster.parse.example. 7 3600 600 86400 300
@        NS    ns1
@        NS    ns2.elsewhere.example.
@        MX    10 mx1
@        MX    20 mx2.elsewhere.example.
@        TXT   "v=spf1 include:_spf.parse.example" " ~all"
@        CAA   0 issue "ca.example"
mx1      A     192.0.2.1
mx1      A     192.0.2.2
mx1      AAAA  2001:db8::1
s1._domainkey TXT "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwhateverwhateverwhateverwhateverwhateverwhateverwhateverwhateverwhateverwhateverwhateverwhateverwhateverwhateverwhateverwhateverwhateverwhateverwhateverwhateverwhateverwhatever" "IDAQAB"
many     TXT   "a" "b" "c" "" "e"
quoted   TXT   "say \"hi\" \\ back" "\007bell"
empty    TXT   ""
hop1     CNAME hop2
hop2     CNAME mx1
_mta-sts TXT   "v=STSv1; id=20260101000000"
esc\.aped A    192.0.2.9
srv      SRV   0 5 25 mx1
ptr      PTR   mx1
`

// served returns real replies of the loopback server (miekg/dns packing,
// with compression) to the questions, asked with EDNS0 and DO.
func served(t testing.TB, qs []dns.Question, opts ...dnstest.Option) [][]byte {
	t.Helper()
	srv := dnstest.Start(t, opts...)
	conn, err := net.Dial("udp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var out [][]byte
	buf := make([]byte, 65535)
	for i, q := range qs {
		m := new(dns.Msg)
		m.SetQuestion(q.Name, q.Qtype)
		m.Id = uint16(i + 1)
		m.SetEdns0(4096, true)
		wire, err := m.Pack()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Write(wire); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("%s %s: %v", q.Name, dns.TypeToString[q.Qtype], err)
		}
		out = append(out, append([]byte(nil), buf[:n]...))
	}
	return out
}

// servedReplies are the loopback server's replies to the questions the
// checks ask, and some they rarely do, each named "name TYPE".
func servedReplies(t testing.TB) (replies [][]byte, names []string) {
	t.Helper()
	qs := []dns.Question{
		{Name: "s2._domainkey.parse.example.", Qtype: dns.TypeTXT}, // NXDOMAIN and SOA
		{Name: "parse.example.", Qtype: dns.TypeMX},
		{Name: "parse.example.", Qtype: dns.TypeTXT},
		{Name: "parse.example.", Qtype: dns.TypeNS},
		{Name: "parse.example.", Qtype: dns.TypeSOA},
		{Name: "parse.example.", Qtype: dns.TypeCAA},
		{Name: "mx1.parse.example.", Qtype: dns.TypeA},
		{Name: "MX1.Parse.Example.", Qtype: dns.TypeAAAA}, // 0x20 case
		{Name: "mx1.parse.example.", Qtype: dns.TypeTXT},  // NODATA and SOA
		{Name: "s1._domainkey.parse.example.", Qtype: dns.TypeTXT},
		{Name: "many.parse.example.", Qtype: dns.TypeTXT},
		{Name: "quoted.parse.example.", Qtype: dns.TypeTXT},
		{Name: "empty.parse.example.", Qtype: dns.TypeTXT},
		{Name: "hop1.parse.example.", Qtype: dns.TypeA},
		{Name: "_mta-sts.parse.example.", Qtype: dns.TypeTXT},
		{Name: `esc\.aped.parse.example.`, Qtype: dns.TypeA},
		{Name: "srv.parse.example.", Qtype: dns.TypeSRV},
		{Name: "ptr.parse.example.", Qtype: dns.TypePTR},
		{Name: "elsewhere.invalid.", Qtype: dns.TypeA}, // REFUSED
		{Name: "shop.example.", Qtype: dns.TypeMX},     // signed: RRSIG
		{Name: "shop.example.", Qtype: dns.TypeDNSKEY},
		{Name: "nope.shop.example.", Qtype: dns.TypeA}, // NSEC denial
		{Name: "nsec3.example.", Qtype: dns.TypeTXT},
		{Name: "nope.nsec3.example.", Qtype: dns.TypeTXT}, // NSEC3 denial
	}
	signed := dnstest.Sign(t, "shop.example.", "@ SOA ns.shop.example. h.shop.example. 1 3600 600 86400 300\n@ MX 10 mx.shop.example.\nmx A 192.0.2.7\n", dnstest.SignOptions{})
	nsec3 := dnstest.Sign(t, "nsec3.example.", "@ SOA ns.nsec3.example. h.nsec3.example. 1 3600 600 86400 300\n@ TXT \"v=spf1 -all\"\n",
		dnstest.SignOptions{NSEC3: &dns.NSEC3PARAM{Iterations: 0, Salt: "-"}})
	replies = served(t, qs,
		dnstest.ZoneText("parse.example.", servedZone),
		dnstest.ZoneText(signed.Origin, signed.Text),
		dnstest.ZoneText(nsec3.Origin, nsec3.Text))
	for _, q := range qs {
		names = append(names, q.Name+" "+dns.TypeToString[q.Qtype])
	}
	return replies, names
}

// TestUnpackReplyServed: real replies parse as Unpack parses them, and
// the common ones without the fallback.
func TestUnpackReplyServed(t *testing.T) {
	replies, names := servedReplies(t)
	slow := map[string]bool{ // names that need escapes: left to Unpack
		`esc\.aped.parse.example. A`: true,
	}
	for i, wire := range replies {
		if fast := sameAsUnpack(t, wire); fast == slow[names[i]] {
			t.Errorf("%s: fast path %v, want %v", names[i], fast, !slow[names[i]])
		}
	}
	// The NXDOMAIN reply carries the zone's SOA in the authority section.
	m, err := resolver.UnpackReply(replies[0])
	if err != nil || m.Rcode != dns.RcodeNameError || len(m.Ns) != 1 || m.Ns[0].Header().Rrtype != dns.TypeSOA || m.IsEdns0() == nil {
		t.Fatalf("NXDOMAIN reply: %v %v", m, err)
	}
}

// crafted are messages no well-behaved server sends, each next to what
// the fast path must do with it.
func crafted(t testing.TB) map[string][]byte {
	t.Helper()
	pack := func(m *dns.Msg) []byte {
		m.Compress = true
		wire, err := m.Pack()
		if err != nil {
			t.Fatal(err)
		}
		return wire
	}
	rr := func(s string) dns.RR {
		r, err := dns.NewRR(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	reply := func(name string, qtype uint16, rrs ...string) *dns.Msg {
		m := new(dns.Msg)
		m.SetQuestion(name, qtype)
		m.Response = true
		for _, s := range rrs {
			m.Answer = append(m.Answer, rr(s))
		}
		return m
	}
	nx := reply("x._domainkey.a.example.", dns.TypeTXT)
	nx.Rcode = dns.RcodeNameError
	nx.Ns = []dns.RR{rr("a.example. 300 IN SOA ns1.a.example. hostmaster.a.example. 1 2 3 4 5")}
	nx.SetEdns0(1232, false)
	nxWire := pack(nx)

	badvers := reply("a.example.", dns.TypeA)
	badvers.SetEdns0(1232, true)
	opt := badvers.IsEdns0()
	opt.SetExtendedRcode(dns.RcodeBadVers)
	opt.Option = append(opt.Option, &dns.EDNS0_NSID{Code: dns.EDNS0NSID, Nsid: "6e73"},
		&dns.EDNS0_COOKIE{Code: dns.EDNS0COOKIE, Cookie: "0102030405060708"})

	mx := reply("a.example.", dns.TypeMX, "a.example. 60 IN MX 10 mx.a.example.", "a.example. 60 IN MX 20 mx.b.example.")
	mx.Extra = []dns.RR{rr("mx.a.example. 60 IN A 192.0.2.1"), rr("mx.a.example. 60 IN AAAA 2001:db8::1"), rr("mx.b.example. 60 IN A 192.0.2.2")}
	mx.SetEdns0(1232, false)

	cname := reply("www.a.example.", dns.TypeA, "www.a.example. 60 IN CNAME h1.a.example.", "h1.a.example. 60 IN CNAME h2.b.example.", "h2.b.example. 60 IN A 192.0.2.3")
	sec := reply("a.example.", dns.TypeMX, "a.example. 60 IN MX 10 mx.a.example.",
		"a.example. 60 IN RRSIG MX 13 2 60 20360101000000 20260101000000 12345 a.example. dGVzdHNpZ25hdHVyZQ==")
	sec.Ns = []dns.RR{rr("a.example. 60 IN NSEC b.example. MX RRSIG NSEC"), rr("a.example. 60 IN DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")}
	unknown := reply("a.example.", 65280, `a.example. 60 IN TYPE65280 \# 3 010203`)
	empties := reply("a.example.", dns.TypeA)
	empties.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: "a.example.", Rrtype: dns.TypeA, Class: dns.ClassINET}}}
	upper := reply("A.Example.", dns.TypeTXT, `a.example. 60 IN TXT "lower"`)
	root := reply(".", dns.TypeNS, ". 60 IN NS a.root-servers.net.")
	long := reply(strings.Repeat("a", 63)+"."+strings.Repeat("b", 63)+"."+strings.Repeat("c", 63)+"."+strings.Repeat("d", 61)+".", dns.TypeA)
	escaped := reply("a.example.", dns.TypeMX, `a.example. 60 IN MX 10 m\032x.a.example.`)
	big := reply("big.example.", dns.TypeA)
	for i := range 9 {
		big.Answer = append(big.Answer, &dns.A{Hdr: dns.RR_Header{Name: "big.example.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 1}, A: net.IPv4(192, 0, 2, byte(i))})
	}
	split := reply("a.example.", dns.TypeTXT, `a.example. 60 IN TXT "`+strings.Repeat("k", 255)+`" "`+strings.Repeat("y", 100)+`"`)

	out := map[string][]byte{
		"nxdomain":      nxWire,
		"badvers+opts":  pack(badvers),
		"mx+glue":       pack(mx),
		"cname chain":   pack(cname),
		"dnssec":        pack(sec),
		"unknown type":  pack(unknown),
		"empty rdata":   pack(empties),
		"0x20 question": pack(upper),
		"root":          pack(root),
		"longest name":  pack(long),
		"escaped name":  pack(escaped),
		"nine answers":  pack(big),
		"txt split":     pack(split),
		"header only":   nxWire[:12],
		"cut in name":   nxWire[:20],
		"cut in type":   nxWire[:12+len("x._domainkey.a.example.")+2],
		"no records":    nxWire[:12+len("x._domainkey.a.example.")+5],
		"cut in rr":     nxWire[:len(nxWire)-20],
		"cut in rdata":  nxWire[:len(nxWire)-12],
		"trailing junk": append(append([]byte(nil), nxWire...), 1, 2, 3),
	}
	// Header counts that lie, both ways (RFC 1035 §4.1.1: QDCOUNT at
	// octet 4, ANCOUNT 6, NSCOUNT 8, ARCOUNT 10).
	for _, c := range []struct {
		name  string
		at    int
		count uint16
	}{
		{"ancount lies up", 6, 3}, {"arcount lies down", 10, 0}, {"nscount 65535", 8, 0xffff},
		{"qdcount 2", 4, 2}, {"qdcount 0", 4, 0},
	} {
		lie := append([]byte(nil), nxWire...)
		binary.BigEndian.PutUint16(lie[c.at:], c.count)
		out[c.name] = lie
	}
	// A name that is a pointer to itself, one that points forward, and the
	// reserved label types 0x40 and 0x80 (RFC 6891 §5).
	loop := []byte{0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1}
	out["pointer loop"] = loop
	fwd := []byte{0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 18, 0, 1, 0, 1, 1, 'a', 0}
	out["pointer forward"] = fwd
	out["label 0x40"] = []byte{0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 'a', 0, 0, 1, 0, 1}
	out["label 0x80"] = []byte{0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0x81, 'a', 0, 0, 1, 0, 1}
	// Rdata shorter or longer than its type: an A of 5 octets, an MX of
	// just a preference (Unpack accepts it), a SOA without its numbers.
	a5 := []byte{0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0, 1,
		0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 5, 1, 2, 3, 4, 5}
	out["a of 5"] = a5
	mx2 := []byte{0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, 'a', 0, 0, 15, 0, 1,
		0xC0, 12, 0, 15, 0, 1, 0, 0, 0, 60, 0, 2, 0, 10}
	out["mx preference only"] = mx2
	soa := []byte{0, 1, 0x81, 0x83, 0, 1, 0, 0, 0, 1, 0, 0, 1, 'a', 0, 0, 16, 0, 1,
		0xC0, 12, 0, 6, 0, 1, 0, 0, 0, 60, 0, 4, 0xC0, 12, 0xC0, 12}
	out["soa without numbers"] = soa
	// A pointer in rdata past the record's end, and one into it.
	past := []byte{0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, 'a', 0, 0, 5, 0, 1,
		0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xC0, 33, 1, 'b', 0}
	out["rdata pointer past end"] = past
	soa16 := []byte{0, 1, 0x81, 0x83, 0, 1, 0, 0, 0, 1, 0, 0, 1, 'a', 0, 0, 16, 0, 1,
		0xC0, 12, 0, 6, 0, 1, 0, 0, 0, 60, 0, 20, 0xC0, 12, 0xC0, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	out["soa of 16 numbers"] = soa16
	// Each header bit alone (QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode).
	for bit := range 16 {
		flags := append([]byte(nil), nxWire...)
		binary.BigEndian.PutUint16(flags[2:], 1<<bit)
		out[fmt.Sprintf("flag bit %d", bit)] = flags
	}
	txtOver := []byte{0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, 'a', 0, 0, 16, 0, 1,
		0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, 3, 5, 'a', 'b'}
	out["txt string overruns"] = txtOver
	return out
}

// TestUnpackReplyCrafted: odd and hostile messages get Unpack's result
// or its error; the well-formed ones take the fast path.
func TestUnpackReplyCrafted(t *testing.T) {
	fastWanted := map[string]bool{
		"nxdomain": true, "badvers+opts": true, "mx+glue": true, "cname chain": true,
		"dnssec": true, "unknown type": true, "empty rdata": true, "0x20 question": true,
		"root": true, "longest name": true, "nine answers": true, "txt split": true,
		"trailing junk": true, "arcount lies down": true, "rdata pointer past end": false,
	}
	for name, wire := range crafted(t) {
		t.Run(name, func(t *testing.T) {
			if fast := sameAsUnpack(t, wire); (fastWanted[name] || strings.HasPrefix(name, "flag bit")) && !fast {
				t.Errorf("left to Unpack")
			}
		})
	}
}

// TestUnpackReplyOwnRecords: two parses of one reply share no record (a
// cache lowering one's TTL must not touch the other) and a section can be
// appended to without writing into the next.
func TestUnpackReplyOwnRecords(t *testing.T) {
	wire := crafted(t)["mx+glue"]
	m1, err1 := resolver.UnpackReply(wire)
	m2, err2 := resolver.UnpackReply(wire)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	m1.Answer[0].Header().Ttl = 1
	m1.Extra[0].(*dns.A).A[3] = 99
	if m2.Answer[0].Header().Ttl != 60 || m2.Extra[0].(*dns.A).A[3] != 1 {
		t.Fatalf("records shared between messages: %v", m2)
	}
	nx := crafted(t)["nxdomain"]
	n1, _ := resolver.UnpackReply(nx)
	n2, _ := resolver.UnpackReply(nx)
	if n1.Ns[0] == n2.Ns[0] || n1.IsEdns0() == n2.IsEdns0() {
		t.Fatal("SOA or OPT record shared between messages")
	}
	n1.Ns[0].Header().Ttl = 1
	if n2.Ns[0].Header().Ttl != 300 {
		t.Fatal("SOA TTL shared between messages")
	}
	// A lone answer shares its record's allocation: appending to the
	// section must leave the record whole.
	one, _ := resolver.UnpackReply(crafted(t)["txt split"])
	txt := one.Answer[0].(*dns.TXT)
	one.Answer = append(one.Answer, m1.Answer...)
	if one.Answer[0] != dns.RR(txt) || len(txt.Txt) != 2 || txt.Hdr.Rrtype != dns.TypeTXT {
		t.Fatalf("appending to a lone answer broke it: %v", one.Answer[0])
	}
	extra0 := m1.Extra[0]
	m1.Ns = append(m1.Ns, m1.Answer...)
	m1.Answer = append(m1.Answer, m1.Answer[0])
	if m1.Extra[0] != extra0 {
		t.Fatal("appending to a section overwrote the next")
	}
}

// FuzzUnpackReply compares both parsers on any input, from real replies
// and the crafted ones.
func FuzzUnpackReply(f *testing.F) {
	replies, _ := servedReplies(f)
	for _, wire := range replies {
		f.Add(wire)
	}
	for _, wire := range crafted(f) {
		f.Add(wire)
	}
	f.Fuzz(func(t *testing.T, wire []byte) {
		sameAsUnpack(t, wire)
	})
}

// BenchmarkUnpackReply parses a bulk run's commonest replies with
// dns.Msg.Unpack and with unpackReply.
func BenchmarkUnpackReply(b *testing.B) {
	replies, _ := servedReplies(b)
	kinds := []struct {
		name string
		wire []byte
	}{
		{"nxdomain", replies[0]},
		{"mx", replies[1]},
		{"txt-spf", replies[2]},
		{"a", replies[6]},
		{"txt-dkim", replies[9]},
	}
	for _, k := range kinds {
		b.Run(k.name+"/miekg", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m := new(dns.Msg)
				if err := m.Unpack(k.wire); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(k.name+"/fast", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := resolver.UnpackReply(k.wire); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestExchangeTCP: over TCP the reply is what dns.Client's exchange gets,
// a reply to another ID is dns.ErrId, and one that does not parse is
// Unpack's error.
func TestExchangeTCP(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("parse.example.", servedZone))
	c := &dns.Client{Net: "tcp", Timeout: 5 * time.Second}
	for _, q := range []dns.Question{
		{Name: "s1._domainkey.parse.example.", Qtype: dns.TypeTXT},
		{Name: "nope.parse.example.", Qtype: dns.TypeTXT},
		{Name: "parse.example.", Qtype: dns.TypeMX},
	} {
		m := new(dns.Msg)
		m.SetQuestion(q.Name, q.Qtype)
		m.SetEdns0(1232, false)
		got, err := resolver.ExchangeTCP(t.Context(), c, m, srv.Addr)
		if err != nil {
			t.Fatal(err)
		}
		want, _, err := c.ExchangeContext(t.Context(), m, srv.Addr)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: exchangeTCP\n%v\ndns.Client\n%v", q.Name, got, want)
		}
	}

	// A server that answers each query with reply(query).
	serveTCP := func(reply func(q []byte) []byte) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				var l [2]byte
				q := make([]byte, 512)
				if _, err := io.ReadFull(conn, l[:]); err == nil {
					q = q[:binary.BigEndian.Uint16(l[:])]
					if _, err := io.ReadFull(conn, q); err == nil {
						r := reply(q)
						binary.BigEndian.PutUint16(l[:], uint16(len(r)))
						_, _ = conn.Write(append(l[:], r...))
					}
				}
				conn.Close()
			}
		}()
		return ln.Addr().String()
	}
	m := new(dns.Msg)
	m.SetQuestion("parse.example.", dns.TypeA)
	otherID := serveTCP(func(q []byte) []byte {
		q[0] ^= 0xff
		q[2] |= 0x80
		return q
	})
	if _, err := resolver.ExchangeTCP(t.Context(), c, m, otherID); err != dns.ErrId {
		t.Errorf("reply to another ID: %v, want dns.ErrId", err)
	}
	garbage := serveTCP(func(q []byte) []byte {
		binary.BigEndian.PutUint16(q[6:], 1) // an answer that is not there
		return append(q, 0xC0)
	})
	_, err := resolver.ExchangeTCP(t.Context(), c, m, garbage)
	_, _, want := c.ExchangeContext(t.Context(), m, garbage)
	if err == nil || want == nil || err.Error() != want.Error() {
		t.Errorf("garbage reply: %v, dns.Client: %v", err, want)
	}
}

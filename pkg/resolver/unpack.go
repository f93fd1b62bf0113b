package resolver

import (
	"encoding/binary"
	"hash/maphash"
	"sync"

	"github.com/miekg/dns"
)

// unpackReply parses a DNS message exactly as (*dns.Msg).Unpack does, with
// far fewer allocations: parsing replies was a third of a bulk run's
// allocations (about 16 objects a reply: the Msg, a slice per section
// grown by append, a string per name, the records). Here the Msg, its
// question, its authority and additional sections when small, its OPT
// record and a negative answer's SOA share one allocation; a lone answer
// shares its record's; a name equal to the end of the question name (the
// owner of an answer, the zone of an NXDOMAIN's SOA) is a substring of it;
// the other names come from a small run-wide table of immutable strings;
// A, AAAA and TXT records carry their data in their own allocation. Every
// record is still its own, per message: callers and caches change TTLs in
// place. (A negative reply's authority section kept by the shared cache,
// as QueryDNSSEC's Reply.Authority, keeps its block: about 400 octets for
// each of at most DefaultSharedEntries answers.)
//
// Anything unusual (a name needing escapes, counts that lie, a record cut
// short, any error) is parsed again by Msg.Unpack, whose result and error
// are then returned: the fast path only ever succeeds where Unpack
// succeeds, with a reflect.DeepEqual result (see FuzzUnpackReply).
func unpackReply(wire []byte) (*dns.Msg, error) {
	m, _, err := unpackReplyTo(wire, "")
	return m, err
}

// unpackReplyTo is unpackReply for a reply to a query for asked: a
// question that repeats it octet for octet has asked as its name, not a
// copy (a string per reply less; the UDP pool knows each pending query's
// name). b is the message's block when the fast path made it, for
// release once nothing refers to the message.
func unpackReplyTo(wire []byte, asked string) (m *dns.Msg, b *replyBlock, err error) {
	if b := fastUnpack(wire, asked); b != nil {
		return &b.msg, b, nil
	}
	m = new(dns.Msg)
	if err := m.Unpack(wire); err != nil {
		return nil, nil, err
	}
	return m, nil, nil
}

// replyBlock is a Msg with room for one question, the records of its
// authority and additional sections when few, and an OPT record: an
// NXDOMAIN with its SOA and OPT takes one allocation (a negativeBlock)
// where Unpack made six. The answer section is not in it: the caches keep
// that section (recordsAt), and with it they would keep the whole block.
//
// Nothing of the answer section is in it (the OPT record is taken for the
// block from the other sections only), so that a lookup that keeps only
// the answer section (Answer.RRs) can release the block for the next
// reply: 36 blocks a domain, 11.6 KiB, were 9 % of a bulk run's
// allocated bytes.
//
// An authoritative server answers with its zone's NS record in the
// authority section and the name server's address in the additional one
// (NSD does): the first NS and the first A record of those sections live
// in the block too, two allocations a positive reply less.
type replyBlock struct {
	msg dns.Msg
	q   [1]dns.Question
	rrs [3]dns.RR
	opt dns.OPT // the first OPT record without options
	ns  dns.NS  // the first NS record of the other sections
	a   aRecord // the first A record of the other sections
	// neg is the negativeBlock this one is part of, if any (for release).
	neg *negativeBlock
}

// negativeBlock is a replyBlock for a reply without answers, with room
// for the SOA record that comes with a negative answer (RFC 2308 §3).
type negativeBlock struct {
	replyBlock
	soa dns.SOA
}

// replyBlocks and negativeBlocks recycle the blocks released (bounded
// free lists: see replyChans). A block is held from the reply's arrival
// until its lookup has read it; a batch holds its replies until the last
// one is in.
var (
	replyBlocks    = newFreeList(2*DefaultMaxInFlight, func() *replyBlock { return new(replyBlock) })
	negativeBlocks = newFreeList(2*DefaultMaxInFlight, func() *negativeBlock {
		nb := new(negativeBlock)
		nb.neg = nb
		return nb
	})
)

// release hands b back for another reply. The caller guarantees that
// nothing refers to b's message, its question or its other sections'
// records any more: only the answer section's records (and the slice
// holding them), which are not in b, may be kept. A nil b is a message
// that was not made in a block.
func (b *replyBlock) release() {
	switch {
	case b == nil:
	case b.neg != nil:
		nb := b.neg
		*nb = negativeBlock{}
		nb.neg = nb
		negativeBlocks.Put(nb)
	default:
		*b = replyBlock{}
		replyBlocks.Put(b)
	}
}

const (
	headerLen = 12
	// minRRLen is the smallest record on the wire: the root name, type,
	// class, TTL and RDLENGTH (RFC 1035 §4.1.3). A header counting more
	// records than the rest of the message can hold is lying.
	minRRLen = 11
	// maxNameLen bounds a name's presentation form without escapes: 255
	// wire octets (RFC 1035 §3.1) make at most 254 characters.
	maxNameLen = 255
	// maxPointers is miekg/dns's bound on compression pointers in one
	// name; past it the fast path gives up and Unpack reports the loop.
	maxPointers = (maxNameLen+1)/2 - 2
)

// fastUnpack returns the parsed message in its block, or nil when
// anything in it should go to Msg.Unpack instead. asked, when the
// question's name is that, is taken as it (see unpackReplyTo).
func fastUnpack(wire []byte, asked string) *replyBlock {
	if len(wire) < headerLen+5 {
		return nil
	}
	qd := binary.BigEndian.Uint16(wire[4:])
	an := int(binary.BigEndian.Uint16(wire[6:]))
	ns := int(binary.BigEndian.Uint16(wire[8:]))
	ar := int(binary.BigEndian.Uint16(wire[10:]))
	if qd != 1 {
		return nil
	}
	var b *replyBlock
	var soa *dns.SOA
	if an == 0 && ns > 0 {
		nb := negativeBlocks.Get()
		b, soa = &nb.replyBlock, &nb.soa
	} else {
		b = replyBlocks.Get()
	}
	if !b.parse(wire, asked, soa, an, ns, ar) {
		b.release() // referred to by nothing
		return nil
	}
	return b
}

// parse parses wire into b (see fastUnpack); soa is b's room for a SOA
// record, if any. It reports false when Msg.Unpack should have it.
func (b *replyBlock) parse(wire []byte, asked string, soa *dns.SOA, an, ns, ar int) bool {
	m := &b.msg
	setHeader(m, binary.BigEndian.Uint16(wire[0:]), binary.BigEndian.Uint16(wire[2:]))

	p := parser{wire: wire}
	n, off, ok := decodeName(wire, headerLen, &p.buf)
	if !ok || off+4 > len(wire) {
		return false
	}
	var qname string
	switch {
	case n == 0:
		qname = "."
	case string(p.buf[:n]) == asked: // no string made to compare
		qname = asked
	default:
		qname = string(p.buf[:n])
	}
	b.q[0] = dns.Question{
		Name:   qname,
		Qtype:  binary.BigEndian.Uint16(wire[off:]),
		Qclass: binary.BigEndian.Uint16(wire[off+2:]),
	}
	m.Question = b.q[:1:1]
	off += 4

	if an+ns+ar > (len(wire)-off)/minRRLen {
		return false
	}
	// The block's OPT record is for the other sections only (an OPT in
	// the answer section gets an allocation of its own): nothing of the
	// answer section is in the block (see replyBlock).
	p.qname, p.soa = qname, soa
	var answer, rest []dns.RR
	switch {
	case an == 1:
		// The commonest positive answer: the section's slice lives in
		// the record's allocation (the caches keep both or neither).
		p.wantSlot = true
		var rr dns.RR
		if rr, off = p.rr(off); rr == nil {
			return false
		}
		answer, p.wantSlot = p.slot, false
		if answer == nil {
			answer = make([]dns.RR, 1)
		}
		answer[0] = rr
	case an > 1:
		answer = make([]dns.RR, an)
		if off = p.rrs(off, answer); off < 0 {
			return false
		}
	}
	p.opt, p.ns, p.a = &b.opt, &b.ns, &b.a
	if ns+ar <= len(b.rrs) {
		rest = b.rrs[:ns+ar]
	} else {
		rest = make([]dns.RR, ns+ar)
	}
	if p.rrs(off, rest) < 0 {
		return false
	}
	m.Answer = answer
	m.Ns = section(rest, 0, ns)
	m.Extra = section(rest, ns, ar)
	// As Unpack: the OPT record's upper RCODE bits (RFC 6891 §6.1.3).
	if opt := m.IsEdns0(); opt != nil {
		m.Rcode |= opt.ExtendedRcode()
	}
	return true
}

// section is n records of rrs from i, nil when none (as Unpack leaves
// it), capped so that an append never writes into the next section.
func section(rrs []dns.RR, i, n int) []dns.RR {
	if n == 0 {
		return nil
	}
	return rrs[i : i+n : i+n]
}

// setHeader is the unexported Msg.setHdr of miekg/dns (RFC 1035 §4.1.1).
func setHeader(m *dns.Msg, id, bits uint16) {
	m.Id = id
	m.Response = bits&(1<<15) != 0
	m.Opcode = int(bits>>11) & 0xF
	m.Authoritative = bits&(1<<10) != 0
	m.Truncated = bits&(1<<9) != 0
	m.RecursionDesired = bits&(1<<8) != 0
	m.RecursionAvailable = bits&(1<<7) != 0
	m.Zero = bits&(1<<6) != 0
	m.AuthenticatedData = bits&(1<<5) != 0
	m.CheckingDisabled = bits&(1<<4) != 0
	m.Rcode = int(bits & 0xF)
}

// parser holds what the records of one message share.
type parser struct {
	wire  []byte
	qname string
	// opt, soa, ns and a are room for one record of their type in the
	// block, nil once used or when there is none (see replyBlock).
	opt *dns.OPT
	soa *dns.SOA
	ns  *dns.NS
	a   *aRecord
	// wantSlot asks the next record made here for room for the answer
	// section; slot is that room.
	wantSlot bool
	slot     []dns.RR
	buf      [maxNameLen]byte // the name being decoded
}

// rrs parses len(out) records from off into out and returns the offset
// after them, -1 when Unpack should have the whole message.
func (p *parser) rrs(off int, out []dns.RR) int {
	for i := range out {
		var rr dns.RR
		if rr, off = p.rr(off); rr == nil {
			return -1
		}
		out[i] = rr
	}
	return off
}

// slotted is a record with room for an answer section of just itself.
type slotted[T any] struct {
	rr   T
	slot [1]dns.RR
}

// newRecord returns room for a record: with the answer section's slot
// (p.slot) when p.wantSlot asks for it.
func newRecord[T any](p *parser) *T {
	if p.wantSlot {
		s := new(slotted[T])
		p.slot, p.wantSlot = s.slot[:], false
		return &s.rr
	}
	return new(T)
}

// Records with their data in their own allocation.
type (
	aRecord struct {
		rr dns.A
		ip [4]byte
	}
	aaaaRecord struct {
		rr dns.AAAA
		ip [16]byte
	}
	txtRecord struct {
		rr dns.TXT
		s  [txtStrings]string
	}
)

// rr parses the record at off and returns it with the offset after it;
// nil when Unpack should have the whole message.
func (p *parser) rr(off int) (dns.RR, int) {
	wire := p.wire
	owner, off, ok := p.name(wire, off)
	if !ok || off+10 > len(wire) {
		return nil, 0
	}
	h := dns.RR_Header{
		Name:     owner,
		Rrtype:   binary.BigEndian.Uint16(wire[off:]),
		Class:    binary.BigEndian.Uint16(wire[off+2:]),
		Ttl:      binary.BigEndian.Uint32(wire[off+4:]),
		Rdlength: binary.BigEndian.Uint16(wire[off+8:]),
	}
	off += 10
	end := off + int(h.Rdlength)
	if end > len(wire) {
		return nil, 0
	}
	// Unpack reads the rdata of a record from the message cut at its
	// end: a compression pointer past it is an error there too.
	rd := wire[:end]
	if h.Rdlength == 0 {
		// As UnpackRRWithHeader, whose header argument escapes (one
		// allocation more): the type's empty record, RFC 3597 for types
		// miekg/dns does not know. The OPT record of most replies.
		var rr dns.RR
		if h.Rrtype == dns.TypeOPT && p.opt != nil {
			*p.opt = dns.OPT{Hdr: h}
			rr, p.opt = p.opt, nil
		} else if newRR, ok := dns.TypeToRR[h.Rrtype]; ok {
			rr = newRR()
			*rr.Header() = h
		} else {
			rr = &dns.RFC3597{Hdr: h}
		}
		return rr, end
	}
	if rr := p.rdata(h, rd, off); rr != nil {
		return rr, end
	}
	rr, off1, err := dns.UnpackRRWithHeader(h, rd, off)
	if err != nil || off1 != end {
		return nil, 0
	}
	return rr, end
}

// rdata parses the rdata of the common types at off (ending at
// len(rd)), or returns nil for UnpackRRWithHeader to do it: any other
// type, and rdata that is not exactly what the type expects (which
// miekg/dns may accept cut short).
func (p *parser) rdata(h dns.RR_Header, rd []byte, off int) dns.RR {
	end := len(rd)
	switch h.Rrtype {
	case dns.TypeA:
		if end-off != 4 {
			return nil
		}
		r := p.a
		if r == nil {
			r = newRecord[aRecord](p)
		}
		p.a = nil
		copy(r.ip[:], rd[off:])
		r.rr = dns.A{Hdr: h, A: r.ip[:]}
		return &r.rr
	case dns.TypeAAAA:
		if end-off != 16 {
			return nil
		}
		r := newRecord[aaaaRecord](p)
		copy(r.ip[:], rd[off:])
		r.rr = dns.AAAA{Hdr: h, AAAA: r.ip[:]}
		return &r.rr
	case dns.TypeTXT:
		return p.txt(h, rd, off)
	case dns.TypeCNAME, dns.TypeNS, dns.TypePTR:
		target, off1, ok := p.name(rd, off)
		if !ok || off1 != end {
			return nil
		}
		switch h.Rrtype {
		case dns.TypeCNAME:
			r := newRecord[dns.CNAME](p)
			*r = dns.CNAME{Hdr: h, Target: target}
			return r
		case dns.TypeNS:
			r := p.ns
			if r == nil {
				r = newRecord[dns.NS](p)
			}
			p.ns = nil
			*r = dns.NS{Hdr: h, Ns: target}
			return r
		default:
			r := newRecord[dns.PTR](p)
			*r = dns.PTR{Hdr: h, Ptr: target}
			return r
		}
	case dns.TypeMX:
		if off+3 > end {
			return nil
		}
		pref := binary.BigEndian.Uint16(rd[off:])
		mx, off1, ok := p.name(rd, off+2)
		if !ok || off1 != end {
			return nil
		}
		r := newRecord[dns.MX](p)
		*r = dns.MX{Hdr: h, Preference: pref, Mx: mx}
		return r
	case dns.TypeSOA:
		ns, off, ok := p.name(rd, off)
		if !ok {
			return nil
		}
		mbox, off, ok := p.name(rd, off)
		if !ok || off+20 != end {
			return nil
		}
		r := p.soa
		if r == nil {
			r = new(dns.SOA)
		}
		p.soa = nil
		v := rd[off:]
		*r = dns.SOA{Hdr: h, Ns: ns, Mbox: mbox,
			Serial:  binary.BigEndian.Uint32(v[0:]),
			Refresh: binary.BigEndian.Uint32(v[4:]),
			Retry:   binary.BigEndian.Uint32(v[8:]),
			Expire:  binary.BigEndian.Uint32(v[12:]),
			Minttl:  binary.BigEndian.Uint32(v[16:]),
		}
		return r
	}
	return nil
}

// txtStrings is how many character-strings a TXT record holds in its own
// allocation: a DKIM key is two (RFC 6376 §3.6.2.2, 255 octets each).
const txtStrings = 2

// txt parses TXT rdata (RFC 1035 §3.3.14) whose strings need no escaping:
// the strings are substrings of one copy of the rdata.
func (p *parser) txt(h dns.RR_Header, rd []byte, off int) dns.RR {
	count := 0
	for i := off; i < len(rd); {
		l := int(rd[i])
		i++
		if i+l > len(rd) {
			return nil
		}
		for _, c := range rd[i : i+l] {
			// unpackString escapes these.
			if c == '"' || c == '\\' || c < ' ' || c > '~' {
				return nil
			}
		}
		i += l
		count++
	}
	r := newRecord[txtRecord](p)
	ss := r.s[:0:txtStrings]
	if count > txtStrings {
		ss = make([]string, 0, count)
	}
	all := string(rd[off:])
	for i := 0; i < len(all); {
		l := int(all[i])
		ss = append(ss, all[i+1:i+1+l])
		i += 1 + l
	}
	r.rr = dns.TXT{Hdr: h, Txt: ss}
	return &r.rr
}

// name decodes the name at off in msg: the question name or its end when
// the name is that, else a shared string.
func (p *parser) name(msg []byte, off int) (string, int, bool) {
	n, off, ok := decodeName(msg, off, &p.buf)
	if !ok {
		return "", 0, false
	}
	if n == 0 {
		return ".", off, true
	}
	b := p.buf[:n]
	if n <= len(p.qname) {
		if s := p.qname[len(p.qname)-n:]; s == string(b) {
			return s, off, true
		}
	}
	return names.get(b), off, true
}

// decodeName writes the presentation form of the name at off into buf
// (without its escapes: a name that needs one is left to miekg/dns) and
// returns its length and the offset after it (RFC 1035 §4.1.4). It fails
// on whatever dns.UnpackDomainName would reject, and on more.
func decodeName(msg []byte, off int, buf *[maxNameLen]byte) (n, next int, ok bool) {
	next = -1
	budget := maxNameLen
	pointers := 0
	for {
		if off >= len(msg) {
			return 0, 0, false
		}
		c := int(msg[off])
		off++
		switch c & 0xC0 {
		case 0x00:
			if c == 0 {
				if next < 0 {
					next = off
				}
				return n, next, true
			}
			if off+c > len(msg) {
				return 0, 0, false
			}
			if budget -= c + 1; budget <= 0 {
				return 0, 0, false
			}
			for _, b := range msg[off : off+c] {
				if b <= ' ' || b > '~' || special(b) {
					return 0, 0, false
				}
			}
			n += copy(buf[n:], msg[off:off+c])
			buf[n] = '.'
			n++
			off += c
		case 0xC0:
			if off >= len(msg) {
				return 0, 0, false
			}
			if next < 0 {
				next = off + 1
			}
			if pointers++; pointers > maxPointers {
				return 0, 0, false
			}
			off = (c&0x3F)<<8 | int(msg[off])
		default:
			return 0, 0, false
		}
	}
}

// special is what miekg/dns escapes with a backslash in a label.
func special(b byte) bool {
	switch b {
	case '.', ' ', '\'', '@', ';', '(', ')', '"', '\\':
		return true
	}
	return false
}

// names keeps the names found in records across replies: the 25 NXDOMAIN
// replies to a domain's DKIM guesses carry the same SOA, its MX hosts and
// CNAME targets come back in several answers. Strings are immutable, so
// sharing one between messages is safe. Direct-mapped and bounded (at
// most nameSlots names of up to 254 bytes: under 1 MiB, typically a tenth
// of that); a collision replaces the older name.
var names = newNameTable()

const (
	nameShards = 16
	nameSlots  = 2048 // in all
)

type nameTable struct {
	seed   maphash.Seed
	shards [nameShards]nameShard
}

type nameShard struct {
	mu    sync.Mutex
	slots [nameSlots / nameShards]string
}

func newNameTable() *nameTable { return &nameTable{seed: maphash.MakeSeed()} }

// get returns b as a string, the kept one when there is one.
func (t *nameTable) get(b []byte) string {
	h := maphash.Bytes(t.seed, b)
	sh := &t.shards[h%nameShards]
	i := (h / nameShards) % uint64(len(sh.slots))
	sh.mu.Lock()
	s := sh.slots[i]
	sh.mu.Unlock()
	if s == string(b) {
		return s
	}
	s = string(b)
	sh.mu.Lock()
	sh.slots[i] = s
	sh.mu.Unlock()
	return s
}

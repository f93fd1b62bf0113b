package resolver

import (
	"encoding/binary"
	"strings"

	"github.com/miekg/dns"
)

// packQuery returns q in wire form (RFC 1035 §4.1), ID left at zero for
// the UDP pool to fill in. A query is a header, one question and an OPT
// record (RFC 6891 §6.1.2); written directly it costs a fraction of
// dns.Msg.Pack, which sets up name compression for a message with a single
// name. Anything else (a name with escapes, EDNS options, more sections)
// goes through Pack, and the tests compare the two byte for byte.
func packQuery(q *dns.Msg) ([]byte, error) {
	opt := q.IsEdns0()
	if len(q.Question) != 1 || len(q.Answer) != 0 || len(q.Ns) != 0 || len(q.Extra) != 1 || opt == nil ||
		len(opt.Option) != 0 || opt.Hdr.Name != "." || q.Rcode != 0 || q.Opcode != dns.OpcodeQuery ||
		q.Response || q.Authoritative || q.Truncated || q.Zero || q.RecursionAvailable {
		return q.Pack()
	}
	var flags uint16
	if q.RecursionDesired {
		flags |= flagRD
	}
	if q.AuthenticatedData {
		flags |= flagAD
	}
	if q.CheckingDisabled {
		flags |= flagCD
	}
	buf, ok := appendQuery(nil, q.Id, q.Question[0].Name, q.Question[0].Qtype, q.Question[0].Qclass, flags, opt.Hdr.Class, opt.Hdr.Ttl)
	if !ok {
		return q.Pack()
	}
	return buf, nil
}

// wireBufs hold queries while they are sent: room for the longest name.
// (A free list, not a sync.Pool: see replyChans.)
var wireBufs = newFreeList(2*DefaultMaxInFlight, func() *[]byte {
	b := make([]byte, 0, 12+255+1+4+11)
	return &b
})

// Header flags of a query (RFC 1035 §4.1.1, RFC 4035 §3.2).
const (
	flagRD = 1 << 8
	flagAD = 1 << 5
	flagCD = 1 << 4
)

// optDO is the OPT record's TTL field with the DO bit set (RFC 3225 §3;
// RFC 6891 §6.1.3: extended RCODE and version zero).
const optDO = 1 << 15

// appendQuery appends a query for one question with an OPT record of
// payload size udpSize and TTL field optTTL (extended RCODE, version, DO)
// to buf, the way dns.Msg.Pack writes it. It reports false for a name it
// does not write itself (escapes, no trailing dot, an empty or long label):
// those go through Pack. The client calls it directly, so that a query
// costs one allocation instead of a dns.Msg, its question, its OPT record
// and the packed copy.
func appendQuery(buf []byte, id uint16, name string, qtype, qclass, flags, udpSize uint16, optTTL uint32) ([]byte, bool) {
	if strings.IndexByte(name, '\\') >= 0 || !strings.HasSuffix(name, ".") || name == "." || len(name) > 255 {
		return nil, false
	}
	if buf == nil {
		buf = make([]byte, 0, 12+len(name)+1+4+11)
	}
	start := len(buf)
	buf = append(buf, make([]byte, 12)...)
	h := buf[start:]
	binary.BigEndian.PutUint16(h[0:], id)
	binary.BigEndian.PutUint16(h[2:], flags)
	binary.BigEndian.PutUint16(h[4:], 1)  // QDCOUNT
	binary.BigEndian.PutUint16(h[10:], 1) // ARCOUNT: the OPT record
	for rest := name[:len(name)-1]; ; {
		label, tail, more := strings.Cut(rest, ".")
		if label == "" || len(label) > 63 {
			return nil, false
		}
		buf = append(buf, byte(len(label)))
		buf = append(buf, label...)
		if !more {
			break
		}
		rest = tail
	}
	buf = append(buf, 0)
	buf = binary.BigEndian.AppendUint16(buf, qtype)
	buf = binary.BigEndian.AppendUint16(buf, qclass)
	// OPT: root owner, type 41, class = UDP payload size, TTL = extended
	// RCODE, version and flags (DO), no RDATA.
	buf = append(buf, 0)
	buf = binary.BigEndian.AppendUint16(buf, dns.TypeOPT)
	buf = binary.BigEndian.AppendUint16(buf, udpSize)
	buf = binary.BigEndian.AppendUint32(buf, optTTL)
	buf = binary.BigEndian.AppendUint16(buf, 0)
	return buf, true
}

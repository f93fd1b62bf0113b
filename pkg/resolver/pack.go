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
	name := q.Question[0].Name
	if strings.IndexByte(name, '\\') >= 0 || !strings.HasSuffix(name, ".") || name == "." || len(name) > 255 {
		return q.Pack()
	}
	buf := make([]byte, 12, 12+len(name)+1+4+11)
	var flags uint16
	if q.RecursionDesired {
		flags |= 1 << 8
	}
	if q.AuthenticatedData {
		flags |= 1 << 5
	}
	if q.CheckingDisabled {
		flags |= 1 << 4
	}
	binary.BigEndian.PutUint16(buf[0:], q.Id)
	binary.BigEndian.PutUint16(buf[2:], flags)
	binary.BigEndian.PutUint16(buf[4:], 1)  // QDCOUNT
	binary.BigEndian.PutUint16(buf[10:], 1) // ARCOUNT: the OPT record
	for label := range strings.SplitSeq(strings.TrimSuffix(name, "."), ".") {
		if label == "" || len(label) > 63 {
			return q.Pack()
		}
		buf = append(buf, byte(len(label)))
		buf = append(buf, label...)
	}
	buf = append(buf, 0)
	buf = binary.BigEndian.AppendUint16(buf, q.Question[0].Qtype)
	buf = binary.BigEndian.AppendUint16(buf, q.Question[0].Qclass)
	// OPT: root owner, type 41, class = UDP payload size, TTL = extended
	// RCODE, version and flags (DO), no RDATA.
	buf = append(buf, 0)
	buf = binary.BigEndian.AppendUint16(buf, dns.TypeOPT)
	buf = binary.BigEndian.AppendUint16(buf, opt.Hdr.Class)
	buf = binary.BigEndian.AppendUint32(buf, opt.Hdr.Ttl)
	buf = binary.BigEndian.AppendUint16(buf, 0)
	return buf, nil
}

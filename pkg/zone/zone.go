// Package zone answers DNS questions authoritatively from BIND-format zone
// files (RFC 1035 §5), the way an authoritative server would: records, CNAME
// chains, wildcards (RFC 4592), NXDOMAIN for names that do not exist and
// NODATA (NOERROR, no answer, SOA in authority) for names that exist without
// the asked type (RFC 2308 §2). Names outside every loaded zone are REFUSED.
//
// It serves two masters: the offline --zone mode of the CLI (via
// resolver.Zones) and the loopback DNS server the tests use (internal/dnstest).
//
// A file may hold several zones: every SOA record starts one, and the file's
// origin (from $ORIGIN, or from a file name like "shop.example.zone") is a
// zone too. That lets one scenario file describe a domain and, say, the
// external DMARC report domain it points at.
package zone

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/miekg/dns"
)

// Limits that keep a hostile or mistaken zone file bounded in memory.
const (
	MaxRecords  = 100000
	MaxFileSize = 16 << 20
	// maxChase bounds CNAME chasing inside the data, as a server would.
	maxChase = 8
)

// Data is the merged content of one or more zone files.
type Data struct {
	names   map[string]map[uint16][]dns.RR // owner -> type -> records
	exists  map[string]bool                // owners and their ancestors inside a zone (empty non-terminals)
	apexes  map[string]*dns.SOA            // zone apex -> SOA for negative answers
	records int
}

// New returns empty data.
func New() *Data {
	return &Data{
		names:  map[string]map[uint16][]dns.RR{},
		exists: map[string]bool{},
		apexes: map[string]*dns.SOA{},
	}
}

// LoadFile parses one zone file into the data. The origin is the file's
// $ORIGIN, or else its base name without ".zone".
func (d *Data) LoadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return openError(path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return openError(path, err)
	}
	if st.IsDir() {
		return &FileError{File: path, Problem: ProblemDirectory}
	}
	if st.Size() > MaxFileSize {
		return &FileError{File: path, Problem: ProblemTooLarge, Size: st.Size(), Limit: MaxFileSize}
	}
	origin := strings.TrimSuffix(filepath.Base(path), ".zone")
	return d.Load(f, origin, path)
}

// openError is a file that cannot be opened or stat'ed: the cause without
// the *fs.PathError around it, which would name the file a second time.
func openError(path string, err error) *FileError {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &FileError{File: path, Problem: ProblemOpen, Err: err}
}

// Load parses zone text. origin is used for relative names until a $ORIGIN
// directive; file names the source in errors.
func (d *Data) Load(r io.Reader, origin, file string) error {
	origin = dns.Fqdn(strings.ToLower(origin))
	if _, ok := dns.IsDomainName(origin); !ok {
		origin = "."
	}
	g := newGuard(io.LimitReader(r, MaxFileSize))
	zp := dns.NewZoneParser(g, origin, file)
	zp.SetDefaultTTL(3600)
	var added []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		if d.records+len(added) >= MaxRecords {
			return &FileError{File: file, Problem: ProblemTooMany, Limit: MaxRecords}
		}
		added = append(added, rr)
	}
	if g.err != nil {
		g.err.File = file
		return g.err
	}
	if err := zp.Err(); err != nil {
		// miekg/dns names the file itself, most of the time.
		msg := strings.TrimPrefix(shortenParseError(err.Error()), file+": ")
		return &FileError{File: file, Problem: ProblemSyntax, Reason: msg}
	}
	if len(added) == 0 {
		return &FileError{File: file, Problem: ProblemEmpty}
	}
	// The origin is a zone even without an SOA, so that a small fixture
	// needs no boilerplate; negative answers then carry a synthetic SOA.
	if origin != "." {
		if _, ok := d.apexes[origin]; !ok {
			d.apexes[origin] = syntheticSOA(origin)
		}
	}
	for _, rr := range added {
		if soa, ok := rr.(*dns.SOA); ok {
			d.apexes[dns.CanonicalName(soa.Hdr.Name)] = soa
		}
	}
	for _, rr := range added {
		d.add(rr)
	}
	return nil
}

func syntheticSOA(apex string) *dns.SOA {
	return &dns.SOA{
		Hdr:     dns.RR_Header{Name: apex, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 300},
		Ns:      "ns." + apex,
		Mbox:    "hostmaster." + apex,
		Serial:  1,
		Refresh: 3600, Retry: 600, Expire: 86400, Minttl: 300,
	}
}

func (d *Data) add(rr dns.RR) {
	owner := dns.CanonicalName(rr.Header().Name)
	rr.Header().Name = owner
	t := rr.Header().Rrtype
	if d.names[owner] == nil {
		d.names[owner] = map[uint16][]dns.RR{}
	}
	d.names[owner][t] = append(d.names[owner][t], rr)
	d.records++
	// Mark the owner and every ancestor up to its apex as existing, so
	// empty non-terminals answer NODATA rather than NXDOMAIN (RFC 8020).
	apex := d.apexOf(owner)
	for name := owner; ; {
		d.exists[name] = true
		if name == apex || name == "." {
			break
		}
		name = parent(name)
	}
}

func parent(name string) string {
	i := strings.IndexByte(name, '.')
	if i < 0 || i == len(name)-1 {
		return "."
	}
	return name[i+1:]
}

// apexOf returns the closest enclosing zone apex of name, or "" if none.
func (d *Data) apexOf(name string) string {
	for n := name; ; n = parent(n) {
		if _, ok := d.apexes[n]; ok {
			return n
		}
		if n == "." {
			return ""
		}
	}
}

// Apexes lists the loaded zone apexes, sorted.
func (d *Data) Apexes() []string {
	out := make([]string, 0, len(d.apexes))
	for a := range d.apexes {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Records counts the loaded records.
func (d *Data) Records() int { return d.records }

// Result is an authoritative answer.
type Result struct {
	Rcode     int      // dns.RcodeSuccess, dns.RcodeNameError or dns.RcodeRefused
	Answer    []dns.RR // CNAMEs followed, in order, then the records of the asked type
	Authority []dns.RR // the SOA, for negative answers
}

// ErrNotAuthoritative is not returned; Result.Rcode carries REFUSED instead,
// as a server would answer it. It exists for callers that need an error.
var ErrNotAuthoritative = errors.New("name outside the loaded zones")

// Lookup answers (name, qtype).
func (d *Data) Lookup(name string, qtype uint16) Result {
	name = dns.CanonicalName(name)
	var res Result
	seen := map[string]bool{}
	for step := 0; ; step++ {
		apex := d.apexOf(name)
		if apex == "" {
			if step == 0 {
				return Result{Rcode: dns.RcodeRefused}
			}
			// A CNAME pointing out of our zones: a real server returns
			// the chain and lets the resolver chase the rest.
			return res
		}
		rrs, rcode := d.lookupOne(name, qtype)
		if rcode == dns.RcodeNameError || (len(rrs) == 0 && rcode == dns.RcodeSuccess) {
			res.Rcode = rcode
			res.Authority = negativeSOA(d.apexes[apex])
			return res
		}
		cname, isCNAME := rrs[0].(*dns.CNAME)
		if !isCNAME || qtype == dns.TypeCNAME || qtype == dns.TypeANY {
			res.Answer = append(res.Answer, rrs...)
			res.Rcode = dns.RcodeSuccess
			return res
		}
		res.Answer = append(res.Answer, cname)
		seen[name] = true
		name = dns.CanonicalName(cname.Target)
		if seen[name] || step >= maxChase {
			// A loop, or too long: return what we have; the
			// resolver is the one that reports it.
			res.Rcode = dns.RcodeSuccess
			return res
		}
	}
}

// negativeSOA is the authority section of a negative answer: a copy of
// the zone's SOA (the caller may change its TTL) and the slice holding it,
// made in one allocation (a bulk offline run gets some 50 negative answers
// a domain). An SOA holds no slice, so copying the struct copies it all,
// as dns.Copy would.
func negativeSOA(soa *dns.SOA) []dns.RR {
	n := &struct {
		soa dns.SOA
		rr  [1]dns.RR
	}{soa: *soa}
	n.rr[0] = &n.soa
	return n.rr[:]
}

// lookupOne answers one name without following CNAMEs. It returns the
// CNAME when the name has one and qtype is not CNAME.
func (d *Data) lookupOne(name string, qtype uint16) ([]dns.RR, int) {
	types, ok := d.names[name]
	if !ok {
		if d.exists[name] {
			return nil, dns.RcodeSuccess // empty non-terminal: NODATA
		}
		wild, ok := d.wildcard(name)
		if !ok {
			return nil, dns.RcodeNameError
		}
		types = wild
		// Synthesize records owned by the query name (RFC 4592 §3.3.1).
		out := pick(types, qtype)
		for i, rr := range out {
			c := dns.Copy(rr)
			c.Header().Name = name
			out[i] = c
		}
		return out, dns.RcodeSuccess
	}
	return pick(types, qtype), dns.RcodeSuccess
}

func pick(types map[uint16][]dns.RR, qtype uint16) []dns.RR {
	if qtype == dns.TypeANY {
		var all []dns.RR
		for _, t := range sortedTypes(types) {
			all = append(all, types[t]...)
		}
		return copies(all)
	}
	if rrs, ok := types[qtype]; ok {
		return copies(rrs)
	}
	if c, ok := types[dns.TypeCNAME]; ok {
		return copies(c[:1])
	}
	return nil
}

func sortedTypes(types map[uint16][]dns.RR) []uint16 {
	ts := make([]uint16, 0, len(types))
	for t := range types {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	return ts
}

func copies(rrs []dns.RR) []dns.RR {
	out := make([]dns.RR, len(rrs))
	for i, rr := range rrs {
		out[i] = dns.Copy(rr)
	}
	return out
}

// wildcard finds "*.<closest encloser>" for a name that does not exist
// (RFC 4592 §3.3.1): the closest existing ancestor must have a "*" child.
func (d *Data) wildcard(name string) (map[uint16][]dns.RR, bool) {
	apex := d.apexOf(name)
	var buf [2 + 256]byte // "*." and a name of at most 255 octets
	for n := parent(name); ; n = parent(n) {
		if d.exists[n] {
			// The key is made in buf: a map index by string(bytes)
			// copies nothing.
			types, ok := d.names[string(append(append(buf[:0], "*."...), n...))]
			return types, ok
		}
		if n == apex || n == "." {
			return nil, false
		}
	}
}

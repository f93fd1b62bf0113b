package resolver

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/mailcheck/mailcheck/pkg/zone"
	"github.com/miekg/dns"
)

// Zones answers from zone files only, with no network: the --zone mode, for
// checking a zone before it is deployed and for demos. A name outside the
// loaded zones is REFUSED, which checks report as unknown, never as a missing
// record: the file says nothing about it.
type Zones struct {
	data  *zone.Data
	files []string

	// listed memoizes ZoneRecords: the files do not change during a run,
	// and a `--file` run with `--zone` asks for the same zone's records
	// once per domain (reading a 1,000-domain zone again for each domain
	// made such a run quadratic: 22 ms of CPU a domain).
	listMu sync.Mutex
	listed map[zoneListKey]zoneList
}

type zoneListKey struct {
	apex  string
	qtype uint16
}

type zoneList struct {
	rrs []dns.RR
	err error
}

var _ Resolver = (*Zones)(nil)

// LoadZones reads BIND-format zone files.
func LoadZones(paths ...string) (*Zones, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("no zone file given")
	}
	d := zone.New()
	for _, p := range paths {
		if err := d.LoadFile(p); err != nil {
			return nil, fmt.Errorf("zone file %w", err)
		}
	}
	return &Zones{data: d, files: paths}, nil
}

// ZoneFiles names the offline source of answers in reports (Describe's
// prefix, and report.DNSStats.Resolver of a --zone run); the renderers word
// it in the report's language.
const ZoneFiles = "zone files"

// Describe names the source of answers, for reports.
func (z *Zones) Describe() string {
	return ZoneFiles + " (" + strings.Join(z.files, ", ") + ")"
}

// Lookup implements Resolver.
func (z *Zones) Lookup(ctx context.Context, name string, qtype uint16) (Answer, error) {
	return z.lookup(ctx, Canonical(name), qtype)
}

// lookupCanonical is Lookup for a canonical name, into ans (see
// canonicalResolver).
func (z *Zones) lookupCanonical(ctx context.Context, qname string, qtype uint16, ans *Answer) (err error) {
	*ans, err = z.lookup(ctx, qname, qtype)
	return err
}

// lookup is Lookup for a canonical name.
func (z *Zones) lookup(ctx context.Context, qname string, qtype uint16) (Answer, error) {
	ans := Answer{Name: qname, Type: qtype}
	if err := checkName(qname, qtype); err != nil {
		return ans, err
	}
	if err := ctx.Err(); err != nil {
		return ans, &Error{Name: qname, Type: qtype, Kind: KindCanceled, Err: err}
	}
	res := z.data.Lookup(qname, qtype)
	if res.Rcode == dns.RcodeRefused {
		return ans, &Error{Name: qname, Type: qtype, Kind: KindRefused, Rcode: dns.RcodeRefused,
			Err: fmt.Errorf("outside the loaded zone files")}
	}
	// Not SetQuestion: its random ID costs a crypto/rand read, and only
	// the size is wanted. A value, not new(dns.Msg): its question slice
	// then stays on the stack (an allocation per answer less).
	msg := dns.Msg{Question: []dns.Question{{Name: qname, Qtype: qtype, Qclass: dns.ClassINET}}, Answer: res.Answer, Ns: res.Authority}
	msg.Rcode = res.Rcode
	ans.Size = msg.Len()
	current, err := followAliases(res.Answer, &ans, qname, DefaultMaxCNAMEDepth)
	if err != nil {
		return ans, err
	}
	ans.RRs = recordsAt(res.Answer, qtype, current)
	switch {
	case qtype == dns.TypeCNAME && len(res.Answer) > 0:
		ans.RRs, ans.CNAMEs, ans.Outcome = res.Answer[:1], nil, Found
	case len(ans.RRs) > 0:
		ans.Outcome = Found
	case res.Rcode == dns.RcodeNameError:
		ans.Outcome = NXDomain
	case len(ans.CNAMEs) > 0 && len(res.Authority) == 0:
		// The chain leaves the loaded zones: nothing can be said.
		return ans, &Error{Name: qname, Type: qtype, Kind: KindRefused, Rcode: dns.RcodeRefused,
			Err: fmt.Errorf("alias target %s is outside the loaded zone files", current)}
	default:
		ans.Outcome = NoData
	}
	return ans, nil
}

package reports

import (
	"context"
	"net/netip"
	"sort"
	"strings"
	"sync"

	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"golang.org/x/sync/errgroup"
)

// lookupPTRs asks the PTR of the largest sources of every domain,
// concurrently and bounded. A failed lookup leaves the address unnamed:
// the source is then recognized from its DKIM and SPF identities.
// rdns is what the PTR lookups found: names per address, and the
// addresses whose lookup failed (timeout, SERVFAIL, refused).
type rdns struct {
	names  map[string][]string
	failed map[string]bool
}

func lookupPTRs(ctx context.Context, r resolver.Resolver, domains map[string]*domainAgg, opts Options) rdns {
	vol := map[string]int64{}
	for _, d := range domains {
		for ip, s := range d.sources {
			vol[ip] += s.messages
		}
	}
	ips := make([]string, 0, len(vol))
	for ip := range vol {
		if _, err := netip.ParseAddr(ip); err == nil {
			ips = append(ips, ip)
		}
	}
	sort.Slice(ips, func(i, j int) bool {
		if vol[ips[i]] != vol[ips[j]] {
			return vol[ips[i]] > vol[ips[j]]
		}
		return ips[i] < ips[j]
	})
	if len(ips) > opts.MaxPTR {
		ips = ips[:opts.MaxPTR]
	}
	out := rdns{names: map[string][]string{}, failed: map[string]bool{}}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.Concurrency)
	for _, ip := range ips {
		g.Go(func() error {
			names, _, err := resolver.LookupPTR(gctx, r, netip.MustParseAddr(ip))
			if len(names) > 3 {
				names = names[:3]
			}
			for i, n := range names {
				// Shown as host names: "relay.example", not the
				// absolute "relay.example." of the answer.
				names[i] = strings.TrimSuffix(n, ".")
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				out.failed[ip] = true
			} else if len(names) > 0 {
				out.names[ip] = names
			}
			return nil
		})
	}
	_ = g.Wait() // lookups report nothing but their names
	return out
}

// classified is a source with its verdict and group key.
type classified struct {
	Source
	svc *Service
	key string
	fwd int64
}

func identities(ids []identity) []Identity {
	out := make([]Identity, len(ids))
	for i, id := range ids {
		out[i] = Identity{Domain: id.domain, Pass: id.pass, Messages: id.total}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Messages > out[j].Messages })
	return out
}

// classify names and classifies each source of d (RFC 7489 §3.1: DMARC
// passes when SPF or DKIM passes aligned; the rest is our own judgement):
//   - a known service, or a host whose reverse DNS lies under the domain,
//     is legitimate: aligned when all its mail passes, else failing;
//   - an unknown source whose mail the receiver marked forwarded (or a
//     list), or whose DKIM passes while SPF fails, is a forwarder: the
//     signature survived, the relay's address is not in SPF;
//   - an unknown source passing aligned SPF is authorized by the SPF
//     record: legitimate;
//   - the rest, failing both, is unauthorized.
func classify(d *domainAgg, ptrs map[string][]string) []classified {
	out := make([]classified, 0, len(d.sources))
	org := orgOf(d.domain)
	for ip, s := range d.sources {
		c := classified{Source: Source{
			IP: ip, PTR: ptrs[ip], Messages: s.messages, DMARCPass: s.pass, DKIMPass: s.dkimPass,
			SPFPass: s.spfPass, Disposed: s.rejected, DKIMDomains: identities(s.dkim), SPFDomains: identities(s.spf),
		}, fwd: s.forwardedReason}
		svc, how := match(c.PTR, s.dkim, s.spf)
		ownPTR := ""
		for _, p := range c.PTR {
			if orgOf(p) == org {
				ownPTR = p
			}
		}
		// host and ip name an unknown source in words: "relay.example
		// (192.0.2.1)", or the address alone.
		who := report.Params{"ip": ip}
		if len(c.PTR) > 0 {
			who["host"] = c.PTR[0]
		}
		switch {
		case svc != nil && s.messages > 0 && s.foreign == s.messages:
			// A shared service's address (Google's, Brevo's) sending
			// mail that fails DMARC with no identity of the domain's
			// or of the service's default ones: someone else's account
			// at that service using the domain in From. Counting it as
			// the merchant's failing mail would hold the policy back
			// for spoofing.
			c.Service, c.MatchedBy, c.key, c.Class = viaService(svc), how, "via "+svc.Name, ClassUnauthorized
		case svc != nil:
			// The same holds record by record: a shared address carries
			// the domain's mail and other customers' (Others), and only
			// the domain's is judged.
			c.svc, c.Service, c.MatchedBy, c.key = svc, report.Lit(svc.Name), how, svc.Name
			c.Others = s.foreign
			c.Class = ClassAligned
			if s.pass < s.messages-s.foreign {
				c.Class = ClassFailing
			}
		case ownPTR != "":
			c.Service, c.key = report.T("reports.service.own", report.Params{"ip": ip}), ip
			c.MatchedBy = report.T("reports.matched.ptr", report.Params{"host": ownPTR})
			c.Class = passOrFail(s)
		case s.forwardedReason*2 >= s.messages && s.forwardedReason > 0 || s.dkimPass > 0 && s.spfPass == 0:
			c.Service, c.key, c.Class = report.T("reports.service.forwarder", who), "fwd "+ip, ClassForwarded
		case s.spfPass > 0:
			c.Service, c.key = report.T("reports.service.own", report.Params{"ip": ip}), ip
			c.MatchedBy = report.T("reports.matched.spf", report.Params{"domain": d.domain})
			c.Class = passOrFail(s)
		case s.dkimPass == 0 && signsAsOwn(s, org) && ownEnvelope(s, org):
			// Not recognized, but it signs with d= the domain and the
			// signatures fail, with the domain's own envelope sender:
			// a server of the domain's with a broken DKIM setup (a
			// spoofer has no key to sign with; a list that rewrites
			// the envelope is not this). Read offline, this is the one
			// sign that the sender is the merchant's: calling it
			// unauthorized would call p=reject safe and lose its mail.
			own := ""
			for _, id := range s.dkim {
				if orgOf(id.domain) == org {
					own = id.domain
					break
				}
			}
			who["dkim_domain"] = own
			c.Service, c.key = report.T("reports.service.signing", who), ip
			c.MatchedBy = report.T("reports.matched.dkim_failing", report.Params{"domain": own})
			c.Class = ClassFailing
		default:
			c.Service, c.key, c.Class = report.T("reports.service.unknown", who), "unknown "+ip, ClassUnauthorized
		}
		c.group = c.key
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Messages != out[j].Messages {
			return out[i].Messages > out[j].Messages
		}
		return out[i].IP < out[j].IP
	})
	return out
}

// signsAsOwn: a DKIM d= under the domain's organizational domain was seen
// for the source.
func signsAsOwn(s *sourceAgg, org string) bool {
	for _, id := range s.dkim {
		if orgOf(id.domain) == org {
			return true
		}
	}
	return false
}

// ownEnvelope: every envelope-sender (SPF) domain seen for the source is
// under the domain's organizational domain (or none was reported).
func ownEnvelope(s *sourceAgg, org string) bool {
	for _, id := range s.spf {
		if orgOf(id.domain) != org {
			return false
		}
	}
	return s.forwardedReason == 0
}

func passOrFail(s *sourceAgg) string {
	if s.pass >= s.messages {
		return ClassAligned
	}
	return ClassFailing
}

func orgOf(name string) string {
	d, err := dnsname.ParseAny(name)
	if err != nil {
		return strings.ToLower(name)
	}
	return dnsname.OrganizationalPSL(d).String()
}

// group sums the sources by service; a known service's group is failing
// when any of its sources is, and carries the fix.
func group(domain, spfRec string, srcs []classified) []ServiceGroup {
	idx := map[string]int{}
	var out []ServiceGroup
	members := map[string][]classified{}
	at := func(key string, name report.Msg, class string) *ServiceGroup {
		i, ok := idx[key]
		if !ok {
			i = len(out)
			idx[key] = i
			out = append(out, ServiceGroup{Name: name, Class: class, key: key})
		}
		return &out[i]
	}
	for _, s := range srcs {
		if s.Others > 0 && s.svc != nil {
			// Other customers' mail from the service's address is
			// unauthorized, in a group of its own.
			o := at("via "+s.svc.Name, viaService(s.svc), ClassUnauthorized)
			o.Sources++
			o.Messages += s.Others
		}
		g := at(s.key, s.Service, s.Class)
		g.Sources++
		g.Messages += s.Messages - s.Others
		g.DMARCPass += s.DMARCPass
		if s.Class == ClassFailing {
			g.Class = ClassFailing
		}
		members[s.key] = append(members[s.key], s)
	}
	for k, i := range idx {
		if out[i].Class == ClassFailing {
			out[i].Fix, out[i].short, out[i].SPFRecord = fixFor(domain, spfRec, members[k])
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Messages > out[j].Messages })
	return out
}

// viaService names the other customers of a shared service.
func viaService(svc *Service) report.Msg {
	return report.T("reports.service.via", report.Params{"service": svc.Name})
}

// fixFor says what makes a legitimate group's failing mail pass: DKIM
// signing with d= the domain (which survives forwarding, RFC 7489 §4.2),
// and the SPF include or address when the envelope sender is the domain's.
// The fix and its short form for the table are one message each, worded
// from these facts:
//   - dkim_broken: the d= of the domain's whose signatures fail; else
//     dkim_missing: no aligned signature; service or ip: where to act;
//     signs: the d= it signs with now, which do not align;
//   - spf_present: the include the record has already, yet SPF fails;
//     spf_include or spf_ip: the term to add, spf_domain: to which record;
//     spf_other: the service's own envelope domain (only DKIM can align).
func fixFor(domain, spfRec string, ms []classified) (fix, short report.Msg, record string) {
	svc := ms[0].svc
	var msgs, dkimPass, spfPass int64
	var signs, envOwn, envOther []string
	ownFail := "" // a d= of the domain's whose signatures fail
	org := orgOf(domain)
	for _, m := range ms {
		msgs += m.Messages - m.Others
		dkimPass += m.DKIMPass
		spfPass += m.SPFPass
		for _, id := range m.DKIMDomains {
			if orgOf(id.Domain) != org {
				signs = appendNew(signs, id.Domain)
			} else if id.Pass < id.Messages && ownFail == "" {
				ownFail = id.Domain
			}
		}
		for _, id := range m.SPFDomains {
			if orgOf(id.Domain) == org {
				envOwn = appendNew(envOwn, id.Domain)
			} else {
				envOther = appendNew(envOther, id.Domain)
			}
		}
	}
	p := report.Params{"domain": domain, "ip": ms[0].IP}
	if svc != nil {
		p["service"] = svc.Name
	}
	dkim := dkimPass < msgs
	p["dkim"] = dkim
	if dkim {
		if ownFail != "" {
			// It signs as the domain already; the signatures fail.
			p["dkim_broken"] = ownFail
		} else {
			p["dkim_missing"] = true
		}
		if len(signs) > 0 {
			ds := make([]string, len(signs))
			for i, d := range signs {
				ds[i] = "d=" + d
			}
			p["signs"] = ds
		}
	}
	spf := false
	if spfPass < msgs {
		switch {
		case svc != nil && svc.Include != "" && (len(envOwn) > 0 || len(envOther) == 0):
			spf = true
			if hasTerm(spfRec, "include:"+svc.Include) {
				p["spf_present"] = svc.Include
			} else {
				p["spf_include"], p["spf_domain"] = svc.Include, firstOr(envOwn, domain)
				if firstOr(envOwn, domain) == domain {
					record = withSPFTerms(spfRec, "include:"+svc.Include)
				}
			}
		case svc == nil && (len(envOwn) > 0 || len(envOther) == 0):
			var mech []string
			for _, m := range ms {
				if a, err := netip.ParseAddr(m.IP); err == nil {
					if a.Is4() {
						mech = append(mech, "ip4:"+m.IP)
					} else {
						mech = append(mech, "ip6:"+m.IP)
					}
				}
			}
			if len(mech) > 0 {
				spf = true
				p["spf_ip"], p["spf_domain"] = strings.Join(mech, " "), firstOr(envOwn, domain)
				if firstOr(envOwn, domain) == domain {
					record = withSPFTerms(spfRec, mech...)
				}
			}
		case len(envOther) > 0 && dkim:
			p["spf_other"] = envOther[0]
		}
	}
	if !dkim && !spf {
		return report.T("reports.fix.check", p), report.T("reports.fix.short_check", nil), ""
	}
	p["spf"] = spf
	return report.T("reports.fix.sender", p), report.T("reports.fix.short", p), record
}

// lookupSPF returns the domain's SPF record (RFC 7208 §4.5: the one TXT
// record starting "v=spf1"), or "" when there is none, several, or the
// lookup failed.
func lookupSPF(ctx context.Context, r resolver.Resolver, domain string) string {
	txts, _, err := resolver.LookupTXT(ctx, r, domain)
	if err != nil {
		return ""
	}
	found := ""
	for _, t := range txts {
		v := t.Text()
		if strings.EqualFold(v, "v=spf1") || len(v) > 7 && strings.EqualFold(v[:7], "v=spf1 ") {
			if found != "" {
				return ""
			}
			found = v
		}
	}
	return found
}

// hasTerm reports whether an SPF record has the term, with or without a
// "+" qualifier, case-insensitively.
func hasTerm(rec, term string) bool {
	for _, t := range strings.Fields(rec) {
		if strings.EqualFold(strings.TrimPrefix(t, "+"), term) {
			return true
		}
	}
	return false
}

// withSPFTerms returns rec with terms inserted before its "all" mechanism
// or redirect modifier (mechanisms after "all" are never evaluated, RFC
// 7208 §5.1), "" when rec is "".
func withSPFTerms(rec string, terms ...string) string {
	if rec == "" {
		return ""
	}
	fields := strings.Fields(rec)
	at := len(fields)
	for i, f := range fields {
		l := strings.ToLower(strings.TrimLeft(f, "+-~?"))
		if l == "all" || strings.HasPrefix(l, "redirect=") {
			at = i
			break
		}
	}
	out := append(append(append([]string(nil), fields[:at]...), terms...), fields[at:]...)
	return strings.Join(out, " ")
}

func appendNew(ss []string, s string) []string {
	for _, x := range ss {
		if x == s {
			return ss
		}
	}
	return append(ss, s)
}

func firstOr(ss []string, def string) string {
	if len(ss) > 0 {
		return ss[0]
	}
	return def
}

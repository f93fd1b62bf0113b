// Package infra runs the mail-infrastructure checks of `mailcheck mx` for
// one domain: MX (pkg/mx), reverse DNS of the MX and sending addresses
// (pkg/rdns), MTA-STS (pkg/mtasts), TLS-RPT (pkg/tlsrpt), DNSSEC of the
// domain's and the MX hosts' zones (pkg/dnssec), DANE (pkg/dane) and BIMI
// (pkg/bimi). The MX set is looked up once and handed
// to the checks that need it; the others run concurrently.
package infra

import (
	"context"
	"net/netip"
	"slices"
	"time"

	"github.com/mailcheck/mailcheck/internal/workers"
	"github.com/mailcheck/mailcheck/pkg/bimi"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dane"
	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/dnssec"
	"github.com/mailcheck/mailcheck/pkg/mtasts"
	"github.com/mailcheck/mailcheck/pkg/mx"
	"github.com/mailcheck/mailcheck/pkg/rdns"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/mailcheck/mailcheck/pkg/spf"
	"github.com/mailcheck/mailcheck/pkg/tlsrpt"
)

// Options tune the run.
type Options struct {
	// SendingIPs are addresses the domain sends from (--ip); their reverse
	// DNS is checked along with the addresses SPF names directly.
	SendingIPs []netip.Addr
	// BIMISelector defaults to "default".
	BIMISelector string
	// FetchTimeout bounds each HTTPS fetch (MTA-STS policy, BIMI logo).
	FetchTimeout time.Duration
	// DMARCDiscovery, when set, is handed to BIMI (bimi.Options).
	DMARCDiscovery func() dmarc.Discovery
}

// Section names, in report order.
var Checks = []string{"mx", "rdns", "mtasts", "tlsrpt", "dnssec", "dane", "bimi"}

// Definitions gathers the finding definitions of every check run here.
func Definitions() []report.Definition {
	var out []report.Definition
	for _, defs := range [][]report.Definition{mx.Definitions, rdns.Definitions, mtasts.Definitions, tlsrpt.Definitions, dnssec.Definitions, dane.Definitions, bimi.Definitions} {
		out = append(out, defs...)
	}
	return out
}

// Run runs every check and returns their sections in the order of Checks.
//
// Every lookup starts as soon as what it needs is known: the SPF addresses,
// the MX set, BIMI and TLS-RPT at once; reverse DNS, MTA-STS coverage,
// DNSSEC of the MX hosts' zones and DANE once the MX set is in. TLS-RPT's severity depends on whether MTA-STS
// or DANE is deployed, which is applied afterwards rather than waited for,
// so the whole run costs the longest chain of dependent lookups
// (MX, address, PTR, forward) and not one round trip more.
func Run(ctx context.Context, env check.Env, d dnsname.Domain, opts Options) []report.Section {
	// The sections are written in place by the goroutines that make
	// them, and the groups and the SPF addresses share one allocation:
	// one variable each that the goroutines share was one allocation
	// each, a dozen a domain.
	secs := make([]report.Section, len(Checks))
	mxSec, rdnsSec, stsSec, rptSec, dnssecSec, daneSec, bimiSec := &secs[0], &secs[1], &secs[2], &secs[3], &secs[4], &secs[5], &secs[6]
	st := &struct {
		needed, independent, g workers.Group
		spfIPs                 []netip.Addr
	}{}
	// TLS-RPT and BIMI need nothing from the MX set: they run beside it
	// and are collected at the end.
	st.independent.Go(func() { *rptSec = tlsrpt.Check(ctx, env, d, tlsrpt.Options{}) })
	st.independent.Go(func() {
		*bimiSec = bimi.Check(ctx, env, d, bimi.Options{Selector: opts.BIMISelector, FetchTimeout: opts.FetchTimeout, DMARCDiscovery: opts.DMARCDiscovery})
	})
	st.needed.Go(func() { st.spfIPs = SPFAddrs(ctx, env.Resolver, d) })
	*mxSec = mx.Check(ctx, env, d, mx.Options{Sending: len(opts.SendingIPs) > 0})
	st.needed.Wait()
	spfIPs := st.spfIPs
	res := mxSec.Data.(*mx.Result)

	var hosts, daneHosts []string
	if res.Known() {
		hosts = res.HostNames()
		for _, h := range res.Hosts {
			// RFC 7672 §2.2.2: TLSA is looked up for MX hosts that have
			// addresses; an IP literal or an address-less target has none.
			if !h.IPLiteral && !h.NoAddress {
				daneHosts = append(daneHosts, h.Name)
			}
		}
	}
	var targets []rdns.Target
	for _, a := range opts.SendingIPs {
		targets = append(targets, rdns.Target{Addr: a, Role: rdns.RoleSending})
	}
	for _, a := range spfIPs {
		targets = append(targets, rdns.Target{Addr: a, Role: rdns.RoleSending})
	}
	for _, h := range res.Hosts {
		for _, a := range h.Addrs {
			if mx.Bogon(a) == "" { // a private address has no public reverse DNS to check
				targets = append(targets, rdns.Target{Addr: a, Role: rdns.RoleMX, Host: h.Name})
			}
		}
	}

	st.g.Go(func() { *rdnsSec = rdns.Check(ctx, env, d, rdns.Options{Targets: targets}) })
	st.g.Go(func() {
		*stsSec = mtasts.Check(ctx, env, d, mtasts.Options{MXHosts: hosts, MXKnown: res.Known(), FetchTimeout: opts.FetchTimeout})
	})
	st.g.Go(func() { *daneSec = dane.Check(ctx, env, d, dane.Options{Hosts: daneHosts, MXAuthentic: res.Authentic}) })
	*dnssecSec = dnssec.Check(ctx, env, d, dnssec.Options{MXHosts: daneHosts}) // the longest of the four, on this goroutine
	st.g.Wait()
	st.independent.Wait()

	if !res.Known() {
		// With the MX set unknown, "no MX address to check" and "no MX
		// host to look up" are unknown too, not "not applicable".
		for _, sec := range []*report.Section{rdnsSec, daneSec} {
			if sec.Status == report.StatusSkipped {
				sec.Status, sec.Summary = report.StatusUnknown, report.T("infra.summary.mx_unknown", nil)
			}
		}
	}

	// DANE's findings are explained by the MX hosts' zone status.
	if dd, ok := dnssecSec.Data.(*dnssec.Data); ok {
		zones := map[string]dane.ZoneStatus{}
		for _, z := range dd.Zones {
			for _, h := range z.MXHosts {
				zones[h] = dane.ZoneStatus{Zone: z.Zone, Status: string(z.Status), Reason: z.Reason}
			}
		}
		dane.NoteZones(daneSec, dd.Resolver == dnssec.Validating, zones)
	}

	// TLS-RPT matters more once a transport policy exists (RFC 8460 §1: it reports failures of MTA-STS and DANE; our severity).
	policy := stsSec.Data.(*mtasts.Data).Record != ""
	for _, h := range daneSec.Data.(*dane.Data).Hosts {
		policy = policy || len(h.Records) > 0
	}
	if policy {
		tlsrpt.RaiseForTransportPolicy(rptSec)
	}
	dnssec.Explain(secs)
	return secs
}

// MaxSPFAddrs bounds the sending addresses taken from SPF.
const MaxSPFAddrs = 10

// SPFAddrs returns the single addresses the domain's SPF record authorizes
// directly (ip4:a.b.c.d, ip4:a.b.c.d/32, ip6:x/128, qualifier + or none),
// the "sending addresses SPF names directly" whose reverse DNS receivers
// check. Ranges and includes are not expanded. Any DNS trouble yields none:
// pkg/spf reports it.
func SPFAddrs(ctx context.Context, r resolver.Resolver, d dnsname.Domain) []netip.Addr {
	txts, _, err := resolver.LookupTXT(ctx, r, d.FQDN())
	if err != nil {
		return nil
	}
	var out []netip.Addr
	for _, t := range txts {
		// pkg/spf's parser keeps every term that parsed, so one bad
		// term elsewhere does not hide the addresses.
		rec, _ := spf.Parse(t.Text())
		if rec == nil {
			continue
		}
		for _, m := range rec.Mechanisms() {
			full, plen := 32, m.Prefix4
			if m.Name == spf.MechIP6 {
				full, plen = 128, m.Prefix6
			}
			single := plen < 0 || plen == full
			if (m.Name != spf.MechIP4 && m.Name != spf.MechIP6) || m.Qualifier != spf.QualifierPass || !m.Addr.IsValid() || !single {
				continue
			}
			if len(out) < MaxSPFAddrs && !slices.Contains(out, m.Addr) {
				out = append(out, m.Addr)
			}
		}
	}
	return out
}

// Package dane checks DNSSEC and DANE for SMTP (RFC 7672, RFC 7671, RFC
// 6698): whether the resolver validated the answers (the AD bit), the TLSA
// records at _25._tcp.<mx host> and whether their usages suit SMTP. TLSA
// records count only when the MX and TLSA answers are DNSSEC-validated;
// without a validating resolver the check cannot tell and says "unknown".
//
// DNS names queried: _25._tcp.<host> TLSA for each MX host; <tld> SOA to
// learn whether the resolver validates.
package dane

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// Finding definitions (RFC 7672 §2, §3; severities are ours). Their words
// are in the catalogs (internal/i18n/locales/dane.*.toml) under each ID.
var (
	defAbsent   = report.Definition{ID: "dane.absent", Severity: report.Info, Refs: []string{"RFC 7672 §2.2"}}
	defInsecure = report.Definition{ID: "dane.tlsa.insecure", Severity: report.Medium, Refs: []string{"RFC 7672 §2.2", "RFC 6698 §4.1"}}
	defPKIX     = report.Definition{ID: "dane.tlsa.pkix_usage", Severity: report.Low, Refs: []string{"RFC 7672 §3.1.3"}}
	defInvalid  = report.Definition{ID: "dane.tlsa.invalid", Severity: report.Medium, Refs: []string{"RFC 6698 §2.1", "RFC 7671 §4"}}
	defUnknown  = report.Definition{ID: "dane.dnssec.unknown", Severity: report.Info, Inconclusive: true, Refs: []string{"RFC 7672 §2.1"}}
	defMismatch = report.Definition{ID: "dane.tlsa.mismatch", Severity: report.Critical, Refs: []string{"RFC 7672 §3.1", "RFC 6698 §2.1"}}
	defDNSError = report.Definition{ID: "dane.dns.temperror", Severity: report.Medium, Inconclusive: true, Refs: []string{"RFC 7672 §2.2"},
		Variants: []report.Variant{
			// The host's zone is DNSSEC-bogus (pkg/dnssec): the failure is
			// broken signatures, and DANE senders defer mail to the host.
			{Name: "bogus_zone", Severity: report.Medium},
		}}
)

// Definitions lists every finding this package can report.
var Definitions = []report.Definition{defAbsent, defInsecure, defPKIX, defInvalid, defMismatch, defUnknown, defDNSError}

// Validation says whether the resolver validates DNSSEC.
type Validation string

const (
	Validating Validation = "validating" // some answer carried the AD bit
	Unknown    Validation = "unknown"    // no AD bit seen anywhere: the resolver may not validate
)

// Options give the check the MX set.
type Options struct {
	// Hosts are the MX host names (the domain itself for an implicit MX).
	Hosts []string
	// MXAuthentic is the AD bit of the MX answer.
	MXAuthentic bool
}

// Host is the evidence for one MX host.
type Host struct {
	Host      string           `json:"host"`
	Name      string           `json:"name"` // _25._tcp.<host>
	Outcome   resolver.Outcome `json:"outcome,omitempty"`
	Authentic bool             `json:"authentic"`
	Records   []TLSA           `json:"tlsa,omitempty"`
	Error     report.Msg       `json:"error,omitzero"`
}

// Data is Section.Data of the "dane" section.
type Data struct {
	// Resolver: whether the resolver was seen validating (AD bit on the
	// top-level domain's SOA, or on any answer here).
	Resolver Validation `json:"resolver"`
	// MX: whether the MX answer was validated.
	MXAuthentic bool   `json:"mx_authentic"`
	Hosts       []Host `json:"hosts"`
}

// Check runs the DANE check.
func Check(ctx context.Context, env check.Env, target dnsname.Domain, opts Options) report.Section {
	data := &Data{MXAuthentic: opts.MXAuthentic, Resolver: Unknown}
	sec := report.Section{Check: "dane", Title: "DANE", Target: target.String(), Data: data}
	if len(opts.Hosts) == 0 {
		sec.Status = report.StatusSkipped
		sec.Summary = report.T("dane.summary.no_mx", nil)
		return sec
	}
	// Each host's TLSA and the top-level domain's SOA in one batch: one
	// round trip, no goroutine per question.
	qs := make([]resolver.Question, 0, len(opts.Hosts)+1)
	for _, h := range opts.Hosts {
		qs = append(qs, resolver.Question{Name: tlsaName(h), Type: dns.TypeTLSA})
	}
	labels := target.Labels()
	qs = append(qs, resolver.Question{Name: labels[len(labels)-1] + ".", Type: dns.TypeSOA})
	got := resolver.LookupBatch(ctx, env.Resolver, qs, 8)
	data.Hosts = make([]Host, len(opts.Hosts))
	for i, h := range opts.Hosts {
		data.Hosts[i] = hostOf(h, qs[i].Name, got[i].Answer, got[i].Err)
	}
	validating := opts.MXAuthentic
	if tld := got[len(opts.Hosts)]; tld.Err == nil && tld.Answer.Authentic {
		validating = true
	}
	for _, h := range data.Hosts {
		validating = validating || h.Authentic
	}
	if validating {
		data.Resolver = Validating
	}

	fs := findings(data, validating, nil)
	report.SortFindings(fs)
	sec.Findings = fs
	sec.Status = report.StatusOf(fs)
	sec.Summary = summary(data)
	if !env.NoDisplay {
		sec.Display = display(data)
	}
	return sec
}

// tlsaName is the TLSA owner name of an MX host's SMTP port (RFC 7672
// §2.2.1), with the trailing dot.
func tlsaName(host string) string { return "_25._tcp." + strings.TrimSuffix(host, ".") + "." }

// hostOf reads the TLSA answer of one MX host, asked at qname.
func hostOf(host, qname string, ans resolver.Answer, err error) Host {
	h := Host{Host: strings.TrimSuffix(host, "."), Name: strings.TrimSuffix(qname, ".")}
	if err != nil {
		h.Error = check.ErrMsg(err)
		return h
	}
	h.Outcome, h.Authentic = ans.Outcome, ans.Authentic
	for _, rr := range ans.RRs {
		if t, ok := rr.(*dns.TLSA); ok {
			h.Records = append(h.Records, TLSA{Usage: t.Usage, Selector: t.Selector, MatchingType: t.MatchingType, Data: strings.ToLower(t.Certificate)})
		}
	}
	return h
}

// findings judges the hosts; zones, when pkg/dnssec has run, gives each
// host's zone status to explain lookup failures and unsigned answers.
func findings(d *Data, validating bool, zones map[string]ZoneStatus) []report.Finding {
	var fs []report.Finding
	with := 0
	for _, h := range d.Hosts {
		z, zoneKnown := zones[h.Host]
		if !h.Error.IsZero() {
			p := report.Params{"name": h.Name, "host": h.Host, "error": h.Error}
			if zoneKnown && z.Status == "bogus" {
				p["zone"], p["reason"] = z.Zone, z.Reason
				fs = append(fs, defDNSError.Alt("bogus_zone", p))
			} else {
				fs = append(fs, defDNSError.With(p))
			}
			continue
		}
		if len(h.Records) == 0 {
			continue
		}
		with++
		// RFC 7672 §2.2: TLSA records are used only when both the MX and
		// the TLSA RRsets are secure.
		switch {
		case !validating:
			fs = append(fs, defUnknown.With(report.Params{"name": h.Name}))
		case !h.Authentic || !d.MXAuthentic:
			unsigned := "tlsa"
			if h.Authentic {
				unsigned = "mx"
			} else if !d.MXAuthentic {
				unsigned = "both"
			}
			p := report.Params{"name": h.Name, "host": h.Host, "unsigned": unsignedKeys.T(unsigned, nil)}
			if zoneKnown && z.Status == "insecure" {
				p["zone"], p["reason"] = z.Zone, z.Reason
			}
			fs = append(fs, defInsecure.With(p))
		}
		for _, t := range h.Records {
			if p := t.Problem(); !p.IsZero() {
				fs = append(fs, defInvalid.With(report.Params{"name": h.Name, "record": short(t), "problem": p}))
				continue
			}
			if t.Usage == UsagePKIXTA || t.Usage == UsagePKIXEE {
				f := defPKIX.With(report.Params{"name": h.Name, "record": short(t), "usage": int(t.Usage),
					"pkix": map[uint8]string{0: "PKIX-TA", 1: "PKIX-EE"}[t.Usage]})
				f.Record = &report.Record{Name: h.Name, Type: "TLSA", Value: fmt.Sprintf("3 1 1 %s", placeholder(t))}
				fs = append(fs, f)
			}
		}
	}
	if with == 0 && len(fs) == 0 {
		state := "unknown" // the resolver set no AD bit
		switch {
		case d.Resolver == Validating && !d.MXAuthentic:
			state = "unsigned"
		case d.Resolver == Validating:
			state = "signed"
		}
		fs = append(fs, defAbsent.With(report.Params{"dnssec": absentKeys.T(state, nil)}))
	}
	return fs
}

// placeholder keeps a SHA-256 SPKI digest when the record already holds one.
func placeholder(t TLSA) string {
	if b, err := hex.DecodeString(t.Data); err == nil && t.Selector == 1 && t.MatchingType == 1 && len(b) == 32 {
		return t.Data
	}
	return "<sha256-of-spki>"
}

func short(t TLSA) string {
	s := t.String()
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

func summary(d *Data) report.Msg {
	n := 0
	for _, h := range d.Hosts {
		if len(h.Records) > 0 {
			n++
		}
	}
	return report.T("dane.summary.hosts", report.Params{"with": n, "count": len(d.Hosts), "dnssec": resolverKeys.T(string(d.Resolver), nil)})
}

func display(d *Data) report.Display {
	t := report.Table{Title: report.Lit("TLSA"), Columns: []report.Msg{
		report.T("dane.col.host", nil), report.T("dane.col.records", nil), report.T("dane.col.validated", nil)}}
	for _, h := range d.Hosts {
		var recs []string
		for _, r := range h.Records {
			recs = append(recs, short(r))
		}
		v := "no"
		switch {
		case !h.Error.IsZero():
			v = "error"
		case h.Authentic:
			v = "yes"
		case d.Resolver == Unknown:
			v = "unknown"
		}
		t.Rows = append(t.Rows, []report.Msg{report.Lit(h.Host), report.Lit(strings.Join(recs, "; ")), report.T("dane.validated."+v, nil)})
	}
	return report.Display{Facts: []report.Fact{{Label: report.Lit("DNSSEC"), Value: resolverKeys.T(string(d.Resolver), nil)}}, Tables: []report.Table{t}}
}

// The keys made of a prefix and a state, each joined once (report.Keys).
var (
	absentKeys   = report.NewKeys("dane.absent_dnssec.")
	resolverKeys = report.NewKeys("dane.resolver.")
	unsignedKeys = report.NewKeys("dane.unsigned.")
)

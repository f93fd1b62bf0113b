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
	"golang.org/x/sync/errgroup"
)

// Finding definitions (RFC 7672 §2, §3; severities are ours).
var (
	defAbsent = report.Definition{ID: "dane.absent", Severity: report.Info,
		Title: "No DANE TLSA records for the MX hosts", Refs: []string{"RFC 7672 §2.2"}}
	defInsecure = report.Definition{ID: "dane.tlsa.insecure", Severity: report.Medium,
		Title: "TLSA records present but not DNSSEC-validated", Refs: []string{"RFC 7672 §2.2", "RFC 6698 §4.1"}}
	defPKIX = report.Definition{ID: "dane.tlsa.pkix_usage", Severity: report.Low,
		Title: "TLSA record uses a PKIX usage (0 or 1), unusable for SMTP", Refs: []string{"RFC 7672 §3.1.3"}}
	defInvalid = report.Definition{ID: "dane.tlsa.invalid", Severity: report.Medium,
		Title: "TLSA record malformed or with unknown parameters", Refs: []string{"RFC 6698 §2.1", "RFC 7671 §4"}}
	defUnknown = report.Definition{ID: "dane.dnssec.unknown", Severity: report.Info, Inconclusive: true,
		Title: "The resolver does not validate DNSSEC: DANE cannot be judged", Refs: []string{"RFC 7672 §2.1"}}
	defMismatch = report.Definition{ID: "dane.tlsa.mismatch", Severity: report.Critical,
		Title: "No TLSA record matches the certificate the MX host presents", Refs: []string{"RFC 7672 §3.1", "RFC 6698 §2.1"}}
	defDNSError = report.Definition{ID: "dane.dns.temperror", Severity: report.Medium, Inconclusive: true,
		Title: "TLSA lookup failed", Refs: []string{"RFC 7672 §2.2"}}
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
	Error     string           `json:"error,omitempty"`
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
		sec.Summary = report.Lit("no MX hosts")
		return sec
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	data.Hosts = make([]Host, len(opts.Hosts))
	for i, h := range opts.Hosts {
		g.Go(func() error { data.Hosts[i] = lookup(gctx, env.Resolver, h); return nil })
	}
	validating := opts.MXAuthentic
	g.Go(func() error {
		labels := target.Labels()
		tld := labels[len(labels)-1] + "."
		if ans, err := env.Resolver.Lookup(gctx, tld, dns.TypeSOA); err == nil && ans.Authentic {
			validating = true
		}
		return nil
	})
	_ = g.Wait()
	for _, h := range data.Hosts {
		validating = validating || h.Authentic
	}
	if validating {
		data.Resolver = Validating
	}

	fs := findings(data, validating)
	report.SortFindings(fs)
	sec.Findings = fs
	sec.Status = report.StatusOf(fs)
	sec.Summary = report.Lit(summary(data))
	sec.Display = display(data)
	return sec
}

func lookup(ctx context.Context, r resolver.Resolver, host string) Host {
	h := Host{Host: strings.TrimSuffix(host, "."), Name: "_25._tcp." + strings.TrimSuffix(host, ".")}
	ans, err := r.Lookup(ctx, h.Name+".", dns.TypeTLSA)
	if err != nil {
		h.Error = err.Error()
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

func findings(d *Data, validating bool) []report.Finding {
	var fs []report.Finding
	with := 0
	for _, h := range d.Hosts {
		if h.Error != "" {
			fs = append(fs, defDNSError.New("TLSA "+h.Name+": "+h.Error, "Retry; if it persists, check the DNS servers of "+h.Host+"."))
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
			fs = append(fs, defUnknown.New("TLSA records exist at "+h.Name+", but no answer carried the AD bit: the resolver may not validate DNSSEC, so whether DANE senders can use them is unknown.",
				"Run mailcheck with a validating resolver (--resolver 127.0.0.1 with a local unbound, for example)."))
		case !h.Authentic || !d.MXAuthentic:
			what := "the TLSA answer"
			if h.Authentic {
				what = "the MX answer"
			} else if !d.MXAuthentic {
				what = "the MX and TLSA answers"
			}
			fs = append(fs, defInsecure.New("TLSA records exist at "+h.Name+", but "+what+" are not DNSSEC-validated, so DANE senders ignore them (RFC 7672 §2.2).",
				"Sign the zones of the domain and of "+h.Host+" with DNSSEC and publish DS records at the parent, or remove the TLSA records."))
		}
		for _, t := range h.Records {
			if p := t.Problem(); p != "" {
				fs = append(fs, defInvalid.New(fmt.Sprintf("%s TLSA %s: %s; senders skip this record.", h.Name, short(t), p),
					"Publish \"3 1 1 <SHA-256 of the server's public key>\" for the current key (and the next key during a rollover, RFC 7671 §8.1)."))
				continue
			}
			if t.Usage == UsagePKIXTA || t.Usage == UsagePKIXEE {
				f := defPKIX.New(fmt.Sprintf("%s TLSA %s uses usage %d (PKIX-%s): RFC 7672 §3.1.3 says SMTP clients treat it as unusable.", h.Name, short(t), t.Usage, map[uint8]string{0: "TA", 1: "EE"}[t.Usage]),
					"Use DANE-EE: \"3 1 1 <SHA-256 of the server's public key>\".")
				f.Record = &report.Record{Name: h.Name, Type: "TLSA", Value: fmt.Sprintf("3 1 1 %s", placeholder(t))}
				fs = append(fs, f)
			}
		}
	}
	if with == 0 && len(fs) == 0 {
		detail := "No MX host publishes TLSA records at _25._tcp.<host>: senders cannot authenticate the MX servers with DANE (MTA-STS may still do so)."
		switch {
		case d.Resolver == Validating && !d.MXAuthentic:
			detail += " The domain's MX answer is not DNSSEC-signed, which DANE also needs."
		case d.Resolver == Validating:
			detail += " The MX answer is DNSSEC-validated, so DANE could be deployed."
		default:
			detail += " Whether the zone is DNSSEC-signed is unknown: the resolver set no AD bit."
		}
		fs = append(fs, defAbsent.New(detail, ""))
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

func summary(d *Data) string {
	n := 0
	for _, h := range d.Hosts {
		if len(h.Records) > 0 {
			n++
		}
	}
	return fmt.Sprintf("%d of %d MX host(s) with TLSA; DNSSEC %s", n, len(d.Hosts), d.Resolver)
}

func display(d *Data) report.Display {
	t := report.Table{Title: report.Lit("TLSA"), Columns: report.Lits("host", "records", "validated")}
	for _, h := range d.Hosts {
		var recs []string
		for _, r := range h.Records {
			recs = append(recs, short(r))
		}
		v := "no"
		switch {
		case h.Error != "":
			v = "error"
		case h.Authentic:
			v = "yes"
		case d.Resolver == Unknown:
			v = "unknown"
		}
		t.Rows = append(t.Rows, report.Lits(h.Host, strings.Join(recs, "; "), v))
	}
	return report.Display{Facts: []report.Fact{{Label: report.Lit("DNSSEC"), Value: report.Lit(string(d.Resolver))}}, Tables: []report.Table{t}}
}

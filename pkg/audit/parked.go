package audit

import (
	"strings"

	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/mx"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/spf"
)

// A parked domain sends and receives no mail, and says so: a null MX
// (RFC 7505: it accepts no mail), an SPF record that authorizes no one
// ("v=spf1 -all", RFC 7208 §5.1), and a DMARC policy of reject (RFC 9989
// §4.7), so that receivers refuse mail forged in its name. The checks that
// protect mail a domain sends or receives (DKIM keys, MTA-STS, TLS-RPT,
// DANE, BIMI, DMARC report addresses) have nothing to protect there, and
// are not asked of it; see M3AAWG's "Protecting Parked Domains" best
// practices.

var parkedDefinitions = []report.Definition{findParkedMX, findParkedSPF, findParkedDMARC}

var (
	findParkedMX  = report.Definition{ID: "audit.parked.mx", Severity: report.High, Refs: []string{"RFC 7505 §3"}}
	findParkedSPF = report.Definition{ID: "audit.parked.spf", Severity: report.High, Refs: []string{"RFC 7208 §5.1"},
		Variants: []report.Variant{{Name: "none", Severity: report.High}}} // no SPF record at all
	findParkedDMARC = report.Definition{ID: "audit.parked.dmarc", Severity: report.High, Refs: []string{"RFC 9989 §4.7"}}
)

// notForParked are the checks that do not apply to a parked domain.
var notForParked = map[string]bool{"dkim": true, "mtasts": true, "tlsrpt": true, "dane": true, "bimi": true}

// reportFindings ask for report addresses, which a domain that sends no
// mail does not need (nobody legitimate sends in its name to report on).
func reportFinding(id string) bool {
	return strings.HasPrefix(id, "dmarc.rua.") || strings.HasPrefix(id, "dmarc.ruf.") || id == "dmarc.fo.no_ruf"
}

// parkedState reads the evidence: a null MX, and an SPF record of
// "v=spf1 -all" with nothing else.
func parkedState(sections []report.Section) (nullMX, spfNone bool) {
	for _, s := range sections {
		switch d := s.Data.(type) {
		case *mx.Result:
			nullMX = d != nil && d.Null && len(d.Hosts) == 0
		case *spf.Data:
			spfNone = d != nil && isSPFNone(d.Record)
		}
	}
	return nullMX, spfNone
}

// isSPFNone reports whether record is "v=spf1 -all" in any case and
// spacing: exactly those two words (what strings.Fields and a comparison
// with EqualFold of the words joined by a space decide, without building
// them for every domain).
func isSPFNone(record string) bool {
	i := 0
	for f := range strings.FieldsSeq(record) {
		switch {
		case i == 0 && strings.EqualFold(f, "v=spf1"), i == 1 && strings.EqualFold(f, "-all"):
		default:
			return false
		}
		i++
	}
	return i == 2
}

// park recognizes a parked domain (or treats d as one when force is set,
// --parked) and adjusts the sections before scoring: the checks that do not
// apply are skipped, report-address findings are dropped, and, when forced,
// what still lets mail in or out gets a finding with the record that parks
// it. It reports whether d is judged as parked.
func park(sections []report.Section, d dnsname.Domain, force bool) bool {
	nullMX, spfNone := parkedState(sections)
	if !force && !(nullMX && spfNone) {
		return false
	}
	name := d.String()
	for i := range sections {
		s := &sections[i]
		if notForParked[s.Check] {
			s.Status = report.StatusSkipped
			s.Summary = report.T("audit.summary.parked", report.Params{"domain": d.Unicode()})
			s.Findings = []report.Finding{}
			continue
		}
		kept := s.Findings[:0:0]
		for _, f := range s.Findings {
			if reportFinding(f.ID) {
				continue
			}
			if f.ID == "dmarc.record.missing" {
				// The record to publish is data: for a parked domain it
				// rejects everything, having nothing to lose.
				f.Record = report.TXTRecord("_dmarc."+name, "v=DMARC1; p=reject")
			}
			kept = append(kept, f)
		}
		switch dt := s.Data.(type) {
		case *mx.Result:
			if force && dt != nil && !nullMX {
				kept = append(kept, withRecord(findParkedMX.With(report.Params{"domain": d.Unicode(), "mx": mxDescription(dt)}),
					&report.Record{Name: name, Type: "MX", Value: "0 ."}))
			}
		case *spf.Data:
			if force && dt != nil && !spfNone && !has(kept, "spf.parked.not_strict") {
				p := report.Params{"domain": d.Unicode(), "record": dt.Record}
				f := findParkedSPF.With(p)
				if dt.Record == "" {
					f = findParkedSPF.Alt("none", p)
				}
				kept = append(kept, withRecord(f, report.TXTRecord(name, "v=spf1 -all")))
			}
		case *dmarc.Data:
			if force && dt != nil && dt.EffectivePolicy != dmarc.PolicyReject && !has(kept, "dmarc.parked.not_reject") && !has(kept, "dmarc.record.missing") {
				kept = append(kept, withRecord(findParkedDMARC.With(report.Params{"domain": d.Unicode(), "policy": string(dt.EffectivePolicy)}),
					report.TXTRecord("_dmarc."+name, "v=DMARC1; p=reject")))
			}
		}
		if len(kept) != len(s.Findings) {
			s.Findings = kept
			report.SortFindings(s.Findings)
			if s.Status != report.StatusSkipped {
				s.Status = report.StatusOf(s.Findings)
			}
		}
	}
	return true
}

func withRecord(f report.Finding, r *report.Record) report.Finding {
	f.Record = r
	return f
}

func has(fs []report.Finding, id string) bool {
	for _, f := range fs {
		if f.ID == id {
			return true
		}
	}
	return false
}

func mxDescription(r *mx.Result) report.Msg {
	switch {
	case r.Implicit:
		return report.T("audit.parked.has.implicit", nil)
	case len(r.Hosts) == 1:
		return report.T("audit.parked.has.host", report.Params{"host": r.Hosts[0].Name})
	default:
		return report.T("audit.parked.has.hosts", report.Params{"count": len(r.Hosts)})
	}
}

package reports

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// TLSPolicy is one policy of an SMTP TLS report (RFC 8460 §4.4): the
// sessions it covered and why the failed ones failed.
type TLSPolicy struct {
	// Type is "sts", "tlsa" or "no-policy-found".
	Type       string `json:"type"`
	Domain     string `json:"domain"`
	MXHost     string `json:"mx_host,omitempty"`
	Successful int64  `json:"successful"`
	Failed     int64  `json:"failed"`
	// Failures counts failed sessions by result type ("certificate-expired",
	// "starttls-not-supported", "validation-failure"...), RFC 8460 §4.3.
	Failures []Count `json:"failures,omitempty"`
}

// Count is a name and how many.
type Count struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

type tlsJSON struct {
	Org       string `json:"organization-name"`
	DateRange struct {
		Start string `json:"start-datetime"`
		End   string `json:"end-datetime"`
	} `json:"date-range"`
	Contact  string `json:"contact-info"`
	ReportID string `json:"report-id"`
	Policies []struct {
		Policy struct {
			Type   string `json:"policy-type"`
			Domain string `json:"policy-domain"`
			MXHost any    `json:"mx-host"` // a string, or a list in some reports
		} `json:"policy"`
		Summary struct {
			Successful int64 `json:"total-successful-session-count"`
			Failed     int64 `json:"total-failure-session-count"`
		} `json:"summary"`
		Details []struct {
			ResultType string `json:"result-type"`
			Count      int64  `json:"failed-session-count"`
		} `json:"failure-details"`
	} `json:"policies"`
}

// maxTLSPolicies bounds the policies kept from one report.
const maxTLSPolicies = 1000

// parseTLSRPT reads an RFC 8460 §4 JSON report into a Report.
func parseTLSRPT(data []byte) (*Report, error) {
	var j tlsJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&j); err != nil {
		return nil, wrapErr("json", err)
	}
	if j.Org == "" && j.ReportID == "" && len(j.Policies) == 0 {
		return nil, problemf("json_not_tlsrpt", nil)
	}
	r := &Report{Kind: KindTLS, Org: j.Org, ReportID: j.ReportID}
	if t, err := time.Parse(time.RFC3339, j.DateRange.Start); err == nil {
		r.Begin = t.UTC()
	}
	if t, err := time.Parse(time.RFC3339, j.DateRange.End); err == nil {
		r.End = t.UTC()
	}
	var ok, failed int64
	defer func() { r.Successful, r.Failed = &ok, &failed }()
	for i, p := range j.Policies {
		if i >= maxTLSPolicies {
			r.Notes = append(r.Notes, note("policies", report.Params{"count": maxTLSPolicies}))
			break
		}
		tp := TLSPolicy{
			Type:       strings.ToLower(p.Policy.Type),
			Domain:     normDomain(p.Policy.Domain),
			Successful: max(p.Summary.Successful, 0),
			Failed:     max(p.Summary.Failed, 0),
		}
		switch mx := p.Policy.MXHost.(type) {
		case string:
			tp.MXHost = truncate(mx, 253)
		case []any:
			// A list, as some reporters send it: the names joined.
			var names []string
			for _, n := range mx[:min(len(mx), 4)] {
				if s, ok := n.(string); ok {
					names = append(names, truncate(s, 253))
				}
			}
			tp.MXHost = strings.Join(names, " ")
		}
		byType := map[string]int64{}
		for _, d := range p.Details {
			byType[strings.ToLower(truncate(d.ResultType, 64))] += max(d.Count, 0)
		}
		tp.Failures = sortedCounts(byType)
		ok += tp.Successful
		failed += tp.Failed
		r.TLSPolicies = append(r.TLSPolicies, tp)
		if r.Domain == "" {
			r.Domain = tp.Domain
		}
	}
	return r, nil
}

// sortedCounts lists a map's counts, largest first, then by name.
func sortedCounts(m map[string]int64) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	return out
}

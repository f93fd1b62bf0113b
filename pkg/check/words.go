package check

import (
	"errors"
	"fmt"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// ErrMsg is an error as a message parameter: a resolver error becomes the
// catalog message of its kind (dns.error.timeout, dns.error.servfail...)
// naming the question, so that "the query timed out" reads in the report's
// language; any other error is shown as it is.
func ErrMsg(err error) report.Msg {
	if err == nil {
		return report.Msg{}
	}
	var re *resolver.Error
	if errors.As(err, &re) {
		p := report.Params{"name": re.Name, "type": resolver.TypeString(re.Type), "rcode": rcode(re.Rcode)}
		if re.Err != nil {
			p["reason"] = re.Err.Error()
		}
		return report.T("dns.error."+string(re.Kind), p)
	}
	if errors.Is(err, resolver.ErrNoDNSSEC) {
		return report.T("dns.error.no_dnssec", nil)
	}
	// A typed error that words itself (*fetch.Error, *dnsname.Error).
	var w interface{ Msg() report.Msg }
	if errors.As(err, &w) {
		return w.Msg()
	}
	return report.Lit(err.Error())
}

func rcode(c int) string {
	if s, ok := dns.RcodeToString[c]; ok {
		return s
	}
	return fmt.Sprintf("RCODE %d", c)
}

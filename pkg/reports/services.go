package reports

import (
	"strings"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// Service is a sending service a domain may use, recognized by the reverse
// DNS of its sending addresses, the domains it signs DKIM with (d=) and the
// envelope-sender (SPF) domains it uses. The table is small on purpose:
// each entry comes from the service's own published setup documentation,
// and a source no entry matches is still classified, from its results.
type Service struct {
	Name string
	// PTR lists reverse-DNS suffixes of the service's sending hosts.
	PTR []string
	// Domains lists the DKIM d= and envelope-sender domain suffixes the
	// service uses when the customer has not set up their own.
	Domains []string
	// Include is the SPF include the service tells customers to add
	// (RFC 7208 §5.2), "" when it has none.
	Include string
}

// Services is the table of known sending services (docs/findings/reports.md
// lists it too). Matching is on whole labels: "mail-ed1-f41.google.com"
// matches "google.com", "notgoogle.com" does not.
var Services = []Service{
	{Name: "Google Workspace", PTR: []string{"google.com"}, Domains: []string{"gappssmtp.com", "googlemail.com"}, Include: "_spf.google.com"},
	{Name: "Microsoft 365", PTR: []string{"outbound.protection.outlook.com", "protection.outlook.com"}, Domains: []string{"onmicrosoft.com"}, Include: "spf.protection.outlook.com"},
	{Name: "Brevo", PTR: []string{"sendinblue.com", "brevo.com"}, Domains: []string{"sendinblue.com", "brevo.com", "sendibt2.com", "sendibt3.com"}, Include: "spf.brevo.com"},
	{Name: "Mailchimp", PTR: []string{"mcsv.net", "rsgsv.net", "mcdlv.net", "mandrillapp.com"}, Domains: []string{"mcsv.net", "rsgsv.net", "mcdlv.net", "mandrillapp.com", "mailchimpapp.net"}, Include: "servers.mcsv.net"},
	{Name: "Amazon SES", PTR: []string{"amazonses.com", "smtp-out.amazonses.com"}, Domains: []string{"amazonses.com"}, Include: "amazonses.com"},
	{Name: "SendGrid", PTR: []string{"sendgrid.net"}, Domains: []string{"sendgrid.net", "sendgrid.info"}, Include: "sendgrid.net"},
	{Name: "Mailgun", PTR: []string{"mailgun.net", "mailgun.info"}, Domains: []string{"mailgun.org", "mailgun.info", "mailgun.net"}, Include: "mailgun.org"},
	{Name: "Postmark", PTR: []string{"mtasv.net"}, Domains: []string{"mtasv.net", "pm.mtasv.net"}, Include: "spf.mtasv.net"},
	{Name: "Zoho Mail", PTR: []string{"zoho.com", "zohomail.com", "zoho.eu"}, Domains: []string{"zoho.com", "zohomail.com", "zoho.eu"}, Include: "zoho.com"},
	{Name: "Shopify", PTR: []string{"shopify.com"}, Domains: []string{"shopify.com", "shopifyemail.com"}, Include: "shops.shopify.com"},
}

// underDomain reports whether name is suffix or below it, on whole labels.
func underDomain(name, suffix string) bool {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	return name == suffix || strings.HasSuffix(name, "."+suffix)
}

// match finds the service a source belongs to, and how it was recognized:
// reverse DNS first (the receiver saw the connection), then DKIM d=, then
// the envelope-sender domain.
func match(ptrs []string, dkim, spf []identity) (*Service, report.Msg) {
	for i := range Services {
		s := &Services[i]
		for _, p := range ptrs {
			for _, suf := range s.PTR {
				if underDomain(p, suf) {
					return s, report.T("reports.matched.ptr", report.Params{"host": p})
				}
			}
		}
	}
	for _, via := range []struct {
		key string
		ids []identity
	}{{"reports.matched.dkim", dkim}, {"reports.matched.envelope", spf}} {
		for _, id := range via.ids {
			for i := range Services {
				for _, suf := range Services[i].Domains {
					if underDomain(id.domain, suf) {
						return &Services[i], report.T(via.key, report.Params{"domain": id.domain})
					}
				}
			}
		}
	}
	return nil, report.Msg{}
}

package cli

import (
	"context"
	"net/netip"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/infra"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/spf13/cobra"
)

// MXOptions are the inputs of `mailcheck mx`.
type MXOptions struct {
	Domain dnsname.Domain
	// IPs are sending addresses whose reverse DNS is checked too.
	IPs []netip.Addr
	// BIMISelector is the BIMI selector; "" means "default".
	BIMISelector string
}

func newMXCmd(f *Factory, runF func(context.Context, *MXOptions) error) *cobra.Command {
	opts := &MXOptions{}
	var ips []string
	cmd := &cobra.Command{
		Use:   "mx <domain>",
		Short: "Check MX, reverse DNS, MTA-STS, TLS-RPT, DNSSEC/DANE and BIMI",
		Long: `Check the domain's mail infrastructure: its MX records (null MX, aliases, IP
literals, hosts without or with private addresses), forward-confirmed reverse
DNS of each MX address and of the sending addresses given with --ip or named
directly in SPF, the MTA-STS record and policy (fetched over HTTPS, redirects
not followed) and whether it covers every MX host, TLS-RPT, DNSSEC (secure,
insecure or bogus, for the domain's zone and each MX host's zone, with expiring
signatures, weak algorithms and NSEC3 parameters), DANE TLSA records of the MX
hosts, and BIMI. DNSSEC verdicts need a validating resolver (a local unbound:
--resolver 127.0.0.1); through one that does not validate they are unknown.

With --zone the run is offline: DNS comes from the zone files and the MTA-STS
policy and BIMI logo are not fetched (those parts are reported skipped, never
deducted): nothing at all is sent to the network.

Exits 1 on a critical finding (an MX host that enforcing MTA-STS senders
refuse); --fail-on moves that line. Other exit codes: see 'mailcheck --help'.`,
		Example: `  mailcheck mx shop.example
  mailcheck mx shop.example --ip 192.0.2.10 --ip 2001:db8::10
  mailcheck mx shop.example --zone testdata/zones/mx-good.zone --format json`,
		Args: exactArgs(1, "domain"),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := f.domainArg("mx", args[0])
			if err != nil {
				return err
			}
			opts.Domain = d
			opts.IPs = nil
			for _, s := range ips {
				for _, one := range strings.Split(s, ",") {
					a, err := netip.ParseAddr(strings.Trim(strings.TrimSpace(one), "[]"))
					if err != nil || a.Zone() != "" {
						return badInput("ip_any", report.Params{"value": one})
					}
					opts.IPs = append(opts.IPs, a.Unmap())
				}
			}
			if opts.BIMISelector != "" && !isLabel(opts.BIMISelector) {
				return badInput("bimi_selector", report.Params{"value": opts.BIMISelector})
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runMX(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringArrayVar(&ips, "ip", nil, "a sending IP address whose reverse DNS to check (repeatable, or comma-separated)")
	cmd.Flags().StringVar(&opts.BIMISelector, "bimi-selector", "", "BIMI selector (default \"default\")")
	return cmd
}

func runMX(ctx context.Context, f *Factory, opts *MXOptions) error {
	s, ctx, cancel, err := f.newSession(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	secs := infra.Run(ctx, s.Env, opts.Domain, infra.Options{SendingIPs: opts.IPs, BIMISelector: opts.BIMISelector})
	rep := f.newReport(s, "mx", opts.Domain.Unicode(), secs...)
	return f.finish(ctx, rep)
}

// isLabel accepts one DNS label of letters, digits, hyphens and underscores.
func isLabel(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

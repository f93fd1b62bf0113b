package cli

import (
	"context"
	"net/netip"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/spf"
	"github.com/spf13/cobra"
)

// SPFOptions are the inputs of `mailcheck spf`.
type SPFOptions struct {
	Domain dnsname.Domain
	// IP, when valid, evaluates the policy for that client (check_host()).
	IP netip.Addr
	// Sender is the MAIL FROM address for the evaluation; "" means
	// postmaster@<domain>.
	Sender string
	// HELO is the client's HELO/EHLO name.
	HELO string
}

func newSPFCmd(f *Factory, runF func(context.Context, *SPFOptions) error) *cobra.Command {
	opts := &SPFOptions{}
	var ip string
	cmd := &cobra.Command{
		Use:   "spf <domain>",
		Short: "Check the domain's SPF policy (RFC 7208)",
		Long: `Validate a domain's SPF record and walk its whole include/redirect tree once,
counting the worst case of DNS-querying terms (limit 10) and of void lookups
(limit 2) for an IPv4 and an IPv6 sender, and report what breaks and which
include costs what.

With --ip, also evaluate the policy for that client the way a receiver does
(check_host(), RFC 7208 §4), for the --sender address (default
postmaster@<domain>) and --helo name, and show the result, the term that
decided it and a trace.

Exits 1 on a critical finding (a broken policy) and 0 when there are only
warnings; --fail-on moves that line. Other exit codes: see 'mailcheck --help'.`,
		Example: `  mailcheck spf shop.example
  mailcheck spf shop.example --ip 192.0.2.10 --sender bounce@shop.example --helo mail.shop.example
  mailcheck spf shop.example --zone testdata/zones/spf-good.zone --format json`,
		Args: exactArgs(1, "domain"),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := f.domainArg("spf", args[0])
			if err != nil {
				return err
			}
			opts.Domain = d
			if ip != "" {
				a, err := netip.ParseAddr(strings.Trim(ip, "[]"))
				if err != nil || a.Zone() != "" {
					return badInput("ip_any", report.Params{"value": ip})
				}
				opts.IP = a.Unmap()
			}
			if opts.Sender != "" && !opts.IP.IsValid() {
				return badInput("sender_needs_ip", nil)
			}
			if opts.Sender != "" {
				at := strings.LastIndexByte(opts.Sender, '@')
				if _, err := dnsname.Parse(opts.Sender[at+1:]); err != nil {
					return badInput("sender_domain", report.Params{"value": opts.Sender, "reason": report.Lit(unwrapAll(err).Error())})
				}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runSPF(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVar(&ip, "ip", "", "evaluate the policy for this client IP address")
	cmd.Flags().StringVar(&opts.Sender, "sender", "", "MAIL FROM address for the evaluation (default postmaster@<domain>)")
	cmd.Flags().StringVar(&opts.HELO, "helo", "", "HELO/EHLO name of the client; also checks that it has SPF")
	return cmd
}

func runSPF(ctx context.Context, f *Factory, opts *SPFOptions) error {
	s, ctx, cancel, err := f.newSession(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	sec := spf.Check(ctx, s.Env, opts.Domain, spf.Options{IP: opts.IP, Sender: opts.Sender, HELO: opts.HELO})
	rep := f.newReport(s, "spf", opts.Domain.Unicode(), sec)
	return f.finish(ctx, rep)
}

package cli

import (
	"context"
	"net/netip"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/smtpprobe"
	"github.com/spf13/cobra"
)

// PortsOptions are the inputs of `mailcheck ports`.
type PortsOptions struct {
	// Host is the host name or IP address to probe; empty when Domain is set.
	Host string
	// Domain, when set, probes its MX hosts and submission hosts.
	Domain dnsname.Domain
	// Ports are the ports to probe, with their roles.
	Ports []smtpprobe.Port
	// HELO is the EHLO name; "" sends this machine's address literal.
	HELO string
	// References are well-known MX hosts to compare port 25 with.
	References []string
	// NoReference turns off the default references (Factory.References),
	// probed when no --reference is given.
	NoReference bool
	// ConnectTimeout bounds each TCP connect.
	ConnectTimeout time.Duration
}

func newPortsCmd(f *Factory, runF func(context.Context, *PortsOptions) error) *cobra.Command {
	opts := &PortsOptions{}
	var domain string
	var portSpecs []string
	var noDefaults bool
	cmd := &cobra.Command{
		Use:   "ports [host | --domain domain]",
		Short: "Check outbound SMTP from this machine on ports 25, 587 and 465",
		Long: `Probe SMTP servers on ports 25, 587 and 465 from this machine, and tell "this
network blocks the port" apart from "that server is down" by comparing ports
and hosts. Each host is probed over IPv4 and IPv6 apart: connect, wait for the
whole greeting, EHLO (HELO if refused), STARTTLS on 25 and 587 or Implicit TLS
on 465, EHLO again inside TLS, QUIT. mailcheck never sends MAIL, RCPT, DATA or
AUTH.

With no host, probe only well-known MX hosts of unrelated providers on port
25 and their submission hosts on 587 (connect, greeting, QUIT; nothing more),
to answer "does this network block outbound port 25?". These references are
probed beside any host given too, unless --reference names others or
--no-reference turns them off (for a strict environment).

With a host (a name or an IP address), probe it on every port. With --domain,
probe the domain's MX hosts on port 25 and its submission hosts on 587 and 465
(RFC 6186 SRV records _submission._tcp and _submissions._tcp, else smtp. and
mail. names that exist).

--port N[/smtp|submission|submissions] adds a port, or changes the role of a
default one (repeatable); --no-default-ports probes only the ports given.
--reference HOST adds a well-known MX host of another provider, probed on the
smtp ports only so that a silent port 25 can be blamed on this network.

Every stage has its own bound, taken from --timeout T: the connect at most
T/2 (and --connect-timeout), the greeting T/2 (at most 60s), each later reply
and TLS handshake T/4 (at most 30s). A port that accepts the connection and
never greets is reported as "no greeting within T/2" (smtp.banner.timeout),
and the other probes run on at the same time.

Findings about this machine's network (env.*) are reported in their own
section, never as a fault of the domain. Exit codes: see 'mailcheck --help'.`,
		Example: `  mailcheck ports
  mailcheck ports mx.shop.example
  mailcheck ports --domain shop.example --helo host.example.net
  mailcheck ports relay.example.net --port 2525 --reference gmail-smtp-in.l.google.com
  mailcheck ports 192.0.2.25 --no-default-ports --port 2525/submission`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return badInput("args_ports", report.Params{"command": cmd.CommandPath(), "count": len(args)}).seeHelp(cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) == 1 && domain != "":
				return badInput("host_or_domain", nil)
			case len(args) == 0 && domain == "":
				if opts.NoReference && len(opts.References) == 0 {
					return badInput("no_reference", report.Params{"command": cmd.CommandPath()}).seeHelp(cmd.CommandPath())
				}
			case domain != "":
				d, err := f.domainArg("ports --domain", domain)
				if err != nil {
					return err
				}
				opts.Domain = d
			default:
				h, err := parseHostArg(args[0])
				if err != nil {
					return err
				}
				opts.Host = h
			}
			var extra []smtpprobe.Port
			for _, spec := range portSpecs {
				p, err := smtpprobe.ParsePort(spec)
				if err != nil {
					return badInput("flag_reason", report.Params{"flag": "--port", "reason": report.Lit(err.Error())})
				}
				extra = append(extra, p)
			}
			if noDefaults {
				if len(extra) == 0 {
					return badInput("no_default_ports", nil)
				}
				opts.Ports = dedupePorts(extra)
			} else {
				opts.Ports = smtpprobe.MergePorts(extra)
			}
			if opts.HELO != "" {
				h, err := parseHELO(opts.HELO)
				if err != nil {
					return err
				}
				opts.HELO = h
			}
			for i, r := range opts.References {
				h, err := parseHostArg(r)
				if err != nil {
					return badInput("flag_reason", report.Params{"flag": "--reference", "reason": report.Lit(unwrapAll(err).Error())})
				}
				opts.References[i] = h
			}
			if opts.ConnectTimeout <= 0 {
				return badInput("connect_timeout", report.Params{"value": opts.ConnectTimeout.String()})
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runPorts(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVar(&domain, "domain", "", "probe this domain's MX hosts (25) and submission hosts (587, 465)")
	cmd.Flags().StringArrayVar(&portSpecs, "port", nil, "add a port, N[/smtp|submission|submissions] (repeatable)")
	cmd.Flags().BoolVar(&noDefaults, "no-default-ports", false, "probe only the --port ports, not 25, 587 and 465")
	cmd.Flags().StringVar(&opts.HELO, "helo", "", "EHLO name: this machine's FQDN (default: its address literal, [192.0.2.1])")
	cmd.Flags().StringArrayVar(&opts.References, "reference", nil, "a well-known MX host to compare port 25 with (repeatable; replaces the default ones)")
	cmd.Flags().BoolVar(&opts.NoReference, "no-reference", false, "probe no well-known provider's hosts, only the host or domain given")
	cmd.Flags().DurationVar(&opts.ConnectTimeout, "connect-timeout", 10*time.Second, "limit for each TCP connect")
	return cmd
}

// parseHostArg reads a host name or an IP address (brackets allowed).
func parseHostArg(arg string) (string, error) {
	s := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(arg), "["), "]")
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return "", badInput("probe_zone_address", report.Params{"value": arg})
		}
		return a.Unmap().String(), nil
	}
	d, err := parseDomainArg("ports", arg)
	if err != nil {
		return "", err
	}
	return d.String(), nil
}

// parseHELO accepts an FQDN or an address literal (RFC 5321 §4.1.3), never
// a single label such as localhost (RFC 5321 §4.1.1.1: the client's FQDN).
func parseHELO(s string) (string, error) {
	if inner, ok := strings.CutPrefix(s, "["); ok {
		inner, ok = strings.CutSuffix(inner, "]")
		v6, isV6 := strings.CutPrefix(inner, "IPv6:")
		a, err := netip.ParseAddr(v6)
		if !ok || err != nil || a.Is4() == isV6 {
			return "", badInput("helo_literal", report.Params{"value": s})
		}
		return s, nil
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return "", badInput("helo_address", report.Params{"value": s})
	}
	d, err := dnsname.Parse(s)
	if err != nil {
		return "", badInput("helo_fqdn", report.Params{"value": s, "reason": report.Lit(unwrapAll(err).Error())})
	}
	return d.String(), nil
}

func dedupePorts(ps []smtpprobe.Port) []smtpprobe.Port {
	var out []smtpprobe.Port
	for _, p := range ps {
		replaced := false
		for i := range out {
			if out[i].Number == p.Number {
				out[i], replaced = p, true
			}
		}
		if !replaced {
			out = append(out, p)
		}
	}
	return out
}

func runPorts(ctx context.Context, f *Factory, opts *PortsOptions) error {
	s, ctx, cancel, err := f.newSession(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	popts := smtpprobe.Options{
		Ports:          opts.Ports,
		HELO:           opts.HELO,
		References:     opts.References,
		ConnectTimeout: opts.ConnectTimeout,
		// Each stage gets its share of --timeout (smtpprobe.Options.Budget),
		// so a silent greeting is a finding of its own, not "unfinished".
		Budget: f.globals.Timeout,
	}
	var plan smtpprobe.Plan
	target := opts.Host
	switch {
	case !opts.Domain.IsZero():
		target = opts.Domain.Unicode()
		plan.Target = opts.Domain.String()
		if s.Env.Dialer != nil { // offline: nothing to plan, Execute skips
			plan = smtpprobe.PlanDomain(ctx, s.Env, opts.Domain, popts)
		}
	case opts.Host != "":
		plan, err = smtpprobe.PlanHost(opts.Host, popts)
		if err != nil {
			return &InputError{Err: err}
		}
	default:
		plan = smtpprobe.PlanReferences(popts)
		target = plan.Target
	}
	if len(opts.References) == 0 && !opts.NoReference {
		plan.AddReferences(f.References, opts.Ports)
	}
	secs := smtpprobe.Execute(ctx, s.Env, plan, popts)
	rep := f.newReport(s, "ports", target, secs...)
	return f.finish(ctx, rep)
}

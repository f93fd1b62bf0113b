package cli

import (
	"context"
	"net/netip"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/dnsbl"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/spf13/cobra"
)

// DNSBLOptions are the inputs of `mailcheck dnsbl`.
type DNSBLOptions struct {
	// Domain is set when the target is a domain; Addrs otherwise.
	Domain dnsname.Domain
	Addrs  []netip.Addr
	// Lists are extra zones (--list ZONE[:KIND,...]), already validated.
	Lists []string
	// Catalog replaces the embedded list catalog (--lists FILE); nil keeps it.
	Catalog *dnsbl.Catalog
	// Concurrency bounds the blocklist queries in flight.
	Concurrency int
}

func newDNSBLCmd(f *Factory, runF func(context.Context, *DNSBLOptions) error) *cobra.Command {
	opts := &DNSBLOptions{}
	var listsFile string
	cmd := &cobra.Command{
		Use:   "dnsbl <ip>... | <domain>",
		Short: "Check addresses and a domain against DNS blocklists (RFC 5782)",
		Long: `Look up IP addresses, or a domain and its mail addresses, on DNS blocklists,
all lists at once, and decode every answer: a refusal (Spamhaus 127.255.255.254
for public resolvers, URIBL 127.0.0.1), an answer outside 127.0.0.0/8 or a list
that fails its RFC 5782 self-test is reported as unknown, never as a listing.

For a domain, the domain itself is checked on domain lists, and the addresses
of its MX hosts and of the hosts its SPF record names directly (ip4, ip6, a,
mx) on IP lists; private and reserved addresses found in DNS are skipped. An
address you name is always checked (127.0.0.2 is every list's test entry).

Blocklists refuse queries from public resolvers (8.8.8.8, 1.1.1.1): run this
through your own recursive resolver (--resolver), or use a Spamhaus DQS key
with --list KEY.zen.dq.spamhaus.net.

--list adds a zone (ZONE, or ZONE:ipv4,ipv6,domain for a list the catalog does
not know); --lists replaces the built-in catalog with a JSON file in the same
format (see pkg/dnsbl/lists.json). Defunct lists (SORBS, NJABL, AHBL, ...) are
never queried. Exit codes: see 'mailcheck --help'.`,
		Example: `  mailcheck dnsbl 192.0.2.1
  mailcheck dnsbl 192.0.2.1 2001:db8::25 --resolver 127.0.0.1
  mailcheck dnsbl shop.example --format json
  mailcheck dnsbl 192.0.2.1 --list KEY.zen.dq.spamhaus.net --list rbl.example.net:ipv4,ipv6`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return exactArgs(1, "dnsbl")(cmd, args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := parseDNSBLTargets(f, args, opts); err != nil {
				return err
			}
			for _, spec := range opts.Lists {
				if _, _, err := dnsbl.ParseListSpec(spec); err != nil {
					return badInput("flag_reason", report.Params{"flag": "--list", "reason": listReason(err)})
				}
			}
			if listsFile != "" {
				c, err := dnsbl.LoadCatalogFile(listsFile)
				if err != nil {
					return badInput("flag_reason", report.Params{"flag": "--lists", "reason": catalogReason(err)})
				}
				opts.Catalog = c
			}
			if opts.Concurrency < 1 || opts.Concurrency > 256 {
				return badInput("concurrency", report.Params{"value": opts.Concurrency, "max": 256})
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runDNSBL(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Lists, "list", nil, "also query this blocklist zone, ZONE[:ipv4,ipv6,domain] (repeatable)")
	cmd.Flags().StringVar(&listsFile, "lists", "", "replace the built-in list catalog with this JSON file")
	cmd.Flags().IntVar(&opts.Concurrency, "concurrency", dnsbl.DefaultConcurrency, "blocklist queries in flight at once")
	return cmd
}

// parseDNSBLTargets reads the arguments: one or more IP addresses, or one
// domain name.
func parseDNSBLTargets(f *Factory, args []string, opts *DNSBLOptions) error {
	opts.Domain, opts.Addrs = dnsname.Domain{}, nil
	var names []string
	for _, arg := range args {
		if a, err := netip.ParseAddr(strings.Trim(arg, "[]")); err == nil {
			if a.Zone() != "" {
				return badInput("zone_address", report.Params{"value": arg, "zone": a.Zone()})
			}
			// A mapped address (::ffff:192.0.2.1) is the IPv4 sender it maps.
			opts.Addrs = append(opts.Addrs, a.Unmap())
			continue
		}
		names = append(names, arg)
	}
	switch {
	case len(names) == 0:
		return nil
	case len(names) > 1 || len(opts.Addrs) > 0:
		return badInput("dnsbl_args", report.Params{"value": strings.Join(args, " ")})
	}
	d, err := f.domainArg("dnsbl", names[0])
	if err != nil {
		return err
	}
	opts.Domain = d
	return nil
}

func runDNSBL(ctx context.Context, f *Factory, opts *DNSBLOptions) error {
	s, ctx, cancel, err := f.newSession(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	dopts := dnsbl.Options{
		Catalog:     opts.Catalog,
		Lists:       opts.Lists,
		Concurrency: opts.Concurrency,
		Resolver:    s.source,
	}
	var sec report.Section
	var target string
	if !opts.Domain.IsZero() {
		target = opts.Domain.Unicode()
		sec = dnsbl.Check(ctx, s.Env, opts.Domain, dopts)
	} else {
		targets := make([]dnsbl.Target, len(opts.Addrs))
		names := make([]string, len(opts.Addrs))
		for i, a := range opts.Addrs {
			targets[i] = dnsbl.AddressTarget(a)
			names[i] = a.String()
		}
		target = strings.Join(names, " ")
		sec = dnsbl.CheckTargets(ctx, s.Env, targets, dopts)
	}
	rep := f.newReport(s, "dnsbl", target, sec)
	return f.finish(ctx, rep)
}

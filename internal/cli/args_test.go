package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/iostreams"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/spf13/cobra"
)

// Support staff paste an address or a URL; every command that takes a
// domain reads the domain out of it and says so on stderr, in one line.
func TestPastedAddressOrURL(t *testing.T) {
	var got []dnsname.Domain
	record := func(d ...dnsname.Domain) error { got = d; return nil }
	cmds := map[string]func(*Factory) *cobra.Command{
		"dmarc": func(f *Factory) *cobra.Command {
			return newDMARCCmd(f, func(_ context.Context, o *DMARCOptions) error { return record(o.Domain) })
		},
		"spf": func(f *Factory) *cobra.Command {
			return newSPFCmd(f, func(_ context.Context, o *SPFOptions) error { return record(o.Domain) })
		},
		"mx": func(f *Factory) *cobra.Command {
			return newMXCmd(f, func(_ context.Context, o *MXOptions) error { return record(o.Domain) })
		},
		"dkim": func(f *Factory) *cobra.Command {
			return newDKIMCmd(f, func(_ context.Context, o *DKIMOptions) error { return record(o.Domain) })
		},
		"domain": func(f *Factory) *cobra.Command {
			return newDomainCmd(f, func(_ context.Context, o *DomainOptions) error { return record(o.Domains...) })
		},
		"dnsbl": func(f *Factory) *cobra.Command {
			return newDNSBLCmd(f, func(_ context.Context, o *DNSBLOptions) error { return record(o.Domain) })
		},
		"ports": func(f *Factory) *cobra.Command {
			return newPortsCmd(f, func(_ context.Context, o *PortsOptions) error { return record(o.Domain) })
		},
	}
	inputs := map[string]string{
		"contact@shop.fr":          "an email address",
		"mailto:contact@shop.fr":   "an email address",
		"<contact@Shop.FR>":        "an email address",
		"https://shop.fr/cart":     "a URL",
		"http://shop.fr:8080/?q=1": "a URL",
		"shop.fr/cart":             "a URL",
		"shop.fr":                  "",
	}
	for name, newCmd := range cmds {
		for in, what := range inputs {
			ios, _, _, errOut := iostreams.Test()
			cmd := newCmd(NewFactory(ios))
			args := []string{in}
			if name == "ports" {
				args = []string{"--domain", in}
			}
			cmd.SetArgs(args)
			cmd.SetOut(ios.Out)
			cmd.SetErr(ios.ErrOut)
			got = nil
			if err := cmd.Execute(); err != nil {
				t.Errorf("%s %s: %v", name, in, err)
				continue
			}
			if len(got) != 1 || got[0].String() != "shop.fr" {
				t.Errorf("%s %s: domain %v, want shop.fr", name, in, got)
			}
			stderr := errOut.String()
			switch {
			case what == "" && stderr != "":
				t.Errorf("%s %s: stderr %q, want nothing", name, in, stderr)
			case what != "" && (strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, what) || !strings.Contains(stderr, "checking the domain shop.fr")):
				t.Errorf("%s %s: stderr %q, want one line saying it is %s", name, in, stderr, what)
			}
		}
	}
}

package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/iostreams"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/spf13/cobra"
)

func TestBadInputNumbersAndPorts(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"near-IP to dnsbl", []string{"dnsbl", "192.0.2.300"}, "192.0.2.300 is not a valid IPv4 address"},
		{"near-IP over 255", []string{"dnsbl", "999.1.1.1"}, "999.1.1.1 is not a valid IPv4 address"},
		{"near-IP to dmarc", []string{"dmarc", "10.0.0.256"}, "not a valid IPv4 address"},
		{"numeric TLD", []string{"mx", "shop.123"}, "last label is all digits"},
		{"resolver port out of range", []string{"dmarc", "shop.example", "--resolver", "127.0.0.1:99999"}, "port \"99999\" is not a number from 1 to 65535"},
		{"resolver port zero", []string{"spf", "shop.example", "--resolver", "[::1]:0"}, "1 to 65535"},
		{"resolver port name", []string{"spf", "shop.example", "--resolver", "127.0.0.1:dns"}, "1 to 65535"},
		{"zone of binary noise", []string{"dmarc", "shop.example", "--zone", "/dev/zero"}, "binary data, not a zone file"},
		{"port in a name", []string{"dmarc", "shop.example:443"}, "character ':'"},
		// An error quoting input or an answer is escaped on stderr too.
		{"escape in a path", []string{"dmarc", "shop.example", "--zone", "\x1b[2J\x1b]0;x\x07.zone"}, `\x1b[2J\x1b]0;x\x07.zone: no such file`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.args...)
			if r.code != ExitBadInput {
				t.Errorf("exit %d, want 2; stderr %q", r.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout not empty: %.200q", r.stdout)
			}
			if len(r.stderr) > 200 {
				t.Errorf("stderr is %d bytes", len(r.stderr))
			}
			assertOneLineError(t, r, tt.want)
		})
	}
}

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

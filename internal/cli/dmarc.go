package cli

import (
	"context"
	"fmt"

	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/spf13/cobra"
)

// DMARCOptions are the inputs of `mailcheck dmarc`.
type DMARCOptions struct {
	Domain dnsname.Domain
	// RequirePolicy fails the run (exit 1) when the policy that applies to
	// the domain is weaker; "" for no requirement.
	RequirePolicy dmarc.Policy
}

func newDMARCCmd(f *Factory, runF func(context.Context, *DMARCOptions) error) *cobra.Command {
	opts := &DMARCOptions{}
	var require string
	cmd := &cobra.Command{
		Use:   "dmarc <domain>",
		Short: "Check the domain's DMARC policy (RFC 9989)",
		Long: `Find the DMARC policy that applies to a domain with the RFC 9989 DNS tree walk,
validate every tag, and check that report destinations accept reports.

With --require-policy, exit 1 when the policy that applies to the domain (p,
or sp/np when it is inherited from a parent) is weaker than the one named,
or is in test mode (t=y). Other exit codes: see 'mailcheck --help'.`,
		Example: `  mailcheck dmarc shop.example
  mailcheck dmarc shop.example --require-policy quarantine
  mailcheck dmarc shop.example --zone testdata/zones/shop.example.zone --format json`,
		Args: exactArgs(1, "domain"),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := f.domainArg("dmarc", args[0])
			if err != nil {
				return err
			}
			opts.Domain = d
			if require != "" {
				p, ok := dmarc.ParsePolicy(require)
				if !ok {
					return badInput("require_policy", report.Params{"value": require})
				}
				opts.RequirePolicy = p
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runDMARC(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVar(&require, "require-policy", "", "exit 1 unless the policy is at least none, quarantine or reject")
	return cmd
}

func runDMARC(ctx context.Context, f *Factory, opts *DMARCOptions) error {
	s, ctx, cancel, err := f.newSession(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	sec := dmarc.Check(ctx, s.Env, opts.Domain, dmarc.Options{})
	rep := f.newReport(s, "dmarc", opts.Domain.Unicode(), sec)
	var gates []gate
	if opts.RequirePolicy != "" {
		gates = append(gates, requirePolicy(opts.RequirePolicy))
	}
	return f.finish(ctx, rep, gates...)
}

// requirePolicy fails when the effective policy is weaker than want, or
// when test mode asks receivers not to apply it.
func requirePolicy(want dmarc.Policy) gate {
	return func(rep *report.Report) (bool, string) {
		for _, s := range rep.Sections {
			d, ok := s.Data.(*dmarc.Data)
			if !ok {
				continue
			}
			switch {
			case d.EffectivePolicy == "":
				return true, fmt.Sprintf("--require-policy %s: %s has no usable DMARC policy", want, d.Domain)
			case d.EffectivePolicy.Rank() < want.Rank():
				return true, fmt.Sprintf("--require-policy %s: the policy for %s is %s (%s at _dmarc.%s)", want, d.Domain, d.EffectivePolicy, d.EffectivePolicySource, d.PolicyDomain)
			case d.Testing && want != dmarc.PolicyNone:
				return true, fmt.Sprintf("--require-policy %s: the policy for %s is %s but in test mode (t=y), so receivers do not apply it", want, d.Domain, d.EffectivePolicy)
			}
		}
		return false, ""
	}
}

// exactArgs is cobra.ExactArgs with a message that names what is expected:
// what is a key of cli.err.what.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return badInput("args", report.Params{"command": cmd.CommandPath(), "what": report.T("cli.err.what."+what, nil), "count": len(args)}).seeHelp(cmd.CommandPath())
		}
		return nil
	}
}

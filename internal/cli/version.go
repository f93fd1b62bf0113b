package cli

import (
	"encoding/json"
	"fmt"

	"github.com/mailcheck/mailcheck/internal/build"
	"github.com/spf13/cobra"
)

// newVersionCmd is `mailcheck version`: what --version prints, in full
// (the whole commit, the build date, the Go toolchain and the platform),
// as text or, with --format json, as one JSON object.
func newVersionCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build date of this binary",
		Long: `Print the version, commit and build date of this binary. Release builds
carry them from the release; other builds take what the Go toolchain
recorded (the module version for go install, the Git commit and its time
for a build in a clone), and say "unknown" for what it did not record.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d := build.Describe()
			out := f.IO.Out
			switch f.globals.Format {
			case "json", "jsonl":
				enc := json.NewEncoder(out)
				if f.globals.Format == "json" {
					enc.SetIndent("", "  ")
				}
				return enc.Encode(d)
			}
			commit := d.Commit
			if d.Modified {
				commit += " (modified)"
			}
			_, err := fmt.Fprintf(out, "mailcheck %s\ncommit    %s\nbuilt     %s\ngo        %s %s\n", d.Version, commit, d.Date, d.Go, d.Platform)
			return err
		},
	}
}

package schema

import (
	"github.com/mailcheck/mailcheck/internal/build"
	"github.com/mailcheck/mailcheck/pkg/arc"
	"github.com/mailcheck/mailcheck/pkg/bimi"
	"github.com/mailcheck/mailcheck/pkg/bounce"
	"github.com/mailcheck/mailcheck/pkg/dane"
	"github.com/mailcheck/mailcheck/pkg/dkim"
	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/dnsbl"
	"github.com/mailcheck/mailcheck/pkg/dnssec"
	"github.com/mailcheck/mailcheck/pkg/message"
	"github.com/mailcheck/mailcheck/pkg/mtasts"
	"github.com/mailcheck/mailcheck/pkg/mx"
	"github.com/mailcheck/mailcheck/pkg/rdns"
	"github.com/mailcheck/mailcheck/pkg/reports"
	"github.com/mailcheck/mailcheck/pkg/smtpprobe"
	"github.com/mailcheck/mailcheck/pkg/spf"
	"github.com/mailcheck/mailcheck/pkg/tlsrpt"
)

// This file is the one place that says what the JSON of each command
// holds. A new check: add its Section.Data type to Checks. A new command:
// add it to Commands with the checks its sections come from. Then run
// `go test ./internal/schema -update` to regenerate docs/schema/.

// Checks lists, in report order, each check's name (a section's "check")
// and the Go type of its "data". docs/json-data.md is generated from this
// list too (internal/catalog).
var Checks = []Check{
	{"spf", spf.Data{}},
	{"dkim", dkim.Data{}},
	{"dmarc", dmarc.Data{}},
	{"dnsbl", dnsbl.Data{}},
	{"mx", mx.Result{}},
	{"rdns", rdns.Data{}},
	{"mtasts", mtasts.Data{}},
	{"tlsrpt", tlsrpt.Data{}},
	{"dnssec", dnssec.Data{}},
	{"dane", dane.Data{}},
	{"bimi", bimi.Data{}},
	{"ports", smtpprobe.PortsData{}},
	{"smtp", smtpprobe.ServerData{}},
	{"message", message.Data{}},
	{"message.path", message.PathData{}},
	{"message.receiver", message.ReceiverData{}},
	{"message.spf", message.SPFData{}},
	{"message.dkim", dkim.MessageData{}},
	{"message.dmarc", message.DMARCData{}},
	{"message.arc", arc.Result{}},
	{"message.checklist", message.ChecklistData{}},
	{"reports", reports.Data{}},
	{"bounce", bounce.Data{}},
	// "score" is the note that stands first in a domain report with no
	// grade (insufficient data, pkg/audit); it carries no data.
	{"score", nil},
}

// Check is one check's name and data type.
type Check struct {
	Name string
	Data any
}

// DataOf returns the data type of the named check.
func DataOf(name string) (any, bool) {
	for _, c := range Checks {
		if c.Name == name {
			return c.Data, true
		}
	}
	return nil, false
}

// infra is what `mailcheck mx` runs (pkg/infra).
var infra = []string{"mx", "rdns", "mtasts", "tlsrpt", "dnssec", "dane", "bimi"}

// Commands lists, for each command with a JSON report, the checks whose
// sections it can hold (in "sections" or "environment").
var Commands = map[string]Command{
	"domain":  {Checks: append([]string{"score", "spf", "dkim", "dmarc", "dnsbl", "ports", "smtp"}, infra...), Many: true},
	"dmarc":   {Checks: []string{"dmarc"}},
	"spf":     {Checks: []string{"spf"}},
	"dkim":    {Checks: []string{"dkim"}},
	"mx":      {Checks: infra},
	"dnsbl":   {Checks: []string{"dnsbl"}},
	"ports":   {Checks: []string{"ports", "smtp"}},
	"reports": {Checks: []string{"reports"}},
	// bounce: one section per message; --check adds the checks it runs.
	"bounce":  {Checks: append([]string{"bounce", "dmarc", "spf", "dkim", "dnsbl"}, infra...)},
	"message": {Checks: []string{"message", "message.path", "message.receiver", "message.spf", "message.dkim", "message.dmarc", "message.arc", "message.checklist"}},
	// version writes no report: its own object.
	"version": {Root: build.Description{}},
}

// Command is one command's JSON shape.
type Command struct {
	// Checks are the check names its sections can carry.
	Checks []string
	// Many: `--format json` writes an array of reports (one per input,
	// even for one), as `mailcheck domain` does; otherwise one report.
	Many bool
	// Root, when set, is the Go type of a command whose output is not a
	// report.
	Root any
}

package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/catalog"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// `mailcheck dnsbl` and `mailcheck mx` in French, on the bundled zones:
// every message of the blocklist, reverse DNS, DNSSEC and DANE checks is
// in the French catalog, none of their English sentences is left in the
// text or Markdown output, no key shows, and the findings are the
// registry's.
func TestInfraCommandsInFrench(t *testing.T) {
	srv := startDNSBLServer(t)
	runs := [][]string{
		{"dnsbl", "192.0.2.99", "192.0.2.10", "192.0.2.1", "--resolver", srv.Addr, "--lists", dnsblCatalog},
		{"dnsbl", "shop.example", "--resolver", srv.Addr, "--lists", dnsblCatalog},
		{"mx", "shop.example", "--zone", "../../testdata/zones/shop.example.zone"},
	}
	for _, args := range runs {
		for _, format := range []string{"text", "markdown", "json"} {
			r := run(t, append(append([]string{}, args...), "--lang", "fr", "--details", "--format", format)...)
			if r.code == ExitBadInput {
				t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
			}
			if format == "json" {
				var rep report.Report
				if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
					t.Fatalf("%v: %v", args, err)
				}
				if errs := catalog.Validate(&rep); len(errs) > 0 {
					t.Errorf("%v: catalog: %v", args, errs)
				}
				continue
			}
			for _, frag := range i18n.EnglishIn(r.stdout) {
				if ours(frag) {
					t.Errorf("%v %s: English left: %q", args, format, frag)
				}
			}
			for _, key := range []string{"dnsbl.", "ptr.", "rdns.", "dnssec.", "dane.", "infra.", "fetch.", "dnsname."} {
				for _, line := range strings.Split(r.stdout, "\n") {
					if strings.Contains(line, key) && !strings.Contains(line, "·") && !strings.Contains(line, "dnsbl.test") && !strings.Contains(line, "`") {
						t.Errorf("%v %s: a key shows? %q", args, format, line)
					}
				}
			}
		}
	}
}

// ours tells whether an English catalog fragment is one of this change's
// packages (other packages' words are their owners' to move).
func ours(frag string) bool {
	en, _ := i18n.Messages(i18n.English)
	for k, m := range en {
		if !strings.HasPrefix(k, "dnsbl.") && !strings.HasPrefix(k, "ptr.") && !strings.HasPrefix(k, "rdns.") &&
			!strings.HasPrefix(k, "dnssec.") && !strings.HasPrefix(k, "dane.") && !strings.HasPrefix(k, "infra.") &&
			!strings.HasPrefix(k, "fetch.") && !strings.HasPrefix(k, "dnsname.") && !strings.HasPrefix(k, "hint.dnsbl.") &&
			!strings.HasPrefix(k, "hint.dnssec.") && !strings.HasPrefix(k, "hint.dane.") {
			continue
		}
		for _, form := range []string{m.One, m.Other} {
			if strings.Contains(form, frag) {
				return true
			}
		}
	}
	return false
}

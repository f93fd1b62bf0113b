package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/smtptest"
	"github.com/mailcheck/mailcheck/pkg/dkim"
	"github.com/mailcheck/mailcheck/pkg/smtpprobe"
)

// An apex CNAME loop leaves the checks that carry the score unknown: no
// grade ("insufficient data"), exit 3, and no --fail-under gate passes.
func TestDomainInsufficientData(t *testing.T) {
	for _, gate := range []string{"75", "0"} {
		r := run(t, "domain", "loop.example", "--zone", "../../testdata/zones/apex-cname-loop.zone", "--fail-under", gate, "--format", "jsonl")
		if r.code != ExitInconclusive {
			t.Errorf("--fail-under %s: exit %d, want 3; stderr %q", gate, r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "insufficient data") {
			t.Errorf("stderr %q", r.stderr)
		}
		var doc struct {
			Score    *json.RawMessage `json:"score"`
			Sections []struct {
				Check    string `json:"check"`
				Status   string `json:"status"`
				Findings []struct {
					ID string `json:"id"`
				} `json:"findings"`
			} `json:"sections"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Score != nil {
			t.Errorf("scored: %s", *doc.Score)
		}
		if len(doc.Sections) == 0 || doc.Sections[0].Check != "score" || doc.Sections[0].Status != "unknown" ||
			len(doc.Sections[0].Findings) != 1 || doc.Sections[0].Findings[0].ID != "audit.score.insufficient" {
			t.Errorf("first section %+v", doc.Sections[0])
		}
	}
	r := run(t, "domain", "loop.example", "--zone", "../../testdata/zones/apex-cname-loop.zone", "--no-color")
	if !strings.Contains(r.stdout, "Score · unknown") || !strings.Contains(r.stdout, "insufficient data") || strings.Contains(r.stdout, "grade B") {
		t.Errorf("text output:\n%s", r.stdout)
	}
}

// A port that accepts TCP and never greets costs its own bounded wait
// (half of --timeout), is reported as "no greeting within N s"
// (smtp.banner.timeout), and the other ports finish on their own.
func TestPortsSilentGreeting(t *testing.T) {
	silent := smtptest.Start(t, smtptest.Config{Silent: true})
	ok := smtptest.Start(t, smtptest.Config{Hostname: "mx1.shop.example", Extensions: []string{"PIPELINING"}})
	dialer := &portsNet{t: t, routes: map[string]any{
		"192.0.2.10:25":  silent.Addr,
		"192.0.2.10:587": ok.Addr,
		"192.0.2.10:465": smtptest.RefusedAddr(t),
	}}
	r := runPortsCommand(t, dialer, "ports", "192.0.2.10", "--helo", "probe.example.org", "--format", "json",
		"--timeout", "3s", "--fail-on", "none", "--resolver", portsDNS(t))
	if r.code != 0 {
		t.Fatalf("exit %d; stderr %q", r.code, r.stderr)
	}
	doc, data := decodePorts(t, r.stdout)
	outcomes := map[int]smtpprobe.Outcome{}
	for _, p := range data.Probes {
		outcomes[p.Port.Number] = p.Outcome
	}
	if outcomes[25] != smtpprobe.OutcomeNoGreeting || outcomes[587] != smtpprobe.OutcomeOK || outcomes[465] != smtpprobe.OutcomeRefused {
		t.Errorf("outcomes %v", outcomes)
	}
	found := false
	for _, f := range doc.Sections[1].Findings {
		if f.ID == "smtp.banner.timeout" {
			found = true
			if !strings.Contains(f.Detail, "no greeting within 1.5 s") {
				t.Errorf("detail %q", f.Detail)
			}
		}
	}
	if !found {
		t.Errorf("no smtp.banner.timeout in %+v", doc.Sections[1].Findings)
	}
}

// A healthy domain whose selector is not among the guesses: "no key found
// under common selectors" is a finding (unknown), not an unreachable
// resolver. Exit 3 only when DNS really failed.
func TestDKIMGuessesMissIsNotInconclusive(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("rare.example.", "@ SOA ns.rare.example. h.rare.example. 1 3600 600 86400 300\n"+
		`unusual2026._domainkey TXT "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB"`+"\n"))
	code, out, errOut := runDKIMCommand(t, srv, "", "dkim", "rare.example", "--format", "json")
	if code != 0 || !strings.Contains(out, "dkim.selector.unverified") {
		t.Errorf("exit %d, stderr %q\n%s", code, errOut, out)
	}
	for _, k := range dkim.KnownSelectors {
		srv.SetFault(k.Selector+"._domainkey.rare.example.", 0, dnstest.ServFail)
	}
	if code, _, errOut := runDKIMCommand(t, srv, "", "dkim", "rare.example"); code != ExitInconclusive {
		t.Errorf("resolver failing: exit %d, want 3; stderr %q", code, errOut)
	}
}

// portsDoc is the JSON report of mailcheck ports, as far as tests read it.
type portsDoc struct {
	Sections []struct {
		Check    string `json:"check"`
		Status   string `json:"status"`
		Findings []struct {
			ID     string `json:"id"`
			Detail string `json:"detail"`
		} `json:"findings"`
		Data json.RawMessage `json:"data"`
	} `json:"sections"`
}

// decodePorts reads a ports report and the probes of its first section.
func decodePorts(t *testing.T, stdout string) (portsDoc, smtpprobe.PortsData) {
	t.Helper()
	var doc portsDoc
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	var data smtpprobe.PortsData
	if len(doc.Sections) == 0 {
		t.Fatalf("no sections: %s", stdout)
	}
	if err := json.Unmarshal(doc.Sections[0].Data, &data); err != nil {
		t.Fatal(err)
	}
	return doc, data
}

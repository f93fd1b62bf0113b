package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/smtptest"
	"github.com/mailcheck/mailcheck/pkg/smtpprobe"
)

// refZone names two unrelated providers' MX and submission hosts, at
// documentation addresses that portsNet routes to loopback.
const refZone = `$ORIGIN example.
@             SOA ns.example. hostmaster.example. 1 7200 3600 1209600 300
mx.ref-a      A   192.0.2.101
mx.ref-b      A   198.51.100.102
smtp.ref-a    A   192.0.2.111
smtp.ref-b    A   198.51.100.112
`

var testRefs = smtpprobe.References{
	MX:         []string{"mx.ref-a.example", "mx.ref-b.example"},
	Submission: []string{"smtp.ref-a.example", "smtp.ref-b.example"},
}

func runRefs(t *testing.T, dialer *portsNet, args ...string) (result, refsDoc) {
	t.Helper()
	dns := dnstest.Start(t, dnstest.ZoneText("example.", refZone))
	r := runWith(t, func(f *Factory, _ *bytes.Buffer) { f.Dialer = dialer; f.References = testRefs },
		append(args, "--resolver", dns.ClientOptions().Server, "--connect-timeout", "300ms", "--format", "json", "--fail-on", "none")...)
	var doc refsDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("exit %d, stderr %q: %v", r.code, r.stderr, err)
	}
	return r, doc
}

type refsDoc struct {
	Target   string `json:"target"`
	Sections []struct {
		Check    string `json:"check"`
		Findings []struct {
			ID string `json:"id"`
		} `json:"findings"`
		Data struct {
			Probes []smtpprobe.Probe `json:"probes"`
		} `json:"data"`
	} `json:"sections"`
}

func (d refsDoc) envIDs() []string {
	var ids []string
	for _, f := range d.Sections[0].Findings {
		ids = append(ids, f.ID)
	}
	return ids
}

// onlyGreetingAndQuit: a reference server saw a session and nothing but QUIT.
func onlyGreetingAndQuit(t *testing.T, srv *smtptest.Server) {
	t.Helper()
	if srv.Sessions() == 0 {
		t.Error("reference not probed")
	}
	for _, c := range srv.Commands() {
		if c.Line != "QUIT" {
			t.Errorf("a reference received %q: only QUIT is allowed", c.Line)
		}
	}
}

// mailcheck ports with no host: port 25 silent to both providers' MX
// hosts while their submission hosts greet on 587 is this network
// blocking port 25, with no --reference flag.
func TestPortsNoHostBlocked25(t *testing.T) {
	a := smtptest.Start(t, smtptest.Config{Hostname: "smtp.ref-a.example"})
	b := smtptest.Start(t, smtptest.Config{Hostname: "smtp.ref-b.example"})
	dialer := &portsNet{t: t, routes: map[string]any{
		"192.0.2.101:25":     "drop",
		"198.51.100.102:25":  "drop",
		"192.0.2.111:587":    a.Addr,
		"198.51.100.112:587": b.Addr,
	}}
	_, doc := runRefs(t, dialer, "ports")
	if doc.Target != "this machine" {
		t.Errorf("target %q", doc.Target)
	}
	if ids := doc.envIDs(); len(ids) != 1 || ids[0] != "env.port25.blocked" {
		t.Errorf("environment findings %v, want env.port25.blocked", ids)
	}
	for _, p := range doc.Sections[0].Data.Probes {
		if p.Source != smtpprobe.SourceReference {
			t.Errorf("probe of %s from %s: only references were asked for", p.Host, p.Source)
		}
	}
	onlyGreetingAndQuit(t, a)
	onlyGreetingAndQuit(t, b)
}

// Port 25 open: the references greet, get QUIT, and nothing is reported.
func TestPortsNoHostOpen(t *testing.T) {
	var srvs []*smtptest.Server
	routes := map[string]any{}
	for addr, name := range map[string]string{
		"192.0.2.101:25": "mx.ref-a.example", "198.51.100.102:25": "mx.ref-b.example",
		"192.0.2.111:587": "smtp.ref-a.example", "198.51.100.112:587": "smtp.ref-b.example",
	} {
		s := smtptest.Start(t, smtptest.Config{Hostname: name})
		srvs = append(srvs, s)
		routes[addr] = s.Addr
	}
	r, doc := runRefs(t, &portsNet{t: t, routes: routes}, "ports")
	if r.code != 0 || len(doc.envIDs()) != 0 {
		t.Errorf("exit %d, environment findings %v", r.code, doc.envIDs())
	}
	for _, s := range srvs {
		onlyGreetingAndQuit(t, s)
	}
}

// --no-reference probes the host given and nothing else (portsNet fails
// the test on any dial without a route); --reference replaces the defaults.
func TestPortsNoReference(t *testing.T) {
	mx := smtptest.Start(t, smtptest.Config{Hostname: "mx.shop.example"})
	routes := map[string]any{"192.0.2.10:25": mx.Addr, "192.0.2.10:587": smtptest.RefusedAddr(t), "192.0.2.10:465": smtptest.RefusedAddr(t)}
	_, doc := runRefs(t, &portsNet{t: t, routes: routes}, "ports", "192.0.2.10", "--no-reference")
	for _, p := range doc.Sections[0].Data.Probes {
		if p.Source == smtpprobe.SourceReference {
			t.Errorf("reference %s probed under --no-reference", p.Host)
		}
	}
	routes["198.51.100.102:25"] = mx.Addr
	_, doc = runRefs(t, &portsNet{t: t, routes: routes}, "ports", "192.0.2.10", "--reference", "mx.ref-b.example")
	var refs []string
	for _, p := range doc.Sections[0].Data.Probes {
		if p.Source == smtpprobe.SourceReference {
			refs = append(refs, p.Host)
		}
	}
	if strings.Join(refs, " ") != "mx.ref-b.example" {
		t.Errorf("references probed %v, want only the one named", refs)
	}
}

package dnssec

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// startUnbound runs a real unbound on 127.0.0.1 when one is installed,
// serving the zones itself as auth-zones "for upstream" (so it iterates
// and validates them as if fetched, from the test's trust anchor, with no
// network), validating at the test clock (val-override-date). It is
// skipped where unbound is not installed.
func startUnbound(t *testing.T, zones []dnstest.Zone, anchors []*dns.DS, validate bool) string {
	t.Helper()
	bin, err := exec.LookPath("unbound")
	if err != nil {
		if _, err2 := os.Stat("/usr/sbin/unbound"); err2 != nil {
			t.Skip("unbound is not installed")
		}
		bin = "/usr/sbin/unbound"
	}
	// A port free for UDP and TCP at once, and a retry with another one
	// when unbound still loses the race for it to a parallel test.
	for attempt := 1; ; attempt++ {
		if addr, ok := tryUnbound(t, bin, freePort(t), zones, anchors, validate, attempt == 3); ok {
			return addr
		}
	}
}

// freePort returns a loopback port that was free for both UDP and TCP.
func freePort(t *testing.T) int {
	t.Helper()
	for {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		pc.Close()
		if err == nil {
			ln.Close()
			return port
		}
	}
}

// tryUnbound starts unbound on port and waits for it to answer; last
// makes a failure fatal instead of a retry.
func tryUnbound(t *testing.T, bin string, port int, zones []dnstest.Zone, anchors []*dns.DS, validate, last bool) (string, bool) {
	t.Helper()
	dir := t.TempDir()
	var anchor strings.Builder
	for _, a := range anchors {
		anchor.WriteString(a.String() + "\n")
	}
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	modules := "validator iterator"
	if !validate {
		modules = "iterator"
	}
	conf := fmt.Sprintf(`server:
  interface: 127.0.0.1
  port: %d
  do-ip6: no
  do-not-query-localhost: no
  username: ""
  chroot: ""
  directory: %q
  pidfile: ""
  use-syslog: no
  logfile: %q
  verbosity: 0
  trust-anchor-file: %q
  module-config: %q
  val-override-date: %q
  ede: yes
  qname-minimisation: no
  access-control: 127.0.0.0/8 allow
`, port, dir, filepath.Join(dir, "unbound.log"), write("anchor", anchor.String()), modules, testclock.Now().UTC().Format("20060102150405"))
	for i, z := range zones {
		conf += fmt.Sprintf("auth-zone:\n  name: %q\n  zonefile: %q\n  for-upstream: yes\n  for-downstream: no\n  fallback-enabled: no\n",
			z.Origin, write(fmt.Sprintf("z%d.zone", i), z.Text))
	}
	cmd := exec.Command(bin, "-d", "-c", write("unbound.conf", conf))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Skipf("unbound does not start: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	c, _ := resolver.NewClient(resolver.ClientOptions{Server: addr, Timeout: 200 * time.Millisecond, Retries: -1})
	for deadline := time.Now().Add(5 * time.Second); ; {
		if _, err := c.Lookup(context.Background(), "example.", dns.TypeSOA); err == nil {
			return addr, true
		}
		select {
		case <-exited:
			if last {
				t.Fatalf("unbound on %s exited before answering", addr)
			}
			return "", false
		default:
		}
		if time.Now().After(deadline) {
			if last {
				t.Fatalf("unbound on %s does not answer", addr)
			}
			_ = cmd.Process.Kill()
			return "", false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The scenarios of the issue through a real validating resolver: the
// verdicts must agree with the stand-in's.
func TestThroughUnbound(t *testing.T) {
	zone := func(name string) string {
		return strings.ReplaceAll(`@ SOA ns.NAME. h.NAME. 1 3600 600 86400 300
@ NS ns.example.
@ MX 10 mx.NAME.
@ TXT "v=spf1 -all"
_dmarc TXT "v=DMARC1; p=reject"
mx A 192.0.2.25
_25._tcp.mx TLSA 3 1 1 abababababababababababababababababababababababababababababababab
`, "NAME", name)
	}
	other := dnstest.NewKey(t, "dsbad.example.", dns.ECDSAP256SHA256, 257)
	zones, anchors := dnstest.HierarchyTexts(t,
		dnstest.Child{Origin: "valid.example.", Text: zone("valid.example"), Sign: &dnstest.SignOptions{}},
		dnstest.Child{Origin: "bogus.example.", Text: zone("bogus.example"), Sign: &dnstest.SignOptions{Corrupt: []string{"bogus.example. MX"}}},
		dnstest.Child{Origin: "unsigned.example.", Text: zone("unsigned.example")},
		dnstest.Child{Origin: "expiring.example.", Text: zone("expiring.example"), Sign: &dnstest.SignOptions{Expiration: testclock.Now().Add(48 * time.Hour)}},
		dnstest.Child{Origin: "sha1.example.", Text: zone("sha1.example"), Sign: &dnstest.SignOptions{Algorithm: dns.RSASHA1}},
		dnstest.Child{Origin: "nsec3.example.", Text: zone("nsec3.example"), Sign: &dnstest.SignOptions{NSEC3: &dns.NSEC3PARAM{Iterations: 10, Salt: "ABCD"}}},
		dnstest.Child{Origin: "dsbad.example.", Text: zone("dsbad.example"), Sign: &dnstest.SignOptions{}, DS: other.DNSKEY.ToDS(dns.SHA256).String() + "\n"},
		dnstest.Child{Origin: "island.example.", Text: zone("island.example"), Sign: &dnstest.SignOptions{}, NoDS: true},
		dnstest.Child{Origin: "iter.example.", Text: zone("iter.example"), Sign: &dnstest.SignOptions{NSEC3: &dns.NSEC3PARAM{Iterations: 200}}},
	)
	addr := startUnbound(t, zones, anchors, true)
	c, err := resolver.NewClient(resolver.ClientOptions{Server: addr, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		domain string
		status Status
		ids    []string
	}{
		{"valid.example", Secure, nil},
		{"bogus.example", Bogus, []string{"dnssec.zone.bogus"}},
		{"unsigned.example", Insecure, []string{"dnssec.zone.insecure"}},
		{"expiring.example", Secure, []string{"dnssec.rrsig.expiring"}},
		{"sha1.example", Secure, []string{"dnssec.algorithm.deprecated"}},
		{"nsec3.example", Secure, []string{"dnssec.nsec3.iterations", "dnssec.nsec3.salt"}},
		{"dsbad.example", Bogus, []string{"dnssec.ds.mismatch", "dnssec.zone.bogus"}},
		{"island.example", Insecure, []string{"dnssec.zone.island"}},
		{"iter.example", Secure, []string{"dnssec.nsec3.iterations"}},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			sec, d := run(t, c, tt.domain, "mx."+tt.domain)
			if d.Resolver != Validating {
				t.Errorf("resolver %s", d.Resolver)
			}
			if z := zoneOf(t, d, tt.domain); z.Status != tt.status {
				t.Errorf("status %s (%s), want %s", z.Status, z.Reason, tt.status)
			}
			if got := strings.Join(ids(sec), " "); got != strings.Join(tt.ids, " ") {
				t.Errorf("findings %q, want %q", got, strings.Join(tt.ids, " "))
			}
		})
	}

	// The same zones through an unbound that does not validate.
	plain := startUnbound(t, zones, anchors, false)
	c2, _ := resolver.NewClient(resolver.ClientOptions{Server: plain, Timeout: 2 * time.Second})
	_, d := run(t, c2, "valid.example", "mx.valid.example")
	if d.Resolver != NotValidating || zoneOf(t, d, "valid.example").Status != Unknown {
		t.Errorf("non-validating unbound: %s, zone %+v", d.Resolver, d.Zones)
	}
	_, d = run(t, c2, "unsigned.example", "mx.unsigned.example")
	if zoneOf(t, d, "unsigned.example").Status != Insecure {
		t.Errorf("unsigned through a non-validating unbound: %+v", d.Zones)
	}
}

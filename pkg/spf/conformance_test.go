package spf

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"gopkg.in/yaml.v3"

	"github.com/mailcheck/mailcheck/internal/conformance"
	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// The OpenSPF suites (pyspf test/rfc7208-tests.yml and rfc4408-tests.yml),
// each case a subtest "suite/name" evaluated against a real DNS server on
// loopback built from the case's zonedata. Cases that this RFC 7208
// implementation answers differently are listed, with the reason, in
// testdata/conformance-deviations.txt; a listed case that passes fails the
// test too, so the list cannot go stale.

type suiteScenario struct {
	Description string                 `yaml:"description"`
	Tests       map[string]suiteCase   `yaml:"tests"`
	ZoneData    map[string][]yaml.Node `yaml:"zonedata"`
	Comment     string                 `yaml:"comment"`
	Extra       map[string]yaml.Node   `yaml:",inline"`
}

type suiteCase struct {
	Description string    `yaml:"description"`
	Comment     string    `yaml:"comment"`
	Spec        yaml.Node `yaml:"spec"`
	HELO        string    `yaml:"helo"`
	Host        string    `yaml:"host"`
	MailFrom    string    `yaml:"mailfrom"`
	Result      yaml.Node `yaml:"result"`
	Explanation *string   `yaml:"explanation"`
	Strict      yaml.Node `yaml:"strict"`
}

func loadSuite(t *testing.T, path string) []suiteScenario {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	var out []suiteScenario
	for {
		var s suiteScenario
		err := dec.Decode(&s)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(s.Tests) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// zoneEntry is one zonedata entry: a type and its values, or TIMEOUT.
type zoneEntry struct {
	typ     string
	values  []string // TXT/SPF: the character-strings; MX: pref, host; others: one value
	timeout bool
}

func parseZoneEntries(t *testing.T, nodes []yaml.Node) []zoneEntry {
	var out []zoneEntry
	for _, n := range nodes {
		if n.Kind == yaml.ScalarNode {
			if n.Value != "TIMEOUT" {
				t.Fatalf("zonedata scalar %q", n.Value)
			}
			out = append(out, zoneEntry{timeout: true})
			continue
		}
		if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
			t.Fatalf("zonedata entry at line %d: not a one-key mapping", n.Line)
		}
		e := zoneEntry{typ: n.Content[0].Value}
		v := n.Content[1]
		switch v.Kind {
		case yaml.ScalarNode:
			e.values = []string{v.Value}
		case yaml.SequenceNode:
			for _, c := range v.Content {
				e.values = append(e.values, c.Value)
			}
		}
		out = append(out, e)
	}
	return out
}

// zoneName writes an owner name in the escaped form miekg/dns prints, which
// is also how the zone data keys it.
func zoneName(s string) string { return dns.Fqdn(presentName(s)) }

// zoneString quotes one TXT character-string, splitting it into 255-octet
// pieces as a DNS server must.
func zoneStrings(s string) string {
	var parts []string
	for {
		n := min(len(s), 255)
		var b strings.Builder
		b.WriteByte('"')
		for i := 0; i < n; i++ {
			c := s[i]
			if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
				fmt.Fprintf(&b, "\\%03d", c)
			} else {
				b.WriteByte(c)
			}
		}
		b.WriteByte('"')
		parts = append(parts, b.String())
		s = s[n:]
		if s == "" {
			break
		}
	}
	return strings.Join(parts, " ")
}

// buildZone turns zonedata into zone text under a root SOA, so every name
// not listed is NXDOMAIN, and returns the (name, type) pairs that time out.
func buildZone(t *testing.T, data map[string][]yaml.Node) (string, map[string][]uint16) {
	var b strings.Builder
	b.WriteString(". 300 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300\n")
	timeouts := map[string][]uint16{}
	names := make([]string, 0, len(data))
	for n := range data {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		owner := zoneName(name)
		entries := parseZoneEntries(t, data[name])
		hasTXT := false
		for _, e := range entries {
			if e.typ == "TXT" {
				hasTXT = true
			}
		}
		listed := map[uint16]bool{}
		// A placeholder of a private type makes the name exist, so a
		// "TXT: NONE" name answers NODATA, not NXDOMAIN.
		fmt.Fprintf(&b, "%s 300 IN TYPE65280 \\# 0\n", owner)
		for _, e := range entries {
			if e.timeout {
				// pyspf's driver: types not listed before TIMEOUT time out.
				for _, qt := range []uint16{dns.TypeTXT, dns.TypeSPF, dns.TypeA, dns.TypeAAAA, dns.TypeMX, dns.TypePTR, dns.TypeCNAME} {
					if !listed[qt] {
						timeouts[dns.CanonicalName(name)] = append(timeouts[dns.CanonicalName(name)], qt)
					}
				}
				continue
			}
			if len(e.values) == 1 && e.values[0] == "NONE" {
				// NONE only stops SPF data being served as TXT; the type
				// still times out after a TIMEOUT entry.
				continue
			}
			switch e.typ {
			case "SPF", "TXT":
				var strs []string
				for _, v := range e.values {
					strs = append(strs, zoneStrings(v))
				}
				rdata := strings.Join(strs, " ")
				if e.typ == "SPF" {
					fmt.Fprintf(&b, "%s 300 IN SPF %s\n", owner, rdata)
					listed[dns.TypeSPF] = true
					if !hasTXT {
						// The driver serves SPF records as TXT too unless the
						// name has its own TXT entry.
						fmt.Fprintf(&b, "%s 300 IN TXT %s\n", owner, rdata)
						listed[dns.TypeTXT] = true
					}
				} else {
					fmt.Fprintf(&b, "%s 300 IN TXT %s\n", owner, rdata)
					listed[dns.TypeTXT] = true
				}
			case "MX":
				fmt.Fprintf(&b, "%s 300 IN MX %s %s\n", owner, e.values[0], zoneName(e.values[1]))
				listed[dns.TypeMX] = true
			case "A", "AAAA":
				fmt.Fprintf(&b, "%s 300 IN %s %s\n", owner, e.typ, e.values[0])
				listed[dns.StringToType[e.typ]] = true
			case "PTR", "CNAME":
				fmt.Fprintf(&b, "%s 300 IN %s %s\n", owner, e.typ, zoneName(e.values[0]))
				listed[dns.StringToType[e.typ]] = true
			default:
				t.Fatalf("zonedata type %q", e.typ)
			}
		}
	}
	return b.String(), timeouts
}

func nodeStrings(n yaml.Node) []string {
	if n.Kind == yaml.SequenceNode {
		var out []string
		for _, c := range n.Content {
			out = append(out, c.Value)
		}
		return out
	}
	return []string{n.Value}
}

// loadDeviations reads "suite/name: reason" lines.
func loadDeviations(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "conformance-deviations.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(reason) == "" {
			t.Fatalf("deviation %q has no reason", line)
		}
		out[strings.TrimSpace(name)] = strings.TrimSpace(reason)
	}
	return out
}

func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("conformance suites start one DNS server per scenario")
	}
	deviations := loadDeviations(t)
	used := map[string]bool{}
	counts := map[string][3]int{} // pass, known deviation, total
	for _, suite := range []string{"rfc7208", "rfc4408"} {
		scenarios := loadSuite(t, conformance.Path(t, "spf", suite+"-tests.yml"))
		for _, sc := range scenarios {
			text, timeouts := buildZone(t, sc.ZoneData)
			srv := dnstest.Start(t, dnstest.ZoneText(".", text))
			for name, types := range timeouts {
				for _, qt := range types {
					srv.SetFault(name, qt, dnstest.Silence)
				}
			}
			opts := srv.ClientOptions()
			// Long enough that a loaded machine (CI under -race) still answers the
			// real questions in time; TIMEOUT cases cost one attempt each.
			opts.Timeout, opts.Retries = time.Second, -1
			r, err := resolver.NewClient(opts)
			if err != nil {
				t.Fatal(err)
			}
			names := make([]string, 0, len(sc.Tests))
			for n := range sc.Tests {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, name := range names {
				tc := sc.Tests[name]
				id := suite + "/" + name
				reason, known := deviations[id]
				used[id] = true
				c := counts[suite]
				c[2]++
				ok := t.Run(id, func(t *testing.T) {
					ip, err := netip.ParseAddr(tc.Host)
					if err != nil {
						t.Fatalf("host %q: %v", tc.Host, err)
					}
					ev := Evaluate(context.Background(), r, Query{IP: ip, Sender: tc.MailFrom, HELO: tc.HELO, Now: time.Unix(1700000000, 0)})
					want := nodeStrings(tc.Result)
					problem := ""
					if !contains(want, string(ev.Result)) {
						problem = fmt.Sprintf("result %s (%s), want %v", ev.Result, ev.Problem, want)
					} else if tc.Explanation != nil && ev.Result == Fail {
						wantExp := *tc.Explanation
						if wantExp == "DEFAULT" {
							wantExp = ""
						}
						if ev.Explanation != wantExp {
							problem = fmt.Sprintf("explanation %q, want %q", ev.Explanation, wantExp)
						}
					}
					switch {
					case problem != "" && !known:
						t.Errorf("%s\ntrace: %+v", problem, ev.Trace)
					case problem == "" && known:
						t.Errorf("listed as a known deviation (%s) but passes: remove it from the list", reason)
					case problem != "":
						t.Logf("known deviation: %s (%s)", problem, reason)
					}
				})
				if ok && !known {
					c[0]++
				} else if ok && known {
					c[1]++
				}
				counts[suite] = c
			}
		}
	}
	for id := range deviations {
		if !used[id] {
			t.Errorf("deviation %q names no case of the suites", id)
		}
	}
	for _, suite := range []string{"rfc7208", "rfc4408"} {
		c := counts[suite]
		t.Logf("%s: %d cases, %d pass, %d known deviations, %d failing", suite, c[2], c[0], c[1], c[2]-c[0]-c[1])
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

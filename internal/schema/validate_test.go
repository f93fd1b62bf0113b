package schema

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/cli"
	"github.com/mailcheck/mailcheck/internal/iostreams"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

const demoZone = "../../testdata/zones/shop.example.zone"

// compile loads command's published schema (the file, as users get it).
func compile(t *testing.T, command string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	path := filepath.Join(publishedDir(), command+".json")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource(ID(command), doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(ID(command))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

func validate(t *testing.T, s *jsonschema.Schema, what string, data []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: not JSON: %v", what, err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s does not match its schema:\n%v", what, err)
	}
}

// mailcheck runs the command in-process, offline on the demo zone.
func mailcheck(t *testing.T, args ...string) []byte {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := cli.NewFactory(ios)
	f.ResolvConf = "/nonexistent/resolv.conf"
	f.Now = testclock.Func()
	code := cli.Run(context.Background(), args, f)
	if code == 2 { // 1 (a gate) and 3 (inconclusive) still print the report
		t.Fatalf("mailcheck %v: exit %d: %s", args, code, errOut)
	}
	return out.Bytes()
}

// TestGeneratedOutputsMatchSchema: what every command writes with
// --format json (and each --format jsonl line) validates against the
// command's published schema.
func TestGeneratedOutputsMatchSchema(t *testing.T) {
	runs := map[string][]string{
		"domain":  {"domain", "shop.example", "--zone", demoZone},
		"dmarc":   {"dmarc", "shop.example", "--zone", demoZone},
		"spf":     {"spf", "shop.example", "--zone", demoZone},
		"dkim":    {"dkim", "shop.example", "--zone", demoZone},
		"mx":      {"mx", "shop.example", "--zone", demoZone},
		"dnsbl":   {"dnsbl", "shop.example", "--zone", demoZone},
		"version": {"version"},
	}
	for command, args := range runs {
		t.Run(command, func(t *testing.T) {
			s := compile(t, command)
			validate(t, s, command+" --format json", mailcheck(t, append(args, "--format", "json")...))
			// jsonl: each line is one report; for a command whose json is
			// an array, the line is an element of it.
			if Commands[command].Root != nil {
				return // not a report: no jsonl form
			}
			sc := bufio.NewScanner(bytes.NewReader(mailcheck(t, append(args, "--format", "jsonl")...)))
			sc.Buffer(nil, 16<<20)
			for sc.Scan() {
				line := sc.Bytes()
				if Commands[command].Many {
					line = append(append([]byte("["), line...), ']')
				}
				validate(t, s, command+" --format jsonl line", line)
			}
		})
	}
}

// TestManyDomainsOneShape: one domain and several give the same top-level
// shape (an array of reports), both valid.
func TestManyDomainsOneShape(t *testing.T) {
	s := compile(t, "domain")
	one := mailcheck(t, "domain", "shop.example", "--zone", demoZone, "--format", "json")
	two := mailcheck(t, "domain", "shop.example", "shop.example", "--zone", demoZone, "--format", "json")
	for name, out := range map[string][]byte{"one domain": one, "two domains": two} {
		validate(t, s, name, out)
		var reports []json.RawMessage
		if err := json.Unmarshal(out, &reports); err != nil {
			t.Errorf("%s: not an array of reports: %v", name, err)
		}
	}
}

// TestEveryZoneMatchesSchema: `mailcheck domain` on the apex of every test
// zone (broken records, loops, null MX, blocklisted hosts...) writes JSON
// valid against the schema.
func TestEveryZoneMatchesSchema(t *testing.T) {
	s := compile(t, "domain")
	zones, _ := filepath.Glob("../../testdata/zones/*.zone")
	for _, z := range zones {
		apex := zoneApex(t, z)
		validate(t, s, "domain "+apex+" ("+filepath.Base(z)+")", mailcheck(t, "domain", apex, "--zone", z, "--format", "json"))
	}
}

// zoneApex reads the $ORIGIN of a zone file.
func zoneApex(t *testing.T, path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(?m)^\$ORIGIN\s+(\S+?)\.?\s*$`).FindSubmatch(data); m != nil {
		return string(m[1])
	}
	return strings.TrimSuffix(filepath.Base(path), ".zone")
}

// TestGoldensMatchSchema: the golden JSON of the CLI and the example in
// docs/json.md validate too. (internal/render's TestJSON.golden is left
// out: it is a renderer fixture with placeholder data, no command's output.)
func TestGoldensMatchSchema(t *testing.T) {
	for _, path := range []string{
		"../cli/testdata/TestDMARCDemoZone/json.golden",
	} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var head struct{ Command string }
		if err := json.Unmarshal(data, &head); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		validate(t, compile(t, head.Command), path, data)
	}
	doc, err := os.ReadFile("../../docs/json.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(doc, -1)
	if len(blocks) == 0 {
		t.Fatal("docs/json.md has no JSON example")
	}
	for _, b := range blocks {
		validate(t, compile(t, "dmarc"), "docs/json.md example", b[1])
	}
}

// TestSchemaRejects: the schema is not a rubber stamp. A null array, a
// missing required field, an unknown field, a wrong schema_version and a
// section whose data is of another check's type all fail.
func TestSchemaRejects(t *testing.T) {
	s := compile(t, "dmarc")
	good := mailcheck(t, "dmarc", "shop.example", "--zone", demoZone, "--format", "json")
	validate(t, s, "the unmodified report", good)
	mutations := map[string]func(m map[string]any){
		"null findings":    func(m map[string]any) { section(m)["findings"] = nil },
		"no target":        func(m map[string]any) { delete(m, "target") },
		"unknown field":    func(m map[string]any) { m["surprise"] = true },
		"schema_version 2": func(m map[string]any) { m["schema_version"] = 2 },
		"bad severity":     func(m map[string]any) { section(m)["findings"].([]any)[0].(map[string]any)["severity"] = "severe" },
		"spf data in dmarc": func(m map[string]any) {
			section(m)["data"] = map[string]any{"domain": "shop.example", "dns_terms": "ten"}
		},
		"other command's check": func(m map[string]any) { section(m)["check"] = "spf" },
	}
	for name, mutate := range mutations {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		mutate(m)
		data, _ := json.Marshal(m)
		v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err := s.Validate(v); err == nil {
			t.Errorf("%s: accepted", name)
		} else if testing.Verbose() {
			t.Logf("%s: %s", name, strings.SplitN(err.Error(), "\n", 2)[0])
		}
	}
}

func section(m map[string]any) map[string]any { return m["sections"].([]any)[0].(map[string]any) }

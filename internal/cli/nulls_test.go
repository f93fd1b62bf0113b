package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Every JSON document the commands write, over every scenario zone, has
// arrays where docs/json.md promises them: no null anywhere (pointer
// fields are omitempty by convention, so a null can only be a nil slice).
func TestJSONHasNoNullArrays(t *testing.T) {
	files, err := filepath.Glob("../../testdata/zones/*.zone")
	if err != nil || len(files) == 0 {
		t.Fatalf("no zones: %v", err)
	}
	commands := [][]string{
		{"domain", "--no-probe"}, {"dmarc"}, {"spf"}, {"mx"}, {"dkim"}, {"dnsbl"}, {"ports", "--domain"},
	}
	runs := 0
	for _, file := range files {
		for _, origin := range origins(t, file) {
			for _, cmd := range commands {
				args := append(append([]string{}, cmd...), origin, "--zone", file, "--format", "json")
				r := runWith(t, func(f *Factory, _ *bytes.Buffer) { f.Dialer = refuseDial{} }, args...)
				if r.code == ExitBadInput {
					continue // a zone whose origin is no mail domain (in-addr.arpa)
				}
				var doc any
				if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
					t.Errorf("%s: not JSON: %v", strings.Join(args, " "), err)
					continue
				}
				runs++
				if path := findNull(doc, "$"); path != "" {
					t.Errorf("%s: null at %s", strings.Join(args, " "), path)
				}
			}
		}
	}
	t.Logf("%d documents checked", runs)
	if runs < 50 {
		t.Errorf("only %d documents checked", runs)
	}
}

// origins lists the $ORIGIN names of a zone file.
func origins(t *testing.T, file string) []string {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]bool{}
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "$ORIGIN" {
			name := strings.TrimSuffix(fields[1], ".")
			if !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	return out
}

// findNull returns the path of the first null in a decoded JSON value.
func findNull(v any, path string) string {
	switch v := v.(type) {
	case nil:
		return path
	case map[string]any:
		for k, e := range v {
			if p := findNull(e, path+"."+k); p != "" {
				return p
			}
		}
	case []any:
		for i, e := range v {
			if p := findNull(e, path+"["+strconv.Itoa(i)+"]"); p != "" {
				return p
			}
		}
	}
	return ""
}

// refuseDial fails every dial at once, so ports probes finish without
// waiting for a timeout (and nothing leaves the machine).
type refuseDial struct{}

func (refuseDial) DialContext(context.Context, string, string) (net.Conn, error) {
	return nil, errors.New("connection refused (test)")
}

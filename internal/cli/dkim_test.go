package cli

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	msgdkim "github.com/emersion/go-msgauth/dkim"

	"github.com/mailcheck/mailcheck/internal/dnstest"
)

func TestNewDKIMCmd(t *testing.T) {
	tests := []struct {
		args      []string
		domain    string
		selectors []string
		message   string
		wantErr   string
	}{
		{args: []string{"shop.example"}, domain: "shop.example"},
		{args: []string{"Shop.Example.", "--selector", "Google", "-s", "s1"}, domain: "shop.example", selectors: []string{"google", "s1"}},
		{args: []string{"--message", "welcome.eml"}, message: "welcome.eml"},
		{args: []string{"shop.example", "-m", "-"}, domain: "shop.example", message: "-"},
		{args: []string{}, wantErr: "takes a domain name, or --message"},
		{args: []string{"a.example", "b.example"}, wantErr: "takes a domain name"},
		{args: []string{"shop.example", "--selector", "bad selector"}, wantErr: "--selector"},
		{args: []string{"shop.example", "--selector", ""}, wantErr: "empty selector"},
		{args: []string{"--message", "x.eml", "--selector", "s1"}, wantErr: "needs the domain"},
		{args: []string{"192.0.2.1"}, wantErr: "IP address"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, err := captureOptions(t, newDKIMCmd, tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Domain.String() != tt.domain || !reflect.DeepEqual(got.Selectors, tt.selectors) || got.MessagePath != tt.message {
				t.Errorf("options %+v", *got)
			}
		})
	}
}

// runDKIMCommand runs `mailcheck <args>` in-process with the dkim command
// registered, against the loopback server, with stdin as standard input.
func runDKIMCommand(t *testing.T, srv *dnstest.Server, stdin string, args ...string) (int, string, string) {
	t.Helper()
	r := runWith(t, func(f *Factory, in *bytes.Buffer) {
		in.WriteString(stdin)
	}, append(args, "--resolver", srv.Addr)...)
	return r.code, r.stdout, r.stderr
}

func TestRunDKIMZones(t *testing.T) {
	zones := "../../testdata/zones/"
	tests := []struct {
		name     string
		zone     string
		args     []string
		code     int
		contains []string
	}{
		{"healthy, guessed", "dkim-good.zone", []string{"dkim", "good.example"}, ExitOK, []string{"google", "rsa 2048"}},
		{"given selectors", "dkim-good.zone", []string{"dkim", "good.example", "-s", "ed", "-s", "legacy"}, ExitOK, []string{"ed25519 256", "PKCS#1"}},
		{"512-bit key exits 1", "dkim-weak.zone", []string{"dkim", "weak.example", "--selector", "ancient"}, ExitGateFailed, []string{"dkim.key.rsa_lt_1024"}},
		{"1024-bit key warns", "dkim-weak.zone", []string{"dkim", "weak.example", "--selector", "old"}, ExitOK, []string{"dkim.key.rsa_1024"}},
		{"--fail-on medium", "dkim-weak.zone", []string{"dkim", "weak.example", "--selector", "old", "--fail-on", "medium"}, ExitGateFailed, []string{"dkim.key.rsa_1024"}},
		{"nothing guessed is unknown, not inconclusive: DNS answered", "dkim-none.zone", []string{"dkim", "none.example"}, ExitOK, []string{"dkim.selector.unverified", "--selector"}},
		{"delegated", "dkim-delegated.zone", []string{"dkim", "shop.example", "-s", "selector1"}, ExitOK, []string{"esp.test"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dnstest.Start(t, dnstest.ZoneFile(zones+tt.zone))
			code, out, errOut := runDKIMCommand(t, srv, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, errOut)
			}
			for _, s := range tt.contains {
				if !strings.Contains(out+errOut, s) {
					t.Errorf("output lacks %q:\n%s\n%s", s, out, errOut)
				}
			}
		})
	}
}

// cliMessage signs a message for shop.example with an RSA key made here
// and returns it with the zone that publishes the key.
func cliMessage(t *testing.T) (string, dnstest.Option) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	rec := "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	var parts []string
	for len(rec) > 255 {
		parts = append(parts, strconv.Quote(rec[:255]))
		rec = rec[255:]
	}
	parts = append(parts, strconv.Quote(rec))
	zone := dnstest.ZoneText("shop.example.", "s2026._domainkey IN TXT "+strings.Join(parts, " ")+"\n")

	msg := "From: Shop <orders@shop.example>\r\nTo: a@example.net\r\nSubject: Order 42\r\nDate: Sun, 01 Nov 2026 12:00:00 +0000\r\n\r\nThanks!\r\n"
	var out bytes.Buffer
	err = msgdkim.Sign(&out, strings.NewReader(msg), &msgdkim.SignOptions{
		Domain: "shop.example", Selector: "s2026", Signer: key,
		HeaderCanonicalization: msgdkim.CanonicalizationRelaxed, BodyCanonicalization: msgdkim.CanonicalizationRelaxed,
		HeaderKeys: []string{"From", "From", "To", "Subject", "Date"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), zone
}

func TestRunDKIMMessage(t *testing.T) {
	signed, zone := cliMessage(t)
	srv := dnstest.Start(t, zone)
	dir := t.TempDir()
	good := filepath.Join(dir, "signed.eml")
	tampered := filepath.Join(dir, "tampered.eml")
	notMail := filepath.Join(dir, "notes.txt")
	for path, content := range map[string]string{
		good:     signed,
		tampered: strings.Replace(signed, "Thanks!", "Thanks! Pay here: https://evil.example/", 1),
		notMail:  "just some notes\nwithout any header\n",
	} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name     string
		stdin    string
		args     []string
		code     int
		contains []string
	}{
		{"file, domain from From", "", []string{"dkim", "--message", good}, ExitOK, []string{"pass", "s2026"}},
		{"stdin", signed, []string{"dkim", "shop.example", "--message", "-"}, ExitOK, []string{"pass", "strict"}},
		// dkim.sig.invalid is high: below the default --fail-on critical.
		{"tampered body", "", []string{"dkim", "-m", tampered}, ExitOK, []string{"dkim.sig.invalid", "body hash mismatch"}},
		{"tampered body, --fail-on high", "", []string{"dkim", "-m", tampered, "--fail-on", "high"}, ExitGateFailed, []string{"dkim.sig.invalid", "--fail-on high"}},
		{"not a message", "", []string{"dkim", "--message", notMail}, ExitBadInput, []string{"malformed message"}},
		{"empty stdin", "", []string{"dkim", "--message", "-"}, ExitBadInput, []string{"malformed message: empty input"}},
		{"missing file", "", []string{"dkim", "--message", filepath.Join(dir, "nope.eml")}, ExitBadInput, []string{"no such file"}},
		{"directory", "", []string{"dkim", "--message", dir}, ExitBadInput, []string{"is a directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runDKIMCommand(t, srv, tt.stdin, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, errOut)
			}
			for _, s := range tt.contains {
				if !strings.Contains(out+errOut, s) {
					t.Errorf("output lacks %q:\n%s\n%s", s, out, errOut)
				}
			}
			if tt.code == ExitBadInput {
				if out != "" || strings.Count(errOut, "\n") != 1 {
					t.Errorf("bad input must give one line on stderr and no report; stdout %q stderr %q", out, errOut)
				}
			}
		})
	}
}

func TestRunDKIMMessageJSON(t *testing.T) {
	signed, zone := cliMessage(t)
	srv := dnstest.Start(t, zone)
	code, out, errOut := runDKIMCommand(t, srv, signed, "dkim", "--message", "-", "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Target   string `json:"target"`
		Sections []struct {
			Check  string `json:"check"`
			Status string `json:"status"`
			Data   struct {
				Selectors []struct {
					Selector string `json:"selector"`
					Source   string `json:"source"`
					Records  []struct {
						KeyType string `json:"key_type"`
						Bits    int    `json:"bits"`
					} `json:"records"`
				} `json:"selectors"`
				Message struct {
					FromDomain string `json:"from_domain"`
					Signatures []struct {
						D              string   `json:"d"`
						S              string   `json:"s"`
						A              string   `json:"a"`
						Result         string   `json:"result"`
						SignedHeaders  []string `json:"signed_headers"`
						FromOversigned bool     `json:"from_oversigned"`
						AlignedStrict  bool     `json:"aligned_strict"`
					} `json:"signatures"`
				} `json:"message"`
			} `json:"data"`
		} `json:"sections"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if doc.Target != "shop.example" || len(doc.Sections) != 1 || doc.Sections[0].Check != "dkim" || doc.Sections[0].Status != "pass" {
		t.Fatalf("document %+v", doc)
	}
	d := doc.Sections[0].Data
	if len(d.Selectors) != 1 || d.Selectors[0].Selector != "s2026" || d.Selectors[0].Source != "message" || d.Selectors[0].Records[0].Bits != 2048 {
		t.Errorf("selectors %+v", d.Selectors)
	}
	if len(d.Message.Signatures) != 1 {
		t.Fatalf("signatures %+v", d.Message.Signatures)
	}
	s := d.Message.Signatures[0]
	if s.D != "shop.example" || s.S != "s2026" || s.A != "rsa-sha256" || s.Result != "pass" || !s.FromOversigned || !s.AlignedStrict || len(s.SignedHeaders) != 5 {
		t.Errorf("signature %+v", s)
	}
}

package arc

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
)

// Chains sealed by an independent implementation, postalsys/mailauth
// (testdata/mailauth, made with internal/tools/mailauthcmp -keep; keys in
// keys.zone). ARC has no expiry, so the dates in them do not matter.
func TestMailauthSealedChains(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile("testdata/mailauth/keys.zone"))
	r := srv.Resolver(t)
	for _, tc := range []struct {
		file, cv         string
		sets, oldestPass int
	}{
		{"list-arc.eml", Pass, 1, 1},
		// The forwarder changed nothing, so the list's AMS still verifies.
		{"list-then-forward-arc.eml", Pass, 2, 1},
		{"arc-broken.eml", Fail, 1, 0},                  // AAR text changed after sealing
		{"arc-body-changed-after-seal.eml", Fail, 1, 0}, // body changed after the AMS
	} {
		t.Run(tc.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata/mailauth", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			res := Validate(context.Background(), r, raw)
			if res.CV != tc.cv || len(res.Sets) != tc.sets {
				t.Errorf("cv=%s (%s), %d sets; want cv=%s, %d sets", res.CV, res.Reason, len(res.Sets), tc.cv, tc.sets)
			}
			if res.OldestPass != tc.oldestPass {
				t.Errorf("oldest pass %d", res.OldestPass)
			}
		})
	}
}

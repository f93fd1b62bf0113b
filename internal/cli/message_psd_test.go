package cli

import (
	"encoding/json"
	"testing"
)

// A From domain with no DMARC record, where the public suffix's _dmarc name
// is refused (as --zone and authoritative servers refuse names they do not
// serve): the re-check says "none", as `mailcheck dmarc` says
// dmarc.record.missing, not temperror (RFC 9989 §4.10).
func TestMessageDMARCNoneWhenSuffixRefuses(t *testing.T) {
	r := run(t, "message", "../../testdata/messages/dkim-dkimpy-simple.eml",
		"--zone", "../../testdata/zones/dkim-dkimpy.zone", "--format", "json")
	var doc struct {
		Sections []struct {
			Check string `json:"check"`
			Data  struct {
				Verdicts struct {
					DMARC string `json:"dmarc"`
				} `json:"verdicts"`
			} `json:"data"`
		} `json:"sections"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Sections) == 0 {
		t.Fatalf("exit %d, stderr %q: %v", r.code, r.stderr, err)
	}
	if got := doc.Sections[0].Data.Verdicts.DMARC; doc.Sections[0].Check != "message" || got != "none" {
		t.Errorf("dmarc verdict %q, want none", got)
	}
}

package cli

import (
	"bytes"
	"strings"
	"testing"
)

// --lang chooses the words; a language without a catalog is bad input; the
// environment's LANG applies when --lang is absent, and --lang wins over it.
func TestLangFlagAndEnvironment(t *testing.T) {
	r := run(t, "mx", "shop.example", "--zone", demoZone, "--lang", "de")
	if r.code != ExitBadInput {
		t.Errorf("--lang de: exit %d", r.code)
	}
	assertOneLineError(t, r, "unsupported language")

	french := func(f *Factory, _ *bytes.Buffer) {
		f.Getenv = func(k string) string {
			if k == "LANG" {
				return "fr_FR.UTF-8"
			}
			return ""
		}
	}
	if r := runWith(t, french, "mx", "shop.example", "--zone", demoZone); !strings.Contains(r.stdout, "serveurs MX") {
		t.Errorf("LANG=fr_FR.UTF-8 did not give French:\n%s", r.stdout)
	}
	if r := runWith(t, french, "mx", "shop.example", "--zone", demoZone, "--lang", "en"); !strings.Contains(r.stdout, "MX hosts") {
		t.Errorf("--lang en did not win over LANG:\n%s", r.stdout)
	}
}

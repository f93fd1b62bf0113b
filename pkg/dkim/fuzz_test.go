package dkim

import (
	"reflect"
	"testing"
)

// FuzzParseKeyRecord checks that the key-record parser never panics and
// that parse -> String -> parse is stable (architecture.md, "A check
// package"). Seeds run in plain go test.
func FuzzParseKeyRecord(f *testing.F) {
	for _, s := range []string{
		"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB",
		"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
		"v=DKIM1; s=email:web:fine; x1 = extra ; t = y:n:extra; h=md5:sha1; p=MFww",
		"k=rsa; t; p=abc",
		"v=DKIM1; p=",
		"p=a;p=b",
		";;",
		"v=DKIM1; n=a\r\n b; p=x\r\n y",
		"g=; p=x",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rec, err := ParseKeyRecord(s)
		if err != nil {
			return
		}
		out := rec.String()
		again, err := ParseKeyRecord(out)
		if err != nil {
			t.Fatalf("String() of a parsed record does not parse: %q -> %q: %v", s, out, err)
		}
		if !reflect.DeepEqual(rec, again) {
			t.Fatalf("round trip changed the record:\n in  %q\n out %q\n %#v\n %#v", s, out, rec, again)
		}
		if again.String() != out {
			t.Fatalf("String() not stable: %q then %q", out, again.String())
		}
		// Decoding must not panic either, whatever p= holds.
		_, _ = DecodeKey(rec.KeyType, rec.PublicKey)
	})
}

// FuzzParseTagList checks the generic tag-list parser (also used for
// DKIM-Signature fields) for panics and for the invariants of its result.
func FuzzParseTagList(f *testing.F) {
	for _, s := range []string{
		"v=1; a=rsa-sha256; d=example.com; s=brisbane; c=simple/simple; h=from:to; bh=abc=; b=de\r\n f=",
		"a=1;;b=2;", "=x", "a=b=c", "a\x00=b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tags, err := ParseTagList(s)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, tag := range tags {
			if seen[tag.Name] {
				t.Fatalf("duplicate %q accepted in %q", tag.Name, s)
			}
			seen[tag.Name] = true
			if one, err := ParseTagList(tag.Name + "=" + tag.Value); err != nil || len(one) != 1 || one[0] != tag {
				t.Fatalf("invalid tag %q=%q accepted", tag.Name, tag.Value)
			}
		}
		again, err := ParseTagList(tags.String())
		if err != nil || !reflect.DeepEqual(again, tags) {
			t.Fatalf("round trip of %q: %v (%#v vs %#v)", s, err, again, tags)
		}
	})
}

package dkim

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseTagList(t *testing.T) {
	tests := []struct {
		in      string
		want    TagList
		wantErr error
	}{
		{in: "v=DKIM1; p=abc", want: TagList{{Name: "v", Value: "DKIM1"}, {Name: "p", Value: "abc"}}},
		{in: "v=DKIM1;p=abc;", want: TagList{{Name: "v", Value: "DKIM1"}, {Name: "p", Value: "abc"}}},
		{in: "  k = rsa ;\tp= a b c ", want: TagList{{Name: "k", Value: "rsa"}, {Name: "p", Value: "a b c"}}},
		{in: "p=", want: TagList{{Name: "p", Value: ""}}},
		{in: "", want: nil},
		{in: " ; ", want: nil},
		{in: "a=1;;b=2", want: TagList{{Name: "a", Value: "1"}, {Name: "b", Value: "2"}}},
		{in: "x_1=y", want: TagList{{Name: "x_1", Value: "y"}}},
		// Folding white space inside a value (RFC 6376 §3.2 tag-value).
		{in: "b=abc\r\n def; d=example.com", want: TagList{{Name: "b", Value: "abc\r\n def"}, {Name: "d", Value: "example.com"}}},
		{in: "h=from:to\n\t:subject", want: TagList{{Name: "h", Value: "from:to\n\t:subject"}}},
		// Tag names are case-sensitive: P and p are different tags.
		{in: "P=1; p=2", want: TagList{{Name: "P", Value: "1"}, {Name: "p", Value: "2"}}},
		{in: "v=DKIM1; t; p=abc", wantErr: ErrSyntax},
		{in: "=abc", wantErr: ErrSyntax},
		{in: "1a=b", wantErr: ErrSyntax},
		{in: "a-b=c", wantErr: ErrSyntax},
		{in: "a b=c", wantErr: ErrSyntax},
		{in: "p=ab\x00c", wantErr: ErrSyntax},
		{in: "p=ab\rc", wantErr: ErrSyntax},
		{in: "n=caf\xc3\xa9", wantErr: ErrSyntax},
		{in: "p=a; p=b", wantErr: ErrDuplicateTag},
		{in: "v=DKIM1; k=rsa; k=rsa; p=x", wantErr: ErrDuplicateTag},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTagList(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("ParseTagList(%q) error = %v, want %v", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTagList(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseTagList(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseKeyRecord(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    *KeyRecord
		wantErr error
	}{
		{
			name: "minimal, no v= (v is only RECOMMENDED)",
			in:   "p=MFww",
			want: &KeyRecord{PublicKey: "MFww"},
		},
		{
			name: "all tags",
			in:   "v=DKIM1; k=ed25519; h=sha256:sha1; s=email; t=y:s; n=hello world; p=ab cd\r\n ef",
			want: &KeyRecord{Version: "DKIM1", KeyType: "ed25519", HashAlgs: []string{"sha256", "sha1"}, Services: []string{"email"},
				Flags: []string{"y", "s"}, Notes: "hello world", PublicKey: "abcdef"},
		},
		{
			name: "unknown and obsolete tags are kept aside",
			in:   "v=DKIM1; g=*; x1=extra; p=abc",
			want: &KeyRecord{Version: "DKIM1", PublicKey: "abc", Other: []Tag{{Name: "g", Value: "*"}, {Name: "x1", Value: "extra"}}},
		},
		{name: "revoked", in: "v=DKIM1; k=rsa; p=", want: &KeyRecord{Version: "DKIM1", KeyType: "rsa"}},
		{name: "v not first", in: "k=rsa; v=DKIM1; p=abc", wantErr: ErrVersion},
		{name: "v wrong", in: "v=DKIM2; p=abc", wantErr: ErrVersion},
		{name: "v lower case", in: "v=dkim1; p=abc", wantErr: ErrVersion},
		{name: "no p", in: "v=DKIM1; k=rsa", wantErr: ErrNoPublicKey},
		{name: "flag without value", in: "k=rsa; t; p=abc", wantErr: ErrSyntax},
		{name: "duplicate", in: "v=DKIM1; p=abc; p=abc", wantErr: ErrDuplicateTag},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseKeyRecord(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v\nwant %#v", got, tt.want)
			}
			again, err := ParseKeyRecord(got.String())
			if err != nil {
				t.Fatalf("reparse of %q: %v", got.String(), err)
			}
			if !reflect.DeepEqual(again, got) {
				t.Errorf("round trip changed the record: %q -> %#v", got.String(), again)
			}
		})
	}
}

func TestKeyRecordFlags(t *testing.T) {
	tests := []struct {
		in                                   string
		keyType                              string
		revoked, testing, strict, email, sha bool
	}{
		{"p=x", "rsa", false, false, false, true, true},
		{"k=ed25519; p=", "ed25519", true, false, false, true, true},
		{"t=y; p=x", "rsa", false, true, false, true, true},
		{"t=s:y; p=x", "rsa", false, true, true, true, true},
		{"t=n; p=x", "rsa", false, false, false, true, true},
		{"s=email:web; p=x", "rsa", false, false, false, true, true},
		{"s=*; p=x", "rsa", false, false, false, true, true},
		{"s=chat; p=x", "rsa", false, false, false, false, true},
		{"h=sha1; p=x", "rsa", false, false, false, true, false},
		{"h=sha1:sha256; p=x", "rsa", false, false, false, true, true},
		{"h=md5; p=x", "rsa", false, false, false, true, false},
	}
	for _, tt := range tests {
		r, err := ParseKeyRecord(tt.in)
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		got := []any{r.EffectiveKeyType(), r.Revoked(), r.Testing(), r.StrictIdentity(), r.ForEmail(), r.AllowsSHA256()}
		want := []any{tt.keyType, tt.revoked, tt.testing, tt.strict, tt.email, tt.sha}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %v, want %v", tt.in, got, want)
		}
	}
}

func TestValidateSelector(t *testing.T) {
	good := []string{"google", "selector1", "s1024-2013-q3", "2023-05-ed25519", "a.b", "dk_1"}
	bad := map[string]SelectorProblem{
		"": SelectorEmpty, ".": SelectorEmptyLabel, "a..b": SelectorEmptyLabel, "a b": SelectorCharacter,
		"a/b": SelectorCharacter, "sel;ector": SelectorCharacter, strings.Repeat("a", 64): SelectorLabelLength,
		string(make([]byte, 64)): SelectorLabelLength,
	}
	for _, s := range good {
		if err := ValidateSelector(s); err != nil {
			t.Errorf("ValidateSelector(%q) = %v, want nil", s, err)
		}
	}
	for s, want := range bad {
		var se *SelectorError
		if err := ValidateSelector(s); !errors.As(err, &se) || se.Problem != want {
			t.Errorf("ValidateSelector(%q) = %v, want a SelectorError of %q", s, err, want)
		}
	}
	var se *SelectorError
	if errors.As(ValidateSelector("a/b"), &se); se.Char != '/' || se.Error() != `selector "a/b" has character '/'` {
		t.Errorf("a/b: %+v, %q", se, se.Error())
	}
}

func TestKnownSelectorsAreValidAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range KnownSelectors {
		if err := ValidateSelector(k.Selector); err != nil {
			t.Errorf("%q: %v", k.Selector, err)
		}
		if seen[k.Selector] {
			t.Errorf("%q listed twice", k.Selector)
		}
		seen[k.Selector] = true
		if len(k.Providers) == 0 {
			t.Errorf("%q names no provider", k.Selector)
		}
	}
	// Probing many names is slow and rude (selectors cannot be listed, RFC 6376 §3.1; our etiquette: a short guess list).
	if len(KnownSelectors) > 30 {
		t.Errorf("%d known selectors; keep the probe list short", len(KnownSelectors))
	}
}

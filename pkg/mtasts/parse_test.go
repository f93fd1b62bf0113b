package mtasts

import (
	"errors"
	"slices"
	"testing"
)

func TestParseRecord(t *testing.T) {
	tests := []struct {
		in      string
		id      string
		ext     int
		wantErr error
	}{
		{in: "v=STSv1; id=20160831085700Z;", id: "20160831085700Z"},
		{in: "v=STSv1; id=abc", id: "abc"},
		{in: "v=STSv1;id=abc;", id: "abc"},
		{in: "v=STSv1 ;\tid=abc ; ", id: "abc"},
		{in: "v=STSv1; id=a; id=b", id: "a"},
		{in: "v=STSv1; id=a; ext_1=x.y", id: "a", ext: 1},
		{in: "v=STSv1; id=12345678901234567890123456789012", id: "12345678901234567890123456789012"},
		{in: "v=STSv1; id=123456789012345678901234567890123", wantErr: ErrID},
		{in: "v=STSv1; id=2016-08-31", wantErr: ErrID},
		{in: "v=STSv1; id=", wantErr: ErrID},
		{in: "v=STSv1;", wantErr: ErrNoID},
		{in: "v=STSv1", wantErr: ErrNoID},
		{in: "v=STSv1; ext=1", wantErr: ErrNoID},
		{in: "v=STSv1; id=a;; x=1", wantErr: ErrRecordField},
		{in: "v=STSv1; id=a; x", wantErr: ErrRecordField},
		{in: "v=STSv1; id=a; _x=1", wantErr: ErrRecordField},
		{in: "v=STSv1; id=a; x=a=b", wantErr: ErrRecordField},
		{in: "v=stsv1; id=a", wantErr: ErrNotSTS},
		{in: "v=STSv10; id=a", wantErr: ErrNotSTS},
		{in: " v=STSv1; id=a", wantErr: ErrNotSTS},
		{in: "", wantErr: ErrNotSTS},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			rec, err := ParseRecord(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rec.ID != tt.id || len(rec.Extensions) != tt.ext {
				t.Errorf("got %+v, want id %q with %d extensions", rec, tt.id, tt.ext)
			}
		})
	}
}

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Policy
		wantErr []error
	}{
		{
			name: "RFC example, CRLF",
			in:   "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n",
			want: Policy{Version: "STSv1", Mode: ModeEnforce, MaxAge: 604800, MX: []string{"mail.example.com", "*.example.net", "backupmx.example.com"}},
		},
		{
			name: "LF, no final newline, spaces, upper-case mx",
			in:   "version: STSv1\nmode:testing\nmx:   MX.Example.COM  \nmax_age: 86400",
			want: Policy{Version: "STSv1", Mode: ModeTesting, MaxAge: 86400, MX: []string{"mx.example.com"}},
		},
		{
			name: "mode none needs no mx",
			in:   "version: STSv1\nmode: none\nmax_age: 0\n",
			want: Policy{Version: "STSv1", Mode: ModeNone, MaxAge: 0},
		},
		{
			name: "duplicates: first wins; extensions kept",
			in:   "version: STSv1\nmode: testing\nmode: enforce\nmax_age: 100\nmax_age: 200\nmx: a.example\nfoo: bar: baz\n",
			want: Policy{Version: "STSv1", Mode: ModeTesting, MaxAge: 100, MX: []string{"a.example"}, Extensions: []Pair{{"foo", "bar: baz"}}, Duplicates: []string{"mode", "max_age"}},
		},
		{
			name:    "missing everything",
			in:      "hello\n",
			wantErr: []error{ErrPolicyLine, ErrPolicyMissing},
		},
		{
			name:    "missing mx in enforce",
			in:      "version: STSv1\nmode: enforce\nmax_age: 86400\n",
			want:    Policy{Version: "STSv1", Mode: ModeEnforce, MaxAge: 86400},
			wantErr: []error{ErrPolicyMissing},
		},
		{
			name:    "bad values",
			in:      "version: STSv2\nmode: Enforce\nmax_age: 31557601\nmx: *.*.example\nmx: -a.example\nmx: ok.example\n",
			want:    Policy{Version: "STSv2", MaxAge: -1, MX: []string{"ok.example"}},
			wantErr: []error{ErrPolicyVersion, ErrPolicyMode, ErrPolicyMaxAge, ErrPolicyMX},
		},
		{
			name:    "max_age not digits",
			in:      "version: STSv1\nmode: none\nmax_age: +5\n",
			want:    Policy{Version: "STSv1", Mode: ModeNone, MaxAge: -1},
			wantErr: []error{ErrPolicyMaxAge},
		},
		{
			name:    "space before colon",
			in:      "version : STSv1\nmode: none\nmax_age: 5\n",
			want:    Policy{Mode: ModeNone, MaxAge: 5},
			wantErr: []error{ErrPolicyLine, ErrPolicyMissing},
		},
		{
			// RFC 8461 §3.2: sts-policy-ext-value has at least one vchar.
			name:    "extension with an empty value",
			in:      "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 86400\next:\n",
			want:    Policy{Version: "STSv1", Mode: ModeEnforce, MaxAge: 86400, MX: []string{"a.example"}},
			wantErr: []error{ErrPolicyExt},
		},
		{
			name:    "extension with only spaces, or a control character",
			in:      "version: STSv1\nmode: none\nmax_age: 0\next:   \nx-y: a\x01b\nok_1: valeur été\n",
			want:    Policy{Version: "STSv1", Mode: ModeNone, Extensions: []Pair{{"ok_1", "valeur été"}}},
			wantErr: []error{ErrPolicyExt},
		},
		{
			name: "HTML error page",
			in:   "<!doctype html>\n<html><body>Not found</body></html>\n",
			want: Policy{}, wantErr: []error{ErrPolicyLine, ErrPolicyMissing},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePolicy(tt.in)
			for _, w := range tt.wantErr {
				if !errors.Is(err, w) {
					t.Errorf("err = %v, want it to include %v", err, w)
				}
			}
			if len(tt.wantErr) == 0 && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got.Version != tt.want.Version || got.Mode != tt.want.Mode || got.MaxAge != tt.want.MaxAge ||
				!slices.Equal(got.MX, tt.want.MX) || !slices.Equal(got.Extensions, tt.want.Extensions) ||
				!slices.Equal(got.Duplicates, tt.want.Duplicates) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, host string
		want          bool
	}{
		{"mx1.example.com", "mx1.example.com", true},
		{"mx1.example.com", "MX1.Example.com.", true},
		{"mx1.example.com", "mx2.example.com", false},
		{"*.example.com", "mx1.example.com", true},
		{"*.example.com", "mx1.example.com.", true},
		{"*.example.com", "a.b.example.com", false},
		{"*.example.com", "example.com", false},
		{"*.example.com", ".example.com", false},
		{"*.example.com", "mx1.example.net", false},
		{"example.com", "mx.example.com", false},
	}
	for _, tt := range tests {
		if got := Match(tt.pattern, tt.host); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.host, got, tt.want)
		}
	}
}

func TestCover(t *testing.T) {
	c := Cover([]string{"*.mail.example", "old.example", "mx.example"}, []string{"a.mail.example.", "mx.example.", "b.other.example."})
	if !slices.Equal(c.Uncovered, []string{"b.other.example"}) || !slices.Equal(c.Stale, []string{"old.example"}) {
		t.Errorf("Cover = %+v", c)
	}
	c = Cover(nil, []string{"mx.example."})
	if !slices.Equal(c.Uncovered, []string{"mx.example"}) || len(c.Stale) != 0 {
		t.Errorf("Cover(no patterns) = %+v", c)
	}
}

func BenchmarkParsePolicy(b *testing.B) {
	body := "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n"
	for b.Loop() {
		if _, err := ParsePolicy(body); err != nil {
			b.Fatal(err)
		}
	}
}

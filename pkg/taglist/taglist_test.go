package taglist

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		in   string
		opt  Options
		want string
		kind Kind
	}{
		{in: "v=DKIM1; k=rsa; p=MIIB", want: "v=DKIM1; k=rsa; p=MIIB"},
		{in: " v = DMARC1 ;p=none;; ", want: "v=DMARC1; p=none"},
		{in: "V=DMARC1; P=reject", opt: Options{FoldNames: true}, want: "v=DMARC1; p=reject"},
		{in: "V=DKIM1", want: "V=DKIM1"},
		{in: "a=1;\r\n\tb=two\r\n words", want: "a=1; b=two\r\n words"},
		{in: "", want: ""},
		{in: "v=DKIM1; k", kind: NoEquals},
		{in: "1a=x", kind: BadName},
		{in: "=x", kind: BadName},
		{in: "a=b\x00c", kind: BadValue},
		{in: "a=b\rc", kind: BadValue},
		{in: "a=1; a=2", kind: Duplicate},
		{in: "p=1; P=2", opt: Options{FoldNames: true}, kind: Duplicate},
	} {
		l, err := Parse(tt.in, tt.opt)
		if tt.kind != "" {
			var e *Error
			if !errors.As(err, &e) || e.Kind != tt.kind || !errors.Is(err, ErrSyntax) {
				t.Errorf("Parse(%q) = %v, want a %s error", tt.in, err, tt.kind)
			}
			continue
		}
		if err != nil || l.String() != tt.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", tt.in, l.String(), err, tt.want)
		}
	}
}

func TestDuplicatesKept(t *testing.T) {
	l, err := Parse("rua=a; rua=b", Options{AllowDuplicates: true})
	if err != nil || len(l) != 2 {
		t.Fatalf("%v %v", l, err)
	}
	if v, _ := l.Get("rua"); v != "a" {
		t.Errorf("Get returns the first: %q", v)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"v=DKIM1; p=abc", "a=;b= c ;", ";;;", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := Parse(s, Options{})
		if err != nil {
			return
		}
		// What parses reparses to the same tags.
		again, err := Parse(l.String(), Options{})
		if err != nil || again.String() != l.String() {
			t.Fatalf("%q -> %q -> %q, %v", s, l.String(), again.String(), err)
		}
	})
}

// Example reads a DKIM key record's tags.
func ExampleParse() {
	l, err := Parse("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", Options{})
	if err != nil {
		panic(err)
	}
	k, _ := l.Get("k")
	fmt.Println(len(l), "tags, key type", k)
	// Output: 3 tags, key type ed25519
}

// NoEmpty and ValidName give the stricter grammars of MTA-STS and BIMI.
func TestOptionsNoEmptyValidName(t *testing.T) {
	var e *Error
	if _, err := Parse("a=1;; b=2", Options{NoEmpty: true}); !errors.As(err, &e) || e.Kind != Empty || e.Index != 2 {
		t.Errorf("NoEmpty: %v", err)
	}
	if l, err := Parse("a=1; b=2;", Options{NoEmpty: true}); err != nil || len(l) != 2 {
		t.Errorf("trailing ';': %v %v", l, err)
	}
	if _, err := Parse("a=1;; b=2", Options{}); err != nil {
		t.Errorf("default skips empty tag-specs: %v", err)
	}
	dash := func(n string) bool { return n != "" && !strings.ContainsAny(n, " _") }
	if l, err := Parse("1-x.y=2", Options{ValidName: dash}); err != nil || l[0].Name != "1-x.y" {
		t.Errorf("ValidName: %v %v", l, err)
	}
	if _, err := Parse("1-x.y=2", Options{}); !errors.As(err, &e) || e.Kind != BadName {
		t.Errorf("default name grammar: %v", err)
	}
}

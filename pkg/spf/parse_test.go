package spf

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/i18n"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    string // String() of the result; "" when an error is expected
		err     error
		errTerm string
		errPos  int
	}{
		{in: "v=spf1", want: "v=spf1"},
		{in: "V=SPF1 -ALL", want: "v=spf1 -all"},
		{in: "v=spf1  a   mx  ~all  ", want: "v=spf1 a mx ~all"},
		{in: "v=spf1 +a:mail.example.com/24//64 ?mx/28 -ptr:example.com ~exists:%{ir}.%{l1r+-}._spf.%{d} all",
			want: "v=spf1 +a:mail.example.com/24//64 ?mx/28 -ptr:example.com ~exists:%{ir}.%{l1r+-}._spf.%{d} all"},
		{in: "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ip6:::ffff:1.2.3.4 -all", want: "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ip6:::ffff:1.2.3.4 -all"},
		{in: "v=spf1 a//0 redirect=_spf.example.com exp=explain._spf.%{d} moo.cow-far_out=man:dog/cat",
			want: "v=spf1 a//0 redirect=_spf.example.com exp=explain._spf.%{d} moo.cow-far_out=man:dog/cat"},
		{in: "v=spf1 include:%{d}.", err: ErrSyntax}, // domain-end is "." toplabel or a macro-expand (§7.1)
		{in: "v=spf1 a:example.com.", want: "v=spf1 a:example.com."},

		{in: "v=spf10 -all", err: ErrNotSPF},
		{in: " v=spf1 -all", err: ErrNotSPF},
		{in: "spf2.0/pra -all", err: ErrNotSPF},
		{in: "v=spf1 foo -all", err: ErrUnknownMechanism, errTerm: "foo", errPos: 7},
		{in: "v=spf1 a -all\tptr", err: ErrNonASCII, errTerm: "-all\tptr", errPos: 9},
		{in: "v=spf1 include:x.example~all", err: ErrSyntax, errTerm: "include:x.example~all", errPos: 7},
		{in: "v=spf1 include:", err: ErrSyntax},
		{in: "v=spf1 include:example.com/24", err: ErrSyntax},
		{in: "v=spf1 a:museum", err: ErrSyntax},
		{in: "v=spf1 a:foo.123", err: ErrSyntax},
		{in: "v=spf1 a:foo.1-2", want: "v=spf1 a:foo.1-2"},
		{in: "v=spf1 a/33", err: ErrSyntax},
		{in: "v=spf1 a//129", err: ErrSyntax},
		{in: "v=spf1 a/024", err: ErrSyntax},
		{in: "v=spf1 a/", err: ErrSyntax},
		{in: "v=spf1 ip4:1.2.3.4/33", err: ErrSyntax},
		{in: "v=spf1 ip4:1.2.3", err: ErrSyntax},
		{in: "v=spf1 ip4:01.2.3.4", err: ErrSyntax},
		{in: "v=spf1 ip4:2001:db8::1", err: ErrSyntax},
		{in: "v=spf1 ip6:1.2.3.4", err: ErrSyntax},
		{in: "v=spf1 ip6:fe80::1%eth0", err: ErrSyntax},
		{in: "v=spf1 all:x", err: ErrSyntax},
		{in: "v=spf1 all/8", err: ErrSyntax},
		{in: "v=spf1 ptr/24", err: ErrSyntax},
		{in: "v=spf1 redirect=a.example redirect=b.example", err: ErrDuplicateModifier, errTerm: "redirect=b.example", errPos: 26},
		{in: "v=spf1 exp=", err: ErrSyntax},
		{in: "v=spf1 exists:%{t}.example.com", err: ErrExpOnlyMacro},
		{in: "v=spf1 exists:%{x}.example.com", err: ErrMacro},
		{in: "v=spf1 exists:%{d0}.example.com", err: ErrMacro},
		{in: "v=spf1 exists:%{d*}.example.com", err: ErrMacro},
		{in: "v=spf1 exists:%{d.example.com", err: ErrMacro},
		{in: "v=spf1 exists:100%.example.com", err: ErrMacro},
		{in: "v=spf1 +redirect=a.example", err: ErrUnknownMechanism},
		{in: "v=spf1 foo=%{x}", err: ErrMacro},
		{in: "v=spf1 a:caf\xc3\xa9.example", err: ErrNonASCII},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			rec, err := Parse(tt.in)
			if tt.err == nil {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				if got := rec.String(); got != tt.want {
					t.Errorf("String() = %q, want %q", got, tt.want)
				}
				return
			}
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			var te *TermError
			if tt.errTerm != "" {
				if !errors.As(err, &te) {
					t.Fatalf("%v is not a TermError", err)
				}
				if te.Term != tt.errTerm || te.Pos != tt.errPos {
					t.Errorf("error names %q at %d, want %q at %d", te.Term, te.Pos, tt.errTerm, tt.errPos)
				}
			}
		})
	}
}

// Every problem of a record is reported, not only the first (RFC 7208 §4.6:
// a syntax error anywhere is a permerror).
func TestParseAllErrors(t *testing.T) {
	_, err := Parse("v=spf1 foo a:museum ip4:1.2.3.4/99 -all")
	var se *SyntaxError
	if !errors.As(err, &se) || len(se.Errs) != 3 {
		t.Fatalf("got %v, want 3 term errors", err)
	}
	if !errors.Is(err, ErrUnknownMechanism) || !errors.Is(err, ErrSyntax) {
		t.Errorf("errors.Is does not see every term error: %v", err)
	}
}

func TestTermQueries(t *testing.T) {
	rec, err := Parse("v=spf1 include:a.example a mx ptr exists:%{i}.x.example ip4:192.0.2.1 ip6:2001:db8::1 all exp=e.example redirect=r.example")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, t := range rec.Terms {
		if t.Queries() {
			n++
		}
	}
	if n != 6 {
		t.Errorf("%d DNS-querying terms, want 6 (include a mx ptr exists redirect)", n)
	}
}

func TestMacroExpand(t *testing.T) {
	env := &macroEnv{sender: "strong-bad@email.example.com", local: "strong-bad", senderD: "email.example.com",
		domain: "email.example.com", ip: netip.MustParseAddr("192.0.2.3"), helo: "mx.example.org",
		now: time.Unix(1700000000, 0)}
	env6 := *env
	env6.ip = netip.MustParseAddr("2001:db8::cb01")
	// The examples of RFC 7208 §7.4.
	tests := []struct {
		env  *macroEnv
		in   string
		exp  bool
		want string
	}{
		{env, "%{s}", false, "strong-bad@email.example.com"},
		{env, "%{o}", false, "email.example.com"},
		{env, "%{d}", false, "email.example.com"},
		{env, "%{d4}", false, "email.example.com"},
		{env, "%{d3}", false, "email.example.com"},
		{env, "%{d2}", false, "example.com"},
		{env, "%{d1}", false, "com"},
		{env, "%{dr}", false, "com.example.email"},
		{env, "%{d2r}", false, "example.email"},
		{env, "%{l}", false, "strong-bad"},
		{env, "%{l-}", false, "strong.bad"},
		{env, "%{lr}", false, "strong-bad"},
		{env, "%{lr-}", false, "bad.strong"},
		{env, "%{l1r-}", false, "strong"},
		{env, "%{ir}.%{v}._spf.%{d2}", false, "3.2.0.192.in-addr._spf.example.com"},
		{env, "%{lr-}.lp._spf.%{d2}", false, "bad.strong.lp._spf.example.com"},
		{env, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", false, "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
		{env, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", false, "3.2.0.192.in-addr.strong.lp._spf.example.com"},
		{env, "%{d2}.trusted-domains.example.net", false, "example.com.trusted-domains.example.net"},
		{&env6, "%{ir}.%{v}._spf.%{d2}", false, "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"},
		{env, "%%%_%-", false, "% %20"},
		{env, "%{S}", false, "strong-bad%40email.example.com"},
		{env, "%{c} at %{t}", true, "192.0.2.3 at 1700000000"},
		{env, "%{r}", true, "unknown"},
	}
	for _, tt := range tests {
		items, err := parseMacroString(tt.in, tt.exp)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		got, xerr := tt.env.expand(items, tt.exp)
		if xerr != nil || got != tt.want {
			t.Errorf("%s = %q (%v), want %q", tt.in, got, xerr, tt.want)
		}
	}
	items, _ := parseMacroString("%{c}", false)
	if _, err := env.expand(items, false); !errors.Is(err, ErrExpOnlyMacro) {
		t.Errorf("%%{c} outside exp: %v", err)
	}
}

func TestTruncateName(t *testing.T) {
	long := ""
	for i := 0; i < 30; i++ {
		long += "abcdefghi."
	}
	got := truncateName(long + "example.com")
	if len(got) > 253 || got[len(got)-11:] != "example.com" || got[0] == '.' {
		t.Errorf("truncateName: %d chars, %q", len(got), got)
	}
}

// A syntax error's reason is a code, worded by the catalogs in each
// language.
func TestTermErrorWords(t *testing.T) {
	_, err := Parse("v=spf1 ip4:192.0.2.0/33 -all")
	var se *SyntaxError
	if !errors.As(err, &se) || len(se.Errs) != 1 {
		t.Fatalf("err %v", err)
	}
	te := se.Errs[0]
	if te.Reason != ReasonCIDRTooLong || te.N != 33 || te.Max != 32 {
		t.Fatalf("term error %+v", te)
	}
	for lang, want := range map[i18n.Lang]string{
		i18n.English: `term 1 "ip4:192.0.2.0/33" (offset 7): CIDR length 33 over 32`,
		i18n.French:  "terme 1 «\u00a0ip4:192.0.2.0/33\u00a0» (position 7)\u00a0: longueur CIDR 33 supérieure à 32",
	} {
		loc := i18n.For(lang)
		if got := loc.Text(TermErrorMsg(te)); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}

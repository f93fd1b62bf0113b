package authres

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/i18n"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     *Results
	}{
		{"RFC 8601 appendix B.2 none", "example.org 1; none",
			&Results{AuthServID: "example.org", Version: 1, Methods: []Method{}}},
		{"Gmail style",
			"mx.google.com;\r\n       dkim=pass header.i=@shop.example header.s=s1 header.b=AbCd1234;\r\n       spf=pass (google.com: domain of bounce@shop.example designates 192.0.2.1 as permitted sender) smtp.mailfrom=bounce@shop.example;\r\n       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=shop.example",
			&Results{AuthServID: "mx.google.com", Methods: []Method{
				{Method: "dkim", Result: "pass", Props: []Prop{{"header", "i", "@shop.example"}, {"header", "s", "s1"}, {"header", "b", "AbCd1234"}}},
				{Method: "spf", Result: "pass", Comment: "google.com: domain of bounce@shop.example designates 192.0.2.1 as permitted sender", Props: []Prop{{"smtp", "mailfrom", "bounce@shop.example"}}},
				{Method: "dmarc", Result: "pass", Comment: "p=REJECT sp=REJECT dis=NONE", Props: []Prop{{"header", "from", "shop.example"}}},
			}}},
		{"Outlook style with reason and action",
			`spf=fail (sender IP is 192.0.2.9) smtp.mailfrom=shop.example; dkim=none (message not signed) header.d=none;dmarc=fail action=oreject header.from=shop.example;compauth=fail reason=000`,
			// No authserv-id: Microsoft writes none; the results are read.
			&Results{AuthServID: "", Methods: []Method{
				{Method: "spf", Result: "fail", Comment: "sender IP is 192.0.2.9", Props: []Prop{{"smtp", "mailfrom", "shop.example"}}},
				{Method: "dkim", Result: "none", Comment: "message not signed", Props: []Prop{{"header", "d", "none"}}},
				{Method: "dmarc", Result: "fail", Props: []Prop{{"", "action", "oreject"}, {"header", "from", "shop.example"}}},
				{Method: "compauth", Result: "fail", Reason: "000"},
			}, Errors: []*Error{{Code: CodeAuthServIDAbsent}}}},
		{"version, reason quoted, method version", `mail.example.net 1; dkim/1=fail reason="bad sig" header.d=a.example; auth=pass smtp.auth=sender@example.com`,
			&Results{AuthServID: "mail.example.net", Version: 1, Methods: []Method{
				{Method: "dkim", Version: "1", Result: "fail", Reason: "bad sig", Props: []Prop{{"header", "d", "a.example"}}},
				{Method: "auth", Result: "pass", Props: []Prop{{"smtp", "auth", "sender@example.com"}}},
			}}},
		{"comments everywhere, trailing semicolon", `(c1) mx.example (c2) ; spf (c3) = (c4) pass (c5) smtp (c6) . (c7) mailfrom (c8) = (c9) a@b.example (c10) ;`,
			&Results{AuthServID: "mx.example", Methods: []Method{
				{Method: "spf", Result: "pass", Comment: "c3 c4 c5 c6 c7 c8 c9 c10", Props: []Prop{{"smtp", "mailfrom", "a@b.example"}}},
			}}},
		{"junk after a result is a problem, later results kept", `mx.example; spf=pass ???; dkim=fail header.d=x.example`,
			&Results{AuthServID: "mx.example", Methods: []Method{
				{Method: "spf", Result: "pass"},
				{Method: "dkim", Result: "fail", Props: []Prop{{"header", "d", "x.example"}}},
			}, Errors: []*Error{{Code: CodeUnexpectedAfter, Near: "???; dkim=fail header.d=x.example", Method: "spf", Result: "pass"}}}},
		{"quoted authserv-id", `"mx example"; arc=pass`,
			&Results{AuthServID: "mx example", Methods: []Method{{Method: "arc", Result: "pass"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.want == nil {
				if err == nil && len(got.Problems) == 0 {
					t.Fatalf("want an error or problems, got %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Problems) != len(got.Errors) {
				t.Errorf("problems %v, errors %v", got.Problems, got.Errors)
			}
			got.Problems = nil // the words of Errors (TestProblemWords)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseARC(t *testing.T) {
	r, err := ParseARC("i=2; lists.example.org;\r\n    spf=pass smtp.mfrom=jqd@d1.example;\r\n    dkim=pass (1024-bit key) header.i=@d1.example;\r\n    dmarc=pass")
	if err != nil {
		t.Fatal(err)
	}
	if r.Instance != 2 || r.AuthServID != "lists.example.org" || len(r.Methods) != 3 || r.Methods[1].Get("header", "i") != "@d1.example" || r.Methods[1].Comment != "1024-bit key" {
		t.Errorf("%+v", r)
	}
	for _, bad := range []string{"lists.example.org; spf=pass", "i=0; a.example; spf=pass", "i=51; a; none", "i=1 a.example"} {
		if _, err := ParseARC(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{"", "   ", "; spf=pass", "(only a comment)"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestMaxMethods(t *testing.T) {
	in := "mx.example"
	for range MaxMethods + 10 {
		in += "; spf=pass"
	}
	r, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Methods) != MaxMethods || len(r.Problems) != 1 {
		t.Errorf("%d methods, problems %v", len(r.Methods), r.Problems)
	}
}

func TestParseReceivedSPF(t *testing.T) {
	r, err := ParseReceivedSPF("pass (google.com: domain of bounce@shop.example designates 192.0.2.10 as permitted sender)\r\n client-ip=192.0.2.10; envelope-from=\"bounce@shop.example\"; helo=mail.shop.example;")
	if err != nil {
		t.Fatal(err)
	}
	m := r.Methods[0]
	if r.AuthServID != "google.com" || m.Result != "pass" || m.Get("spf", "client-ip") != "192.0.2.10" || m.Get("smtp", "mailfrom") != "bounce@shop.example" || m.Get("smtp", "helo") != "mail.shop.example" {
		t.Errorf("%+v", r)
	}
	r, err = ParseReceivedSPF("SoftFail receiver=mx.example.org; identity=mailfrom; client-ip=2001:db8::1")
	if err != nil || r.AuthServID != "mx.example.org" || r.Methods[0].Result != "softfail" || r.Methods[0].Get("spf", "client-ip") != "2001:db8::1" {
		t.Errorf("%+v %v", r, err)
	}
	if _, err := ParseReceivedSPF("hello world"); err == nil {
		t.Error("no error")
	}
}

// A problem is worded from its code and facts, in English and in French.
func TestProblemWords(t *testing.T) {
	r, err := Parse(`mx.example; spf=pass ???; dkim=fail header.d=x.example`)
	if err != nil || len(r.Problems) != 1 {
		t.Fatalf("%v %+v", err, r)
	}
	en, fr := i18n.For(i18n.English).Text(r.Problems[0]), i18n.For(i18n.French).Text(r.Problems[0])
	if en != r.Errors[0].Error() {
		t.Errorf("English %q, want %q", en, r.Errors[0].Error())
	}
	if !strings.Contains(fr, "inattendu") || !strings.Contains(fr, "spf=pass") {
		t.Errorf("French %q", fr)
	}
	_, err = ParseARC("i=0; a.example; spf=pass")
	var pe *Error
	if !errors.As(err, &pe) || pe.Code != CodeARCBadInstance || !errors.Is(err, ErrSyntax) {
		t.Fatalf("%v", err)
	}
	if s := i18n.For(i18n.French).Text(pe.Msg()); !strings.Contains(s, "i=") || strings.Contains(s, "authres.error") {
		t.Errorf("French %q", s)
	}
	for _, l := range i18n.Langs {
		if m := i18n.For(l).Missing(); len(m) > 0 {
			t.Errorf("%s: missing %v", l, m)
		}
	}
}

package bimi

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in       string
		l, a     string
		declined bool
		lps      []string
		wantErr  error
	}{
		{in: "v=BIMI1; l=https://shop.example/logo.svg; a=https://shop.example/vmc.pem", l: "https://shop.example/logo.svg", a: "https://shop.example/vmc.pem"},
		{in: "v=BIMI1;l=https://shop.example/logo.svg;", l: "https://shop.example/logo.svg"},
		{in: "v=BIMI1 ; l = https://shop.example/logo.svg ; avp=brand; x=y", l: "https://shop.example/logo.svg"},
		{in: "v=BIMI1; l=; a=;", declined: true},
		{in: "v=BIMI1;", declined: true},
		{in: "v=BIMI1", declined: true},
		{in: "v=BIMI1; l=http://shop.example/logo.svg", wantErr: ErrLocation},
		{in: "v=BIMI1; l=shop.example/logo.svg", wantErr: ErrLocation},
		{in: "v=BIMI1; l=https://shop.example/logo.svg; a=ftp://x.example/a.pem", wantErr: ErrAuthority},
		{in: "v=BIMI1; l=https://a.example/1.svg; l=https://a.example/2.svg", wantErr: ErrSyntax},
		{in: "v=BIMI1; l=https://a.example/1.svg;; a=", wantErr: ErrSyntax},
		{in: "v=BIMI1; l https://a.example/1.svg", wantErr: ErrSyntax},
		{in: "v=BIMI1; l=https://a.example/a b.svg", wantErr: ErrSyntax},
		{in: "l=https://a.example/1.svg; v=BIMI1", wantErr: ErrNotBIMI},
		{in: "v=BIMI2; l=https://a.example/1.svg", wantErr: ErrNotBIMI},
		{in: "v=bimi1; l=https://a.example/1.svg", wantErr: ErrNotBIMI},
		{in: "", wantErr: ErrNotBIMI},
		// lps= is a list of local-parts; the tag-list's *WSP may surround
		// the commas, as in the draft's "lps = noreply, support".
		{in: "v=BIMI1; l=https://a.example/1.svg; lps=news, billing", l: "https://a.example/1.svg", lps: []string{"news", "billing"}},
		{in: "v=BIMI1; l=; a=; lps = news ,\tbilling.eu ;", declined: true, lps: []string{"news", "billing.eu"}},
		{in: "v=BIMI1; l=https://a.example/1.svg; lps=news,,billing", wantErr: ErrLPS},
		{in: "v=BIMI1; l=https://a.example/1.svg; lps=news billing", wantErr: ErrLPS},
		{in: "v=BIMI1; l=https://a.example/1.svg; lps=", wantErr: ErrLPS},
		{in: "v=BIMI1; l=https://a.example/1.svg; x=two words", l: "https://a.example/1.svg"},
		{in: "v=BIMI1; l=https://a.example/1.svg; avp=brand x", wantErr: ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			rec, err := Parse(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rec.Location != tt.l || rec.Authority != tt.a || rec.Declined() != tt.declined || strings.Join(rec.LocalParts, "|") != strings.Join(tt.lps, "|") {
				t.Errorf("got %+v (declined %v)", rec, rec.Declined())
			}
		})
	}
}

const goodSVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 100 100">
  <title>Shop</title>
  <rect width="100" height="100" fill="#c00"/>
</svg>`

func TestCheckSVG(t *testing.T) {
	tests := []struct {
		name string
		svg  string
		want []error
	}{
		{"valid", goodSVG, nil},
		{"plain SVG 1.1", `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" x="0" y="0"><rect width="1" height="1"/></svg>`,
			[]error{ErrSVGVersion, ErrSVGProfile, ErrSVGPosition, ErrSVGTitle}},
		{"script and external image", `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.2" baseProfile="tiny-ps"><title>x</title><script>alert(1)</script><image xlink:href="https://evil.example/a.png"/></svg>`,
			[]error{ErrSVGForbidden, ErrSVGExternal}},
		{"internal reference is fine", `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.2" baseProfile="tiny-ps"><title>x</title><defs><rect id="r" width="1" height="1"/></defs><use xlink:href="#r"/></svg>`, nil},
		{"not XML", "<html><body>oops", []error{ErrSVGMalformed}},
		{"not svg", `<html></html>`, []error{ErrSVGRoot}},
		{"empty", ``, []error{ErrSVGRoot}},
		{"too large", goodSVG[:len(goodSVG)-6] + "<!--" + strings.Repeat("x", MaxLogoSize) + "--></svg>", []error{ErrSVGTooLarge}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckSVG([]byte(tt.svg))
			if len(tt.want) == 0 && err != nil {
				t.Fatalf("unexpected: %v", err)
			}
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Errorf("err = %v, want %v", err, w)
				}
			}
		})
	}
}

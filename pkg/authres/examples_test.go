package authres_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/authres"
)

// Read what a receiver recorded: its authserv-id, each method's result and
// properties. What the parser could not read is kept as typed problems.
func ExampleParse() {
	r, err := authres.Parse("mx.google.com; dkim=pass header.i=@shop.example header.s=s1;\r\n" +
		" spf=pass (google.com: domain of bounce@shop.example designates 192.0.2.1 as permitted sender) smtp.mailfrom=bounce@shop.example; dmarc=pass ???")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.AuthServID)
	for _, m := range r.Methods {
		fmt.Println(strings.TrimSpace(m.Method + " " + m.Result + " " + m.Get("header", "s") + m.Get("smtp", "mailfrom")))
	}
	for _, e := range r.Errors {
		fmt.Println(e.Code, e.Near)
	}
	// Output:
	// mx.google.com
	// dkim pass s1
	// spf pass bounce@shop.example
	// dmarc pass
	// unexpected_after ???
}

// A field that cannot be read at all is an *authres.Error wrapping
// ErrSyntax.
func ExampleParseARC() {
	_, err := authres.ParseARC("i=0; lists.example; spf=pass")
	var e *authres.Error
	fmt.Println(errors.Is(err, authres.ErrSyntax), errors.As(err, &e) && e.Code == authres.CodeARCBadInstance)
	// Output:
	// true true
}

package bimi_test

import (
	"errors"
	"fmt"

	"github.com/mailcheck/mailcheck/pkg/bimi"
)

// A BIMI record names the logo (l=) and the mark certificate (a=).
func ExampleParse() {
	rec, err := bimi.Parse("v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem")
	fmt.Println(rec.Location, rec.Authority, rec.Declined(), err)
	_, err = bimi.Parse("v=BIMI1; l=http://example.com/logo.svg")
	fmt.Println(errors.Is(err, bimi.ErrLocation))
	// Output:
	// https://example.com/logo.svg https://example.com/vmc.pem false <nil>
	// true
}

// CheckSVG applies the SVG Tiny PS rules receivers check; each problem is
// its own error.
func ExampleCheckSVG() {
	err := bimi.CheckSVG([]byte(`<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps"><title>Example</title><script/></svg>`))
	fmt.Println(errors.Is(err, bimi.ErrSVGForbidden), errors.Is(err, bimi.ErrSVGTitle))
	// Output:
	// true false
}

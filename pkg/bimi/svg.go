package bimi

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// MaxLogoSize is the largest logo receivers accept: 32 KiB
// (draft-svg-tiny-ps-abrotman §2; checkdmarc's bimi.py).
const MaxLogoSize = 32 << 10

// maxElements bounds the walk over a hostile document.
const maxElements = 20000

// Errors of the SVG Tiny PS rules; CheckSVG joins them.
var (
	ErrSVGTooLarge  = errors.New("logo larger than 32 KiB")
	ErrSVGMalformed = errors.New("not well-formed XML")
	ErrSVGRoot      = errors.New("root element is not <svg>")
	ErrSVGVersion   = errors.New(`root <svg> lacks version="1.2"`)
	ErrSVGProfile   = errors.New(`root <svg> lacks baseProfile="tiny-ps"`)
	ErrSVGTitle     = errors.New("no <title> element under the root")
	ErrSVGPosition  = errors.New("root <svg> has x or y attributes")
	ErrSVGForbidden = errors.New("forbidden element (script, foreignObject, image, animation)")
	ErrSVGExternal  = errors.New("reference to an external resource")
)

var forbidden = map[string]bool{
	"script": true, "foreignObject": true, "image": true,
	"animate": true, "animateMotion": true, "animateColor": true, "animateTransform": true, "set": true,
}

// SVGError is one problem of a logo with details: Err is the sentinel
// (errors.Is), N the size in bytes (ErrSVGTooLarge) or the element limit
// (ErrSVGMalformed), Reason the XML parser's words, Names the forbidden
// elements. Checks word it from its parts.
type SVGError struct {
	Err    error
	N      int
	Reason string
	Names  []string
}

func (e *SVGError) Error() string {
	switch {
	case e.Err == ErrSVGTooLarge:
		return fmt.Sprintf("%v (%d bytes)", e.Err, e.N)
	case e.Err == ErrSVGMalformed && e.Reason != "":
		return fmt.Sprintf("%v: %s", e.Err, e.Reason)
	case e.Err == ErrSVGMalformed:
		return fmt.Sprintf("%v: more than %d elements", e.Err, e.N)
	}
	return fmt.Sprintf("%v: %s", e.Err, strings.Join(e.Names, ", "))
}

// Unwrap returns the sentinel.
func (e *SVGError) Unwrap() error { return e.Err }

// CheckSVG applies the basic SVG Tiny Portable/Secure rules BIMI receivers
// enforce (the SVG Tiny PS draft, draft-svg-tiny-ps-abrotman): size, an <svg> root with version="1.2" and
// baseProfile="tiny-ps", a <title>, no x/y on the root, no scripts, no
// raster or foreign content, no animation and no external references.
func CheckSVG(b []byte) error {
	var errs []error
	if len(b) > MaxLogoSize {
		errs = append(errs, &SVGError{Err: ErrSVGTooLarge, N: len(b)})
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	depth, n := 0, 0
	title, external := false, false
	bad := map[string]bool{}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return errors.Join(append(errs, &SVGError{Err: ErrSVGMalformed, Reason: err.Error()})...)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			n++
			if n > maxElements {
				return errors.Join(append(errs, &SVGError{Err: ErrSVGMalformed, N: maxElements})...)
			}
			if depth == 1 {
				errs = append(errs, checkRoot(t)...)
			}
			if depth == 2 && t.Name.Local == "title" {
				title = true
			}
			if forbidden[t.Name.Local] {
				bad[t.Name.Local] = true
			}
			for _, a := range t.Attr {
				if a.Name.Local == "href" && !strings.HasPrefix(strings.TrimSpace(a.Value), "#") {
					external = true
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	if n == 0 {
		errs = append(errs, ErrSVGRoot)
	} else if !title {
		errs = append(errs, ErrSVGTitle)
	}
	if len(bad) > 0 {
		var names []string
		for k := range bad {
			names = append(names, "<"+k+">")
		}
		errs = append(errs, &SVGError{Err: ErrSVGForbidden, Names: slices.Sorted(slices.Values(names))})
	}
	if external {
		errs = append(errs, ErrSVGExternal)
	}
	return errors.Join(errs...)
}

func checkRoot(t xml.StartElement) []error {
	if t.Name.Local != "svg" {
		return []error{ErrSVGRoot}
	}
	var errs []error
	attr := map[string]string{}
	for _, a := range t.Attr {
		if a.Name.Space == "" || a.Name.Space == "http://www.w3.org/2000/svg" {
			attr[a.Name.Local] = a.Value
		}
	}
	if attr["version"] != "1.2" {
		errs = append(errs, ErrSVGVersion)
	}
	if attr["baseProfile"] != "tiny-ps" {
		errs = append(errs, ErrSVGProfile)
	}
	if _, x := attr["x"]; x {
		errs = append(errs, ErrSVGPosition)
	} else if _, y := attr["y"]; y {
		errs = append(errs, ErrSVGPosition)
	}
	return errs
}

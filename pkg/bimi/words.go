package bimi

import (
	"errors"

	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/taglist"
)

// parseProblem words an error of Parse (catalog bimi.problem.*).
func parseProblem(err error) report.Msg {
	var pe *ParseError
	switch {
	case errors.As(err, &pe) && pe.Syntax != nil:
		m, _ := taglist.ErrMsg(pe.Syntax)
		return m
	case errors.As(err, &pe):
		code := pe.Code
		switch pe.Err {
		case ErrLocation:
			code = "location"
		case ErrAuthority:
			code = "authority"
		case ErrLPS:
			code = "lps"
		}
		return report.T("bimi.problem."+code, report.Params{"tag": pe.Tag, "value": pe.Value})
	case errors.Is(err, ErrNotBIMI):
		return report.T("bimi.problem.not_bimi", nil)
	}
	return report.Lit(err.Error())
}

// svgCodes name the logo problems in the catalogs (bimi.svg.<code>).
var svgCodes = map[error]string{
	ErrSVGTooLarge:  "too_large",
	ErrSVGMalformed: "malformed",
	ErrSVGRoot:      "root",
	ErrSVGVersion:   "version",
	ErrSVGProfile:   "profile",
	ErrSVGTitle:     "title",
	ErrSVGPosition:  "position",
	ErrSVGForbidden: "forbidden",
	ErrSVGExternal:  "external",
}

// svgProblems words the errors of CheckSVG, one message each.
func svgProblems(err error) []report.Msg {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	out := make([]report.Msg, 0, len(errs))
	for _, e := range errs {
		p := report.Params{}
		sentinel := e
		var se *SVGError
		if errors.As(e, &se) {
			sentinel = se.Err
			p["size"], p["reason"], p["elements"] = se.N, se.Reason, se.Names
		}
		code, ok := svgCodes[sentinel]
		if !ok {
			out = append(out, report.Lit(e.Error()))
			continue
		}
		if sentinel == ErrSVGMalformed && se != nil && se.Reason == "" {
			code = "elements"
		}
		out = append(out, report.T("bimi.svg."+code, p))
	}
	return out
}

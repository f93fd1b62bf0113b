package tlsrpt

import (
	"errors"

	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/taglist"
)

// parseProblem words an error of Parse (catalog tlsrpt.problem.*).
func parseProblem(err error) report.Msg {
	var pe *ParseError
	switch {
	case errors.As(err, &pe) && pe.Syntax != nil:
		m, _ := taglist.ErrMsg(pe.Syntax)
		return m
	case errors.As(err, &pe) && pe.Err == ErrURI && pe.Value == "":
		return report.T("tlsrpt.problem.empty_uri", nil)
	case errors.As(err, &pe) && pe.Err == ErrURI:
		return report.T("tlsrpt.problem.uri", report.Params{"value": pe.Value})
	case errors.As(err, &pe):
		return report.T("tlsrpt.problem.field", report.Params{"value": pe.Value})
	case errors.Is(err, ErrNoRUA):
		return report.T("tlsrpt.problem.no_rua", nil)
	case errors.Is(err, ErrNotTLSRPT):
		return report.T("tlsrpt.problem.not_tlsrpt", nil)
	}
	return report.Lit(err.Error())
}

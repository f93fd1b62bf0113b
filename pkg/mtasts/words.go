package mtasts

import (
	"errors"

	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/taglist"
)

// recordProblem words an error of ParseRecord (catalog mtasts.problem.*).
func recordProblem(err error) report.Msg {
	var re *RecordError
	switch {
	case errors.As(err, &re) && re.Syntax != nil:
		m, _ := taglist.ErrMsg(re.Syntax)
		return m
	case errors.As(err, &re) && errors.Is(err, ErrID):
		return report.T("mtasts.problem.bad_id", report.Params{"value": re.Field})
	case errors.As(err, &re):
		return report.T("mtasts.problem.field", report.Params{"value": re.Field})
	case errors.Is(err, ErrNoID):
		return report.T("mtasts.problem.no_id", nil)
	case errors.Is(err, ErrNotSTS):
		return report.T("mtasts.problem.not_sts", nil)
	}
	return report.Lit(err.Error())
}

// policyCodes name the policy errors in the catalogs (mtasts.policy_error.<code>).
var policyCodes = map[error]string{
	ErrPolicyLine:    "line",
	ErrPolicyVersion: "version",
	ErrPolicyMode:    "mode",
	ErrPolicyMaxAge:  "max_age",
	ErrPolicyMX:      "mx",
	ErrPolicyMissing: "missing",
	ErrPolicyExt:     "ext",
}

// policyProblems words the errors of ParsePolicy, one message each.
func policyProblems(err error) []report.Msg {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else if err != nil {
		errs = []error{err}
	}
	out := make([]report.Msg, 0, len(errs))
	for _, e := range errs {
		var pe *PolicyError
		if !errors.As(e, &pe) {
			out = append(out, report.Lit(e.Error()))
			continue
		}
		code := policyCodes[pe.Err]
		if pe.Err == ErrPolicyMissing && pe.Mode != "" {
			code = "missing_mx"
		}
		out = append(out, report.T("mtasts.policy_error."+code, report.Params{"line": pe.Line, "value": pe.Value, "field": pe.Field, "mode": string(pe.Mode)}))
	}
	return out
}

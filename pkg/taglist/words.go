package taglist

import (
	"errors"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// ErrMsg is a tag-list error as a message parameter: the catalog message
// taglist.error.<kind> (internal/i18n/locales/taglist.*.toml) naming the
// tag-spec, the tag and the offending text, so that every protocol that
// reuses the grammar words its syntax errors the same way in every
// language. An error that is not an *Error is nil, false.
func ErrMsg(err error) (report.Msg, bool) {
	var e *Error
	if !errors.As(err, &e) {
		return report.Msg{}, false
	}
	return report.T("taglist.error."+string(e.Kind), report.Params{"index": e.Index, "tag": e.Tag, "text": e.Text}), true
}

package render

import (
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// displayTargets shows internationalized names the way people write them.
// Checks name their section's target in the form they queried, the A-label
// (xn--bcher-kva.example), while the report's target is the Unicode form,
// so every section header repeated the xn-- form beside it. In the copy the
// text and Markdown renderers print, a section whose target is the report's
// domain gets exactly the report's target (the renderers then leave it
// out), another domain its Unicode form; and the report's own target gets
// its A-label beside it, once, since that is the name to type into a DNS
// console. Addresses and host:port targets are left alone. JSON keeps what
// the checks wrote.
func displayTargets(rep *report.Report) {
	top, err := dnsname.ParseAny(rep.Target)
	haveTop := err == nil
	if haveTop && top.Unicode() != top.String() {
		rep.Target = SafeString(top.Unicode()) + " (" + top.String() + ")"
	}
	fix := func(secs []report.Section) {
		for i := range secs {
			d, err := dnsname.ParseAny(secs[i].Target)
			switch {
			case err != nil:
			case haveTop && d.Equal(top):
				secs[i].Target = rep.Target
			default:
				secs[i].Target = SafeString(d.Unicode())
			}
		}
	}
	fix(rep.Sections)
	fix(rep.Environment)
}

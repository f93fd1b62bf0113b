package arc

import (
	"context"
	"testing"
)

// Properties: Validate never panics, always says none, pass, fail or
// temperror, and lists one set per instance up to the highest it accepted.
func FuzzValidate(f *testing.F) {
	docs := loadSuite(f)
	txt := map[string]string{}
	for _, d := range docs {
		for n, v := range d.TXT {
			txt[n] = v
		}
		for i, c := range d.cases(f) {
			if i%4 == 0 {
				f.Add(crlf(c.Message))
			}
		}
	}
	srv := startZones(f, txt)
	r := srv.Resolver(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		res := Validate(context.Background(), r, raw)
		switch res.CV {
		case None, Pass, Fail, TempError:
		default:
			t.Fatalf("cv=%q", res.CV)
		}
		if len(res.Sets) > MaxInstances {
			t.Fatalf("%d sets", len(res.Sets))
		}
	})
}

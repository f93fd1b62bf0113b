package arc

import (
	"context"
	"testing"
)

// BenchmarkValidate validates the suite's two-set passing chain
// (cv_pass_i2_1: one AMS and two seals, RSA-1024) against loopback DNS;
// keys are fetched once per validation, as in a run.
func BenchmarkValidate(b *testing.B) {
	docs := loadSuite(b)
	for _, d := range docs {
		for _, c := range d.cases(b) {
			if c.Name != "cv_pass_i2_1" {
				continue
			}
			srv := startZones(b, d.TXT)
			r := srv.Resolver(b)
			raw := crlf(c.Message)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if res := Validate(context.Background(), r, raw); res.CV != Pass {
					b.Fatal(res.Reason)
				}
			}
			return
		}
	}
	b.Fatal("cv_pass_i2_1 not in the suite")
}

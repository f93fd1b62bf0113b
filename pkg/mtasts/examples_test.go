package mtasts_test

import (
	"errors"
	"fmt"

	"github.com/mailcheck/mailcheck/pkg/mtasts"
)

// The TXT record at _mta-sts.<domain> says a policy exists and names its
// version (RFC 8461 §3.1); errors are typed.
func ExampleParseRecord() {
	rec, err := mtasts.ParseRecord("v=STSv1; id=20260301T000000;")
	fmt.Println(rec.ID, err)
	_, err = mtasts.ParseRecord("v=STSv1; id=2026-03-01")
	var re *mtasts.RecordError
	fmt.Println(errors.Is(err, mtasts.ErrID), errors.As(err, &re) && re.Index == 2)
	// Output:
	// 20260301T000000 <nil>
	// true true
}

// The policy file (RFC 8461 §3.2) lists the MX patterns; Cover tells which
// MX hosts a sender would refuse (§4.1).
func ExampleParsePolicy() {
	pol, err := mtasts.ParsePolicy("version: STSv1\nmode: enforce\nmx: *.mail.example.com\nmax_age: 604800\n")
	fmt.Println(pol.Mode, pol.MaxAge, pol.MX, err)
	cov := mtasts.Cover(pol.MX, []string{"mx1.mail.example.com.", "backup.example.net."})
	fmt.Println(cov.Uncovered)
	// Output:
	// enforce 604800 [*.mail.example.com] <nil>
	// [backup.example.net]
}

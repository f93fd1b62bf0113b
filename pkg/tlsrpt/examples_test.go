package tlsrpt_test

import (
	"errors"
	"fmt"

	"github.com/mailcheck/mailcheck/pkg/tlsrpt"
)

// The TXT record at _smtp._tls.<domain> names where senders report TLS
// failures (RFC 8460 §3).
func ExampleParse() {
	rec, err := tlsrpt.Parse("v=TLSRPTv1; rua=mailto:tls@example.com,https://r.example.com/tlsrpt")
	fmt.Println(rec.RUA, err)
	fmt.Println(tlsrpt.MailtoDomain(rec.RUA[0]))
	_, err = tlsrpt.Parse("v=TLSRPTv1; rua=http://r.example.com/")
	fmt.Println(errors.Is(err, tlsrpt.ErrURI))
	// Output:
	// [mailto:tls@example.com https://r.example.com/tlsrpt] <nil>
	// example.com
	// true
}

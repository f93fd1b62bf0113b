package tlsrpt

import (
	"errors"
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		rua     []string
		ext     int
		wantErr error
	}{
		{in: "v=TLSRPTv1; rua=mailto:reports@example.com", rua: []string{"mailto:reports@example.com"}},
		{in: "v=TLSRPTv1;rua=https://reporting.example.com/v1/tlsrpt;", rua: []string{"https://reporting.example.com/v1/tlsrpt"}},
		{in: "v=TLSRPTv1; rua=mailto:a@example.com , https://r.example/x", rua: []string{"mailto:a@example.com", "https://r.example/x"}},
		{in: "v=TLSRPTv1 ; rua=mailto:a@example.com; ext-1=v", rua: []string{"mailto:a@example.com"}, ext: 1},
		{in: "v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com", rua: []string{"mailto:a@example.com", "mailto:b@example.com"}},
		{in: "v=TLSRPTv1", wantErr: ErrNoRUA},
		{in: "v=TLSRPTv1; x=y", wantErr: ErrNoRUA},
		{in: "v=TLSRPTv1; rua=", wantErr: ErrURI},
		{in: "v=TLSRPTv1; rua=reports@example.com", wantErr: ErrURI},
		{in: "v=TLSRPTv1; rua=http://r.example/x", wantErr: ErrURI},
		{in: "v=TLSRPTv1; rua=mailto:", wantErr: ErrURI},
		{in: "v=TLSRPTv1; rua=https:///path", wantErr: ErrURI},
		{in: "v=TLSRPTv1; rua=mailto:a@example.com;; x=y", wantErr: ErrField},
		{in: "v=TLSRPTv1; rua mailto:a@example.com", wantErr: ErrField},
		{in: "v=TLSRPTv1 rua=mailto:a@example.com", wantErr: ErrNotTLSRPT},
		{in: "v=tlsrptv1; rua=mailto:a@example.com", wantErr: ErrNotTLSRPT},
		{in: "v=TLSRPTv2; rua=mailto:a@example.com", wantErr: ErrNotTLSRPT},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			rec, err := Parse(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rec.RUA, tt.rua) || len(rec.Extensions) != tt.ext {
				t.Errorf("got %+v", rec)
			}
		})
	}
}

func TestMailtoDomain(t *testing.T) {
	for in, want := range map[string]string{
		"mailto:a@Example.COM":  "example.com",
		"https://a@example.com": "",
		"mailto:nobody":         "",
	} {
		if got := MailtoDomain(in); got != want {
			t.Errorf("MailtoDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

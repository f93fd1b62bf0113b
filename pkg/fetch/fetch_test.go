package fetch

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

// The HTTPS paths (certificates, redirects, size, timeouts) are tested
// through pkg/mtasts against a loopback server; these are the refusals that
// happen before any connection.
func TestGetRefusesBeforeDialing(t *testing.T) {
	client := &http.Client{Transport: &http.Transport{DialContext: nil}}
	tests := []struct {
		client *http.Client
		url    string
		want   error
	}{
		{nil, "https://mta-sts.shop.example/.well-known/mta-sts.txt", ErrNoClient},
		{client, "http://mta-sts.shop.example/.well-known/mta-sts.txt", ErrNotHTTPS},
		{client, "https:///no-host", ErrNotHTTPS},
		{client, "mta-sts.shop.example", ErrNotHTTPS},
	}
	for _, tt := range tests {
		if _, err := Get(context.Background(), tt.client, tt.url, Limits{}); !errors.Is(err, tt.want) {
			t.Errorf("Get(%q) = %v, want %v", tt.url, err, tt.want)
		}
	}
}

package smtpprobe

import (
	"slices"
	"testing"
)

func TestParseEHLO(t *testing.T) {
	tests := []struct {
		name      string
		lines     []string
		domain    string
		keywords  []string
		auth      []string
		cleartext []string
		invalid   int
	}{
		{
			name:     "postfix",
			lines:    []string{"mx.example.com", "PIPELINING", "SIZE 10240000", "VRFY", "ETRN", "STARTTLS", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"},
			domain:   "mx.example.com",
			keywords: []string{"PIPELINING", "SIZE", "VRFY", "ETRN", "STARTTLS", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"},
		},
		{
			name:      "greet text, lower case, auth",
			lines:     []string{"smtp.example.net at your service, [192.0.2.1]", "auth login plain XOAUTH2", "starttls"},
			domain:    "smtp.example.net",
			keywords:  []string{"AUTH", "STARTTLS"},
			auth:      []string{"LOGIN", "PLAIN", "XOAUTH2"},
			cleartext: []string{"LOGIN", "PLAIN"},
		},
		{
			name:      "old AUTH= form merged",
			lines:     []string{"mx", "AUTH=LOGIN PLAIN", "AUTH PLAIN CRAM-MD5"},
			domain:    "mx",
			keywords:  []string{"AUTH"},
			auth:      []string{"LOGIN", "PLAIN", "CRAM-MD5"},
			cleartext: []string{"LOGIN", "PLAIN"},
		},
		{
			name:     "AUTH= after AUTH ignored",
			lines:    []string{"mx", "AUTH CRAM-MD5", "AUTH=LOGIN"},
			domain:   "mx",
			keywords: []string{"AUTH"},
			auth:     []string{"CRAM-MD5"},
		},
		{
			name:     "invalid lines kept apart",
			lines:    []string{"mx", "", "-BAD", "X_UNDERSCORE", "SIZE"},
			domain:   "mx",
			keywords: []string{"SIZE"},
			invalid:  3,
		},
		{
			name:     "duplicate keyword once",
			lines:    []string{"mx", "SIZE 1", "size 2"},
			domain:   "mx",
			keywords: []string{"SIZE"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ParseEHLO(tt.lines)
			if e.Domain != tt.domain {
				t.Errorf("domain %q, want %q", e.Domain, tt.domain)
			}
			if !slices.Equal(e.Keywords(), tt.keywords) {
				t.Errorf("keywords %q, want %q", e.Keywords(), tt.keywords)
			}
			if !slices.Equal(e.AuthMechanisms(), tt.auth) {
				t.Errorf("auth %q, want %q", e.AuthMechanisms(), tt.auth)
			}
			if !slices.Equal(e.CleartextAuth(), tt.cleartext) {
				t.Errorf("cleartext auth %q, want %q", e.CleartextAuth(), tt.cleartext)
			}
			if len(e.Invalid) != tt.invalid {
				t.Errorf("invalid %q, want %d", e.Invalid, tt.invalid)
			}
		})
	}
}

func TestEHLOSize(t *testing.T) {
	tests := []struct {
		lines []string
		n     int64
		ok    bool
	}{
		{[]string{"mx", "SIZE 35882577"}, 35882577, true},
		{[]string{"mx", "SIZE"}, 0, true},
		{[]string{"mx", "SIZE junk"}, 0, true},
		{[]string{"mx"}, 0, false},
	}
	for _, tt := range tests {
		n, ok := ParseEHLO(tt.lines).Size()
		if n != tt.n || ok != tt.ok {
			t.Errorf("%q: %d %v, want %d %v", tt.lines, n, ok, tt.n, tt.ok)
		}
	}
}

func TestDiffKeywords(t *testing.T) {
	before := ParseEHLO([]string{"mx", "PIPELINING", "STARTTLS", "SIZE 1"})
	after := ParseEHLO([]string{"mx", "PIPELINING", "SIZE 1", "AUTH PLAIN", "REQUIRETLS"})
	added, removed := diffKeywords(before, after)
	if !slices.Equal(added, []string{"AUTH", "REQUIRETLS"}) || !slices.Equal(removed, []string{"STARTTLS"}) {
		t.Errorf("added %q removed %q", added, removed)
	}
}

func TestParsePort(t *testing.T) {
	tests := []struct {
		in   string
		want Port
		err  bool
	}{
		{"25", Port{25, RoleSMTP}, false},
		{"587", Port{587, RoleSubmission}, false},
		{"465", Port{465, RoleSubmissions}, false},
		{"2525", Port{2525, RoleSMTP}, false},
		{"2525/submission", Port{2525, RoleSubmission}, false},
		{"40001/SUBMISSIONS", Port{40001, RoleSubmissions}, false},
		{"587/smtp", Port{587, RoleSMTP}, false},
		{"0", Port{}, true},
		{"65536", Port{}, true},
		{"x", Port{}, true},
		{"25/imap", Port{}, true},
		{"", Port{}, true},
	}
	for _, tt := range tests {
		got, err := ParsePort(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParsePort(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func TestMergePorts(t *testing.T) {
	got := MergePorts([]Port{{2525, RoleSMTP}, {465, RoleSubmission}})
	want := []Port{{25, RoleSMTP}, {587, RoleSubmission}, {465, RoleSubmission}, {2525, RoleSMTP}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

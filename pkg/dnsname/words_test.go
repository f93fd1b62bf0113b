package dnsname

import (
	"errors"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/check"
)

// Parse errors are typed: the rule for errors.Is, the facts for the
// catalogs, and the same English text as before for the command line.
func TestErrorsAreWorded(t *testing.T) {
	fr := i18n.For(i18n.French)
	tests := []struct {
		in     string
		rule   error
		french string
	}{
		{"192.0.2.1", ErrIPAddress, "192.0.2.1 est une adresse IP, pas un nom de domaine"},
		{"localhost", ErrSingleLabel, "localhost n'a qu'un seul label\u00a0: ce n'est pas un nom de domaine complet"},
		{"shop/example.com", ErrInvalid, "shop/example.com n'est pas un nom de domaine valide (caractère '/')"},
		{"a..example", ErrEmptyLabel, "a..example\u00a0: un label est vide (deux points à la suite\u202f?)"},
		{strings.Repeat("a", 64) + ".example", ErrLabelLength, "\u00a0: le label aaaaaaaaaaaaaaaaaaaa... fait 64 caractères, plus de 63"},
		{"999.1.1.1", ErrNotIPv4, "999.1.1.1 n'est ni une adresse IPv4 valide"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		var e *Error
		if !errors.Is(err, tt.rule) || !errors.As(err, &e) {
			t.Errorf("Parse(%q) = %v, want %v", tt.in, err, tt.rule)
			continue
		}
		if got := fr.Text(check.ErrMsg(err)); !strings.Contains(got, tt.french) {
			t.Errorf("Parse(%q) in French: %q, want %q", tt.in, got, tt.french)
		}
	}
	if _, err := Parse("localhost"); err.Error() != `"localhost": a single label, not a fully qualified domain name` {
		t.Errorf("English text changed: %q", err)
	}
	if m := fr.Missing(); len(m) > 0 {
		t.Errorf("missing: %v", m)
	}
}

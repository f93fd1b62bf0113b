package i18n

import "testing"

// TestDetect: MAILCHECK_LANG first, then the POSIX order LC_ALL,
// LC_MESSAGES, LANG; the first one set decides, and a locale without a
// catalog (or C) is English.
func TestDetect(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want Lang
	}{
		{nil, English},
		{map[string]string{"LANG": "fr_FR.UTF-8"}, French},
		{map[string]string{"LANG": "fr_CA"}, French},
		{map[string]string{"LANG": "de_DE.UTF-8"}, English},
		{map[string]string{"LC_ALL": "C", "LANG": "fr_FR.UTF-8"}, English},
		{map[string]string{"LC_MESSAGES": "fr_FR", "LANG": "en_US"}, French},
		{map[string]string{"MAILCHECK_LANG": "en", "LC_ALL": "fr_FR"}, English},
		{map[string]string{"MAILCHECK_LANG": "fr"}, French},
	} {
		if got := Detect(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("%v: %s, want %s", tt.env, got, tt.want)
		}
	}
	for _, bad := range []string{"de", "", "xx_YY"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

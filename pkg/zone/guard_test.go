package zone

import (
	"io"
	"runtime"
	"strings"
	"testing"
)

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

type repeat byte

func (r repeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// Binary noise, or text that is one endless token, is refused with one
// short line and without buffering the file.
func TestLoadHostileInputIsBounded(t *testing.T) {
	tests := []struct {
		name string
		r    io.Reader
		want string
	}{
		{"zeros", zeros{}, "line 1: byte 0x00: binary data"},
		{"escape bytes", strings.NewReader("$ORIGIN a.example.\n@ TXT \"\x1b[2J\"\n"), "line 2: byte 0x1b"},
		{"one endless line", repeat('a'), "line 1: longer than"},
		{"long bad token", strings.NewReader("@ " + strings.Repeat("é", 20000) + " A 192.0.2.1\n"), "(20000 characters)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err := New().Load(tt.r, "a.example", "noise.zone")
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatal("loaded")
			}
			if msg := err.Error(); !strings.Contains(msg, tt.want) || len(msg) > 200 {
				t.Errorf("error (%d bytes) %.300q, want one short line saying %q", len(msg), msg, tt.want)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
				t.Errorf("allocated %d bytes to refuse it", alloc)
			}
		})
	}
}

func TestLoadKeepsLongTXT(t *testing.T) {
	// A 4000-octet TXT record in presentation form, escapes included, loads.
	long := strings.Repeat(`"`+strings.Repeat(`a\"\\`, 60)+`" `, 16)
	d := New()
	if err := d.Load(strings.NewReader("@ TXT ( "+long+"\n )\n\tTXT \"tab\fok\"\r\n"), "a.example", "long.zone"); err != nil {
		t.Fatal(err)
	}
	if d.Records() != 2 {
		t.Errorf("%d records", d.Records())
	}
}

func TestShortenParseError(t *testing.T) {
	msg := `x.zone: dns: bad A: "` + strings.Repeat(`\x00`, 30) + `" at line: 3:7`
	got := shortenParseError(msg)
	if !strings.HasPrefix(got, `x.zone: dns: bad A: "\x00`) || !strings.HasSuffix(got, `... (30 characters) at line: 3:7`) || strings.Contains(got, `\x0"`) {
		t.Errorf("got %q", got)
	}
	if s := `a.zone: dns: bad A: "x" at line: 1:1`; shortenParseError(s) != s {
		t.Errorf("short message changed: %q", shortenParseError(s))
	}
}

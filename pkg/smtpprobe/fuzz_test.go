package smtpprobe

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// FuzzReadReply: no panic, every error is a protocol error or EOF, and a
// reply that parses serializes to a reply that parses the same.
func FuzzReadReply(f *testing.F) {
	for _, s := range []string{
		"220 mx ESMTP\r\n", "220-a\r\n220 b\r\n", "250\r\n", "250-\n250 \n", "554 no\r\n",
		"250-a\r\n251 b\r\n", "2", "\r\n", "999 x\r\n", "220 " + strings.Repeat("x", 3000),
		"220-\xff\xfe\r\n220 \x00\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r1, err := ReadReply(newReader(strings.NewReader(in)))
		if err != nil {
			if !errors.Is(err, ErrProtocol) && !errors.Is(err, io.EOF) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		if len(r1.Lines) > MaxReplyLines {
			t.Fatalf("%d lines", len(r1.Lines))
		}
		r2, err := ReadReply(newReader(strings.NewReader(r1.String())))
		if err != nil {
			t.Fatalf("re-read %q: %v", r1.String(), err)
		}
		if !reflect.DeepEqual(r1, r2) {
			t.Fatalf("%#v != %#v", r1, r2)
		}
	})
}

// FuzzParseEHLO: no panic; parse -> Lines -> parse is stable.
func FuzzParseEHLO(f *testing.F) {
	for _, s := range []string{
		"mx.example\nPIPELINING\nSIZE 100\nSTARTTLS",
		"mx greets you\nAUTH=LOGIN PLAIN\nauth cram-md5",
		"mx\n\n-x\nX_Y\nsize\nSIZE",
		" \n AUTH\tPLAIN ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		e1 := ParseEHLO(strings.Split(in, "\n"))
		e2 := ParseEHLO(e1.Lines())
		e1.Invalid, e2.Invalid = nil, nil
		if !reflect.DeepEqual(e1, e2) {
			t.Fatalf("%#v != %#v", e1, e2)
		}
	})
}

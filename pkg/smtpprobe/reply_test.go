package smtpprobe

import (
	"bufio"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestReadReply(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		code    int
		lines   []string
		wantErr error
	}{
		{"single", "220 mx.example ESMTP\r\n", 220, []string{"mx.example ESMTP"}, nil},
		{"multi-line greeting", "220-mx.example ESMTP\r\n220-no UCE\r\n220 ready\r\n", 220, []string{"mx.example ESMTP", "no UCE", "ready"}, nil},
		{"bare LF", "250-a\n250 b\n", 250, []string{"a", "b"}, nil},
		{"code only", "250\r\n", 250, []string{""}, nil},
		{"empty continuation", "250-\r\n250 x\r\n", 250, []string{"", "x"}, nil},
		{"554", "554 5.7.1 no\r\n", 554, []string{"5.7.1 no"}, nil},
		{"code mismatch", "250-a\r\n251 b\r\n", 0, nil, ErrCodeMismatch},
		{"not a code", "hello\r\n", 0, nil, ErrMalformed},
		{"first digit 1", "150 x\r\n", 0, nil, ErrMalformed},
		{"second digit 6", "260 x\r\n", 0, nil, ErrMalformed},
		{"bad separator", "250x\r\n", 0, nil, ErrMalformed},
		{"short", "25\r\n", 0, nil, ErrMalformed},
		{"eof mid line", "250 partial", 0, nil, ErrUnexpectedEOF},
		{"eof mid reply", "250-a\r\n", 0, nil, ErrUnexpectedEOF},
		{"eof before reply", "", 0, nil, io.EOF},
		{"endless line", "220 " + strings.Repeat("x", MaxLineLength*2), 0, nil, ErrLineTooLong},
		{"too many lines", strings.Repeat("250-x\r\n", MaxReplyLines+1) + "250 x\r\n", 0, nil, ErrTooManyLines},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := ReadReply(newReader(strings.NewReader(tt.in)))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if tt.wantErr != io.EOF && !errors.Is(err, ErrProtocol) {
					t.Errorf("err %v does not wrap ErrProtocol", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rep.Code != tt.code || !slices.Equal(rep.Lines, tt.lines) {
				t.Errorf("got %d %q, want %d %q", rep.Code, rep.Lines, tt.code, tt.lines)
			}
		})
	}
}

// A reply read, serialized and read again is the same reply.
func TestReplyStringRoundTrip(t *testing.T) {
	for _, in := range []string{"220 a\r\n", "250-a\r\n250-b c\r\n250 d\r\n", "421\r\n"} {
		r1, err := ReadReply(newReader(strings.NewReader(in)))
		if err != nil {
			t.Fatal(err)
		}
		r2, err := ReadReply(newReader(strings.NewReader(r1.String())))
		if err != nil {
			t.Fatal(err)
		}
		if r1.Code != r2.Code || !slices.Equal(r1.Lines, r2.Lines) {
			t.Errorf("%q: %v != %v", in, r1, r2)
		}
	}
}

// Two replies on one stream are read one at a time: the reader stops at the
// end of the first and leaves the second buffered.
func TestReadReplyLeavesNextReply(t *testing.T) {
	br := bufio.NewReaderSize(strings.NewReader("250-a\r\n250 b\r\n221 bye\r\n"), readerBufferLen)
	r1, err := ReadReply(br)
	if err != nil || r1.Code != 250 || len(r1.Lines) != 2 {
		t.Fatalf("first: %v %v", r1, err)
	}
	r2, err := ReadReply(br)
	if err != nil || r2.Code != 221 {
		t.Fatalf("second: %v %v", r2, err)
	}
}

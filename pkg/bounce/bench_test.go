package bounce

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailcheck/mailcheck/internal/conformance"
	"github.com/mailcheck/mailcheck/pkg/mailfile"
)

// mbox500 builds an mbox of 500 bounces from the corpus (cycling through it).
func mbox500(tb testing.TB) []byte {
	names, err := filepath.Glob(filepath.Join(conformance.Path(tb, "bounce", "messages"), "*.eml"))
	if err != nil || len(names) == 0 {
		tb.Fatalf("no corpus: %v", err)
	}
	var b bytes.Buffer
	for i := 0; i < 500; i++ {
		data, err := os.ReadFile(names[i%len(names)])
		if err != nil {
			tb.Fatal(err)
		}
		b.WriteString("From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n")
		// mboxrd: quote lines that look like separators.
		for _, line := range bytes.SplitAfter(data, []byte("\n")) {
			if bytes.HasPrefix(bytes.TrimLeft(line, ">"), []byte("From ")) {
				b.WriteByte('>')
			}
			b.Write(line)
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

// BenchmarkMbox500 reads an mbox of 500 bounces through pkg/mailfile and
// analyzes each message, as `mailcheck bounce box.mbox` does.
func BenchmarkMbox500(b *testing.B) {
	box := mbox500(b)
	b.SetBytes(int64(len(box)))
	b.ResetTimer()
	for b.Loop() {
		n := 0
		err := mailfile.Walk(context.Background(), []string{"-"}, bytes.NewReader(box), mailfile.Limits{}, func(it mailfile.Item) error {
			Analyze(it.Data)
			n++
			return nil
		})
		if err != nil || n != 500 {
			b.Fatalf("%d messages, %v", n, err)
		}
	}
}

// BenchmarkNoise30MB: 30 MB of random bytes, the worst a user can paste.
func BenchmarkNoise30MB(b *testing.B) {
	noise := randomBytes(30 << 20)
	b.SetBytes(int64(len(noise)))
	for b.Loop() {
		if res := Analyze(noise); res.Kind != KindNone {
			b.Fatalf("noise read as %s", res.Kind)
		}
	}
}

// noiseSize is 30 MB, the figure, or just past MaxInput under
// the race detector (what is read is the same: the first MaxInput bytes).
func noiseSize() int {
	if raceEnabled {
		return MaxInput + 1<<10
	}
	return 30 << 20
}

func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(r.Uint32())
	}
	return out
}

// TestNoise: 30 MB of noise, of printable noise and of lines that look like
// headers get a clear answer (not a bounce, truncated), never a panic.
func TestNoise(t *testing.T) {
	// Past MaxInput every input is cut, so the shaped ones need only pass it.
	const n = MaxInput + 1<<10
	inputs := map[string][]byte{
		"random":    randomBytes(noiseSize()),
		"printable": bytes.Repeat([]byte("abc@def.example 550 5.1.1 xyz: user unknown\n"), n/44),
		"headers":   bytes.Repeat([]byte("X-A: b\n"), n/7),
		"boundary":  append([]byte("Content-Type: multipart/mixed; boundary=z\n\n"), bytes.Repeat([]byte("--z\n\n"), n/5)...),
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			res := Analyze(data)
			checkResult(t, res)
			if !res.Truncated {
				t.Error("30 MB read without saying it was truncated")
			}
		})
	}
}

// TestMbox500 checks the benchmark's input reads as 500 reports.
func TestMbox500(t *testing.T) {
	if raceEnabled {
		t.Skip("500 analyses under the race detector take minutes; the plain run checks this input")
	}
	box := mbox500(t)
	n, none := 0, 0
	err := mailfile.Walk(context.Background(), []string{"-"}, bytes.NewReader(box), mailfile.Limits{}, func(it mailfile.Item) error {
		if Analyze(it.Data).Kind == KindNone {
			none++
		}
		n++
		return nil
	})
	if err != nil || n != 500 || none > 5 {
		t.Fatalf("%d messages (%d not read as reports), %v", n, none, err)
	}
}

// TestManyRecipients: a DSN naming a hundred thousand recipients is cut
// at maxRecipients and says so.
func TestManyRecipients(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("From: MAILER-DAEMON@mx.shop.example\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"z\"\n\n--z\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.shop.example\n")
	for i := 0; i < 100000; i++ {
		b.WriteString("\nFinal-Recipient: rfc822; u@client.example\nAction: failed\nStatus: 5.1.1\n")
	}
	b.WriteString("\n--z--\n")
	res := Analyze(b.Bytes())
	checkResult(t, res)
	if len(res.Recipients) != maxRecipients || !res.Truncated {
		t.Errorf("%d recipients, truncated %v; want %d, true", len(res.Recipients), res.Truncated, maxRecipients)
	}
}

// TestManyTextRecipients: a plain-text bounce of fifty thousand recipient
// lines is cut too (it once cost minutes: each block re-read the text).
func TestManyTextRecipients(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail\n\nThis message could not be delivered.\n")
	for i := 0; i < 50000; i++ {
		fmt.Fprintf(&b, "<user%d@client.example>: host mx.client.example[203.0.113.5] said: 550 5.1.1 user unknown (in reply to RCPT TO command)\n", i)
	}
	res := Analyze(b.Bytes())
	checkResult(t, res)
	if len(res.Recipients) != maxRecipients || !res.Truncated || res.Recipients[0].Reason != "userunknown" {
		t.Errorf("%d recipients, truncated %v, first %+v", len(res.Recipients), res.Truncated, res.Recipients[0])
	}
}

package reports

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mailcheck/mailcheck/internal/conformance"
)

// seeds adds every conformance report and a few broken shapes.
func seeds(f *testing.F) {
	dir := filepath.Join(conformance.Dir(f), "dmarc-reports", "reports")
	files, _ := os.ReadDir(dir)
	for _, e := range files {
		if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
			f.Add(b)
		}
	}
	good := xmlReport("rep.example", "r1", "shop.example", "none", 1, simple...)
	f.Add(good)
	f.Add(gz(good))
	f.Add(gz(good[:100], good[100:]))
	f.Add(append(gz(good), "junk"...))
	f.Add([]byte("<feedback><record><row><count>-1</count></row></record></feedback>"))
	f.Add([]byte("<!DOCTYPE x [<!ENTITY a 'b'>]><feedback>&a;&#x41;&#0;</feedback>"))
	f.Add([]byte("<feedback><![CDATA[<x>]]><a b='1' c=\"2\"/></feedback>"))
	f.Add([]byte("From: a@b\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\n\r\nH4sI\r\n--b--\r\n"))
	f.Add([]byte(`{"organization-name":"x","policies":[{"failure-details":[{"failed-session-count":-5}]}]}`))
}

// FuzzAdd: whatever the bytes (XML, JSON, gzip, zip, a message), reading
// never panics, every item ends as reports or named problems, and the
// totals are consistent.
func FuzzAdd(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		c := NewCollector(Limits{MaxBytes: 4 << 20})
		c.Add("fuzz", data)
		rs, ps := c.Reports(), c.Problems()
		if len(rs) == 0 && len(ps) == 0 {
			t.Fatal("item neither read nor named")
		}
		for _, r := range rs {
			if r.Kind == KindAggregate && (*r.Messages < 0 || *r.DMARCPass > *r.Messages) {
				t.Fatalf("totals %d/%d", *r.DMARCPass, *r.Messages)
			}
			if r.Kind == KindTLS && (*r.Successful < 0 || *r.Failed < 0) {
				t.Fatalf("sessions %d/%d", *r.Successful, *r.Failed)
			}
		}
	})
}

// FuzzXMLScanner: the tokenizer never panics, and a document it reads to
// the end without error has balanced elements.
func FuzzXMLScanner(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s := xmlScanner{b: data}
		depth, n := 0, 0
		for {
			k, err := s.next()
			if err != nil {
				return
			}
			if k == tokEOF {
				break
			}
			switch k {
			case tokStart:
				depth++
				n++
			case tokEnd:
				depth--
			}
			if depth < 0 {
				t.Fatal("negative depth")
			}
		}
		if depth != 0 {
			t.Fatalf("ended at depth %d", depth)
		}
		if n > 0 && len(s.stack) != 0 {
			t.Fatal("open elements left at the end")
		}
	})
}

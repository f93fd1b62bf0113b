package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

type evidence struct {
	Hosts  []string            `json:"hosts"`
	Inner  *evidence           `json:"inner,omitempty"`
	Maybe  []int               `json:"maybe,omitempty"`
	Raw    []byte              `json:"raw"`
	ByName map[string][]int    `json:"by_name"`
	Hidden []string            `json:"-"`
	Items  []struct{ X []int } `json:"items"`
}

func TestMarshalJSONWritesArrays(t *testing.T) {
	data := &evidence{Inner: &evidence{}, ByName: map[string][]int{"a": nil}, Items: make([]struct{ X []int }, 1)}
	rep := Report{Target: "a&b<c>.example",
		Sections:    []Section{{Check: "x", Data: data}},
		Environment: []Section{{Check: "outbound"}},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // as the JSON renderer writes it
	if err := enc.Encode(rep); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	for _, want := range []string{`"sections":[{`, `"findings":[]`, `"hosts":[]`, `"inner":{"hosts":[]`, `"raw":null`, `"by_name":{"a":[]}`, `"items":[{"X":[]}]`, `"a&b<c>.example"`} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %s in\n%s", want, s)
		}
	}
	if strings.Contains(s, `"maybe"`) {
		t.Errorf("omitempty field written: %s", s)
	}
	if data.Hosts != nil || data.Inner.Hosts != nil || rep.Environment[0].Findings != nil {
		t.Error("marshalling modified the report")
	}
}

// BenchmarkMarshalJSON compares the report's JSON with and without the
// nil-slice pass (go test -bench MarshalJSON ./pkg/report).
func BenchmarkMarshalJSON(b *testing.B) {
	rep := Report{Target: "shop.example"}
	for range 10 {
		rep.Sections = append(rep.Sections, Section{Check: "x", Findings: make([]Finding, 5),
			Data: &evidence{Hosts: []string{"a", "b"}, Items: make([]struct{ X []int }, 5)}})
	}
	// MarshalJSON called directly, as internal/render does (json.Marshal
	// would also re-scan its output).
	b.Run("report", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = rep.MarshalJSON()
		}
	})
	// As checks build them: lists set (maybe empty), the omitempty ones
	// (Refs) nil; nothing to copy.
	clean := Report{Target: "shop.example", Sections: []Section{}}
	for range 10 {
		items := make([]struct{ X []int }, 5)
		for i := range items {
			items[i].X = []int{i}
		}
		clean.Sections = append(clean.Sections, Section{Check: "x", Findings: make([]Finding, 5),
			Data: &evidence{Hosts: []string{"a", "b"}, ByName: map[string][]int{"a": {1}}, Items: items}})
	}
	b.Run("clean", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = clean.MarshalJSON()
		}
	})
	b.Run("plain", func(b *testing.B) {
		type plain Report
		b.ReportAllocs()
		for b.Loop() {
			_, _ = json.Marshal(plain(rep))
		}
	})
}

// selfWriting writes itself: the walk must leave it alone, nil slice and
// all.
type selfWriting struct{ List []int }

func (selfWriting) MarshalJSON() ([]byte, error) { return []byte(`"self"`), nil }

// Types that write themselves are left to do so, and WriteJSON writes what
// MarshalJSON returns, as one line.
func TestWriteJSONLine(t *testing.T) {
	type withTime struct {
		At   time.Time   `json:"at"`
		Self selfWriting `json:"self"`
		List []string    `json:"list"`
	}
	rep := Report{Target: "x.example", Sections: []Section{{Check: "x", Data: withTime{At: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}}}}
	b, err := rep.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"at":"2030-01-02T03:04:05Z"`, `"self":"self"`, `"list":[]`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("missing %s in %s", want, b)
		}
	}
	var line bytes.Buffer
	if err := rep.WriteJSON(&line); err != nil {
		t.Fatal(err)
	}
	if got := line.String(); got != string(b)+"\n" {
		t.Errorf("WriteJSON %q, want MarshalJSON and a newline %q", got, string(b)+"\n")
	}
}

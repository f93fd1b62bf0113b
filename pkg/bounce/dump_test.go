package bounce

import (
	"encoding/json"
	"os"
	"testing"
)

// TestDump prints what Analyze reads from BOUNCE_DUMP (a development aid:
// it does nothing without the variable).
func TestDump(t *testing.T) {
	path := os.Getenv("BOUNCE_DUMP")
	if path == "" {
		t.Skip("set BOUNCE_DUMP=file to print what Analyze reads from it")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.MarshalIndent(Analyze(data), "", "  ")
	t.Log(string(out))
}

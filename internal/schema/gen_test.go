package schema

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/schema")

// TestPublishedSchemasAreCurrent: docs/schema holds exactly the generated
// schemas; run `go test ./internal/schema -update` after changing a type.
func TestPublishedSchemasAreCurrent(t *testing.T) {
	dir := publishedDir()
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range Names() {
		want, err := Generate(name, Source{Dir: filepath.Join("..", "..", "pkg"), ImportPath: "github.com/mailcheck/mailcheck/internal/schema"})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name+".json")
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s is stale: run go test ./internal/schema -update", path)
		}
	}
}

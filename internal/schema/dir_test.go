package schema

import (
	"fmt"
	"path/filepath"

	"github.com/mailcheck/mailcheck/pkg/report"
)

func publishedDir() string {
	return filepath.Join("..", "..", "docs", "schema", fmt.Sprintf("v%d", report.SchemaVersion))
}

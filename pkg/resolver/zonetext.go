package resolver

import (
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/zone"
)

// ZoneText answers from one zone given as text in BIND format (RFC 1035
// §5), with no network: for programs and examples that check records
// before they are published.
func ZoneText(origin, text string) (*Zones, error) {
	d := zone.New()
	if err := d.Load(strings.NewReader(text), origin, origin); err != nil {
		return nil, fmt.Errorf("zone %s: %w", origin, err)
	}
	return &Zones{data: d, files: []string{origin}}, nil
}

//go:build race

package bounce

// raceEnabled: the race detector slows regexp-heavy tests twentyfold, so
// the noise test feeds just past the input bound instead of 30 MB.
const raceEnabled = true

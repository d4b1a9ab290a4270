//go:build race

package match

// raceEnabled shrinks the generated test set under the race detector,
// which slows the engine about tenfold.
const raceEnabled = true

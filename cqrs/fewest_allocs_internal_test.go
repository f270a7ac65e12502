package cqrs

import "testing"

// fewestAllocs returns the fewest allocations per call of f over five
// rounds of testing.AllocsPerRun. AllocsPerRun counts every allocation the
// process makes meanwhile, so a goroutine an earlier test of the package
// left finishing (a flow handed over after its Send returned, a closing
// subscription) can add some to one round; it cannot take any away, so the
// fewest is f's own.
func fewestAllocs(f func()) float64 {
	fewest := testing.AllocsPerRun(100, f)
	for range 4 {
		fewest = min(fewest, testing.AllocsPerRun(100, f))
	}
	return fewest
}

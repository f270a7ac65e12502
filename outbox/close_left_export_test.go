package outbox

import "time"

// SetLeftCountBound bounds Close's count of the rows left by d until the
// test ends.
func SetLeftCountBound(t interface{ Cleanup(func()) }, d time.Duration) {
	previous := leftCountBound
	leftCountBound = d
	t.Cleanup(func() { leftCountBound = previous })
}

package periodic

import "time"

// Run calls fn every interval until stop is closed, then returns. The first
// call comes one interval after Run starts; a call in progress when stop is
// closed finishes first. Run blocks: start it in its own goroutine.
func Run(stop <-chan struct{}, interval time.Duration, fn func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			fn()
		}
	}
}

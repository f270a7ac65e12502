package awsbus

import (
	"cmp"
	"math/rand/v2"
	"time"
)

// Defaults of the pause after failed ReceiveMessage calls.
const (
	DefaultReceiveErrorBackoff    = 100 * time.Millisecond
	DefaultReceiveErrorMaxBackoff = 10 * time.Second
)

// backoff is the pause schedule of a poller whose ReceiveMessage calls
// fail: the computed pause starts at initial and doubles with every failure
// in a row up to max; each pause actually taken is drawn uniformly from
// [pause/2, pause] ("equal jitter"), so the pollers of many instances spread
// out while none ever polls a failing endpoint in a tight loop. A
// successful receive starts the schedule over.
type backoff struct {
	initial, max time.Duration
	next         time.Duration // computed pause of the next failure; 0 before the first
}

// failure returns the pause to take after one more failed call.
func (b *backoff) failure() time.Duration {
	b.next = cmp.Or(b.next, b.initial)
	d := b.next
	b.next = min(2*b.next, b.max)
	half := d / 2
	// #nosec G404 -- jitter that spreads retries out; no secret depends on it.
	return half + rand.N(d-half+1)
}

// reset starts the schedule over after a successful call.
func (b *backoff) reset() { b.next = 0 }

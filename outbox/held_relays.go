package outbox

import (
	"context"
	"sync"
)

// heldRelaysAtOnce is the most destinations whose held rows one instance
// relays at the same moment, each on a database connection of its own.
const heldRelaysAtOnce = 4

// heldRelays are an instance's relays of held rows: one goroutine per
// destination with held rows, started by a pass of the retry and ended
// once its destination has none left, or with the instance. A relay that
// keeps failing waits its backoff in its goroutine, holding no connection
// and no slot, so relays stuck on many destinations that fail quickly cost
// memory only, and leave the others their turn: the passes read on past
// them. A destination that keeps failing holds up no other: the others
// have their own relays. A publish that hangs keeps its slot for at most
// an attempt's bound (attemptBound, then heedGrace for one that ignores
// its context, which boundedCalls abandons), so heldRelaysAtOnce such
// destinations at once hold up the other relays of the instance that
// long at most. A relay takes one of heldRelaysAtOnce slots for each batch it
// relays (one transaction), and gives it back after: relays waiting for a
// slot take it in turn, so a destination with thousands of held rows
// relays a batch and then waits behind the others, instead of keeping them
// waiting until it has none left.
type heldRelays struct {
	slots   chan struct{}
	running sync.WaitGroup

	mu           sync.Mutex
	destinations map[string]bool // those that have a relay
}

func newHeldRelays() *heldRelays {
	return &heldRelays{slots: make(chan struct{}, heldRelaysAtOnce), destinations: map[string]bool{}}
}

// start runs relay, the relay of destination, in a goroutine of its own,
// unless destination already has one.
func (r *heldRelays) start(destination string, relay func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.destinations[destination] {
		return
	}
	r.destinations[destination] = true
	r.running.Go(func() {
		defer r.end(destination)
		relay()
	})
}

func (r *heldRelays) end(destination string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.destinations, destination)
}

// wait waits until every relay started ended.
func (r *heldRelays) wait() { r.running.Wait() }

// acquire takes a slot, in turn with the other relays waiting for one;
// false when ctx ended first.
func (r *heldRelays) acquire(ctx context.Context) bool {
	select {
	case r.slots <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// release gives back the slot acquire took.
func (r *heldRelays) release() { <-r.slots }

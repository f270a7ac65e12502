package outbox

import (
	"sync"
	"time"
)

// unknownDestinationGrace is how long a forwarder keeps retrying a row whose
// destination its inner transport has no publisher for before it
// dead-letters the row: long enough for a rolling deploy, in which an
// instance of the older version meets the rows of a route the newer one
// added and an instance that knows the route forwards them meanwhile. A
// destination no running version knows (a removed route, a rollback past
// the version that added it, another service's row under a shared Topic)
// holds the outbox at most that long per row.
const unknownDestinationGrace = 15 * time.Minute

// graceClock tracks, per row, when this forwarder first failed to find a
// publisher for its destination. It is safe for concurrent use.
type graceClock struct {
	now func() time.Time

	mu    sync.Mutex
	first map[string]time.Time // by destination and message id
}

func newGraceClock(now func() time.Time) *graceClock {
	return &graceClock{now: now, first: map[string]time.Time{}}
}

// failed records a failure for the row and returns how long the row has
// been failing on this forwarder.
func (g *graceClock) failed(destination, uuid string) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	for k, t := range g.first {
		if now.Sub(t) > 2*unknownDestinationGrace { // forwarded meanwhile by another instance
			delete(g.first, k)
		}
	}
	k := destination + "\x00" + uuid
	t, ok := g.first[k]
	if !ok {
		t = now
		g.first[k] = t
	}
	return now.Sub(t)
}

// settled forgets the row: it was forwarded or dead-lettered.
func (g *graceClock) settled(destination, uuid string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.first, destination+"\x00"+uuid)
}

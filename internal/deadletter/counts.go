package deadletter

import (
	"sync"
	"sync/atomic"
)

// Counts holds one cumulative count per destination. The zero value is
// ready to use; a Counts is safe for concurrent use and must not be copied
// after first use.
type Counts struct {
	by sync.Map // destination -> *atomic.Int64
}

// Add counts one message dead-lettered from destination.
func (c *Counts) Add(destination string) {
	n, ok := c.by.Load(destination)
	if !ok {
		n, _ = c.by.LoadOrStore(destination, new(atomic.Int64))
	}
	n.(*atomic.Int64).Add(1)
}

// Snapshot returns the count of every destination that dead-lettered a
// message so far. The map is the caller's.
func (c *Counts) Snapshot() map[string]int64 {
	out := map[string]int64{}
	c.by.Range(func(dest, n any) bool {
		out[dest.(string)] = n.(*atomic.Int64).Load()
		return true
	})
	return out
}

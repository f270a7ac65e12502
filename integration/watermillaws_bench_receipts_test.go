//go:build integration

package integration

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// receipts records when each message was sent and how often it was
// received, from many goroutines.
type receipts struct {
	changed changes
	mu      sync.Mutex
	sentAt  map[string]time.Time
	seen    map[string]int
	latency map[string]time.Duration // first receipt
}

func newReceipts() *receipts {
	return &receipts{changed: newChanges(), sentAt: map[string]time.Time{}, seen: map[string]int{}, latency: map[string]time.Duration{}}
}

func (r *receipts) sent(ids ...string) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		r.sentAt[id] = now
	}
}

// received records a receipt; ids that were not sent in this run are
// ignored.
func (r *receipts) received(id string) {
	now := time.Now()
	defer r.changed.notify()
	r.mu.Lock()
	defer r.mu.Unlock()
	at, ok := r.sentAt[id]
	if !ok {
		return
	}
	if r.seen[id] == 0 {
		r.latency[id] = now.Sub(at)
	}
	r.seen[id]++
}

// waitFor waits until every id was received or the deadline passed, and
// returns how many are still missing.
func (r *receipts) waitFor(ids []string, deadline time.Duration) int {
	r.changed.until(func() bool { return r.missing(ids) == 0 }, deadline)
	return r.missing(ids)
}

func (r *receipts) missing(ids []string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, id := range ids {
		if r.seen[id] == 0 {
			n++
		}
	}
	return n
}

// tally returns how many messages were sent, never received, and received
// more than once (counting every extra receipt).
func (r *receipts) tally() (sent, lost, duplicated int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id := range r.sentAt {
		switch n := r.seen[id]; {
		case n == 0:
			lost++
		case n > 1:
			duplicated += n - 1
		}
	}
	return len(r.sentAt), lost, duplicated
}

// percentiles returns the p50 and p99 first-receipt latency of the
// messages whose id starts with prefix.
func (r *receipts) percentiles(prefix string) (p50, p99 time.Duration) {
	r.mu.Lock()
	var ds []time.Duration
	for id, d := range r.latency {
		if strings.HasPrefix(id, prefix) {
			ds = append(ds, d)
		}
	}
	r.mu.Unlock()
	if len(ds) == 0 {
		return 0, 0
	}
	slices.Sort(ds)
	at := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
	return at(0.50), at(0.99)
}

// waitDeleted waits until the counted deletes reach n or the deadline
// passes (a transport may delete in batches after the ack), and reports
// whether they did.
func (c *apiCalls) waitDeleted(n int, deadline time.Duration) bool {
	return c.changed.until(func() bool { _, deleted := c.snapshot(); return deleted >= n }, deadline)
}

// changes wakes the one waiter of a state when it changed.
type changes chan struct{}

func newChanges() changes { return make(changes, 1) }

func (c changes) notify() {
	select {
	case c <- struct{}{}:
	default:
	}
}

// until waits until cond holds, checking it again after every change, or
// until deadline passed; it reports whether cond held.
func (c changes) until(cond func() bool, deadline time.Duration) bool {
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	for !cond() {
		select {
		case <-c:
		case <-timer.C:
			return cond()
		}
	}
	return true
}

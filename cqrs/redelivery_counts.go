package cqrs

import "sync"

// maxCounted bounds how many messages one subscription keeps the delivery
// counts of (see deliveryCounts); past it the oldest are forgotten and
// counted again from one.
const maxCounted = 10_000

// deliveryCounts keeps, per message UUID, how many times a message was
// handed to the consumer in this process, from its first delivery until it
// is acked, dead-lettered or handed back while held elsewhere. A message
// the Pub/Sub takes back (its context ended: an ack deadline or a
// visibility timeout passed) keeps its count, so its next delivery from the
// Pub/Sub goes on counting towards maxDeliveries: a handler that fails only
// after the ack deadline would otherwise start again from one each time and
// never be dead-lettered. The count is kept per process, so with several
// instances a message may be delivered up to maxDeliveries times on each
// instance it reaches.
type deliveryCounts struct {
	mu     sync.Mutex
	counts map[string]deliveryCount
	order  []countEntry // in the order recorded; an entry is stale once its id was settled or recorded again
	seq    uint64
}

type deliveryCount struct {
	n   int
	seq uint64
	// refused is the reason of the message's last dead letter that could
	// not be published, if any, refusedBy where its handler failed, and
	// refusedAt its count then (see refusedDeadLetter).
	refused   string
	refusedBy failedOrigin
	refusedAt int
}

type countEntry struct {
	id  string
	seq uint64
}

// prior returns how many times the message id was handed out so far, 0 if
// it is not counted.
func (c *deliveryCounts) prior(id string) int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[id].n
}

// handed records that the message id was handed out for the n-th time. A
// count only grows: a delivery the Pub/Sub took back may still be running
// beside the next one.
func (c *deliveryCounts) handed(id string, n int) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = make(map[string]deliveryCount)
	}
	if n <= c.counts[id].n {
		return
	}
	c.seq++
	cur := c.counts[id]
	cur.n, cur.seq = n, c.seq
	c.counts[id] = cur
	c.order = append(c.order, countEntry{id: id, seq: c.seq})
	for len(c.counts) > maxCounted {
		e := c.order[0]
		c.order = c.order[1:]
		if c.live(e) {
			delete(c.counts, e.id)
		}
	}
	if len(c.order) > 2*maxCounted { // mostly stale entries: keep the live ones
		live := make([]countEntry, 0, len(c.counts))
		for _, e := range c.order {
			if c.live(e) {
				live = append(live, e)
			}
		}
		c.order = live
	}
}

// live reports whether e is the entry of its id's current count.
func (c *deliveryCounts) live(e countEntry) bool {
	cur, ok := c.counts[e.id]
	return ok && cur.seq == e.seq
}

// unhanded takes back handed(id, n) for a delivery that was not made.
func (c *deliveryCounts) unhanded(id string, n int) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur, ok := c.counts[id]; ok && cur.n == n {
		cur.n--
		c.counts[id] = cur
	}
}

// refusedDeadLetter records reason, the reason of a dead letter of the
// message id that could not be published after it was handed out
// deliveries times, and by, where its handler failed: the message stays
// counted, and comes back from the Pub/Sub for a delivery of its own (see
// redelivery.pastLast).
func (c *deliveryCounts) refusedDeadLetter(id, reason string, by failedOrigin, deliveries int) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur, ok := c.counts[id]; ok {
		cur.refused, cur.refusedBy, cur.refusedAt = reason, by, deliveries
		c.counts[id] = cur
	}
}

// refusal returns the reason recorded by refusedDeadLetter for the
// message id ("" if none), where its handler failed and how many times it
// had been handed out then.
func (c *deliveryCounts) refusal(id string) (reason string, by failedOrigin, deliveries int) {
	if c == nil {
		return "", failedOrigin{}, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cur := c.counts[id]
	return cur.refused, cur.refusedBy, cur.refusedAt
}

// settled forgets the message id: it was acked, dead-lettered or handed
// back to the Pub/Sub on purpose.
func (c *deliveryCounts) settled(id string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.counts, id)
}

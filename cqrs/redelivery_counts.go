package cqrs

import "sync"

// maxTakenBack bounds how many messages one subscription remembers the
// deliveries of (see takenBack); past it the oldest are forgotten and
// counted again from one.
const maxTakenBack = 10_000

// takenBack remembers, per message UUID, how many deliveries a message had
// in this process before the Pub/Sub took it back (its context ended: an
// ack deadline or a visibility timeout passed). Its next delivery from the
// Pub/Sub goes on counting towards maxDeliveries: a handler that fails only
// after the ack deadline would otherwise start again from one each time
// and never be dead-lettered. The count is kept per process, so with
// several instances a message may be delivered up to maxDeliveries times
// on each instance it reaches.
type takenBack struct {
	mu     sync.Mutex
	counts map[string]takenCount
	order  []takenEntry // in the order recorded; an entry is stale once its id was taken or recorded again
	seq    uint64
}

type takenCount struct {
	n   int
	seq uint64
}

type takenEntry struct {
	id  string
	seq uint64
}

// add records that the message id had n deliveries before the Pub/Sub took
// it back.
func (t *takenBack) add(id string, n int) {
	if t == nil || n <= 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.counts == nil {
		t.counts = make(map[string]takenCount)
	}
	t.seq++
	t.counts[id] = takenCount{n: n, seq: t.seq}
	t.order = append(t.order, takenEntry{id: id, seq: t.seq})
	for len(t.counts) > maxTakenBack || len(t.order) > 2*maxTakenBack {
		e := t.order[0]
		t.order = t.order[1:]
		if c, ok := t.counts[e.id]; ok && c.seq == e.seq {
			delete(t.counts, e.id)
		}
	}
}

// take returns the deliveries recorded for id, 0 if none, and forgets them.
func (t *takenBack) take(id string) int {
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.counts[id]
	delete(t.counts, id)
	return c.n
}

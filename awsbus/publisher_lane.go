package awsbus

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// maxCallsPerDestination bounds the calls a Publisher has in flight to one
// queue or topic for single-message publishes; the ones that arrive while
// all are busy wait in the destination's lane and leave together.
const maxCallsPerDestination = 4

// lane holds the single-message publishes waiting for a call slot of one
// destination, and the sender built for it.
type lane struct {
	// built is the sender of the destination's endpoint (see
	// Publisher.sender); nil until the first publish to it.
	built   atomic.Pointer[builtSender]
	mu      sync.Mutex
	calls   int
	waiting []*waiter
	// lingering is set while a call slot's holder lingers for the waiting
	// messages (PublisherConfig.Linger): one at a time, so the messages
	// arriving meanwhile join its call instead of starting their own.
	lingering bool
	// full is signalled when a whole batch waits, ending a linger early.
	full chan struct{}
}

// waiter is one single-message publish and where its result goes.
type waiter struct {
	o    outgoing
	done chan []FailedMessage // receives nil, or the message's failure
}

func (p *Publisher) lane(ep topology.Endpoint) *lane {
	if l, ok := p.lanes.Load(ep.Name); ok {
		return l.(*lane)
	}
	l, _ := p.lanes.LoadOrStore(ep.Name, &lane{full: make(chan struct{}, 1)})
	return l.(*lane)
}

// publishOne sends o through ep's lane: at once when a call slot is free,
// else in the next batch call once one frees up.
func (p *Publisher) publishOne(ep topology.Endpoint, o outgoing, s sender) error {
	l := p.lane(ep)
	w := &waiter{o: o, done: make(chan []FailedMessage, 1)}
	l.mu.Lock()
	l.waiting = append(l.waiting, w)
	start := l.calls < maxCallsPerDestination && !l.lingering
	if start {
		l.calls++
		l.lingering = p.cfg.Linger > 0
	}
	if l.fullLocked(s.limit) {
		select {
		case l.full <- struct{}{}:
		default:
		}
	}
	l.mu.Unlock()
	switch {
	case start && p.cfg.Linger > 0:
		// The holder lingers apart, so this publish waits like the others
		// and its context ending is honoured during the linger.
		go func() {
			p.linger(l, s.limit)
			p.flush(ep, l, s)
		}()
	case start:
		// The call may carry others' messages, and so their deadlines:
		// it runs apart, so this publish's own context is honoured.
		go p.flush(ep, l, s)
	}
	select {
	case failed := <-w.done:
		return p.result(ep.Name, failed)
	case <-o.ctx.Done():
		if l.remove(w) {
			return p.result(ep.Name, []FailedMessage{{UUID: o.wire.uuid,
				Reason: fmt.Sprintf("not sent: %v while waiting for a call slot", context.Cause(o.ctx))}})
		}
		select {
		case failed := <-w.done: // answered as the context ended
			return p.result(ep.Name, failed)
		default:
		}
		return p.result(ep.Name, []FailedMessage{{UUID: o.wire.uuid,
			Reason: fmt.Sprintf("not confirmed: %s; the message may have been sent", unanswered(o.ctx))}})
	}
}

// linger waits PublisherConfig.Linger for more messages to join the lane's
// next call, or less when a whole batch waits or the Publisher closes.
func (p *Publisher) linger(l *lane, limit int) {
	if p.cfg.Linger <= 0 {
		return
	}
	select {
	case <-l.full: // left over from an earlier batch
	default:
	}
	l.mu.Lock()
	full := l.fullLocked(limit)
	l.mu.Unlock()
	if full {
		return
	}
	t := time.NewTimer(p.cfg.Linger)
	defer t.Stop()
	select {
	case <-t.C:
	case <-l.full:
	case <-p.closing:
	}
}

// flush sends the lane's oldest waiting messages in one call and hands each
// its result. While more wait, a new goroutine carries on with the call
// slot, so the caller returns as soon as its own message is answered.
func (p *Publisher) flush(ep topology.Endpoint, l *lane, s sender) {
	batch := l.take(s.limit)
	if len(batch) > 0 {
		out := make([]outgoing, len(batch))
		for i, w := range batch {
			out[i] = w.o
		}
		if len(out) > 1 {
			ctx, cancel := batchContext(batch)
			defer cancel()
			out[0].ctx = ctx // the batch call's context
		}
		failed := s.send(out, ep.FIFO)
		for _, w := range batch {
			w.done <- failuresOf(w.o.wire.uuid, failed)
		}
	}
	// The messages that arrived meanwhile leave in a next call, lingering
	// first, unless another slot's holder already lingers for them.
	l.mu.Lock()
	more := len(l.waiting) > 0 && !l.lingering
	if more {
		l.lingering = p.cfg.Linger > 0
	} else {
		l.calls--
	}
	l.mu.Unlock()
	if more {
		go func() {
			p.linger(l, s.limit)
			p.flush(ep, l, s)
		}()
	}
}

// fullLocked reports whether the waiting messages fill one call: ten of
// them, or more bytes than one call carries. l.mu is held.
func (l *lane) fullLocked(limit int) bool {
	if len(l.waiting) >= maxBatchEntries {
		return true
	}
	size := 0
	for _, w := range l.waiting {
		size += w.o.wire.size()
	}
	return len(l.waiting) > 1 && size > limit
}

// batchContext is the context of one call for several waiters: the values
// of the oldest (its trace), ended by none of their cancellations (a waiter
// whose context ends returns on its own, its message "not confirmed"), and
// bounded by the latest deadline among them, none if one has none: a
// waiter's short deadline never fails the others' messages. When the
// latest is the Publisher's Timeout, the context ends with its cause.
func batchContext(batch []*waiter) (context.Context, context.CancelFunc) {
	ctx := context.WithoutCancel(batch[0].o.ctx)
	var latest time.Time
	var cause error
	for _, w := range batch {
		d, ok := w.o.ctx.Deadline()
		if !ok {
			return ctx, func() {}
		}
		if d.After(latest) {
			latest, cause = d, w.o.timeout
		}
	}
	return context.WithDeadlineCause(ctx, latest, cause)
}

// take removes and returns the oldest waiting messages that fit one batch
// call: at most 10, and at most limit bytes unless the first alone is
// larger (a single message is checked against its service limit before).
// A message of a FIFO group that the call already carries waits, in its
// place, for another call: waiting messages come from concurrent
// publishes, which have no order between them, and one call holds at most
// one message of a group (see fifoChunks).
func (l *lane) take(limit int) []*waiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	var batch []*waiter
	rest := l.waiting[:0] // written behind the reads
	size := 0
	for i, w := range l.waiting {
		if len(batch) == maxBatchEntries || (len(batch) > 0 && size+w.o.wire.size() > limit) {
			rest = append(rest, l.waiting[i:]...)
			break
		}
		if carriesGroup(batch, w.o.group) {
			rest = append(rest, w)
			continue
		}
		size += w.o.wire.size()
		batch = append(batch, w)
	}
	l.waiting = rest
	l.lingering = false // the lingering holder takes its batch: the next arrival may linger anew
	return batch
}

// carriesGroup reports whether batch holds a message of the FIFO group
// (never for "", a standard endpoint's).
func carriesGroup(batch []*waiter, group string) bool {
	if group == "" {
		return false
	}
	for _, w := range batch {
		if w.o.group == group {
			return true
		}
	}
	return false
}

// remove takes w out of the lane and reports whether it still waited.
func (l *lane) remove(w *waiter) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, x := range l.waiting {
		if x == w {
			l.waiting = append(l.waiting[:i], l.waiting[i+1:]...)
			return true
		}
	}
	return false
}

// failuresOf returns the failures of failed that concern the message uuid.
func failuresOf(uuid string, failed []FailedMessage) []FailedMessage {
	var out []FailedMessage
	for _, f := range failed {
		if f.UUID == uuid {
			out = append(out, f)
		}
	}
	return out
}

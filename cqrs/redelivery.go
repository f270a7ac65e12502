package cqrs

import (
	"cmp"
	"context"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// redelivery is what the transports of this package add to a Pub/Sub's
// subscription: a failed message is handed to the consumer again, in
// process, a bounded number of times, and then given to deadLetter with the
// reason; only then is the Pub/Sub's message acknowledged. While that goes
// on the Pub/Sub holds the message, so a crash redelivers it.
type redelivery struct {
	maxDeliveries int
	// delay is the pause before the second delivery; with backoff each next
	// pause is twice as long, at most maxRedeliveryPause.
	delay   time.Duration
	backoff bool
	// maxHinted caps a pause a failed delivery hints; zero means
	// maxHintedPause.
	maxHinted time.Duration
	// drain, when positive, makes the end of the subscription context a
	// drain: no new message is taken, and deliveries in flight run to their
	// ack or nack for up to drain before they are abandoned; a delivery that
	// fails meanwhile, or a message waiting for its next delivery, goes back
	// to the Pub/Sub at once (see keepsNothing). Zero abandons them when the
	// context ends.
	drain time.Duration
	// keepsNothing is for a Pub/Sub that gives up on its messages when the
	// subscription ends (gochannel): a message that failed while the
	// subscription drains, is still being delivered when the drain runs out,
	// or is taken after the subscription ended, is dead-lettered, with the
	// last error, instead of going back to a Pub/Sub that would drop it.
	keepsNothing bool
	// awaitSettle makes a delivery acked while draining wait, at most
	// settledWait, until the Pub/Sub ended the message's context (see
	// settled), for a Pub/Sub that settles acks asynchronously.
	awaitSettle bool
	// handBack nacks a message held elsewhere (sourceflow.ErrInProgress)
	// back to the Pub/Sub after its last delivery, for a Pub/Sub that
	// redelivers later; otherwise it is dead-lettered like any failure.
	handBack bool
	// counts, when set, keeps each message's deliveries, so that those
	// before the Pub/Sub took it back count at its next delivery (see
	// deliveryCounts).
	counts *deliveryCounts
	// handing, when set, is told of each copy of a message just before it
	// is handed to the consumer.
	handing func(m *message.Message)
	// holding, when set, is told of each message as its delivery starts
	// (holds true), before any copy is handed out, and as it ended.
	holding func(orig *message.Message, holds bool)
	// deadLetter keeps m (a copy of the consumed message) with the reason it
	// failed. An error leaves the Pub/Sub's message unacknowledged (nacked),
	// so the Pub/Sub delivers it again later.
	deadLetter func(topic string, m *message.Message, reason string, deliveries int) error
	// deadLetterQueue names where deadLetter keeps a message, for the
	// consume pipeline (sourceflow.MetaDeadLetterQueue, see markDelivery).
	deadLetterQueue string
	// filter, when set, goes in the context of every copy handed out: the
	// consumer group's event type filter (see groupFilter).
	filter groupFilter
	// outageLog, when set, logs the deliveries that found the service's
	// store unavailable (see outage).
	outageLog *storeOutageLog
}

// maxRedeliveryPause caps one pause between in-process deliveries.
const maxRedeliveryPause = 10 * time.Second

// pause is the wait after the failed delivery number attempt (1-based):
// delay, or with backoff delay doubled for every earlier failure, at most
// maxRedeliveryPause.
func (r redelivery) pause(attempt int) time.Duration {
	if !r.backoff {
		return r.delay
	}
	d := r.delay
	for i := 1; i < attempt && d < maxRedeliveryPause; i++ {
		d *= 2
	}
	return min(d, max(maxRedeliveryPause, r.delay))
}

// RedeliveryPauses is the sum of the pauses between maxDeliveries in-process
// deliveries of a failing message when the first pause is delay: how long
// a PubSubTransport keeps redelivering before it dead-letters the message
// (each pause twice the one before, at most 10s).
func RedeliveryPauses(maxDeliveries int, delay time.Duration) time.Duration {
	r := redelivery{delay: delay, backoff: true}
	var total time.Duration
	for attempt := 1; attempt < maxDeliveries; attempt++ {
		total += r.pause(attempt)
	}
	return total
}

// relay hands the messages of in to out through deliver, one goroutine per
// message. Once in is closed (or, with drain, once ctx ends) it calls
// ended, then closes out when every delivery ended.
func (r redelivery) relay(ctx context.Context, topic string, in <-chan *message.Message, out chan<- *message.Message, ended func()) {
	dctx, cancel := r.deliveryContext(ctx)
	defer cancel()
	drain := context.Background() // ends once the subscription drains: never without drain
	if r.drain > 0 {
		drain = ctx
	}
	var inflight sync.WaitGroup
	for orig := range r.taking(ctx, topic, in) {
		inflight.Add(1)
		go func() {
			defer inflight.Done()
			if r.holding != nil {
				r.holding(orig, true)
				defer r.holding(orig, false)
			}
			r.deliver(dctx, drain, topic, orig, out)
		}()
	}
	ended()
	inflight.Wait()
	close(out)
}

// deliveryContext is the context deliveries run in: ctx itself, or, with
// drain, one that ends drain after ctx does. Its cancel also stops the
// drain's timer, which would otherwise keep the context, and ctx's values,
// reachable until the drain ran out.
func (r redelivery) deliveryContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if r.drain <= 0 {
		return context.WithCancel(ctx)
	}
	dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var mu sync.Mutex
	var timer *time.Timer
	ended := false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !ended {
			timer = time.AfterFunc(r.drain, cancel)
		}
	})
	return dctx, func() {
		stop()
		mu.Lock()
		ended = true
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancel()
	}
}

// taking yields the messages of in; with drain it stops when ctx ends, and
// a message taken from in after that is refused.
func (r redelivery) taking(ctx context.Context, topic string, in <-chan *message.Message) <-chan *message.Message {
	if r.drain <= 0 {
		return in
	}
	out := make(chan *message.Message)
	go func() {
		defer close(out)
		for {
			select {
			case orig, ok := <-in:
				if !ok {
					return
				}
				if ctx.Err() != nil { // both were ready: the drain wins
					r.refuse(ctx, topic, orig)
					return
				}
				select {
				case out <- orig:
				case <-ctx.Done():
					r.refuse(ctx, topic, orig) // not handed over
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// refuse settles orig, taken after its subscription ended (ctx), without
// delivering it: it goes back to the Pub/Sub, or, with keepsNothing, is
// dead-lettered, since nothing would deliver it again.
func (r redelivery) refuse(ctx context.Context, topic string, orig *message.Message) {
	if !r.keepsNothing {
		orig.Nack() // the Pub/Sub keeps it
		return
	}
	r.bury(ctx, nil, topic, orig, orig, notDelivered, 0)
}

// deliver hands fresh copies of orig to the consumer until one is acked or
// the message is dead-lettered; only then is orig acked. When ctx ends
// first, or orig's own context (a Pub/Sub's ack deadline: the Pub/Sub then
// takes the message back and delivers it again), orig is left to the
// Pub/Sub, neither acked nor dead-lettered here, unless keepsNothing (see
// abandoned). A failure while draining (see redelivery.drain) settles orig
// at once (see drained). With handBack, a message whose handler found it
// held elsewhere (sourceflow.ErrInProgress) is nacked back to the Pub/Sub
// after its last delivery instead of being dead-lettered.
func (r redelivery) deliver(ctx, drain context.Context, topic string, orig *message.Message, out chan<- *message.Message) {
	draining := drain.Done() // nil without drain
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(orig.Context(), cancel)()
	prior := r.counts.prior(orig.UUID)
	if r.pastLast(ctx, draining, topic, orig, prior) {
		return
	}
	var failed *message.Message // the copy nacked last
	var runs *handlerRuns       // the watch of the copy handed out last
	var down storeOutage        // its failures that found the store unavailable
	defer func() { runs.stop() }()
	for attempt := prior + 1; ; {
		if failed != nil && isClosed(draining) {
			r.drained(ctx, draining, topic, orig, failed, attempt-1)
			return
		}
		m := freshCopy(orig)
		r.markDelivery(m, attempt, &down)
		withGroupFilter(m, r.filter)
		runs.stop() // the copy before was nacked
		runs = watchRuns(m, drain)
		if ended(ctx, orig) {
			r.abandoned(ctx, draining, topic, orig, m, failed, attempt, false)
			return
		}
		r.counts.handed(orig.UUID, attempt) // counted before a handler can see it
		if r.handing != nil {
			r.handing(m)
		}
		select {
		case out <- m:
		case <-ctx.Done():
			r.counts.unhanded(orig.UUID, attempt)
			r.abandoned(ctx, draining, topic, orig, m, failed, attempt, false)
			return
		}
		select {
		case <-m.Acked():
			r.acked(draining, orig, &down)
			return
		case <-m.Nacked():
			if ended(ctx, orig) {
				r.abandoned(ctx, draining, topic, orig, m, failed, attempt, true)
				return
			}
		case <-ctx.Done():
			r.abandoned(ctx, draining, topic, orig, m, failed, attempt, true)
			return
		}
		next, again := r.failedDelivery(ctx, draining, topic, orig, m, attempt, &down)
		if !again {
			return
		}
		attempt, failed = next, m
	}
}

// failedDelivery settles orig after its copy m was nacked on delivery
// attempt, and reports whether to hand it out again and the number of
// that delivery: attempt again after a failure that found the store
// unavailable (see outage), which does not count, else as nacked decides.
func (r redelivery) failedDelivery(ctx context.Context, draining <-chan struct{}, topic string, orig, m *message.Message, attempt int, down *storeOutage) (next int, again bool) {
	if uncounted, again := r.outage(ctx, draining, topic, orig, m, attempt, down); uncounted {
		return attempt, again
	}
	return attempt + 1, r.nacked(ctx, draining, topic, orig, m, attempt)
}

// acked acks orig once its copy was acked; while draining, with
// awaitSettle, it waits for the Pub/Sub to settle it. A delivery that
// waited out a store outage (down) tells the outage log it cleared.
func (r redelivery) acked(draining <-chan struct{}, orig *message.Message, down *storeOutage) {
	r.counts.settled(orig.UUID)
	orig.Ack()
	if r.awaitSettle && isClosed(draining) {
		settled(orig)
	}
	r.outageOver(down)
}

// ended reports whether the delivery context or orig's own context ended.
// ctx ends with orig's too, but through context.AfterFunc, a moment later:
// reading both keeps a message the Pub/Sub already took back from being
// handed out again in that moment.
func ended(ctx context.Context, orig *message.Message) bool {
	return ctx.Err() != nil || orig.Context().Err() != nil
}

// abandoned settles orig when the delivery context ended (with drain: the
// drain ran out) before its copy m, handed out on delivery attempt (or,
// with handed false, not yet taken), was acked or nacked; failed is the copy
// nacked before, if any. An ack that came as the subscription ended acks
// orig. Otherwise orig is left to the Pub/Sub, which delivers it again
// (the deliveries it had here go on counting, see deliveryCounts), or, with
// keepsNothing, a nack settles it as one in time would (see nacked) and
// anything else is dead-lettered with the last error recorded, since
// nothing would deliver it again: the Pub/Sub's message context then ends
// only with the subscription's.
func (r redelivery) abandoned(ctx context.Context, draining <-chan struct{}, topic string, orig, m, failed *message.Message, attempt int, handed bool) {
	nacked := false
	select {
	case <-m.Acked(): // acked as the subscription ended
		r.counts.settled(orig.UUID)
		orig.Ack()
		return
	case <-m.Nacked(): // its error, if any, is recorded on m
		nacked = true
	default:
	}
	if !r.keepsNothing {
		return
	}
	switch {
	case nacked:
		r.nacked(ctx, draining, topic, orig, m, attempt)
	case handed:
		last := cmp.Or(failed, freshCopy(orig)) // m may still be in its handler: not read
		r.bury(ctx, draining, topic, orig, last, withLastError(stillHandling, last), attempt)
	case failed != nil:
		r.bury(ctx, draining, topic, orig, failed, closedMidway(failed, attempt-1), attempt-1)
	default:
		r.bury(ctx, draining, topic, orig, m, notDelivered, 0)
	}
}

// nacked settles orig after its copy m was nacked on delivery attempt, and
// reports whether to hand it out again: a nack without a failure reason is
// retried after a pause until maxDeliveries (or settled by drained while
// draining, or handed back to the Pub/Sub while another instance holds it);
// a permanent failure or the last attempt is dead-lettered with its reason,
// and orig acked.
func (r redelivery) nacked(ctx context.Context, draining <-chan struct{}, topic string, orig, m *message.Message, attempt int) bool {
	reason := m.Metadata.Get(sourceflow.MetaFailure)
	if reason == "" && isClosed(draining) {
		r.drained(ctx, draining, topic, orig, m, attempt)
		return false
	}
	if reason == "" && attempt < r.maxDeliveries {
		if !pause(ctx, draining, r.pauseAfter(m, attempt)) {
			if isClosed(draining) {
				r.drained(ctx, draining, topic, orig, m, attempt)
			}
			return false
		}
		return true
	}
	if reason == "" && r.handBack && m.Metadata.Get(sourceflow.MetaInProgress) != "" {
		r.counts.settled(orig.UUID) // held elsewhere: no failure to count
		orig.Nack()
		return false
	}
	if reason == "" {
		reason = exhausted(m, attempt)
	}
	r.bury(ctx, draining, topic, orig, m, reason, attempt)
	return false
}

// drained settles orig, whose copy m failed on delivery attempt, when the
// subscription drains: orig goes back to the Pub/Sub, or, with
// keepsNothing, is dead-lettered as a message that failed while its
// subscription closed, since nothing would deliver it again.
func (r redelivery) drained(ctx context.Context, draining <-chan struct{}, topic string, orig, m *message.Message, attempt int) {
	if !r.keepsNothing {
		r.counts.settled(orig.UUID)
		orig.Nack()
		return
	}
	r.bury(ctx, draining, topic, orig, m, closedMidway(m, attempt), attempt)
}

// pause waits d, or less when ctx ends or draining closes; it reports
// whether it waited the whole d.
func pause(ctx context.Context, draining <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-draining:
		return false
	}
}

// settledWait bounds how long a draining delivery waits for the Pub/Sub
// to settle an ack (see settled).
const settledWait = time.Second

// settled waits, at most settledWait, until the Pub/Sub ended orig's
// context, which watermill-aws does once its delete returned and
// watermill-sql once it took the ack: an inner subscriber closed before
// that would cancel the delete.
func settled(orig *message.Message) {
	t := time.NewTimer(settledWait)
	defer t.Stop()
	select {
	case <-orig.Context().Done():
	case <-t.C:
	}
}

// isClosed reports whether ch (nil: never) is closed.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// freshCopy is orig without the consume markers an earlier attempt set,
// with room for the markers a delivery sets (see markDelivery).
func freshCopy(orig *message.Message) *message.Message {
	return copyWithRoom(orig, deliveryMarkers, sourceflow.IsConsumeMarker)
}

// pastLast reports whether orig, handed out n times here before the
// Pub/Sub took it back, had its one delivery past maxDeliveries already,
// and the Pub/Sub took it back after that one too: it is then dead-lettered
// without another delivery, so a handler that always outlasts the ack
// deadline cannot hold the message for good. A message nacked back because
// its dead letter could not be published, and not handed out since, is
// delivered again instead: what refused the dead letter (a database
// outage) may have failed its handler too, which may succeed now; if it
// fails again it is dead-lettered at once. One the Pub/Sub took back after
// that delivery is dead-lettered with the reason of the dead letter that
// failed and where its handler failed, and while that dead letter is
// refused too it is nacked back again without another delivery, so a
// handler that always outlasts the ack deadline is not run again for as
// long as the dead letters fail.
func (r redelivery) pastLast(ctx context.Context, draining <-chan struct{}, topic string, orig *message.Message, n int) bool {
	if n <= r.maxDeliveries {
		return false
	}
	reason, by, refusedAt := r.counts.refusal(orig.UUID)
	if refusedAt == n { // nacked back after its dead letter failed
		return false
	}
	m := freshCopy(orig)
	by.mark(m)
	r.buryOwing(ctx, draining, topic, orig, m, cmp.Or(reason, takenBackEachTime(n)), n, refusedAt)
	return true
}

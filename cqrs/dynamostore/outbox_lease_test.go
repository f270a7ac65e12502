package dynamostore_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
)

// takeOverLease is the RelayAfter of the instance that takes a message
// over: long enough that its lease outlasts the rest of a test on a loaded
// machine, while the first instance's lease (one second) runs out.
const takeOverLease = 4 * time.Second

// sweepUntilHeld sweeps o in the background until its inner transport's
// first publish waits; the returned channel closes when that sweep ends.
func sweepUntilHeld(t *testing.T, o *dynamostore.Outbox, inner *innerTransport) <-chan struct{} {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-inner.entered:
				return
			default:
			}
			_, _ = o.Sweep(context.Background())
		}
	}()
	select {
	case <-inner.entered:
	case <-time.After(30 * time.Second):
		t.Fatal("the instance never claimed the message")
	}
	return done
}

// waitPublishesReturned sweeps o until no publish its sweeps gave up on
// (their lease ended) is still running: until then its sweeps say so. Its
// publishes have then recorded what became of their messages.
func waitPublishesReturned(t *testing.T, o *dynamostore.Outbox) {
	t.Helper()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		_, err := o.Sweep(context.Background())
		if err != nil {
			assert.NotContains(c, err.Error(), "still running")
		}
	}, 30*time.Second, 50*time.Millisecond)
}

// writeLeftToTheSweep writes one message into the outbox while the relay
// after commit fails, so that only the sweep relays it.
func writeLeftToTheSweep(t *testing.T, st *dynamostore.Store, o *dynamostore.Outbox, inner *innerTransport, destination, id string) {
	t.Helper()
	inner.setDown(true)
	require.NoError(t, st.WithinTx(context.Background(), func(ctx context.Context) error {
		return publishIn(ctx, t, o, destination, id)
	}))
	inner.setDown(false)
}

// An instance whose publish outlasted its lease, and then failed, leaves
// the lease the instance that took the message over holds: a third
// instance does not relay the message while the second one does.
func TestOutboxSweepFailureKeepsTheLeaseAnotherInstanceTookOver(t *testing.T) {
	st := newStore(t)
	inner := &innerTransport{}
	o := newOutbox(t, st, inner)
	writeLeftToTheSweep(t, st, o, inner, "events", "l-1")

	slow := &innerTransport{block: make(chan struct{}), entered: make(chan struct{}), down: true}
	first := newOutbox(t, st, slow)
	firstDone := sweepUntilHeld(t, first, slow) // its lease runs out while it publishes
	taker := &innerTransport{block: make(chan struct{}), entered: make(chan struct{})}
	second := newOutboxRelayingAfter(t, st, taker, takeOverLease)
	secondDone := sweepUntilHeld(t, second, taker)
	close(slow.block) // the first publish fails, transiently
	<-firstDone
	waitPublishesReturned(t, first)

	third := &innerTransport{}
	n, err := newOutbox(t, st, third).Sweep(context.Background())
	require.NoError(t, err)
	assert.Zero(t, n, "the second instance holds the message")
	assert.Empty(t, third.uuids("events"))
	close(taker.block)
	<-secondDone
	assert.Equal(t, []string{"l-1"}, taker.uuids("events"))
}

// An instance whose publish outlasted its lease, and then failed for good,
// does not make a dead letter of the message another instance took over:
// a Redrive then would let a third instance relay it beside the second.
func TestOutboxSweepDoesNotDeadLetterAMessageAnotherInstanceTookOver(t *testing.T) {
	st := newStore(t)
	inner := &innerTransport{}
	o := newOutbox(t, st, inner)
	writeLeftToTheSweep(t, st, o, inner, "audit", "l-2")

	slow := &innerTransport{block: make(chan struct{}), entered: make(chan struct{}), unknown: map[string]bool{"audit": true}}
	first := newOutbox(t, st, slow)
	firstDone := sweepUntilHeld(t, first, slow)
	taker := &innerTransport{block: make(chan struct{}), entered: make(chan struct{})}
	second := newOutboxRelayingAfter(t, st, taker, takeOverLease)
	secondDone := sweepUntilHeld(t, second, taker)
	close(slow.block) // the first publish fails for good
	<-firstDone
	waitPublishesReturned(t, first)

	dead, err := o.DeadLetters(context.Background(), dynamostore.OutboxDeadLetterQuery{Max: 1000})
	require.NoError(t, err)
	assert.Empty(t, dead, "the second instance holds the message")
	_, err = o.Redrive(context.Background())
	require.NoError(t, err)
	third := &innerTransport{}
	n, err := newOutbox(t, st, third).Sweep(context.Background())
	require.NoError(t, err)
	assert.Zero(t, n, "the second instance holds the message")
	assert.Empty(t, third.uuids("audit"))
	close(taker.block)
	<-secondDone
	assert.Equal(t, []string{"l-2"}, taker.uuids("audit"))
}

// hangingTransport is an innerTransport whose publishes wait until their
// context ends, or for at most hangFor (an endpoint that never answers,
// behind a client timeout longer than the lease), and then fail. entered
// is closed when the first one waits.
type hangingTransport struct {
	*innerTransport
	entered chan struct{}
	once    sync.Once
	mu      sync.Mutex
	running int
}

const hangFor = 8 * time.Second

func (h *hangingTransport) Publisher(string) (message.Publisher, error) {
	return hangingPublisher{h}, nil
}

// isRunning reports whether a publish is waiting.
func (h *hangingTransport) isRunning() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.running > 0
}

type hangingPublisher struct{ h *hangingTransport }

func (p hangingPublisher) Publish(_ string, msgs ...*message.Message) error {
	p.h.mu.Lock()
	p.h.running++
	p.h.mu.Unlock()
	p.h.once.Do(func() { close(p.h.entered) })
	select {
	case <-msgs[0].Context().Done():
	case <-time.After(hangFor):
	}
	p.h.mu.Lock()
	p.h.running--
	p.h.mu.Unlock()
	return errors.New("no answer")
}

func (hangingPublisher) Close() error { return nil }

// watchingTransport is an innerTransport that records whether a publish of
// other was waiting when it sent a message.
type watchingTransport struct {
	*innerTransport
	other   *hangingTransport
	overlap atomic.Bool
}

func (w *watchingTransport) Publisher(destination string) (message.Publisher, error) {
	return watchingPublisher{w}, nil
}

type watchingPublisher struct{ w *watchingTransport }

func (p watchingPublisher) Publish(destination string, msgs ...*message.Message) error {
	if p.w.other.isRunning() {
		p.w.overlap.Store(true)
	}
	return innerPublisher{p.w.innerTransport}.Publish(destination, msgs...)
}

func (watchingPublisher) Close() error { return nil }

// A sweep publish that waits until its context ends fails before its lease
// does, and its message is released: another instance relays the message
// once that publish ended, not beside it, and sends it once.
func TestOutboxSweepPublishEndsBeforeAnotherInstanceTakesTheMessageOver(t *testing.T) {
	st := newStore(t)
	inner := &innerTransport{}
	o := newOutbox(t, st, inner)
	writeLeftToTheSweep(t, st, o, inner, "events", "l-3")

	hanging := &hangingTransport{innerTransport: &innerTransport{}, entered: make(chan struct{})}
	first := newOutboxRelayingAfter(t, st, hanging, 3*time.Second)
	firstDone := make(chan struct{})
	go func() {
		defer close(firstDone)
		for {
			select {
			case <-hanging.entered:
				return
			default:
			}
			_, _ = first.Sweep(context.Background())
		}
	}()
	select {
	case <-hanging.entered:
	case <-time.After(30 * time.Second):
		t.Fatal("the first instance never claimed the message")
	}
	taker := &watchingTransport{innerTransport: &innerTransport{}, other: hanging}
	second := newOutbox(t, st, taker)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		_, _ = second.Sweep(context.Background())
		assert.NotEmpty(c, taker.uuids("events"))
	}, 30*time.Second, 50*time.Millisecond, "the second instance relays the message")
	<-firstDone
	assert.False(t, taker.overlap.Load(), "the second instance sent the message while the first one's publish ran")
	assert.Equal(t, []string{"l-3"}, taker.uuids("events"), "sent once")
}

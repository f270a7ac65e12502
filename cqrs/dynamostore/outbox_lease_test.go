package dynamostore_test

import (
	"context"
	"testing"
	"time"

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

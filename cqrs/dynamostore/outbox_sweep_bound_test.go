package dynamostore

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A sweep publish that waits until its context ends (an endpoint that never
// answers) fails a third of RelayAfter before the lease ends: the message
// is released while the lease is still this instance's, so no other
// instance takes it over while this one may still send it, and a later
// sweep relays it once the destination answers.
func TestOutboxSweepEndsAHangingPublishBeforeItsLease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		table := newSweptOutbox(map[int][]string{0: {"m-1@events"}})
		f := &fakeDynamo{answer: table.answer}
		var answering atomic.Bool
		var mu sync.Mutex
		var ended time.Time
		inner := &recordingTransport{publish: func(m *message.Message) error {
			if answering.Load() {
				return nil
			}
			select { // the transport's own timeout is longer than the lease
			case <-m.Context().Done():
			case <-time.After(time.Minute):
			}
			mu.Lock()
			ended = time.Now()
			mu.Unlock()
			return errors.Join(errors.New("no answer"), m.Context().Err())
		}}
		_, o := fakeOutboxRelayingAfter(t, f, inner, 30*time.Second)

		start := time.Now()
		n, err := o.Sweep(context.Background())
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "10s before its lease of 30s")
		assert.Zero(t, n)
		mu.Lock()
		assert.Equal(t, 20*time.Second, ended.Sub(start), "the publish ends 10 s before the lease")
		mu.Unlock()
		ups := f.ops("UpdateItem")
		require.Len(t, ups, 2, "the claim, then the release")
		assert.Contains(t, ups[1].body, "REMOVE")
		assert.Less(t, ups[1].at.Sub(start), 30*time.Second, "released while the lease is this instance's")

		answering.Store(true)
		n, err = o.Sweep(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.Equal(t, []string{"m-1"}, inner.uuids(), "sent once")
	})
}

// A publish that ignores its context holds up only its destination: the
// sweep gives up on it when its lease ends, relays the other destinations'
// messages, of its shard and of the others, in the same round, and leaves
// the messages behind it unclaimed. Until it returns, later sweeps hold
// its destination without claiming; once it returned, its message is
// deleted and the next sweep relays the rest, in order.
func TestOutboxSweepGoesOnPastAPublishThatIgnoresItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		table := newSweptOutbox(map[int][]string{
			0: {"h-1@hangs", "e-1@events", "h-2@hangs", "e-2@events"},
			3: {"a-1@audit"},
		})
		f := &fakeDynamo{answer: table.answer}
		release := make(chan struct{})
		var once sync.Once
		defer once.Do(func() { close(release) })
		inner := &recordingTransport{publish: func(m *message.Message) error {
			if m.UUID[0] == 'h' {
				<-release
			}
			return nil
		}}
		_, o := fakeOutboxRelayingAfter(t, f, inner, 30*time.Second)

		start := time.Now()
		n, err := sweepWithin(t, o, time.Hour)
		assert.Equal(t, 30*time.Second, time.Since(start), "given up on when its lease ends")
		require.ErrorIs(t, err, errPublishHung)
		assert.Equal(t, 3, n)
		assert.Equal(t, []string{"e-1", "e-2"}, sentTo(inner, "e-"))
		assert.Equal(t, []string{"a-1"}, sentTo(inner, "a-"))
		assert.Empty(t, updatesOf(updates(t, f), "h-2"), "h-2 waits behind h-1")

		_, err = sweepWithin(t, o, time.Hour)
		require.ErrorIs(t, err, errPublishRunning)
		assert.Len(t, updatesOf(updates(t, f), "h-1"), 1, "h-1 is not claimed again while its publish runs")

		once.Do(func() { close(release) })
		synctest.Wait() // the publish returns, and h-1 is deleted
		n, err = sweepWithin(t, o, time.Hour)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.Equal(t, []string{"h-1", "h-2"}, sentTo(inner, "h-"))
	})
}

// sweepWithin sweeps o, failing the test if the sweep does not return
// within d.
func sweepWithin(t *testing.T, o *Outbox, d time.Duration) (int, error) {
	t.Helper()
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := o.Sweep(context.Background())
		done <- result{n, err}
	}()
	select {
	case r := <-done:
		return r.n, r.err
	case <-time.After(d):
		t.Fatalf("the sweep did not return within %s", d)
		return 0, nil
	}
}

// A publish that returned in time is not given up on while its outcome is
// recorded, even past the lease's end (DynamoDB answering slowly): the
// record is bounded by dynamo.SettleTimeout, and the sweep counts it.
func TestOutboxSweepWaitsForTheRecordOfAPublishThatReturned(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		table := newSweptOutbox(map[int][]string{0: {"m-1@events"}})
		f := &fakeDynamo{answer: func(op, body string) (int, string) {
			if op == "BatchWriteItem" {
				time.Sleep(5 * time.Second) // the delete outlasts the lease's last second
			}
			return table.answer(op, body)
		}}
		inner := &recordingTransport{}
		_, o := fakeOutboxRelayingAfter(t, f, inner, 3*time.Second)

		n, err := sweepWithin(t, o, time.Hour)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.False(t, o.publishRunning("events"))
	})
}

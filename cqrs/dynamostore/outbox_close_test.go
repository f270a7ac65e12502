package dynamostore

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A sweep whose context ends right after a publish (Close stops it) still
// deletes the message that went out, so that no instance sends it again
// after RelayAfter.
func TestOutboxSweepStoppedRightAfterAPublishStillDeletesTheMessage(t *testing.T) {
	f := &fakeDynamo{answer: func(op, body string) (int, string) {
		if op == "Query" {
			return shardItems(body, "m-1")
		}
		return 0, ""
	}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inner := &recordingTransport{publish: func(*message.Message) error {
		cancel()
		return nil
	}}
	_, o := fakeOutbox(t, f, inner)

	_, err := o.Sweep(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, []string{"m-1"}, inner.uuids())
	deletes := f.ops("BatchWriteItem")
	require.Len(t, deletes, 1, "the message that went out is deleted")
	assert.Contains(t, deletes[0].body, "#m-1#")
}

// A sweep whose context ends while a publish fails (transiently) still
// releases the message's lease, so that the next sweep sends it at once
// rather than after RelayAfter.
func TestOutboxSweepStoppedDuringAFailedPublishStillReleasesTheMessage(t *testing.T) {
	f := &fakeDynamo{answer: func(op, body string) (int, string) {
		if op == "Query" {
			return shardItems(body, "m-1")
		}
		return 0, ""
	}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inner := &recordingTransport{publish: func(*message.Message) error {
		cancel()
		return errors.New("broker unreachable")
	}}
	_, o := fakeOutbox(t, f, inner)

	_, err := o.Sweep(ctx)
	require.Error(t, err)
	updates := f.ops("UpdateItem")
	require.Len(t, updates, 2, "the claim, then the release")
	assert.Contains(t, updates[1].body, "REMOVE", "the second update removes the lease")
}

// Close waits for a relay after commit in progress before it closes the
// inner transport: the relay publishes and deletes the message first. A
// transaction that commits once Close began leaves its message to the
// sweep. In the synctest bubble, synctest.Wait returns once Close blocks.
func TestOutboxCloseWaitsForTheRelayAfterCommitInProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeDynamo{}
		entered, release := make(chan struct{}), make(chan struct{})
		inner := &recordingTransport{publish: func(m *message.Message) error {
			if m.UUID == "m-1" {
				close(entered)
				<-release
			}
			return nil
		}}
		st, o := fakeOutbox(t, f, inner)
		releaseOnce := sync.OnceFunc(func() { close(release) })
		defer releaseOnce() // so that a failed assertion ends the bubble cleanly
		committed := make(chan error, 1)
		go func() { committed <- commitOne(st, o, "m-1") }()
		<-entered

		closed := make(chan error, 1)
		go func() { closed <- o.Close() }()
		synctest.Wait()
		assert.False(t, inner.isClosed(), "the inner transport closed while a relay after commit published")
		require.Empty(t, closed, "Close returned while a relay after commit was in progress")

		releaseOnce()
		require.NoError(t, <-committed)
		require.NoError(t, <-closed)
		assert.True(t, inner.isClosed())
		assert.Equal(t, []string{"m-1"}, inner.uuids())
		require.Len(t, f.ops("BatchWriteItem"), 1, "the relayed message was deleted before Close returned")

		require.NoError(t, commitOne(st, o, "m-2"))
		assert.Equal(t, []string{"m-1"}, inner.uuids(), "after Close, the sweep relays what commits")
	})
}

// Close waits for a relay after commit for at most relayCloseTimeout, then
// for relayCancelTimeout after it cancelled the relay's publish: a relay
// whose publish ignores its context and never returns does not hold Close,
// which logs how many relays were still running each time and closes the
// inner transport anyway. In the synctest bubble the clock moves only when
// every goroutine waits, so Close returns once both bounds passed and no
// sooner.
func TestOutboxCloseStopsWaitingForARelayThatHangs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		entered, release := make(chan struct{}), make(chan struct{})
		inner := &recordingTransport{publish: func(m *message.Message) error {
			if m.UUID == "m-1" {
				close(entered)
				<-release
			}
			return nil
		}}
		st, o := fakeOutbox(t, &fakeDynamo{}, inner)
		logs := watermill.NewCaptureLogger()
		o.cfg.Logger = logs
		committed := make(chan error, 1)
		go func() { committed <- commitOne(st, o, "m-1") }()
		<-entered
		defer func() {
			close(release) // the relay ends, so that the bubble does
			require.NoError(t, <-committed)
		}()

		began := time.Now()
		require.NoError(t, o.Close())
		assert.Equal(t, relayCloseTimeout+relayCancelTimeout, time.Since(began), "Close waited for both bounds, no less, no more")
		assert.True(t, inner.isClosed(), "the inner transport closed under the hanging relay")
		logged := logs.Captured()[watermill.ErrorLogLevel]
		require.Len(t, logged, 2)
		assert.Equal(t, int64(1), logged[0].Fields["relays"])
		assert.ErrorContains(t, logged[0].Err, "1 relays after commit still running after")
		assert.Equal(t, int64(1), logged[1].Fields["relays"])
		assert.ErrorContains(t, logged[1].Err, "1 relays after commit still running "+relayCancelTimeout.String()+" after they were cancelled")
	})
}

// When Close stops waiting for a relay after commit, it cancels the
// relay's publish and waits for the relay to return before it closes the
// inner transport. The relay deletes the message that went out before; the
// publish that ended with its context leaves its message in the outbox,
// neither deleted nor marked, for the sweep.
func TestOutboxCloseCancelsTheRelayItStopsWaitingFor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeDynamo{}
		entered := make(chan struct{})
		// closedUnder says whether the inner transport had closed when the
		// publish returned.
		closedUnder := make(chan bool, 1)
		inner := &recordingTransport{}
		inner.publish = func(m *message.Message) error {
			if m.UUID != "m-2" {
				return nil
			}
			close(entered)
			<-m.Context().Done()
			closedUnder <- inner.isClosed()
			return m.Context().Err()
		}
		st, o := fakeOutbox(t, f, inner)
		logs := watermill.NewCaptureLogger()
		o.cfg.Logger = logs
		handling, endHandling := context.WithCancel(context.Background())
		defer endHandling() // ends a publish that Close left running
		committed := make(chan error, 1)
		go func() { committed <- commitIn(handling, st, o, "m-1", "m-2") }()
		<-entered

		began := time.Now()
		require.NoError(t, o.Close())
		assert.Equal(t, relayCloseTimeout, time.Since(began), "Close waited for the bound, then no longer than the cancelled publish")
		require.Len(t, closedUnder, 1, "Close returned while the relay still published")
		assert.False(t, <-closedUnder, "the inner transport closed under the relay's publish")
		assert.True(t, inner.isClosed())

		require.NoError(t, <-committed)
		assert.Equal(t, []string{"m-1"}, inner.uuids())
		deletes := f.ops("BatchWriteItem")
		require.Len(t, deletes, 1, "the message that went out is deleted")
		assert.Contains(t, deletes[0].body, "#m-1#")
		assert.NotContains(t, deletes[0].body, "#m-2#", "the message that did not go out stays for the sweep")
		assert.Empty(t, f.ops("UpdateItem"), "the message that did not go out is not marked")
		logged := logs.Captured()[watermill.ErrorLogLevel]
		require.Len(t, logged, 2, "Close's and the relay's")
		assert.ErrorContains(t, logged[0].Err, "1 relays after commit still running")
		assert.ErrorIs(t, logged[1].Err, context.Canceled)
	})
}

// commitOne publishes a message id to "events" through o in a transaction
// of st, which commits.
func commitOne(st *Store, o *Outbox, id string) error {
	return commitIn(context.Background(), st, o, id)
}

// commitIn publishes messages of the given ids to "events", in order,
// through o in a transaction of st begun with ctx, which commits.
func commitIn(ctx context.Context, st *Store, o *Outbox, ids ...string) error {
	return st.WithinTx(ctx, func(ctx context.Context) error {
		pub, err := o.Publisher("events")
		if err != nil {
			return err
		}
		for _, id := range ids {
			m := message.NewMessage(id, []byte("{}"))
			m.SetContext(ctx)
			if err := pub.Publish("events", m); err != nil {
				return err
			}
		}
		return nil
	})
}

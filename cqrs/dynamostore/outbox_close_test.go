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

// Close waits for a relay after commit for at most relayCloseTimeout: a
// relay whose publish never returns (the handling's context never ends)
// does not hold Close, which logs how many relays were still running and
// closes the inner transport anyway. In the synctest bubble the clock
// moves only when every goroutine waits, so Close returns once the bound
// passed and no sooner.
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

		began := time.Now()
		require.NoError(t, o.Close())
		assert.Equal(t, relayCloseTimeout, time.Since(began), "Close waited for the bound, no less, no more")
		assert.True(t, inner.isClosed(), "the inner transport closed under the hanging relay")
		logged := logs.Captured()[watermill.ErrorLogLevel]
		require.Len(t, logged, 1)
		assert.Equal(t, int64(1), logged[0].Fields["relays"])
		assert.ErrorContains(t, logged[0].Err, "1 relays after commit still running")

		close(release) // the relay ends, so that the bubble does
		require.NoError(t, <-committed)
	})
}

// commitOne publishes a message id to "events" through o in a transaction
// of st, which commits.
func commitOne(st *Store, o *Outbox, id string) error {
	return st.WithinTx(context.Background(), func(ctx context.Context) error {
		pub, err := o.Publisher("events")
		if err != nil {
			return err
		}
		m := message.NewMessage(id, []byte("{}"))
		m.SetContext(ctx)
		return pub.Publish("events", m)
	})
}

package sqlbus

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// A MySQL publish releases its topic's lock after its inserts on a context
// of its own, so a publish whose context ended still frees the lock; on a
// server that stops answering that release ends within releaseTimeout and
// fails the publish, instead of holding it for good.
func TestPublishOnASilentServerEndsWhenTheLocksReleaseDoesNotAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f, p := newFakePublisher(t, sourceflow.MySQL)
		f.HangOn("RELEASE_LOCK")
		start := time.Now()
		err := publish(context.Background(), p, "orders")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorContains(t, err, `release "sqlbus:orders"`)
		assert.Equal(t, releaseTimeout, time.Since(start), "the release waited its bound, no more")
		assert.Equal(t, 1, insertedRows(f, sourceflow.MySQL), "the message was inserted before the release")
		assert.Zero(t, f.Running(), "no statement left running")
	})
}

// GET_LOCK waits up to lockTimeoutSeconds on the server; on a server that
// stops answering the publish ends lockWaitBound after it asked for the
// lock, without inserting, instead of waiting for good on a context
// without a deadline.
func TestPublishOnASilentServerEndsWhenTheLockIsNotAnswered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f, p := newFakePublisher(t, sourceflow.MySQL)
		f.HangOn("GET_LOCK")
		start := time.Now()
		err := publish(context.Background(), p, "orders")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorContains(t, err, `lock "sqlbus:orders": the server did not answer within 40s`)
		assert.Equal(t, lockWaitBound, time.Since(start), "the lock was awaited its bound, no more")
		assert.Zero(t, insertedRows(f, sourceflow.MySQL), "nothing inserted without the lock")
		assert.Zero(t, f.Running(), "no statement left running")
	})
}

// A publish whose own context ends while it waits for the lock fails with
// its context's error, not one blaming the server.
func TestPublishWhoseContextEndsWhileWaitingForTheLockSaysSo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f, p := newFakePublisher(t, sourceflow.MySQL)
		f.HangOn("GET_LOCK")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := publish(ctx, p, "orders")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorContains(t, err, `lock "sqlbus:orders"`)
		assert.NotContains(t, err.Error(), "the server did not answer")
		assert.Zero(t, f.Running(), "no statement left running")
	})
}

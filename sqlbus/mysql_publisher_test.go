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

package outbox_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/outbox"
)

// One pass of the retry relays a destination's held rows several to a
// transaction; a transient failure part way keeps the rows relayed before
// it relayed (their deletes commit), so the next pass relays the failed
// row and those behind it, in order, without relaying the first again.
func TestAFailurePartWayThroughAHeldBatchKeepsTheRowsBeforeItRelayed(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		inner := newStuckTransport()
		inner.down.Store(true)
		cfg, ids := heldOutbox(t, d, d.open(t), inner, 3, "stuck", "stuck", "stuck")
		inner.down.Store(false)
		failAfterFirst := func() { inner.down.Store(true) }
		inner.onPublish.Store(&failAfterFirst)
		pass := outbox.NewHeldPass(cfg, nil)

		assert.True(t, pass(context.Background()), "the second row failed")
		assert.Equal(t, ids[:1], inner.published("stuck"))
		assert.Equal(t, int64(2), waiting(t, cfg), "the first row is no longer held")

		inner.onPublish.Store(nil)
		inner.down.Store(false)
		assert.False(t, pass(context.Background()))
		assert.Equal(t, ids, inner.published("stuck"), "in order, the first once")
		assert.Zero(t, waiting(t, cfg))
	})
}

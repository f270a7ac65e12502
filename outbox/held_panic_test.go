package outbox_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/outbox"
)

// A panic of the inner transport while a held row is relayed is that
// row's transient failure, as it is the forwarder's: the row stays held,
// the instance goes on, and the next pass relays it, in order.
func TestAPanicRelayingAHeldRowLeavesItHeld(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		inner, cfg, ids := heldBehindRecovered(t, d)
		boom := func() { panic("the inner transport's bug") }
		inner.onPublish.Store(&boom)
		pass := outbox.NewHeldPass(cfg, nil)

		assert.NotPanics(t, func() { assert.True(t, pass(context.Background()), "the panic is a failure") })
		assert.Equal(t, int64(2), waiting(t, cfg), "both rows are still held")

		inner.onPublish.Store(nil)
		assert.False(t, pass(context.Background()))
		assert.Equal(t, ids, inner.received("stuck"), "in order")
		assert.Zero(t, waiting(t, cfg))
	})
}

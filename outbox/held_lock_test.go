package outbox_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/outbox"
)

// A destination whose held rows another session is relaying (its lock
// taken: another instance, or a session of one that died the server has
// not noticed yet) is left to it: the pass relays the other destinations'
// held rows at once instead of waiting for that lock.
func TestAPassLeavesADestinationAnotherSessionRelays(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		inner := newStuckTransport()
		inner.down.Store(true)
		cfg, ids := heldOutbox(t, d, db, inner, 2, "busy", "free")
		inner.down.Store(false)
		conn, err := db.Conn(context.Background())
		require.NoError(t, err)
		defer func() { _ = conn.Close() }()
		release, err := outbox.LockHeld(context.Background(), conn, cfg, "busy")
		require.NoError(t, err)
		defer release()

		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		outbox.NewHeldPass(cfg, nil)(ctx)
		assert.NoError(t, ctx.Err(), "the pass did not wait for the lock")
		assert.Equal(t, ids[1:], inner.received("free"), "the other destination's row is relayed")
		assert.Empty(t, inner.received("busy"), "the locked destination's row is left to its relay")
	})
}

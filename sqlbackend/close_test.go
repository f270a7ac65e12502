package sqlbackend_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/sqlbackend"
)

// TestClose_ClosesEveryStore checks that Close closes the idempotency
// store and the pool Open opened from the DSN.
func TestClose_ClosesEveryStore(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		b := d.open(t, sqlbackend.Config{})
		require.NoError(t, b.Close())
		_, err := b.IdempotencyStore().Claim(context.Background(), idempotency.Key{Consumer: "c", MessageID: "m-1"}, "h", time.Minute)
		assert.ErrorIs(t, err, idempotency.ErrClosed, "Close left the idempotency store open")
		assert.ErrorContains(t, b.Store().DB().Ping(), "database is closed", "Close left the pool open")
	})
}

// TestClose_LeavesTheCallersPoolOpen checks that a Backend on Config.DB
// closes its stores but not the pool, which the caller closes.
func TestClose_LeavesTheCallersPoolOpen(t *testing.T) {
	db, err := sql.Open("sqlite", dialects[0].dsn(t))
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, db.Close()) })
	b, err := sqlbackend.Open(context.Background(), sqlbackend.Config{Dialect: sourceflow.SQLite, DB: db})
	require.NoError(t, err)
	assert.Same(t, db, b.Store().DB(), "the stores are not on the caller's pool")
	require.NoError(t, b.Close())
	_, err = b.IdempotencyStore().Claim(context.Background(), idempotency.Key{Consumer: "c", MessageID: "m-1"}, "h", time.Minute)
	assert.ErrorIs(t, err, idempotency.ErrClosed, "Close left the idempotency store open")
	assert.NoError(t, db.Ping(), "Close closed the caller's pool")
}

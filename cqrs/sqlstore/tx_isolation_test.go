package sqlstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
)

// TestReloadInATransactionSeesTheNewerVersion: inside a handling
// transaction, a conditional save refused because another instance saved
// first is followed by a reload that sees that instance's version, on every
// dialect (on MySQL too, whose REPEATABLE READ would show the transaction's
// first snapshot again and refuse every retry), so the retry can succeed.
func TestReloadInATransactionSeesTheNewerVersion(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		if d.dialect == sourceflow.SQLite {
			t.Skip("SQLite transactions take the write lock when they begin: no other writer can interleave")
		}
		ctx := context.Background()
		s := d.open(t, sqlstore.Config{})
		store := s.Entities()
		require.NoError(t, store.Save(ctx, "order", "o-1", []byte("v1"), 0))
		err := s.WithinTx(ctx, func(ctx context.Context) error {
			doc, err := store.Load(ctx, "order", "o-1")
			require.NoError(t, err)
			require.Equal(t, int64(1), doc.Version)
			// Another instance saves version 2 outside this transaction.
			require.NoError(t, store.Save(context.Background(), "order", "o-1", []byte("v2"), 1))
			require.ErrorIs(t, store.Save(ctx, "order", "o-1", []byte("mine"), 1), cqrs.ErrConflict)
			doc, err = store.Load(ctx, "order", "o-1")
			require.NoError(t, err)
			assert.Equal(t, cqrs.Document{Data: []byte("v2"), Version: 2}, doc, "the reload sees the committed version")
			return store.Save(ctx, "order", "o-1", []byte("mine"), doc.Version)
		})
		require.NoError(t, err)
		doc, err := store.Load(ctx, "order", "o-1")
		require.NoError(t, err)
		assert.Equal(t, cqrs.Document{Data: []byte("mine"), Version: 3}, doc)
	})
}

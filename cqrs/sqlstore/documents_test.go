package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// TestSaveIsConditionalOnTheVersion saves new and existing documents and
// refuses saves from a stale version, in both document stores, which keep
// separate documents.
func TestSaveIsConditionalOnTheVersion(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		s := d.open(t, sqlstore.Config{})
		for _, store := range []cqrs.DocumentStore{s.Entities(), s.Views()} {
			_, err := store.Load(ctx, "order", "o1")
			require.ErrorIs(t, err, cqrs.ErrNotFound)
			assert.Contains(t, err.Error(), `order "o1"`)

			require.NoError(t, store.Save(ctx, "order", "o1", []byte("v1"), 0))
			err = store.Save(ctx, "order", "o1", []byte("again"), 0)
			require.ErrorIs(t, err, cqrs.ErrConflict, "a second new document")
			assert.Contains(t, err.Error(), `order "o1"`)
			require.NoError(t, store.Save(ctx, "order", "o1", []byte("v2"), 1))
			require.ErrorIs(t, store.Save(ctx, "order", "o1", []byte("stale"), 1), cqrs.ErrConflict)
			require.ErrorIs(t, store.Save(ctx, "order", "o1", []byte("future"), 7), cqrs.ErrConflict)
			require.ErrorIs(t, store.Save(ctx, "order", "o9", []byte("absent"), 1), cqrs.ErrConflict)

			doc, err := store.Load(ctx, "order", "o1")
			require.NoError(t, err)
			assert.Equal(t, cqrs.Document{Data: []byte("v2"), Version: 2}, doc)
			_, err = store.Load(ctx, "payment", "o1")
			require.ErrorIs(t, err, cqrs.ErrNotFound, "kinds are separate")
		}
		doc, err := s.Views().Load(ctx, "order", "o1")
		require.NoError(t, err)
		assert.Equal(t, int64(2), doc.Version, "the entity saves did not touch the view")
	})
}

// TestConcurrentSavesOfOneVersionHaveOneWinner saves one version from many
// goroutines: exactly one save succeeds, the others conflict.
func TestConcurrentSavesOfOneVersionHaveOneWinner(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		store := d.open(t, sqlstore.Config{}).Entities()
		for version := int64(0); version < 3; version++ {
			var wg sync.WaitGroup
			errs := make([]error, 8)
			for i := range errs {
				wg.Go(func() {
					errs[i] = store.Save(context.Background(), "saga", "s1", fmt.Appendf(nil, "%d", i), version)
				})
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				if err == nil {
					won++
				} else {
					assert.ErrorIs(t, err, cqrs.ErrConflict)
				}
			}
			assert.Equal(t, 1, won, "saves of version %d", version)
		}
	})
}

// TestDocumentsJoinTheContextTransaction saves inside sqldb.WithinTx: a
// transaction that rolls back keeps nothing, one that commits keeps the
// document, and a conflict inside it leaves it usable.
func TestDocumentsJoinTheContextTransaction(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		s := d.open(t, sqlstore.Config{})
		store := s.Views()
		boom := errors.New("boom")
		err := sqldb.WithinTx(ctx, "sqlstore", s.DB(), "", d.dialect, func(ctx context.Context) error {
			if err := store.Save(ctx, "view", "rolled-back", []byte("x"), 0); err != nil {
				return err
			}
			if _, err := store.Load(ctx, "view", "rolled-back"); err != nil {
				return fmt.Errorf("the transaction sees its own write: %w", err)
			}
			return boom
		})
		require.ErrorIs(t, err, boom)
		_, err = store.Load(ctx, "view", "rolled-back")
		require.ErrorIs(t, err, cqrs.ErrNotFound)

		err = sqldb.WithinTx(ctx, "sqlstore", s.DB(), "", d.dialect, func(ctx context.Context) error {
			if err := store.Save(ctx, "view", "committed", []byte("1"), 0); err != nil {
				return err
			}
			if err := store.Save(ctx, "view", "committed", []byte("dup"), 0); !errors.Is(err, cqrs.ErrConflict) {
				return fmt.Errorf("want a conflict, got %v", err)
			}
			return store.Save(ctx, "view", "committed", []byte("2"), 1)
		})
		require.NoError(t, err)
		doc, err := store.Load(ctx, "view", "committed")
		require.NoError(t, err)
		assert.Equal(t, cqrs.Document{Data: []byte("2"), Version: 2}, doc)
	})
}

// TestDocumentKeysAreChecked refuses kinds and ids the key columns cannot
// hold, naming the store and the key.
func TestDocumentKeysAreChecked(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		store := d.open(t, sqlstore.Config{}).Entities()
		long := strings.Repeat("k", sqlstore.MaxKeyLength+1)
		err := store.Save(ctx, long, "id", nil, 0)
		require.ErrorIs(t, err, sqlstore.ErrInvalidKey)
		assert.Contains(t, err.Error(), "entities")
		assert.Contains(t, err.Error(), "kind is 192 bytes")
		_, err = store.Load(ctx, "kind", long)
		require.ErrorIs(t, err, sqlstore.ErrInvalidKey)
		assert.Contains(t, err.Error(), "id is 192 bytes")
	})
}

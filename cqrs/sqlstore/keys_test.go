package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
)

// TestInvalidKeysArePermanent marks a key the store can never hold as a
// permanent failure: no retry can make it fit, so the message is
// dead-lettered at once.
func TestInvalidKeysArePermanent(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		store := d.open(t, sqlstore.Config{})
		long := strings.Repeat("x", sqlstore.MaxKeyLength+1)
		_, err := store.Commands().NextSequence(ctx, long)
		errs := []error{err}
		_, err = store.Commands().Find(ctx, "o1", "bad\xff")
		errs = append(errs, err)
		_, err = store.Commands().Load(ctx, "nul\x00")
		errs = append(errs, err)
		errs = append(errs, store.Entities().Save(ctx, long, "id", nil, 0))
		_, err = store.Views().Load(ctx, "kind", long)
		errs = append(errs, err)
		for _, err := range errs {
			require.ErrorIs(t, err, sqlstore.ErrInvalidKey)
			require.True(t, sourceflow.IsPermanent(err), "%v is permanent", err)
		}
	})
}

// TestAKeyEndingInASpaceIsRefusedRatherThanSharingTheRowOfTheKeyWithoutIt:
// MySQL's collation ignores trailing spaces, so "order-1 " would take the
// next number of "order-1", load its documents and overwrite them. Such a
// key is refused on every dialect, and the key without the space is left
// as it was.
func TestAKeyEndingInASpaceIsRefusedRatherThanSharingTheRowOfTheKeyWithoutIt(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		store := d.open(t, sqlstore.Config{})
		seq, err := store.Commands().NextSequence(ctx, "order-1")
		require.NoError(t, err)
		require.Equal(t, int64(1), seq)
		require.NoError(t, store.Views().Save(ctx, "summary", "order-1", []byte("order-1's"), 0))

		_, err = store.Commands().NextSequence(ctx, "order-1 ")
		errs := []error{err}
		_, err = store.Views().Load(ctx, "summary", "order-1 ")
		errs = append(errs, err)
		errs = append(errs, store.Views().Save(ctx, "summary ", "order-1", []byte("other"), 0))
		errs = append(errs, store.Commands().Append(ctx, command("order-1", 2, "m-2 ")))
		for _, err := range errs {
			assert.ErrorIs(t, err, sqlstore.ErrInvalidKey)
			assert.True(t, sourceflow.IsPermanent(err), "%v is permanent", err)
		}

		seq, err = store.Commands().NextSequence(ctx, "order-1")
		require.NoError(t, err)
		assert.Equal(t, int64(2), seq, "order-1's sequence moved only for order-1")
		doc, err := store.Views().Load(ctx, "summary", "order-1")
		require.NoError(t, err)
		assert.Equal(t, cqrs.Document{Data: []byte("order-1's"), Version: 1}, doc)
	})
}

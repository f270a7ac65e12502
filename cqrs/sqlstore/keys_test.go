package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
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

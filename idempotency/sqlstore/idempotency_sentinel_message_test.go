package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

// An operation failing with one of idempotency's sentinels names this
// package alone: the sentinel's "idempotency: " is left out after the
// operation and key, and errors.Is still matches it.
func TestOperationErrorsNameTheStoreOnly(t *testing.T) {
	s := openStore(t, sourceflow.SQLite, "", sqlstore.Config{})
	ctx := context.Background()
	key, empty := idempotency.Key{Consumer: "c", MessageID: "m"}, idempotency.Key{Consumer: "c"}
	_, claimErr := s.Claim(ctx, empty, "", time.Minute)
	_, durationErr := s.Claim(ctx, key, "", 0)
	_, err := s.Claim(ctx, key, "h1", time.Minute)
	require.NoError(t, err)
	_, mismatchErr := s.Claim(ctx, key, "h2", time.Minute)
	for _, tc := range []struct {
		err      error
		sentinel error
		want     string
	}{
		{claimErr, idempotency.ErrInvalidKey, "sqlstore: claim c/: invalid key: the message id is empty"},
		{durationErr, idempotency.ErrInvalidDuration, "sqlstore: claim c/m: invalid duration: 0s"},
		{mismatchErr, idempotency.ErrPayloadMismatch, "sqlstore: claim c/m: key reused with a different payload"},
		{s.Release(ctx, empty, "t"), idempotency.ErrInvalidKey, "sqlstore: release c/: invalid key: the message id is empty"},
		{s.Complete(ctx, key, "other", time.Minute), idempotency.ErrLeaseLost, "sqlstore: complete c/m: lease lost"},
		{s.Extend(ctx, key, "other", time.Minute), idempotency.ErrLeaseLost, "sqlstore: extend c/m: lease lost"},
		{s.Release(ctx, key, "other"), idempotency.ErrLeaseLost, "sqlstore: release c/m: lease lost"},
	} {
		require.ErrorIs(t, tc.err, tc.sentinel, tc.want)
		assert.Equal(t, tc.want, tc.err.Error())
	}
}

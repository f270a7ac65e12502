package dynamostore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// A claim or a view save made with the context of a handling that has
// ended (a goroutine the handler started) fails, permanently, and leaves
// nothing behind: the claim is released at once, the save never written.
func TestWritesWithTheContextOfAnEndedHandlingFail(t *testing.T) {
	ctx := context.Background()
	idem, state := stores(t)
	var kept context.Context
	require.NoError(t, idem.WithinTx(ctx, func(ctx context.Context) error { kept = ctx; return nil }))

	key := idempotency.Key{Consumer: "saga", MessageID: "m-late"}
	_, err := idem.Claim(kept, key, "", time.Minute)
	require.ErrorIs(t, err, dynamo.ErrTxEnded)
	assert.True(t, sourceflow.IsPermanent(err))
	res, err := idem.Claim(ctx, key, "", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, idempotency.Acquired, res.Status, "the late claim was released")

	err = state.Views().Save(kept, "order", "o-late", []byte("v1"), 0)
	require.ErrorIs(t, err, dynamo.ErrTxEnded)
	_, err = state.Views().Load(ctx, "order", "o-late")
	assert.ErrorIs(t, err, cqrs.ErrNotFound)
}

package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	statestore "github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// stores returns an idempotency store and state stores on one client, each
// on tables of its own.
func stores(t *testing.T) (*dynamostore.Store, *statestore.Store) {
	t.Helper()
	return storesOn(t, dynamotest.Client(t))
}

// storesOn is stores on the client api.
func storesOn(t *testing.T, api *dynamodb.Client) (*dynamostore.Store, *statestore.Store) {
	t.Helper()
	ctx := context.Background()
	prefix := dynamotest.Prefix()
	idem, err := dynamostore.New(ctx, dynamostore.Config{Client: api, Table: prefix + "idempotency"})
	require.NoError(t, err)
	state, err := statestore.New(ctx, statestore.Config{Client: api, TablePrefix: prefix})
	require.NoError(t, err)
	dynamotest.DropTables(t, api, idem.Table().Name)
	for _, tb := range state.Tables() {
		dynamotest.DropTables(t, api, tb.Name)
	}
	return idem, state
}

// handle runs what the idempotency middleware runs in transactional mode:
// claim, a saga's save, completion, in one transaction.
func handle(ctx context.Context, idem *dynamostore.Store, docs cqrs.DocumentStore, key idempotency.Key, data string, version int64) error {
	return idem.WithinTx(ctx, func(ctx context.Context) error {
		res, err := idem.Claim(ctx, key, "", time.Minute)
		if err != nil {
			return err
		}
		if res.Status != idempotency.Acquired {
			return fmt.Errorf("claim: %s", res.Status)
		}
		if err := docs.Save(ctx, "order", "o-1", []byte(data), version); err != nil {
			return err
		}
		return idem.Complete(ctx, key, res.Token, time.Hour)
	})
}

func TestStateAndCompletionCommitTogether(t *testing.T) {
	ctx := context.Background()
	idem, state := stores(t)
	key := idempotency.Key{Consumer: "saga", MessageID: "m-1"}
	require.NoError(t, handle(ctx, idem, state.Views(), key, "v1", 0))
	doc, err := state.Views().Load(ctx, "order", "o-1")
	require.NoError(t, err)
	assert.Equal(t, "v1", string(doc.Data))
	res, err := idem.Claim(ctx, key, "", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, idempotency.Completed, res.Status, "the completion was written with the state")
}

func TestFailedWorkWritesNothingAndReleasesTheClaim(t *testing.T) {
	ctx := context.Background()
	idem, state := stores(t)
	key := idempotency.Key{Consumer: "saga", MessageID: "m-1"}
	boom := errors.New("handler failed after saving")
	err := idem.WithinTx(ctx, func(ctx context.Context) error {
		res, err := idem.Claim(ctx, key, "", time.Minute)
		require.NoError(t, err)
		require.NoError(t, state.Views().Save(ctx, "order", "o-1", []byte("v1"), 0))
		require.NoError(t, idem.Complete(ctx, key, res.Token, time.Hour))
		return boom
	})
	require.ErrorIs(t, err, boom)
	_, err = state.Views().Load(ctx, "order", "o-1")
	assert.ErrorIs(t, err, cqrs.ErrNotFound, "the save was not written")
	res, err := idem.Claim(ctx, key, "", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, idempotency.Acquired, res.Status, "the claim was released: a redelivery runs at once")
}

func TestConflictingSaveFailsTheTransactionAndKeepsTheWinner(t *testing.T) {
	ctx := context.Background()
	idem, state := stores(t)
	require.NoError(t, handle(ctx, idem, state.Views(), idempotency.Key{Consumer: "saga", MessageID: "m-1"}, "v1", 0))
	key := idempotency.Key{Consumer: "saga", MessageID: "m-2"}
	err := handle(ctx, idem, state.Views(), key, "stale", 0) // read before m-1 was saved
	require.ErrorIs(t, err, cqrs.ErrConflict)
	doc, err := state.Views().Load(ctx, "order", "o-1")
	require.NoError(t, err)
	assert.Equal(t, "v1", string(doc.Data))
	res, err := idem.Claim(ctx, key, "", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, idempotency.Acquired, res.Status, "no completion was written and the claim was released")
	require.NoError(t, idem.Release(ctx, key, res.Token))
	require.NoError(t, handle(ctx, idem, state.Views(), key, "v2", 1), "the retry with the new version commits")
}

func TestLostLeaseFailsTheTransactionWithoutSavingState(t *testing.T) {
	ctx := context.Background()
	idem, state := stores(t)
	key := idempotency.Key{Consumer: "saga", MessageID: "m-1"}
	err := idem.WithinTx(ctx, func(ctx context.Context) error {
		res, err := idem.Claim(ctx, key, "", 50*time.Millisecond)
		require.NoError(t, err)
		// The lease runs out and another consumer takes the message over.
		require.Eventually(t, func() bool {
			r, err := idem.Claim(context.Background(), key, "", time.Minute)
			return err == nil && r.Status == idempotency.Acquired
		}, 10*time.Second, 20*time.Millisecond)
		require.NoError(t, state.Views().Save(ctx, "order", "o-1", []byte("late"), 0))
		return idem.Complete(ctx, key, res.Token, time.Hour)
	})
	require.ErrorIs(t, err, idempotency.ErrLeaseLost)
	_, err = state.Views().Load(ctx, "order", "o-1")
	assert.ErrorIs(t, err, cqrs.ErrNotFound, "the holder that lost its lease wrote no state")
	res, err := idem.Claim(ctx, key, "", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, idempotency.InProgress, res.Status, "the new holder's claim was not released by the rollback")
}

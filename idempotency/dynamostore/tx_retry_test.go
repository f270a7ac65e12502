package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// TestTxRetryRunsAFailedHandlingAgainInANewTransaction fails the first
// handling after it saved the saga's document: TxRetry runs it again in a
// new transaction, which finds the claim released and no document, so the
// second run's save (version 0 again) commits with the completion.
func TestTxRetryRunsAFailedHandlingAgainInANewTransaction(t *testing.T) {
	idem, state := stores(t)
	s := &saga{views: state.Views(), fail: 1}
	m := txRetrying(t, idem)

	_, err := m.Middleware(s.handle)(sagaMessage("m-1"))

	require.NoError(t, err)
	assert.Equal(t, int32(2), s.runs.Load(), "run once in each transaction")
	doc, err := state.Views().Load(context.Background(), "order", "o-1")
	require.NoError(t, err)
	assert.Equal(t, "run 2", string(doc.Data), "only the second run's save was written")
	assert.Equal(t, int64(1), doc.Version)
	assert.Equal(t, uint64(1), m.Stats().TxRetries)
	res, err := idem.Claim(context.Background(), idempotency.Key{Consumer: "saga", MessageID: "m-1"}, "", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, idempotency.Completed, res.Status)
}

// TestTxRetryStopsAtItsOwnClaimWhenTheReleaseFails is the documented limit
// of TxRetry on DynamoDB: the claim is written at once and released by the
// rollback, best effort. When DynamoDB refuses the release, the rerun meets
// the claim of the failed run and stops with ErrInProgress, having written
// nothing; a delivery after the lease handles the message.
func TestTxRetryStopsAtItsOwnClaimWhenTheReleaseFails(t *testing.T) {
	var failDeletes atomic.Bool
	api := dynamotest.Client(t)
	failing := dynamodb.New(api.Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, failDeleteItem(&failDeletes))
	})
	idem, state := storesOn(t, failing)
	s := &saga{views: state.Views(), fail: 1, before: func() { failDeletes.Store(true) }}
	m := txRetrying(t, idem)
	h := m.Middleware(s.handle)

	_, err := h(sagaMessage("m-1"))

	require.ErrorIs(t, err, idempotency.ErrInProgress)
	assert.Equal(t, int32(1), s.runs.Load(), "the rerun did not reach the handler")
	_, err = state.Views().Load(context.Background(), "order", "o-1")
	require.ErrorIs(t, err, cqrs.ErrNotFound, "the failed run's save was rolled back")

	failDeletes.Store(false)
	require.Eventually(t, func() bool {
		_, err := h(sagaMessage("m-1"))
		return err == nil
	}, 20*time.Second, 50*time.Millisecond, "a delivery after the lease handles the message")
	doc, err := state.Views().Load(context.Background(), "order", "o-1")
	require.NoError(t, err)
	assert.Equal(t, int64(1), doc.Version)
}

// saga saves one document per handling in the handling's transaction; its
// first fail runs fail after saving.
type saga struct {
	views  cqrs.DocumentStore
	fail   int32
	before func() // runs before a failing run returns
	runs   atomic.Int32
}

func (s *saga) handle(msg *message.Message) ([]*message.Message, error) {
	n := s.runs.Add(1)
	if err := s.views.Save(msg.Context(), "order", "o-1", fmt.Appendf(nil, "run %d", n), 0); err != nil {
		return nil, err
	}
	if n <= s.fail {
		if s.before != nil {
			s.before()
		}
		return nil, errors.New("handler failed after saving")
	}
	return nil, nil
}

// txRetrying returns transactional middleware on idem that runs a failed
// handling again after 1 ms, with a lease of 1 s.
func txRetrying(t *testing.T, idem *dynamostore.Store) *idempotency.Middleware {
	t.Helper()
	m, err := idempotency.NewMiddleware(idem, idempotency.MiddlewareConfig{
		Consumer: "saga", Transactional: true, Lease: time.Second,
		TxRetry: sourceflow.RetryPolicy{InitialInterval: time.Millisecond},
	})
	require.NoError(t, err)
	return m
}

func sagaMessage(id string) *message.Message {
	msg := message.NewMessage(watermill.NewUUID(), []byte("payload"))
	msg.Metadata.Set(sourceflow.MetaMessageID, id)
	return msg
}

// failDeleteItem fails every DeleteItem call while on is set, before the
// request is sent, as a DynamoDB that cannot be reached would.
func failDeleteItem(on *atomic.Bool) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("failDeleteItem",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if on.Load() && awsmiddleware.GetOperationName(ctx) == "DeleteItem" {
					return middleware.InitializeOutput{}, middleware.Metadata{}, errors.New("injected: DynamoDB does not answer")
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	}
}

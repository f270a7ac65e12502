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
	m := txRetrying(t, idem, 5)

	_, err := m.Middleware(s.handle)(sagaMessage("m-1"))

	require.NoError(t, err)
	assert.Equal(t, int32(2), s.runs.Load(), "run once in each transaction")
	doc, err := state.Views().Load(context.Background(), "order", "o-1")
	require.NoError(t, err)
	assert.Equal(t, "run 2", string(doc.Data), "only the second run's save was written")
	assert.Equal(t, int64(1), doc.Version)
	assert.Equal(t, uint64(1), m.Stats().TxRetries)
	res, err := idem.Claim(context.Background(), idempotency.Key{Consumer: "saga", MessageID: "0::m-1"}, "", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, idempotency.Completed, res.Status)
}

// TestTxRetryReleasesTheClaimTheRollbackLeft fails the first handling
// after it saved, while DynamoDB refuses the next two deletes: the
// rollback's release of the claim fails (ErrClaimHeld), and so does the
// middleware's release at the first retry. The release at the second retry
// succeeds, and the run after it handles the message; nothing of the first
// run was written.
func TestTxRetryReleasesTheClaimTheRollbackLeft(t *testing.T) {
	var failDeletes atomic.Int32
	idem, state := storesOn(t, failingDeletes(t, &failDeletes))
	s := &saga{views: state.Views(), fail: 1, before: func() { failDeletes.Store(2) }}
	m := txRetrying(t, idem, 5)

	_, err := m.Middleware(s.handle)(sagaMessage("m-1"))

	require.NoError(t, err)
	assert.Equal(t, int32(2), s.runs.Load(), "the handler ran again once the claim was released")
	doc, err := state.Views().Load(context.Background(), "order", "o-1")
	require.NoError(t, err)
	assert.Equal(t, "run 2", string(doc.Data))
	assert.Equal(t, int64(1), doc.Version)
	st := m.Stats()
	assert.Equal(t, uint64(1), st.TxRetries, "the handling ran again once, after the second release")
	assert.Equal(t, uint64(1), st.Released)
	assert.Equal(t, uint64(1), st.StoreErrors)
	assert.Zero(t, failDeletes.Load(), "both refused deletes were tried")
}

// TestTxRetryGivesUpWhileTheReleaseFails is the documented limit of
// TxRetry on DynamoDB: when DynamoDB refuses every release until TxRetry
// gives up, the claim stays until its lease ends. The handling fails with
// its own error and the release's, having written nothing, and a delivery
// after the lease handles the message.
func TestTxRetryGivesUpWhileTheReleaseFails(t *testing.T) {
	var failDeletes atomic.Int32
	idem, state := storesOn(t, failingDeletes(t, &failDeletes))
	s := &saga{views: state.Views(), fail: 1, before: func() { failDeletes.Store(1 << 20) }}
	m := txRetrying(t, idem, 2)
	h := m.Middleware(s.handle)

	_, err := h(sagaMessage("m-1"))

	require.ErrorContains(t, err, "handler failed after saving", "the handling's own error is kept")
	require.ErrorIs(t, err, idempotency.ErrClaimHeld)
	require.ErrorContains(t, err, "release the claim of the rolled-back handling")
	require.ErrorContains(t, err, "injected: DynamoDB does not answer")
	assert.Zero(t, m.Stats().TxRetries, "the handling never ran again")
	assert.Equal(t, int32(1), s.runs.Load(), "no rerun while the claim was held")
	_, err = state.Views().Load(context.Background(), "order", "o-1")
	require.ErrorIs(t, err, cqrs.ErrNotFound, "the failed run's save was rolled back")

	failDeletes.Store(0)
	_, err = h(sagaMessage("m-1"))
	require.ErrorIs(t, err, idempotency.ErrInProgress, "the claim holds until its lease ends")
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
// handling again up to retries times, 1 ms apart, with a lease of 3 s.
func txRetrying(t *testing.T, idem *dynamostore.Store, retries int) *idempotency.Middleware {
	t.Helper()
	m, err := idempotency.NewMiddleware(idem, idempotency.MiddlewareConfig{
		Consumer: "saga", Transactional: true, Lease: 3 * time.Second,
		TxRetry: sourceflow.RetryPolicy{MaxRetries: retries, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond},
	})
	require.NoError(t, err)
	return m
}

func sagaMessage(id string) *message.Message {
	msg := message.NewMessage(watermill.NewUUID(), []byte("payload"))
	msg.Metadata.Set(sourceflow.MetaMessageID, id)
	return msg
}

// failingDeletes returns a client of the emulator whose next n DeleteItem
// calls fail, n read from *n and counted down, before the request is sent,
// as a DynamoDB that does not answer would.
func failingDeletes(t *testing.T, n *atomic.Int32) *dynamodb.Client {
	fail := middleware.InitializeMiddlewareFunc("failDeleteItem",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if awsmiddleware.GetOperationName(ctx) == "DeleteItem" && takeOne(n) {
				return middleware.InitializeOutput{}, middleware.Metadata{}, errors.New("injected: DynamoDB does not answer")
			}
			return next.HandleInitialize(ctx, in)
		})
	return dynamodb.New(dynamotest.Client(t).Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(fail, middleware.Before)
		})
	})
}

// takeOne counts *n down by one unless it is zero, and reports whether it did.
func takeOne(n *atomic.Int32) bool {
	for {
		v := n.Load()
		if v <= 0 {
			return false
		}
		if n.CompareAndSwap(v, v-1) {
			return true
		}
	}
}

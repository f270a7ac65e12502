package dynamo

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// A write made with the context of a transaction that has ended (a
// goroutine the handler started) is refused, permanently, rather than
// collected into a transaction that will never commit again.
func TestAWriteIntoAnEndedTransactionIsRefused(t *testing.T) {
	for _, c := range []struct {
		name string
		work error
	}{{"committed", nil}, {"rolled back", errors.New("boom")}} {
		t.Run(c.name, func(t *testing.T) {
			api := &fakeAPI{}
			var kept context.Context
			err := WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
				kept = ctx
				return c.work
			})
			require.ErrorIs(t, err, c.work)
			tx := TxFor(kept, api, Handling)
			require.NotNil(t, tx)
			err = tx.Add("a", key("1"), put("a"), errFirst)
			require.ErrorIs(t, err, ErrTxEnded)
			assert.True(t, sourceflow.IsPermanent(err))
			require.ErrorIs(t, tx.AddFirst("a", key("2"), put("a"), errFirst), ErrTxEnded)
			err = WithinTx(kept, api, Handling, &Retry{}, func(ctx context.Context) error {
				return TxFor(ctx, api, Handling).Add("b", key("1"), put("b"), errSecond)
			})
			require.ErrorIs(t, err, ErrTxEnded, "joining the ended transaction is refused too")
			assert.Zero(t, api.puts)
			assert.Empty(t, api.transact)
		})
	}
}

// A write DynamoDB refuses as invalid (an item over 400 KB) is permanent,
// alone or in a transaction, so its message is dead-lettered with the
// reason instead of delivered again and refused again.
func TestAWriteRefusedAsInvalidIsPermanent(t *testing.T) {
	invalidItem := &smithy.GenericAPIError{Code: "ValidationException", Message: "Item size has exceeded the maximum allowed size"}
	for _, c := range []struct {
		name   string
		answer error
		writes int
	}{
		{"single", invalidItem, 1},
		{"transaction", cancelled("None", "ValidationError"), 2},
		{"transaction refused whole", &smithy.GenericAPIError{Code: "ValidationException", Message: "Transaction request cannot include multiple operations on one item"}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			api := &fakeAPI{errs: []error{c.answer}}
			err := WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
				tx := TxFor(ctx, api, Handling)
				for i := range c.writes {
					require.NoError(t, tx.Add("a", key(string(rune('1'+i))), put("a"), errFirst))
				}
				return nil
			})
			require.Error(t, err)
			assert.True(t, sourceflow.IsPermanent(err), "%v", err)
			assert.NotErrorIs(t, err, errFirst)
		})
	}
	for _, answer := range []error{cancelled("None", "ThrottlingError"), cancelled("ItemCollectionSizeLimitExceeded", "None")} {
		api := &fakeAPI{errs: []error{answer}}
		err := WithinTx(context.Background(), api, Handling, &Retry{Attempts: 1}, func(ctx context.Context) error {
			tx := TxFor(ctx, api, Handling)
			return errors.Join(tx.Add("a", key("1"), put("a"), errFirst), tx.Add("a", key("2"), put("a"), errFirst))
		})
		require.Error(t, err)
		assert.False(t, sourceflow.IsPermanent(err), "throttling, or an item collection that deletes may shrink, stays transient: %v", err)
	}
}

// blockingAPI holds TransactWriteItems until release is closed.
type blockingAPI struct {
	fakeAPI
	entered, release chan struct{}
}

func (b *blockingAPI) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	close(b.entered)
	<-b.release
	return b.fakeAPI.TransactWriteItems(ctx, in, opts...)
}

// A write made while the transaction commits is in no request: it is
// refused, not lost.
func TestAWriteWhileTheTransactionCommitsIsRefused(t *testing.T) {
	api := &blockingAPI{entered: make(chan struct{}), release: make(chan struct{})}
	var kept context.Context
	done := make(chan error, 1)
	go func() {
		done <- WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
			kept = ctx
			tx := TxFor(ctx, api, Handling)
			return errors.Join(tx.Add("a", key("1"), put("a"), errFirst), tx.Add("a", key("2"), put("a"), errFirst))
		})
	}()
	<-api.entered
	err := TxFor(kept, api, Handling).Add("a", key("3"), put("a"), errFirst)
	require.ErrorIs(t, err, ErrTxEnded, "the commit is under way")
	close(api.release)
	require.NoError(t, <-done)
	require.Len(t, api.transact, 1)
	assert.Len(t, api.transact[0], 2)
}

// Hooks registered once the commit began belong to a write the transaction
// refused: a check of it does not decide whether the commit was applied,
// and what it took is released at once rather than never.
func TestHooksRegisteredWhileTheTransactionCommitsDoNotDecideIt(t *testing.T) {
	api := &blockingAPI{entered: make(chan struct{}), release: make(chan struct{})}
	api.errs = []error{errors.New("connection reset after the request was applied")}
	var kept context.Context
	done := make(chan error, 1)
	go func() {
		done <- WithinTx(context.Background(), api, Handling, &Retry{Attempts: 1}, func(ctx context.Context) error {
			kept = ctx
			tx := TxFor(ctx, api, Handling)
			tx.OnUncertain("a", key("1"), func(context.Context) bool { return true }) // the write is in place
			return errors.Join(tx.Add("a", key("1"), put("a"), errFirst), tx.Add("a", key("2"), put("a"), errFirst))
		})
	}()
	<-api.entered
	late := TxFor(kept, api, Handling)
	late.OnUncertain("a", key("3"), func(context.Context) bool { return false })
	released := false
	late.OnEnd(func() { released = true })
	assert.True(t, released, "released at once")
	require.ErrorIs(t, late.Add("a", key("3"), put("a"), errFirst), ErrTxEnded)
	close(api.release)
	require.NoError(t, <-done, "the commit was applied: the late write's check has no say")
}

// A check registered for a write the seal then refused (a goroutine that
// registered it just before the work returned and added it just after)
// has no say in whether an uncertain commit was applied.
func TestACheckOfARefusedWriteDoesNotDecideAnUncertainCommit(t *testing.T) {
	api := &fakeAPI{errs: []error{errors.New("connection reset after the request was applied")}}
	err := WithinTx(context.Background(), api, Handling, &Retry{Attempts: 1}, func(ctx context.Context) error {
		tx := TxFor(ctx, api, Handling)
		tx.OnUncertain("a", key("1"), func(context.Context) bool { return true })
		tx.OnUncertain("a", key("3"), func(context.Context) bool { return false }) // its Add never came in
		return errors.Join(tx.Add("a", key("1"), put("a"), errFirst), tx.Add("a", key("2"), put("a"), errFirst))
	})
	require.NoError(t, err)
}

// The before-commit functions run on the sealed transaction: they write
// through Prepared, and a write from anywhere else is refused then.
func TestBeforeCommitFunctionsWriteThroughTheSealedTransaction(t *testing.T) {
	api := &fakeAPI{}
	var outside error
	err := WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
		tx := TxFor(ctx, api, Handling)
		tx.BeforeCommit(func(p Prepared) error {
			outside = tx.Add("a", key("9"), put("a"), errFirst)
			return p.AddFirst("counter", key("1"), put("counter"), errSecond)
		})
		return tx.Add("a", key("1"), put("a"), errFirst)
	})
	require.NoError(t, err)
	require.ErrorIs(t, outside, ErrTxEnded)
	require.Len(t, api.transact, 1)
	require.Len(t, api.transact[0], 2)
	assert.Equal(t, "counter", *api.transact[0][0].Put.TableName, "added first")
}

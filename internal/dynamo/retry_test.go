package dynamo

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func cancelled(codes ...string) error {
	tc := &types.TransactionCanceledException{Message: aws.String("cancelled")}
	for _, c := range codes {
		tc.CancellationReasons = append(tc.CancellationReasons, types.CancellationReason{Code: aws.String(c)})
	}
	return tc
}

func TestTransientClassifiesThrottlingAndConflicts(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want transience
	}{
		{nil, notTransient},
		{errors.New("boom"), notTransient},
		{&types.ProvisionedThroughputExceededException{}, throttled},
		{&smithy.GenericAPIError{Code: "ThrottlingException"}, throttled},
		{&smithy.GenericAPIError{Code: "RequestLimitExceeded"}, throttled},
		{&types.TransactionConflictException{}, conflicted},
		{&types.TransactionInProgressException{}, conflicted},
		{&types.ConditionalCheckFailedException{}, notTransient},
		{cancelled("None", "TransactionConflict"), conflicted},
		{cancelled("ThrottlingError", "None"), throttled},
		{cancelled("ConditionalCheckFailed", "TransactionConflict"), notTransient},
		{cancelled("None", "ValidationError"), notTransient},
	} {
		assert.Equal(t, tc.want, transient(tc.err), "%v", tc.err)
	}
}

func TestRetryRetriesTransientErrorsAndCountsThem(t *testing.T) {
	r := &Retry{Base: time.Millisecond, Max: 2 * time.Millisecond}
	calls := 0
	err := r.Do(context.Background(), "t", func(context.Context) error {
		calls++
		switch calls {
		case 1:
			return &types.ProvisionedThroughputExceededException{}
		case 2:
			return cancelled("TransactionConflict")
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 3, calls)
	assert.Equal(t, RetryStats{Throttled: 1, Conflicts: 1}, r.Stats())
}

func TestRetryGivesUpAfterAttemptsAndNeverRetriesAnAnswer(t *testing.T) {
	r := &Retry{Attempts: 3, Base: time.Millisecond}
	calls := 0
	err := r.Do(context.Background(), "t", func(context.Context) error {
		calls++
		return &types.ProvisionedThroughputExceededException{Message: aws.String("slow down")}
	})
	var pte *types.ProvisionedThroughputExceededException
	require.ErrorAs(t, err, &pte)
	assert.Contains(t, err.Error(), "still throttled after 3 attempts")
	assert.Equal(t, 3, calls)
	assert.Equal(t, int64(1), r.Stats().Exhausted)

	calls = 0
	err = r.Do(context.Background(), "t", func(context.Context) error {
		calls++
		return &types.ConditionalCheckFailedException{}
	})
	assert.True(t, IsConditionFailed(err))
	assert.Equal(t, 1, calls, "a failed condition is an answer")
}

func TestRetryStopsWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := &Retry{Base: time.Hour, Max: time.Hour}
	err := r.Do(ctx, "t", func(context.Context) error {
		cancel()
		return &types.ProvisionedThroughputExceededException{}
	})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestSleepWaitsOrReturnsWhenTheContextEnds(t *testing.T) {
	start := time.Now()
	require.NoError(t, Sleep(context.Background(), 5*time.Millisecond))
	assert.GreaterOrEqual(t, time.Since(start), 5*time.Millisecond)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start = time.Now()
	assert.ErrorIs(t, Sleep(ctx, time.Hour), context.Canceled)
	assert.Less(t, time.Since(start), time.Minute)
}

// A transaction DynamoDB still throttles after every attempt fails naming
// each table it writes, once, and what to do about it.
func TestRetryExhaustedNamesTheTablesOfATransactionAndTheRemedy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &fakeAPI{}
		for range 8 {
			api.errs = append(api.errs, cancelled("ThrottlingError", "None", "None"))
		}
		err := WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
			tx := TxFor(ctx, api, Handling)
			return errors.Join(tx.Add("a", key("1"), put("a"), errFirst), tx.Add("b", key("1"), put("b"), errSecond),
				tx.Add("a", key("2"), put("a"), errFirst))
		})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "tables a, b still throttled after 8 attempts (raise the provisioned capacity")
	})
}

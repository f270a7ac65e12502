package dynamo

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// silentAPI answers no TransactWriteItems: each returns only when its
// context ends, as against an endpoint that accepts connections but never
// answers.
type silentAPI struct{ fakeAPI }

func (*silentAPI) TransactWriteItems(ctx context.Context, _ *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// readBack stands for a read against the silent endpoint: it returns false
// when its context ends, and records whether that context had a deadline.
func readBack(bounded *bool) func(ctx context.Context) bool {
	return func(ctx context.Context) bool {
		_, *bounded = ctx.Deadline()
		<-ctx.Done()
		return false
	}
}

// A commit whose context ended may have been applied, so its writes are
// read back, and a failed handling's claims released, after that context's
// end: against an endpoint that does not answer, those requests end too,
// within SettleTimeout, and WithinTx returns the commit's error instead of
// hanging. In the synctest bubble the clock jumps over the waits.
func TestAnUncertainCommitAgainstASilentEndpointEndsWithinSettleTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &silentAPI{}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		var checkBounded, undoBounded bool
		start := time.Now()
		err := WithinTx(ctx, api, Handling, &Retry{}, func(ctx context.Context) error {
			tx := TxFor(ctx, api, Handling)
			tx.OnUncertain("a", key("1"), readBack(&checkBounded))
			tx.OnRollback(ctx, func(ctx context.Context) error {
				_, undoBounded = ctx.Deadline()
				<-ctx.Done()
				return errors.New("release: " + ctx.Err().Error())
			})
			return errors.Join(tx.Add("a", key("1"), put("a"), errFirst), tx.Add("a", key("2"), put("a"), errFirst))
		})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.True(t, checkBounded, "the read-back has a deadline of its own")
		assert.True(t, undoBounded, "the rollback has a deadline of its own")
		assert.LessOrEqual(t, time.Since(start), time.Second+2*SettleTimeout)
	})
}

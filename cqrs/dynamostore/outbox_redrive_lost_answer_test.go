package dynamostore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// A redrive whose answer was lost is sent again, and fails its condition
// where the ClientRequestToken is not honoured: Redrive still counts the
// dead letter it returned to its shard.
func TestOutboxRedriveCountsAMoveWhoseAnswerWasLost(t *testing.T) {
	ctx := context.Background()
	st, lossy, _ := newLossyStore(t, dynamotest.Prefix())
	inner := &innerTransport{unknown: map[string]bool{"gone": true}}
	o := newOutbox(t, st, inner)
	require.NoError(t, st.WithinTx(ctx, func(ctx context.Context) error {
		return publishIn(ctx, t, o, "gone", "m-gone")
	}))
	sweepUntilDead(ctx, t, o, 1)

	lossy.arm("#dead", func() {})
	back, err := o.Redrive(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, back, "the dead letter went back to its shard")
	dead, err := o.DeadLetters(ctx, dynamostore.OutboxDeadLetterQuery{Max: 10})
	require.NoError(t, err)
	assert.Empty(t, dead)
}

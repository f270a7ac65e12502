package dynamostore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// The metrics package takes an Outbox as a source of dead-letter counts.
var _ metrics.DeadLetterSource = (*dynamostore.Outbox)(nil)

// sweepUntilDead sweeps o until it keeps want dead letters.
func sweepUntilDead(ctx context.Context, t *testing.T, o *dynamostore.Outbox, want int) {
	t.Helper()
	require.Eventually(t, func() bool {
		_, err := o.Sweep(ctx)
		dead, derr := o.DeadLetters(ctx, dynamostore.OutboxDeadLetterQuery{Max: 1000})
		return err == nil && derr == nil && len(dead) == want
	}, 20*time.Second, 200*time.Millisecond)
}

// The outbox counts each message it keeps as a dead letter under the
// destination it was for, or under no destination ("") when that
// destination cannot be a metric attribute (longer than 256 bytes), never
// with a destination named as the outbox is ("orders"); a redriven message
// kept again is counted again, and a message relayed is not counted.
func TestOutboxCountsItsDeadLettersByDestination(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	long := strings.Repeat("d", 257)
	inner := &innerTransport{unknown: map[string]bool{"gone": true, long: true, "orders": true}}
	o := newOutbox(t, st, inner)
	assert.Empty(t, o.DeadLettersByDestination(), "nothing dead-lettered yet")

	require.NoError(t, st.WithinTx(ctx, func(ctx context.Context) error {
		require.NoError(t, publishIn(ctx, t, o, "events", "m-sent"))
		require.NoError(t, publishIn(ctx, t, o, "gone", "m-gone-1"))
		return nil
	}))
	require.NoError(t, st.WithinTx(ctx, func(ctx context.Context) error {
		require.NoError(t, publishIn(ctx, t, o, "gone", "m-gone-2"))
		return nil
	}))
	require.NoError(t, st.WithinTx(ctx, func(ctx context.Context) error {
		require.NoError(t, publishIn(ctx, t, o, long, "m-long"))
		require.NoError(t, publishIn(ctx, t, o, "orders", "m-orders"))
		return nil
	}))
	sweepUntilDead(ctx, t, o, 4)
	assert.Equal(t, []string{"m-sent"}, inner.uuids("events"))
	assert.Equal(t, map[string]int64{"gone": 2, "": 1, "orders": 1}, o.DeadLettersByDestination())

	back, err := o.Redrive(ctx)
	require.NoError(t, err)
	require.Equal(t, 4, back)
	sweepUntilDead(ctx, t, o, 4)
	assert.Equal(t, map[string]int64{"gone": 4, "": 2, "orders": 2}, o.DeadLettersByDestination(),
		"a message kept again is counted again")
}

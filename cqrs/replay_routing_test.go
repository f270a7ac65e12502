package cqrs_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestReplayRoutesStoredCommandsByTheirTypesCurrentDestination: a command
// stored while its type was routed to a destination since renamed (orders
// moved to a FIFO queue, say) is replayed through the handler its type has
// now, not skipped because nobody listens to the old name any more; the
// rebuilt state holds it, as the live state does.
func TestReplayRoutesStoredCommandsByTheirTypesCurrentDestination(t *testing.T) {
	ctx := context.Background()
	app := newOrderApp(t, cqrs.ServiceConfig{})
	old := cqrs.Envelope{Type: "orders.CreateOrder", MessageID: "m-1", EntityID: "o-1", Sequence: 1,
		CorrelationID: "m-1", OccurredAt: time.Now()}
	seq, err := app.store.NextSequence(ctx, "o-1")
	require.NoError(t, err)
	require.Equal(t, int64(1), seq)
	require.NoError(t, app.store.Append(ctx, cqrs.StoredCommand{Envelope: old, Destination: "orders-v1",
		Payload: []byte(`{"customer":"ada","amount":5}`)}))
	app.start(t)
	_, err = app.agg.Send(ctx, "o-1", ProcessPayment{Amount: 5})
	require.NoError(t, err)

	report, err := app.agg.Replay(ctx, "o-1")
	require.NoError(t, err)
	assert.Equal(t, 2, report.Commands)
	order, _, err := app.orders.Load(ctx, "o-1")
	require.NoError(t, err)
	assert.Equal(t, Order{Customer: "ada", Amount: 5, Paid: true, Commands: 2}, order,
		"the command stored under the old destination is in the rebuilt state")
}

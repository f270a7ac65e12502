package dynamobackend_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/dynamobackend"
)

// TestNewService_KeepsTheStateInTheTables builds a service with the
// Backend's NewService alone and checks that its saga state, its command
// and its view, whose event the outbox relays, reach DynamoDB.
func TestNewService_KeepsTheStateInTheTables(t *testing.T) {
	ctx := context.Background()
	b, _ := open(t, dynamobackend.Config{Outbox: true})
	transport, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, Logger: watermill.NopLogger{}})
	require.NoError(t, err)
	svc, err := b.NewService(ctx, cqrs.ServiceConfig{Name: "booking", Transport: transport, Listen: []string{"bookings", "booking-events"}, Logger: watermill.NopLogger{}})
	require.NoError(t, err)
	registerBooking(t, svc)
	require.NoError(t, svc.Start(ctx))
	t.Cleanup(func() { assert.NoError(t, svc.Close()) }) // before the Backend's Close

	_, err = cqrs.NewAggregate(svc, "booking").Send(ctx, "flight-7", reserveSeat{Seat: "12A"})
	require.NoError(t, err)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		doc, err := b.Store().Views().Load(ctx, "seat-map", "flight-7")
		assert.NoError(c, err, "the view's model is not in DynamoDB")
		assert.JSONEq(c, `{"taken":["12A"]}`, string(doc.Data))
	}, 30*time.Second, 50*time.Millisecond)
	state, err := b.Store().Entities().Load(ctx, "booking", "flight-7")
	require.NoError(t, err, "the saga state is not in DynamoDB")
	assert.Equal(t, int64(1), state.Version)
	stored, err := b.Store().Commands().Load(ctx, "flight-7")
	require.NoError(t, err)
	assert.Len(t, stored, 1, "the command is not in DynamoDB")
}

func TestNewService_WithOutboxRequiresATransport(t *testing.T) {
	b, _ := open(t, dynamobackend.Config{Outbox: true})
	_, err := b.NewService(context.Background(), cqrs.ServiceConfig{Name: "booking"})
	assert.ErrorContains(t, err, "ServiceConfig.Transport is required")
}

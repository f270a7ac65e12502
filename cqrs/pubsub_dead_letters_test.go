package cqrs_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A PubSubTransport shows the messages it dead-lettered, with their reason
// and deliveries, as ChannelTransport does, so a test reads them the same
// way on either.
func TestPubSubTransportKeepsWhatItDeadLettered(t *testing.T) {
	rig := newPubSubRig(t)
	tr := rig.transport(t, cqrs.PubSubConfig{MaxDeliveries: 2})
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: tr})
	app.start(t)
	require.NoError(t, rig.Publish("orders", rawCommandID("poison", "orders.Unheard", "o-9", `{}`)))
	_, err := app.agg.Send(context.Background(), "o-1", CreateOrder{Amount: 1})
	require.NoError(t, err)

	eventually(t, func() bool { return len(tr.DeadLetters()) >= 1 }, "the poison command is dead-lettered")
	poison := tr.DeadLetters()
	require.Len(t, poison, 1, "only the poison command")
	assert.Equal(t, "poison", poison[0].Message.UUID)
	assert.Equal(t, "orders", poison[0].Destination)
	assert.Contains(t, poison[0].Reason, "unknown message type")
	assert.Equal(t, 2, poison[0].Deliveries)
}

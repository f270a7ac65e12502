package cqrs_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
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

// Every consumer group of a destination shares its dead-letter topic, so a
// PubSubTransport's dead letter names the group (the service) that
// dead-lettered it: in its metadata, in what DeadLetters keeps and in the
// "Message dead-lettered" log line.
func TestPubSubTransportDeadLetterNamesItsConsumerGroup(t *testing.T) {
	rig := newPubSubRig(t)
	dlq := rig.deadLetters(t, "orders-dlq")
	logs := watermill.NewCaptureLogger()
	tr := rig.transport(t, cqrs.PubSubConfig{MaxDeliveries: 1, Logger: logs})
	app := newOrderApp(t, cqrs.ServiceConfig{Name: "billing", Transport: tr})
	app.start(t)
	require.NoError(t, rig.Publish("orders", rawCommandID("poison", "orders.Unheard", "o-9", `{}`)))

	eventually(t, func() bool { return len(dlq.all()) == 1 && len(tr.DeadLetters()) == 1 }, "the poison command is dead-lettered")
	assert.Equal(t, "billing", dlq.all()[0].Metadata.Get(sourceflow.MetaDeadLetteredBy))
	assert.Equal(t, "billing", tr.DeadLetters()[0].Message.Metadata.Get(sourceflow.MetaDeadLetteredBy))
	var groups []any
	for _, l := range logs.Captured()[watermill.ErrorLogLevel] {
		if l.Msg == "Message dead-lettered" {
			groups = append(groups, l.Fields["consumer_group"])
		}
	}
	assert.Equal(t, []any{"billing"}, groups)
}

package cqrs_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// Every message the in-process transport gives up on is counted under the
// destination it was consumed from.
func TestChannelTransportCountsDeadLettersByDestination(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{MaxDeadLetters: 1})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	assert.Empty(t, tr.DeadLettersByDestination(), "nothing dead-lettered yet")
	svc := newService(t, tr, "orders", "orders")
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
		return nil, sourceflow.Permanent(errors.New("card refused"))
	}))
	start(t, svc)
	for _, id := range []string{"o-1", "o-2"} {
		_, err = cqrs.NewAggregate(svc, "order").Send(context.Background(), id, CreateOrder{Amount: 5})
		require.NoError(t, err)
	}

	eventually(t, func() bool { return tr.DeadLetterCount() == 2 }, "both messages are dead-lettered")
	assert.Equal(t, map[string]int64{"orders": 2}, tr.DeadLettersByDestination(), "MaxDeadLetters bounds the list, not the counts")
}

// A message the Pub/Sub transport publishes to a dead-letter topic is counted
// under the destination it was consumed from.
func TestPubSubTransportCountsDeadLettersByDestination(t *testing.T) {
	rig := newPubSubRig(t)
	dlq := rig.deadLetters(t, "orders-dlq")
	refuse := func(message.HandlerFunc) message.HandlerFunc {
		return func(*message.Message) ([]*message.Message, error) {
			return nil, sourceflow.Permanent(errors.New("refused"))
		}
	}
	tr := rig.transport(t, cqrs.PubSubConfig{})
	assert.Empty(t, tr.DeadLettersByDestination(), "nothing dead-lettered yet")
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: tr, Hooks: cqrs.Hooks{CommandSubscribe: []message.HandlerMiddleware{refuse}}})
	app.start(t)
	require.NoError(t, rig.Publish("orders", rawCommandID("c-1", "orders.CreateOrder", "o-1", `{"amount":1}`)))

	eventually(t, func() bool { return len(dlq.all()) == 1 }, "the message is dead-lettered")
	eventually(t, func() bool { return tr.DeadLettersByDestination()["orders"] == 1 }, "the dead letter is counted")
	assert.Equal(t, map[string]int64{"orders": 1}, tr.DeadLettersByDestination())
}

package cqrs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// awsLikeRig counts a message as watermill-aws's SNS publish does: each
// attribute's data type (6 bytes) and the UUID attribute on top of the
// payload, keys and values, and refuses for good one over limit, as the
// README's refusedForGood marks SNS's "Message too long".
type awsLikeRig struct {
	*pubsubRig
	limit int
}

func awsBytes(m *message.Message) int {
	return rigBytes(m) + 6*(len(m.Metadata)+1) + len("_watermill_message_uuid") + len(m.UUID)
}

func (r awsLikeRig) Publish(topic string, msgs ...*message.Message) error {
	for _, m := range msgs {
		if awsBytes(m) > r.limit {
			return sourceflow.Permanent(fmt.Errorf("publish to %s: InvalidParameter: Message too long", topic))
		}
	}
	return r.pubsubRig.Publish(topic, msgs...)
}

// With MaxMessageBytes at the Pub/Sub's own limit, as the README's
// watermill-aws helper sets it (256 << 10), a message the Pub/Sub accepted
// that fails for good must be dead-lettered, and the next message of its
// destination flow (the CHANGELOG: "a message near the limit no longer
// loops between its handler and the Pub/Sub"). The dead letter is fitted
// to MaxMessageBytes as messageBytes counts it, which leaves the Pub/Sub's
// own bytes out, so the Pub/Sub refuses it on every try.
func TestPubSubTransportDeadLettersAMessageNearTheLimitWithTheREADMEsSetting(t *testing.T) {
	for _, size := range []int{4096 - 392, 4096 - 152} { // of 4096-400..4096-120, these and their neighbours loop
		poison := poisonOf(size, 0)
		require.LessOrEqual(t, awsBytes(poison), 4096, "the Pub/Sub accepts the message itself")
		t.Run(fmt.Sprint(size), func(t *testing.T) { deadLettersNearTheLimit(t, poison) })
	}
}

func deadLettersNearTheLimit(t *testing.T, poison *message.Message) {
	const limit = 4096
	rig := newPubSubRig(t)
	dlq := rig.deadLetters(t, "orders-dlq")
	pub := awsLikeRig{pubsubRig: rig, limit: limit}
	fail := func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			if msg.UUID == "poison" {
				return nil, sourceflow.Permanent(errors.New("refused: " + strings.Repeat("r", 600) + poisonCause))
			}
			return h(msg)
		}
	}
	tr, err := cqrs.NewPubSubTransport(cqrs.PubSubConfig{Publisher: pub, MaxMessageBytes: limit, MaxDeliveries: 3,
		Subscriber:   func(string, string) (message.Subscriber, error) { return gochannelSubscriber{rig.gc}, nil },
		Capabilities: cqrs.Capabilities{ConsumerGroups: true, Ordered: true}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: tr, Hooks: cqrs.Hooks{CommandSubscribe: []message.HandlerMiddleware{fail}}})
	require.NoError(t, pub.Publish("orders", poison))

	app.start(t)
	_, err = app.agg.Send(context.Background(), "o-1", CreateOrder{Customer: "ann", Amount: 7})
	require.NoError(t, err)
	eventually(t, func() bool { return len(dlq.all()) >= 1 }, "the message is dead-lettered")
	eventually(t, func() bool {
		s, ok, err := app.view.Get(context.Background(), "o-1")
		return err == nil && ok && s.Paid
	}, "the next message on the destination flows")
}

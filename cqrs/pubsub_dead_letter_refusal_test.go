package cqrs_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// attrRefusingRig refuses for good a message with metadata "big" (an
// attribute name the Pub/Sub does not take, as SNS refuses names it
// reserves): a refusal that is not about size.
type attrRefusingRig struct{ *pubsubRig }

func (r attrRefusingRig) Publish(topic string, msgs ...*message.Message) error {
	for _, m := range msgs {
		if _, ok := m.Metadata["big"]; ok {
			return sourceflow.Permanent(fmt.Errorf("publish to %s: InvalidParameterValue: attribute name big is reserved", topic))
		}
	}
	return r.pubsubRig.Publish(topic, msgs...)
}

// With no MaxMessageBytes (0), a dead letter the Pub/Sub refuses for good
// for a reason that is not its size must not be published with a reason
// saying it was refused as fitted to a MaxMessageBytes of 0 bytes: no
// limit was set, nothing was fitted, and size was not the refusal.
func TestPubSubTransportDeadLetterRefusedNotForSizeSaysNoLimit(t *testing.T) {
	rig := newPubSubRig(t)
	dlq := rig.deadLetters(t, "orders-dlq")
	pub := attrRefusingRig{rig}
	fail := func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			if msg.UUID == "poison" {
				return nil, sourceflow.Permanent(errors.New("refused" + poisonCause))
			}
			return h(msg)
		}
	}
	tr, err := cqrs.NewPubSubTransport(cqrs.PubSubConfig{Publisher: pub, MaxDeliveries: 3,
		Subscriber:   func(string, string) (message.Subscriber, error) { return gochannelSubscriber{rig.gc}, nil },
		Capabilities: cqrs.Capabilities{ConsumerGroups: true, Ordered: true}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: tr, Hooks: cqrs.Hooks{CommandSubscribe: []message.HandlerMiddleware{fail}}})
	poison := poisonOf(200, 10)
	require.NoError(t, rig.Publish("orders", poison)) // stored by the Pub/Sub before the refusal applies
	app.start(t)
	_, err = app.agg.Send(context.Background(), "o-1", CreateOrder{Customer: "ann", Amount: 7})
	require.NoError(t, err)
	eventually(t, func() bool { return len(dlq.all()) >= 1 }, "the message is dead-lettered")
	reason := dlq.all()[0].Metadata.Get(sourceflow.MetaFailure)
	t.Logf("reason: %s", reason)
	assert.NotContains(t, reason, "MaxMessageBytes, 0 bytes", "no limit was set")
	assert.Contains(t, reason, "refused"+poisonCause, "the handler's reason is kept whole: no limit cut it")
	assert.Contains(t, reason, "attribute name big is reserved", "the reason says why the Pub/Sub refused the dead letter")
	assert.NotEmpty(t, dlq.all()[0].Payload, "a note stands for the payload left out: SNS and SQS refuse an empty body")
}

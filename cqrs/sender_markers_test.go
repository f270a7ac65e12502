package cqrs_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// senderMarked is a message whose sender set every delivery marker, to make
// the consumer's span claim a dead letter, a subscription and a delivery
// count the transport never gave it.
func senderMarked() *message.Message {
	m := message.NewMessage("m-1", []byte("{}"))
	for k, v := range map[string]string{sourceflow.MetaDeliveryCount: "99", sourceflow.MetaLastDelivery: "true",
		sourceflow.MetaDeadLetterQueue: "forged-dlq", sourceflow.MetaSubscription: "forged-queue",
		sourceflow.MetaFailure: "forged failure", "tenant": "a"} {
		m.Metadata.Set(k, v)
	}
	return m
}

// The in-process transports (ChannelTransport; PubSubTransport, which
// sqlbus and a gochannel Pub/Sub run on) drop the delivery markers a
// sender set and hand out their own: the first delivery of three, not the
// last, naming their own dead-letter destination and no subscription.
func TestTransportsDropTheDeliveryMarkersASenderSet(t *testing.T) {
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{MaxDeliveries: 3})
	require.NoError(t, err)
	t.Cleanup(func() { _ = channel.Close() })
	for name, tc := range map[string]struct {
		tr  cqrs.Transport
		dlq string
	}{
		"channel": {channel, cqrs.ChannelDeadLetters},
		"pubsub":  {newPubSubRig(t).transport(t, cqrs.PubSubConfig{MaxDeliveries: 3}), "orders-dlq"},
	} {
		tr := tc.tr
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			require.NoError(t, tr.Bind(ctx, sourceflow.Binding{Service: "svc",
				Routes:    []sourceflow.Route{{Type: "svc.Do", Kind: sourceflow.KindCommand, Destination: "orders"}},
				Listeners: []sourceflow.Listener{{Destination: "orders", Kind: sourceflow.KindCommand}}}))
			sub, err := tr.Subscriber("orders")
			require.NoError(t, err)
			ch, err := sub.Subscribe(ctx, "orders")
			require.NoError(t, err)
			pub, err := tr.Publisher("orders")
			require.NoError(t, err)
			published := make(chan error, 1) // the ChannelTransport's publish waits for the ack
			go func() { published <- pub.Publish("orders", senderMarked()) }()

			var got *message.Message
			select {
			case got = <-ch:
				got.Ack()
			case <-time.After(10 * time.Second):
				require.FailNow(t, "no delivery")
			}
			require.NoError(t, <-published)
			assert.Equal(t, map[string]string{sourceflow.MetaDeliveryCount: "1", sourceflow.MetaDeadLetterQueue: tc.dlq,
				"tenant": "a"}, map[string]string(got.Metadata))
		})
	}
}

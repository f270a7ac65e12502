//go:build integration

package integration

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
)

// boundTransport is an awsbus transport acting as one account in one
// region, bound to b (Create mode), closed at the end of the test.
func boundTransport(t *testing.T, c rawClients, b sourceflow.Binding) *awsbus.Transport {
	t.Helper()
	tr, err := awsbus.NewTransport(c.awsbus(), awsbus.Config{ConsumerConfig: awsbus.ConsumerConfig{WaitTime: time.Second}})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tr.Close()) })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, tr.Bind(ctx, b), "bind service %s", b.Service)
	return tr
}

// xacctMessage is a message of type typ with the envelope the transport
// carries.
func xacctMessage(id, typ string) *message.Message {
	msg := message.NewMessage("uuid-"+id, []byte(`{"id":"`+id+`"}`))
	msg.Metadata.Set(sourceflow.MetaType, typ)
	msg.Metadata.Set(sourceflow.MetaMessageID, id)
	msg.Metadata.Set(sourceflow.MetaEntityID, "order-1")
	return msg
}

// receiveOne returns a message received on dest within a minute, acked.
func receiveOne(t *testing.T, tr *awsbus.Transport, dest string) *message.Message {
	t.Helper()
	sub, err := tr.Subscriber(dest)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	msgs, err := sub.Subscribe(ctx, dest)
	require.NoError(t, err)
	select {
	case m := <-msgs:
		require.NotNil(t, m, "subscription of %s closed", dest)
		m.Ack()
		return m
	case <-ctx.Done():
		require.FailNow(t, "nothing received", "on %s", dest)
		return nil
	}
}

// Team B's billing service runs on the awsbus transport in its own
// account and region and names team A's command queue and event topic by
// their ARNs: a second instance binds to what the first made, a command
// it sends reaches A's queue in A's region, and an event A publishes on
// its topic reaches B through B's own event queue.
func TestCrossAccountTransportSendsToAndListensToAnotherAccount(t *testing.T) {
	a := accountClients(t, ordersAccount, ordersRegion)
	b := accountClients(t, billingAccount, billingRegion)
	queue, topic := uniqueName("xacct-tr-commands", ""), uniqueName("xacct-tr-events", "")
	orders := boundTransport(t, a, sourceflow.Binding{Service: "orders",
		Routes:    []sourceflow.Route{{Type: "orders.OrderPlaced", Kind: sourceflow.KindEvent, Destination: topic}},
		Listeners: []sourceflow.Listener{{Destination: queue, Kind: sourceflow.KindCommand, Types: []string{"orders.ConfirmPayment"}}}})
	queueARN := "arn:aws:sqs:" + ordersRegion + ":" + ordersAccount + ":" + queue
	topicARN := orders.Endpoints()[topic].TopicARN
	billingBinding := sourceflow.Binding{Service: uniqueName("billing", ""),
		Routes:    []sourceflow.Route{{Type: "orders.ConfirmPayment", Kind: sourceflow.KindCommand, Destination: queueARN}},
		Listeners: []sourceflow.Listener{{Destination: topicARN, Kind: sourceflow.KindEvent, Types: []string{"orders.OrderPlaced"}}}}
	billing := boundTransport(t, b, billingBinding)
	assert.Equal(t, ordersRegion, billing.Endpoints()[queueARN].Region)
	again := boundTransport(t, b, billingBinding)
	assert.Equal(t, billing.Endpoints(), again.Endpoints(), "a second Create-mode Bind of billing finds what the first made")

	pub, err := billing.Publisher(queueARN)
	require.NoError(t, err)
	require.NoError(t, pub.Publish(queueARN, xacctMessage("c1", "orders.ConfirmPayment")))
	got := receiveOne(t, orders, queue)
	assert.Equal(t, "orders.ConfirmPayment", got.Metadata.Get(sourceflow.MetaType), "B's command on A's queue")
	assert.Equal(t, "c1", got.Metadata.Get(sourceflow.MetaMessageID))

	pub, err = orders.Publisher(topic)
	require.NoError(t, err)
	require.NoError(t, pub.Publish(topic, xacctMessage("e1", "orders.OrderPlaced")))
	got = receiveOne(t, billing, topicARN)
	assert.Equal(t, "orders.OrderPlaced", got.Metadata.Get(sourceflow.MetaType), "A's event in B's queue")
	assert.Equal(t, "e1", got.Metadata.Get(sourceflow.MetaMessageID))
}

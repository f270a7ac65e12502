package awsbus_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// The seed's switches are a hybrid transport: commands stay in process,
// events go to AWS. No queue is provisioned for the commands, and a command
// travels through the in-process transport only.
func TestHybrid_CommandsStayInProcessEventsGoToAWS(t *testing.T) {
	sq, sn := newFakes()
	aws, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn},
		awsbus.Config{ConsumerConfig: awsbus.ConsumerConfig{WaitTime: time.Second, ShutdownTimeout: time.Second}})
	require.NoError(t, err)
	local, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(t, err)
	h, err := cqrs.NewHybridTransport(cqrs.HybridConfig{Default: aws, Commands: local})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, h.Close()) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	require.NoError(t, h.Bind(ctx, ordersBinding()))

	assert.Empty(t, sq.QueueURL("orders.fifo"), "no command queue on AWS")
	var queues []string
	for _, q := range aws.Plan().Queues {
		queues = append(queues, q.Name)
	}
	assert.Equal(t, []string{"orders-payment-events"}, queues)

	sub, err := h.Subscriber("orders.fifo")
	require.NoError(t, err)
	cmds, err := sub.Subscribe(ctx, "orders.fifo")
	require.NoError(t, err)
	sends := sq.Calls("SendMessage") + sq.Calls("SendMessageBatch")
	cmd := message.NewMessage("00000000-0000-4000-8000-000000000001", []byte(`{}`))
	cmd.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
	publish(t, h, "orders.fifo", cmd)
	select {
	case got := <-cmds:
		assert.Equal(t, cmd.UUID, got.UUID)
		got.Ack()
	case <-ctx.Done():
		t.Fatal("the command did not arrive in process")
	}
	assert.Equal(t, sends, sq.Calls("SendMessage")+sq.Calls("SendMessageBatch"), "no command sent to SQS")

	publishes := sn.Calls("Publish") + sn.Calls("PublishBatch")
	evt := message.NewMessage("00000000-0000-4000-8000-000000000002", []byte(`{}`))
	evt.Metadata.Set(sourceflow.MetaType, "orders.OrderCreated")
	evt.Metadata.Set(sourceflow.MetaEntityID, "o-1")
	publish(t, h, "order-events", evt)
	assert.Greater(t, sn.Calls("Publish")+sn.Calls("PublishBatch"), publishes, "the event went to SNS")
}

func publish(t *testing.T, tr cqrs.Transport, dest string, m *message.Message) {
	t.Helper()
	pub, err := tr.Publisher(dest)
	require.NoError(t, err)
	require.NoError(t, pub.Publish(dest, m))
}

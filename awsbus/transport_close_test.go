package awsbus_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
)

// A handler still running while Close drains the subscriber can publish
// its follow-up and ack: Close does not hold the transport's lock while it
// waits.
func TestTransport_CloseLetsDrainingHandlersPublish(t *testing.T) {
	tr, sq := fakeTransport(t, awsbus.Config{ConsumerConfig: awsbus.ConsumerConfig{ShutdownTimeout: 2 * time.Second}})
	sub, err := tr.Subscriber("orders.fifo")
	require.NoError(t, err)
	msgs, err := sub.Subscribe(context.Background(), "orders.fifo")
	require.NoError(t, err)
	pub, err := tr.Publisher("orders.fifo")
	require.NoError(t, err)
	require.NoError(t, pub.Publish("orders.fifo", command("first", "o-1")))
	got := next(t, msgs)

	closed := make(chan error, 1)
	go func() { closed <- tr.Close() }()
	time.Sleep(100 * time.Millisecond) // Close is now draining the subscriber
	require.NoError(t, pub.Publish("orders.fifo", command("follow-up", "o-2")))
	got.Ack()
	require.NoError(t, <-closed)

	left := sq.Messages(sq.QueueURL("orders.fifo"))
	require.Len(t, left, 1, "the handled message was acked during the drain, not released")
	assert.Contains(t, left[0].Attributes[sourceflow.MetaEnvelope], `"sf_id":"follow-up"`)
}

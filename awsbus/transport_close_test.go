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
// waits. The test publishes once Close began (the subscriber refuses to
// subscribe), and the shutdown timeout is longer than the
// test, so the message cannot be released before the ack however slow the
// machine.
func TestTransport_CloseLetsDrainingHandlersPublish(t *testing.T) {
	tr, sq := fakeTransport(t, awsbus.Config{ConsumerConfig: awsbus.ConsumerConfig{ShutdownTimeout: time.Minute}})
	sub, err := tr.Subscriber("orders.fifo")
	require.NoError(t, err)
	msgs, err := sub.Subscribe(context.Background(), "orders.fifo")
	require.NoError(t, err)
	pub, err := tr.Publisher("orders.fifo")
	require.NoError(t, err)
	require.NoError(t, pub.Publish("orders.fifo", command("first", "o-1")))
	got := next(t, msgs)
	t.Cleanup(func() { got.Ack() }) // should the test stop early, Close need not wait a minute

	closed := make(chan error, 1)
	go func() { closed <- tr.Close() }()
	waitClosing(t, sub, "orders.fifo") // Close is now draining the subscriber
	published := make(chan error, 1)
	go func() { published <- pub.Publish("orders.fifo", command("follow-up", "o-2")) }()
	select {
	case err := <-published:
		require.NoError(t, err)
	case <-time.After(waitFor):
		got.Ack() // lets Close finish
		t.Fatal("Publish blocked while Close drained the subscriber")
	}
	got.Ack()
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(waitFor):
		t.Fatal("Close did not return after the ack")
	}

	left := sq.Messages(sq.QueueURL("orders.fifo"))
	require.Len(t, left, 1, "the handled message was acked during the drain, not released")
	assert.Contains(t, left[0].Attributes[sourceflow.MetaEnvelope], `"sf_id":"follow-up"`)
}

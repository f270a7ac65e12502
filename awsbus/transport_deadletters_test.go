package awsbus_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

var _ metrics.DeadLetterSource = (*awsbus.Transport)(nil)

// A permanent failure is copied to the dead-letter queue and counted under
// the destination it was consumed from; the count belongs to the transport,
// so a subscriber made after the first one closed adds to it.
func TestTransport_CountsDeadLettersByDestination(t *testing.T) {
	tr := boundTransport(t, awsbus.Config{})
	assert.Empty(t, tr.DeadLettersByDestination(), "nothing dead-lettered yet")

	failOne(t, tr, "o-1")
	require.Eventually(t, func() bool { return tr.DeadLettersByDestination()["orders.fifo"] == 1 },
		5*time.Second, 10*time.Millisecond)
	failOne(t, tr, "o-2")
	require.Eventually(t, func() bool { return tr.DeadLettersByDestination()["orders.fifo"] == 2 },
		5*time.Second, 10*time.Millisecond)
	assert.Equal(t, map[string]int64{"orders.fifo": 2}, tr.DeadLettersByDestination())
}

// failOne subscribes to orders.fifo with a new subscriber, publishes one
// command for entity and nacks it as a permanent failure, then closes the
// subscriber, which settles the message first.
func failOne(t *testing.T, tr *awsbus.Transport, entity string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sub, err := tr.Subscriber("orders.fifo")
	require.NoError(t, err)
	msgs, err := sub.Subscribe(ctx, "orders.fifo")
	require.NoError(t, err)
	pub, err := tr.Publisher("orders.fifo")
	require.NoError(t, err)
	m := message.NewMessage(watermill.NewUUID(), []byte(`{}`))
	m.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
	m.Metadata.Set(sourceflow.MetaEntityID, entity)
	m.Metadata.Set(sourceflow.MetaMessageID, m.UUID)
	require.NoError(t, pub.Publish("orders.fifo", m))
	select {
	case got := <-msgs:
		got.Metadata.Set(sourceflow.MetaFailure, "refused for good")
		got.Nack()
	case <-ctx.Done():
		t.Fatal("message not received")
	}
	require.NoError(t, sub.Close())
}

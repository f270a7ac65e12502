package awsbus_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
)

// MaxConcurrentCalls reaches the transport's subscriber: with a bound of 3,
// a fourth message is handed out only once one of the first three is acked.
func TestTransport_MaxConcurrentCallsBoundsUnackedMessages(t *testing.T) {
	tr := boundTransport(t, awsbus.Config{ConsumerConfig: awsbus.ConsumerConfig{MaxConcurrentCalls: 3}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sub, err := tr.Subscriber("orders.fifo")
	require.NoError(t, err)
	msgs, err := sub.Subscribe(ctx, "orders.fifo")
	require.NoError(t, err)
	pub, err := tr.Publisher("orders.fifo")
	require.NoError(t, err)
	for i := range 8 {
		m := message.NewMessage(fmt.Sprintf("00000000-0000-4000-8000-%012d", i), []byte(`{}`))
		m.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
		m.Metadata.Set(sourceflow.MetaEntityID, fmt.Sprintf("o-%d", i)) // one group each
		require.NoError(t, pub.Publish("orders.fifo", m))
	}

	var held []*message.Message
	for range 3 {
		select {
		case m := <-msgs:
			held = append(held, m)
		case <-ctx.Done():
			t.Fatal("the first three messages did not arrive")
		}
	}
	select {
	case m := <-msgs:
		t.Fatalf("a fourth message %s arrived while three were unacked", m.UUID)
	case <-time.After(1500 * time.Millisecond): // more than one long poll of the fake
	}
	held[0].Ack()
	select {
	case m := <-msgs:
		m.Ack()
	case <-ctx.Done():
		t.Fatal("no message arrived after an ack freed a slot")
	}
	for _, m := range held[1:] {
		m.Ack()
	}
}

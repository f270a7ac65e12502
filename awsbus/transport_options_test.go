package awsbus_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
)

// slotSQS checks, on every ReceiveMessage, that the subscriber asks for no
// more messages than it has free slots: the messages it received and the
// test has not acked, plus the ones it asks for, stay within limit.
type slotSQS struct {
	awsbus.SQSAPI
	limit int

	mu         sync.Mutex
	received   int
	acked      int
	violations []string
}

func (s *slotSQS) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, o ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	s.mu.Lock()
	if held := s.received - s.acked; held+int(in.MaxNumberOfMessages) > s.limit {
		s.violations = append(s.violations, fmt.Sprintf("asked for %d messages while holding %d", in.MaxNumberOfMessages, held))
	}
	s.mu.Unlock()
	out, err := s.SQSAPI.ReceiveMessage(ctx, in, o...)
	if err == nil {
		s.mu.Lock()
		s.received += len(out.Messages)
		s.mu.Unlock()
	}
	return out, err
}

// ack counts m as acked, then acks it: the count never lags the slot the
// ack frees.
func (s *slotSQS) ack(m *message.Message) {
	s.mu.Lock()
	s.acked++
	s.mu.Unlock()
	m.Ack()
}

func (s *slotSQS) report() (received int, violations []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.received, append([]string(nil), s.violations...)
}

// MaxConcurrentCalls reaches the transport's subscriber: with a bound of 3,
// it never receives a message it has no free slot for, so a fourth message
// is handed out only once one of the first three is acked. The bound is
// checked on every ReceiveMessage call, not by waiting for a message that
// must not come.
func TestTransport_MaxConcurrentCallsBoundsUnackedMessages(t *testing.T) {
	const limit = 3
	var slots *slotSQS
	tr, _ := fakeTransportOn(t, awsbus.Config{ConsumerConfig: awsbus.ConsumerConfig{MaxConcurrentCalls: limit}},
		func(inner awsbus.SQSAPI) awsbus.SQSAPI { slots = &slotSQS{SQSAPI: inner, limit: limit}; return slots })
	ctx, cancel := context.WithTimeout(context.Background(), 3*waitFor)
	defer cancel()
	sub, err := tr.Subscriber("orders.fifo")
	require.NoError(t, err)
	msgs, err := sub.Subscribe(ctx, "orders.fifo")
	require.NoError(t, err)
	pub, err := tr.Publisher("orders.fifo")
	require.NoError(t, err)
	const total = 8
	for i := range total {
		m := message.NewMessage(fmt.Sprintf("00000000-0000-4000-8000-%012d", i), []byte(`{}`))
		m.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
		m.Metadata.Set(sourceflow.MetaEntityID, fmt.Sprintf("o-%d", i)) // one group each
		require.NoError(t, pub.Publish("orders.fifo", m))
	}

	receive := func(what string) *message.Message {
		t.Helper()
		select {
		case m := <-msgs:
			return m
		case <-ctx.Done():
			t.Fatal(what)
			return nil
		}
	}
	var held []*message.Message
	for range limit {
		held = append(held, receive("the first three messages did not arrive"))
	}
	slots.ack(held[0])
	slots.ack(receive("no message arrived after an ack freed a slot"))
	for _, m := range held[1:] {
		slots.ack(m)
	}
	for range total - limit - 1 {
		slots.ack(receive("the rest did not arrive"))
	}
	require.NoError(t, tr.Close())

	received, violations := slots.report()
	assert.Equal(t, total, received)
	assert.Empty(t, violations, "the subscriber received more than MaxConcurrentCalls messages")
}

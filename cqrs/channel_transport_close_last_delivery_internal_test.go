package cqrs

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

type closingPay struct{}
type closingAccount struct{}

// lastDeliverySeen is middleware recording, for a failure, whether the
// delivery said it was the last (sourceflow.IsLastDelivery of the context
// the message arrived with and its metadata), as the tracing middleware
// reads it.
func lastDeliverySeen(failed, last *atomic.Int64) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			ctx := msg.Context()
			out, err := h(msg)
			if err != nil {
				failed.Add(1)
				if sourceflow.IsLastDelivery(ctx, msg.Metadata) {
					last.Add(1)
				}
			}
			return out, err
		}
	}
}

// A delivery that fails while ChannelTransport closes is dead-lettered
// (gochannel keeps nothing to deliver again) though it was not the last of
// MaxDeliveries; the consume pipeline is told it became the last, so the
// tracing middleware's span shows the dead letter as it does for others.
func TestChannelDeliveryFailingWhileClosingSaysItIsTheLast(t *testing.T) {
	tr, err := NewChannelTransport(ChannelConfig{MaxDeliveries: 5, RedeliveryDelay: time.Millisecond})
	require.NoError(t, err)
	var failed, last atomic.Int64
	svc, err := NewService(ServiceConfig{Name: "bank", Transport: tr, Listen: []string{"pay"},
		HandlerMiddleware: []message.HandlerMiddleware{lastDeliverySeen(&failed, &last)}})
	require.NoError(t, err)
	entered, release := make(chan struct{}), make(chan struct{})
	require.NoError(t, errors.Join(
		RegisterCommand[closingPay](svc, "bank.ClosingPay", "pay"),
		Handle(NewSaga[closingAccount](svc, "account"), func(context.Context, *closingAccount, closingPay, Envelope) ([]any, error) {
			close(entered)
			<-release
			return nil, errors.New("gateway down")
		}),
	))
	require.NoError(t, svc.Start(context.Background()))
	go func() { _, _ = NewAggregate(svc, "account").Send(context.Background(), "a1", closingPay{}) }()
	<-entered
	closed := make(chan error, 1)
	go func() { closed <- svc.Close() }()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		assert.Zero(c, tr.ready["pay"], "the subscription ended")
	}, 10*time.Second, time.Millisecond)
	close(release)
	require.NoError(t, <-closed)

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Equal(c, 1, tr.DeadLetterCount())
	}, 10*time.Second, time.Millisecond, "the failed delivery is dead-lettered")
	assert.Equal(t, int64(1), failed.Load(), "one delivery, which failed")
	assert.Equal(t, int64(1), last.Load(), "the failed delivery said it was the last")
	require.NoError(t, tr.Close())
}

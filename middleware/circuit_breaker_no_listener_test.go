package middleware_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/middleware"
)

// Commands sent in process before the service that listens to their
// destination started fail with cqrs.ErrNoListener, a wiring or start-order
// fault rather than a failing destination: they leave its circuit closed,
// so the first send after the listener started goes through instead of
// being refused for OpenTimeout.
func TestCircuitBreakerDoesNotCountSendsNobodyListensTo(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "orders", Routes: []sourceflow.Route{
		{Type: "orders.Place", Kind: sourceflow.KindCommand, Destination: "orders"},
	}}))
	transportPub, err := tr.Publisher("orders")
	require.NoError(t, err)
	b, pub := newBreaker(t, middleware.CircuitBreakerConfig{ConsecutiveFailures: 2, FailureRatio: 0.5, MinRequests: 2,
		OpenTimeout: time.Hour}, transportPub)

	for i := range 5 {
		err := publish(pub, "orders")
		require.ErrorIs(t, err, cqrs.ErrNoListener, "send %d reached the transport, no open circuit refused it", i+1)
		require.ErrorIs(t, err, sourceflow.ErrNoListener)
	}
	assert.Equal(t, sourceflow.CircuitClosed, b.State("orders"), "no send reached a listener, none failed at the destination")

	sub, err := tr.Subscriber("orders")
	require.NoError(t, err)
	msgs, err := sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	go ackAll(msgs)
	require.NoError(t, publish(pub, "orders"), "the first send after the listener started goes through")
	assert.Equal(t, sourceflow.CircuitClosed, b.State("orders"))
}

func ackAll(msgs <-chan *message.Message) {
	for m := range msgs {
		m.Ack()
	}
}

package cqrs_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// sawMarking is middleware recording whether the messages it passes say
// they are handled inside the mark of permanent failures.
func sawMarking(marked, seen *atomic.Int64) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			seen.Add(1)
			if sourceflow.FailuresMarked(msg.Context()) {
				marked.Add(1)
			}
			return h(msg)
		}
	}
}

// The service's HandlerMiddleware runs with a context saying its permanent
// failures are marked for the transport (sourceflow.FailuresMarked), as
// they are; router-level middleware added before Start, outside that
// mark, runs without it.
func TestHandlerMiddlewareKnowsItsFailuresAreMarked(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	router, err := message.NewRouter(message.RouterConfig{}, watermill.NopLogger{})
	require.NoError(t, err)
	var inRouter, inRouterSeen, inService, inServiceSeen atomic.Int64
	router.AddMiddleware(sawMarking(&inRouter, &inRouterSeen))
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "marked", Transport: tr, Listen: []string{"orders"}, Router: router,
		HandlerMiddleware: []message.HandlerMiddleware{sawMarking(&inService, &inServiceSeen)}})
	require.NoError(t, err)
	runOnRouter(t, svc, router)

	_, err = cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", CreateOrder{Amount: 1})
	require.NoError(t, err)

	require.Positive(t, inServiceSeen.Load(), "the command was handled")
	assert.Equal(t, inServiceSeen.Load(), inService.Load(), "the service's middleware runs inside the mark")
	require.Positive(t, inRouterSeen.Load())
	assert.Zero(t, inRouter.Load(), "router-level middleware runs outside it")
}

package cqrs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// refuse is middleware failing every message permanently, counting them.
func refuse(n *atomic.Int64) message.HandlerMiddleware {
	return func(message.HandlerFunc) message.HandlerFunc {
		return func(*message.Message) ([]*message.Message, error) {
			n.Add(1)
			return nil, sourceflow.Permanent(errors.New("refused by middleware"))
		}
	}
}

// countingDecorator counts what the publishers it decorates publish.
func countingDecorator(n *atomic.Int64) message.PublisherDecorator {
	return func(pub message.Publisher) (message.Publisher, error) {
		return countingPublisher{Publisher: pub, n: n}, nil
	}
}

// TestPipelinePlacement: the service's HandlerMiddleware runs inside the
// mark of permanent failures and its PublisherDecorators wrap its sends,
// while router-level middleware added before Start wraps the handlers from
// outside the mark (a permanent failure is redelivered) and the router's
// publisher decorators never see the service's sends.
func TestPipelinePlacement(t *testing.T) {
	for name, inRouter := range map[string]bool{"service": false, "router": true} {
		t.Run(name, func(t *testing.T) {
			tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{RedeliveryDelay: time.Millisecond, MaxDeliveries: 3})
			require.NoError(t, err)
			t.Cleanup(func() { _ = tr.Close() })
			router, err := message.NewRouter(message.RouterConfig{}, watermill.NopLogger{})
			require.NoError(t, err)
			var refused, published atomic.Int64
			cfg := cqrs.ServiceConfig{Name: "placed", Transport: tr, Listen: []string{"orders"}, Router: router}
			if inRouter {
				router.AddMiddleware(refuse(&refused))
				router.AddPublisherDecorators(countingDecorator(&published))
			} else {
				cfg.HandlerMiddleware = []message.HandlerMiddleware{refuse(&refused)}
				cfg.PublisherDecorators = []message.PublisherDecorator{countingDecorator(&published)}
			}
			svc, err := cqrs.NewService(cfg)
			require.NoError(t, err)
			runOnRouter(t, svc, router)

			_, err = cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", CreateOrder{Amount: 1})
			require.NoError(t, err)
			eventually(t, func() bool { return len(tr.DeadLetters()) == 1 }, "the refused command is dead-lettered")
			dead := tr.DeadLetters()[0]
			if inRouter {
				assert.GreaterOrEqual(t, refused.Load(), int64(2), "redelivered like an ordinary failure")
				assert.Contains(t, dead.Reason, "failed 3 deliveries")
				assert.Zero(t, published.Load(), "router publisher decorators do not wrap the service's sends")
				return
			}
			assert.Equal(t, "refused by middleware", dead.Reason, "dead-lettered at once as permanent")
			assert.Positive(t, published.Load(), "the service's decorators wrap its sends")
		})
	}
}

// runOnRouter registers the order types and the order saga on svc, starts
// it and runs router, its ServiceConfig.Router, closing both when the test
// ends.
func runOnRouter(t *testing.T, svc *cqrs.Service, router *message.Router) {
	t.Helper()
	registerOrderTypes(t, svc)
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), createOrder))
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { assert.NoError(t, svc.Close()) })
	go func() { _ = router.Run(context.Background()) }()
	t.Cleanup(func() { _ = router.Close() })
	<-router.Running()
}

package cqrs_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// runsHandlersLogger is a router's logger that runs the router's handlers
// as the middleware of handler is about to be added (its owner running the
// router while a service starts), and waits a while for the started
// handler to build its middleware chain (chainBuilt).
type runsHandlersLogger struct {
	watermill.NopLogger
	router     *message.Router
	handler    string
	chainBuilt chan struct{}
	once       sync.Once
	ran        chan error
}

func (l *runsHandlersLogger) Debug(msg string, fields watermill.LogFields) {
	if msg != "Adding middleware to handler" || fields["handlerName"] != l.handler {
		return
	}
	l.once.Do(func() {
		go func() { l.ran <- l.router.RunHandlers(context.Background()) }()
		select {
		case <-l.chainBuilt:
		case <-time.After(200 * time.Millisecond): // the handler waits for its middleware
		}
	})
}

func (l *runsHandlersLogger) With(watermill.LogFields) watermill.LoggerAdapter { return l }

// A shared router that its owner runs while a service starts does not run
// the service's handler before its middleware is added: the handler runs
// the service's pipeline, and the service's Close stops it at once rather
// than after its whole CloseTimeout.
func TestASharedRouterRunWhileAServiceStartsRunsItsHandlerWithItsMiddleware(t *testing.T) {
	logger := &runsHandlersLogger{handler: "audit/audit", chainBuilt: make(chan struct{}, 1), ran: make(chan error, 1)}
	router, err := message.NewRouter(message.RouterConfig{}, logger)
	require.NoError(t, err)
	logger.router = router
	router.AddMiddleware(func(h message.HandlerFunc) message.HandlerFunc {
		select {
		case logger.chainBuilt <- struct{}{}:
		default:
		}
		return h
	})
	ran := make(chan error, 1)
	go func() { ran <- router.Run(context.Background()) }()
	<-router.Running()
	t.Cleanup(func() {
		_ = router.Close()
		require.NoError(t, <-ran)
	})
	var noted, piped atomic.Int64
	svc := newNoteService(t, cqrs.ServiceConfig{Name: "audit", Transport: newTransport(t), Listen: []string{"audit"},
		Router: router, CloseTimeout: 20 * time.Second,
		HandlerMiddleware: []message.HandlerMiddleware{func(h message.HandlerFunc) message.HandlerFunc {
			return func(m *message.Message) ([]*message.Message, error) {
				piped.Add(1)
				return h(m)
			}
		}},
	}, &noted)
	require.NoError(t, svc.Start(context.Background()))
	require.NoError(t, <-logger.ran)

	_, err = cqrs.NewAggregate(svc, "note").Send(context.Background(), "n-1", CreateOrder{})
	require.NoError(t, err)
	assert.Equal(t, int64(1), noted.Load(), "the command was handled")
	assert.Equal(t, int64(1), piped.Load(), "the handler ran the service's middleware")
	began := time.Now()
	require.NoError(t, svc.Close())
	assert.Less(t, time.Since(began), 10*time.Second, "Close waited for a handler it could not stop")
}

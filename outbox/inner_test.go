package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// Inner returns the transport the outbox is in front of.
func TestInnerIsTheTransportInFront(t *testing.T) {
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	box, err := outbox.New(outbox.Config{DB: fakeDB("").Open(t), Dialect: sourceflow.Postgres, Transport: inner})
	require.NoError(t, err)
	assert.Same(t, inner, box.Inner())
}

// A Close whose router gives up on a handler before the inner transport's
// longer CloseTimeout names that bound through the outbox, as it does
// without it: the error tells the whole wait, not the service's alone.
func TestACloseWhoseRouterTimesOutNamesTheInnerTransportsLongerBound(t *testing.T) {
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{CloseTimeout: 300 * time.Millisecond})
	require.NoError(t, err)
	box, err := outbox.New(outbox.Config{DB: fakeDB("").Open(t), Dialect: sourceflow.Postgres, Transport: inner, DisableForwarder: true})
	require.NoError(t, err)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "slow", Transport: box, Listen: []string{ordersDest}, CloseTimeout: 10 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[PlaceOrder](svc, "outboxtest.PlaceOrder", ordersDest))
	running, ended := make(chan struct{}, 1), make(chan struct{})
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[order](svc, "order"), func(ctx context.Context, _ *order, _ PlaceOrder, _ cqrs.Envelope) ([]any, error) {
		select {
		case running <- struct{}{}:
			<-ctx.Done() // outlives the service's bound, ends with the transport's
			close(ended)
		default: // a later delivery
		}
		return nil, ctx.Err()
	}))
	require.NoError(t, sqldbtest.Within(t, "Start", func() error { return svc.Start(context.Background()) }))
	sent := make(chan error, 1)
	go func() {
		_, err := svc.CommandBus().Send(context.Background(), "o-1", PlaceOrder{OrderID: "o-1"})
		sent <- err
	}()
	<-running
	err = svc.Close()
	require.ErrorContains(t, err, `handlers, or their subscriptions settling their messages, still running after ServiceConfig.CloseTimeout 10ms; `+
		`closing its subscriptions waits for them until the transport's ChannelConfig.CloseTimeout 300ms after the close began`)
	<-ended // the inner transport's bound ended the handler's context
	<-sent
	require.NoError(t, sqldbtest.Within(t, "Close", box.Close))
}

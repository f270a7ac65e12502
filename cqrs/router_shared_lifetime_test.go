package cqrs_test

import (
	"context"
	"errors"
	"fmt"
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

// TestASharedRouterStaysOpenWhenItsLastServiceCloses: Watermill closes a
// router once every handler it ran stopped, but a ServiceConfig.Router
// closes only when its owner closes it: after the only service on it
// closed, the router is still open and the next service started on it
// handles what it is sent. The owner's Close then closes it.
func TestASharedRouterStaysOpenWhenItsLastServiceCloses(t *testing.T) {
	router, err := message.NewRouter(message.RouterConfig{}, watermill.NopLogger{})
	require.NoError(t, err)
	ran := make(chan error, 1)
	go func() { ran <- router.Run(context.Background()) }()
	<-router.Running()
	tr := newTransport(t)
	for i := range 3 {
		var noted atomic.Int64
		svc, err := startTenant(router, tr, i, &noted)
		require.NoError(t, err)
		require.EqualValues(t, 1, noted.Load(), "tenant %d handled its command", i)
		require.NoError(t, svc.Close())
		require.Never(t, router.IsClosed, 100*time.Millisecond, time.Millisecond,
			"the router closed itself when tenant %d, the only service on it, closed", i)
	}
	require.NoError(t, router.Close())
	require.NoError(t, <-ran)
}

// TestServicesComeAndGoConcurrentlyOnASharedRouter: services are created,
// started, sent a command and closed concurrently on one shared router, a
// few dozen in all, without the router closing itself (Watermill would
// otherwise close it whenever no service was on it, and panic in its own
// goroutine when a Start added a handler as it did: run with -race).
// Services still open when the owner closes the router close cleanly.
func TestServicesComeAndGoConcurrentlyOnASharedRouter(t *testing.T) {
	router, err := message.NewRouter(message.RouterConfig{}, watermill.NopLogger{})
	require.NoError(t, err)
	ran := make(chan error, 1)
	go func() { ran <- router.Run(context.Background()) }()
	<-router.Running()
	tr := newTransport(t)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 8 {
				var noted atomic.Int64
				svc, err := startTenant(router, tr, w*100+i, &noted)
				if !assert.NoError(t, err) {
					if svc != nil {
						_ = svc.Close()
					}
					return
				}
				assert.EqualValues(t, 1, noted.Load())
				assert.NoError(t, svc.Close())
			}
		})
	}
	wg.Wait()
	assert.False(t, router.IsClosed(), "the router closed itself")
	var noted atomic.Int64
	open, err := startTenant(router, tr, 999, &noted)
	require.NoError(t, err)
	require.NoError(t, router.Close())
	require.NoError(t, <-ran)
	require.NoError(t, open.Close(), "a service closes after its router did")
}

// startTenant starts, in router, a service named after i that listens to a
// destination of its own, sends it one command and returns once it was
// handled (the transport is synchronous), counted in noted.
func startTenant(router *message.Router, tr cqrs.Transport, i int, noted *atomic.Int64) (*cqrs.Service, error) {
	name := fmt.Sprintf("tenant-%d", i)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: name, Transport: tr, Router: router, Listen: []string{name}})
	if err != nil {
		return nil, err
	}
	err = errors.Join(
		cqrs.RegisterCommand[CreateOrder](svc, "tenant.Note", name),
		cqrs.Handle(cqrs.NewSaga[Order](svc, "note"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
			noted.Add(1)
			return nil, nil
		}))
	if err == nil {
		err = svc.Start(context.Background())
	}
	if err == nil {
		_, err = cqrs.NewAggregate(svc, "note").Send(context.Background(), "n-1", CreateOrder{})
	}
	return svc, err
}

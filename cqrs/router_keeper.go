package cqrs

import (
	"context"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
)

// routerKeeperName names the handler that keeps a shared router open (see
// keepRouterOpen). It has no "/", so no service's handler
// ("<Name>/<destination>") takes it.
const routerKeeperName = "sourceflow-cqrs-router-keeper"

// keepRouterOpen adds to router, a ServiceConfig.Router that services
// start their handlers in, a handler that receives nothing and ends only
// when the router closes (or the context the router runs it with ends).
// Watermill closes a router once every handler it ran stopped (its
// watchAllHandlersStopped waits for the handlers' WaitGroup), so without it
// the close of the last service on the router would close the router, and
// a Start adding a handler (WaitGroup.Add) as that Wait returns would panic
// in Watermill's goroutine. The caller holds the router's lock (see
// routerLocks) and adds it once per router, before the first service's
// handlers.
func keepRouterOpen(router *message.Router) {
	router.AddConsumerHandler(routerKeeperName, "", &routerKeeper{closed: make(chan struct{})},
		func(*message.Message) error { return nil })
}

// routerKeeper is the subscriber of the handler keepRouterOpen adds: its
// subscription delivers nothing and ends when the router closes it or the
// subscription's context ends.
type routerKeeper struct {
	closed chan struct{}
	once   sync.Once
}

func (k *routerKeeper) Subscribe(ctx context.Context, _ string) (<-chan *message.Message, error) {
	ch := make(chan *message.Message)
	go func() {
		defer close(ch)
		select {
		case <-k.closed:
		case <-ctx.Done():
		}
	}()
	return ch, nil
}

func (k *routerKeeper) Close() error {
	k.once.Do(func() { close(k.closed) })
	return nil
}

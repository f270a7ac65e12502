package cqrs_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
	"weak"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// soakCycles is how many times the churn tests start and close a service.
const soakCycles = 200

// churnTransports build a fresh transport per cycle, and close it.
var churnTransports = map[string]func(t *testing.T) (cqrs.Transport, func()){
	"ChannelTransport": func(t *testing.T) (cqrs.Transport, func()) {
		tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{RedeliveryDelay: time.Millisecond})
		require.NoError(t, err)
		return tr, func() { _ = tr.Close() }
	},
	"PubSubTransport/gochannel": func(t *testing.T) (cqrs.Transport, func()) {
		gc := gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: 16}, watermill.NopLogger{})
		tr, err := cqrs.NewPubSubTransport(cqrs.PubSubConfig{Publisher: gc, RedeliveryDelay: time.Millisecond,
			Capabilities: cqrs.Capabilities{ConsumerGroups: true},
			Subscriber:   func(string, string) (message.Subscriber, error) { return gc, nil }})
		require.NoError(t, err)
		return tr, func() { _ = tr.Close(); _ = gc.Close() }
	},
}

// churnCycle starts a service on tr, has it handle one event and closes it.
func churnCycle(t *testing.T, tr cqrs.Transport, router *message.Router, i int) {
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "churn", Transport: tr, Router: router, Listen: []string{"order-events"}})
	require.NoError(t, err)
	registerOrderTypes(t, svc)
	var handled atomic.Int64
	require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "a"), func(context.Context, *cqrs.Aggregate, OrderCreated, cqrs.Envelope) error {
		handled.Add(1)
		return nil
	}))
	require.NoError(t, svc.Start(context.Background()))
	if router != nil {
		go func() { _ = router.Run(context.Background()) }()
		<-router.Running()
	}
	_, err = svc.EventQueue().Raise(context.Background(), "o-1", OrderCreated{OrderID: "o-1", Amount: i})
	require.NoError(t, err)
	eventually(t, func() bool { return handled.Load() >= 1 }, "the event was handled")
	require.NoError(t, svc.Close())
}

// Starting and closing a service, with its transport, many times in one
// process leaves no goroutine behind: a process that reconfigures itself
// for weeks does not grow.
func TestSoakServiceChurnLeavesNoGoroutines(t *testing.T) {
	for name, newTr := range churnTransports {
		t.Run(name, func(t *testing.T) {
			tr, closeTr := newTr(t)
			churnCycle(t, tr, nil, 0) // warm up the lazily started package state
			closeTr()
			base := runtime.NumGoroutine()
			for i := range soakCycles {
				tr, closeTr := newTr(t)
				churnCycle(t, tr, nil, i)
				closeTr()
			}
			require.EventuallyWithT(t, func(c *assert.CollectT) {
				assert.LessOrEqual(c, runtime.NumGoroutine(), base+5, "goroutines after %d cycles", soakCycles)
			}, 10*time.Second, 10*time.Millisecond)
		})
	}
}

// A router a program gave its services (ServiceConfig.Router) is released
// once the program closed them and dropped it: a process that builds a
// router per reconfiguration does not keep every router, with its handlers
// and their subscribers, for its whole life.
func TestSoakClosedRouterIsReleased(t *testing.T) {
	tr, closeTr := churnTransports["ChannelTransport"](t)
	defer closeTr()
	refs := make([]weak.Pointer[message.Router], 0, 20)
	for i := range 20 {
		router, err := message.NewRouter(message.RouterConfig{}, watermill.NopLogger{})
		require.NoError(t, err)
		churnCycle(t, tr, router, i)
		require.NoError(t, router.Close())
		refs = append(refs, weak.Make(router))
	}
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		runtime.GC()
		live := 0
		for _, r := range refs {
			if r.Value() != nil {
				live++
			}
		}
		assert.Zero(c, live, "routers of closed services still reachable")
	}, 5*time.Second, 20*time.Millisecond)
}

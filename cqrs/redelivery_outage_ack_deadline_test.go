package cqrs_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// On sqlbus (AckDeadline 30s by default) the bus may stay up while the
// service's own store is down (a store on another database, or DynamoDB).
// PubSubConfig.MaxDeliveries and the README promise that such failures do
// not count for up to StoreOutageWait (10 minutes) from the message's
// first one; a 5-minute outage is well within it, so the message must not
// be dead-lettered and must be handled once the store is back.
func TestAStoreOutageWithinStoreOutageWaitOnSQLBusIsNotDeadLettered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const outage = 5 * time.Minute
		rig := newPubSubRig(t)
		dlq := rig.deadLetters(t, "orders-dlq")
		sub := &deadlineSubscriber{proto: rawCommandID("k-1", "orders.CreateOrder", "o-1", `{"amount":1}`),
			ackDeadline: 30 * time.Second}
		until := time.Now().Add(outage)
		var mu sync.Mutex
		handled := false
		gate := func(h message.HandlerFunc) message.HandlerFunc {
			return func(msg *message.Message) ([]*message.Message, error) {
				if time.Now().Before(until) {
					return nil, refusedConnection
				}
				out, err := h(msg)
				if err == nil {
					mu.Lock()
					handled = true
					mu.Unlock()
				}
				return out, err
			}
		}
		tr, err := cqrs.NewPubSubTransport(cqrs.PubSubConfig{Publisher: rig,
			Subscriber:   func(string, string) (message.Subscriber, error) { return sub, nil },
			Capabilities: cqrs.Capabilities{ConsumerGroups: true}})
		require.NoError(t, err)
		app := newOrderApp(t, cqrs.ServiceConfig{Transport: tr,
			Hooks: cqrs.Hooks{CommandSubscribe: []message.HandlerMiddleware{gate}}})
		require.NoError(t, app.svc.Start(context.Background()))
		done := func() bool {
			mu.Lock()
			defer mu.Unlock()
			return handled || len(dlq.all()) > 0
		}
		for !done() && time.Since(until) < time.Minute {
			time.Sleep(time.Second) // fake time
		}
		require.NoError(t, app.svc.Close())
		if d := dlq.all(); len(d) > 0 {
			t.Errorf("dead-lettered within StoreOutageWait: %s", d[0].Metadata.Get(sourceflow.MetaFailure))
		}
		assert.True(t, handled, "handled once the store is back")
	})
}

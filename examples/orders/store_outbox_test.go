package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// countingOutbox stands for a store's outbox that counts its dead letters.
type countingOutbox struct {
	cqrs.Transport
	service string
}

func (o countingOutbox) DeadLettersByDestination() map[string]int64 {
	return map[string]int64{o.service: 1}
}

// outboxBackend stands for a store whose Configure puts a counting outbox
// in front of the service's transport.
type outboxBackend struct{ backend }

func (outboxBackend) Configure(_ context.Context, cfg *cqrs.ServiceConfig) error {
	cfg.Transport = countingOutbox{Transport: cfg.Transport, service: cfg.Name}
	return nil
}

// Each service's metrics read the dead letters of its outbox besides those
// of its inner transport.
func TestOutboxDeadLettersJoinTheServicesMetrics(t *testing.T) {
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = inner.Close() })
	tr := &transports{
		orders:   wiring{transport: inner, deadLetters: []metrics.DeadLetterSource{inner}},
		payments: wiring{transport: inner},
	}
	s := &stores{backend: outboxBackend{}}
	require.NoError(t, s.configureAll(context.Background(), tr))
	require.Len(t, tr.orders.deadLetters, 2)
	assert.Equal(t, inner, tr.orders.deadLetters[0])
	assert.Equal(t, map[string]int64{"orders": 1}, tr.orders.deadLetters[1].DeadLettersByDestination())
	require.Len(t, tr.payments.deadLetters, 1)
	assert.Equal(t, map[string]int64{"payments": 1}, tr.payments.deadLetters[0].DeadLettersByDestination())
	assert.Equal(t, tr.orders.transport, tr.orders.base.Transport, "the orders service would not send through its outbox")
}

// Without a shared store the services keep their own stores in memory:
// configureAll leaves their store fields unset and their transports as they
// are.
func TestMemoryStoresLeaveTheServicesAlone(t *testing.T) {
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = inner.Close() })
	tr := &transports{orders: wiring{transport: inner}, payments: wiring{transport: inner}}
	require.NoError(t, (&stores{kind: "memory"}).configureAll(context.Background(), tr))
	for _, w := range []wiring{tr.orders, tr.payments} {
		assert.Equal(t, inner, w.transport)
		assert.Len(t, cqrstest.UnsetStores(w.base), 3)
		assert.Empty(t, w.deadLetters)
	}
}

package cqrs_test

import (
	"context"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A service built with the default stores that sends commands for weeks
// does not keep every command it ever sent in memory: the retained heap
// stays bounded whatever the number of commands to one entity.
func TestSoakDefaultCommandStoreIsBounded(t *testing.T) {
	svc := newService(t, newTransport(t), "orders", "orders")
	var handled atomic.Int64
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(_ context.Context, o *Order, c CreateOrder, _ cqrs.Envelope) ([]any, error) {
		o.Commands++
		handled.Add(1)
		return nil, nil
	}))
	start(t, svc)
	customer := strings.Repeat("c", 512) // a command of about half a kilobyte
	send := func(from, to int) {
		for i := from; i < to; i++ {
			_, err := svc.CommandBus().Send(context.Background(), "customer-1", CreateOrder{Customer: customer, Amount: i})
			require.NoError(t, err)
		}
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			assert.EqualValues(c, to, handled.Load())
		}, 30*time.Second, 5*time.Millisecond)
	}
	send(0, 1000)
	before := retainedHeap()
	send(1000, 21_000)
	grown := int64(retainedHeap()) - int64(before)
	t.Logf("retained heap grew %d bytes over 20000 commands (%d per command)", grown, grown/20_000)
	assert.Less(t, grown, int64(1<<20), "retained heap grows with every command sent")
}

func retainedHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

package outbox_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// Concurrent transactions writing into one outbox commit in any order; on
// MySQL a row committed after a later one was forwarded would be skipped
// by the forwarder's offset. Every committed command must still arrive,
// while the forwarder prunes the rows it forwarded as often as it can, and
// once all arrived the outbox holds only the last forwarded row.
func TestConcurrentWritersLoseNothing(t *testing.T) {
	const writers, perWriter = 8, 60
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		topic := uniqueName("obc")
		d.dropOutbox(t, db, topic)
		h := newHarness(t, d, db, topic, nil, func(b *outbox.Transport) { outbox.SetPruneInterval(b, time.Millisecond) })
		var mu sync.Mutex
		var sent []cqrs.Envelope
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range perWriter {
					id := fmt.Sprintf("o-%d-%d", w, i)
					var env cqrs.Envelope
					err := h.store.WithinTx(context.Background(), func(ctx context.Context) error {
						var err error
						env, err = h.orders.Send(ctx, id, PlaceOrder{OrderID: id})
						return err
					})
					if !assert.NoError(t, err, id) {
						return
					}
					mu.Lock()
					sent = append(sent, env)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		require.Len(t, sent, writers*perWriter)
		missing := func() int {
			n := 0
			for _, env := range sent {
				if h.handled.count(env.MessageID) == 0 {
					n++
				}
			}
			return n
		}
		require.Eventually(t, func() bool { return missing() == 0 }, waitFor, 20*time.Millisecond,
			"every committed command is forwarded and handled")
		require.EventuallyWithT(t, func(c *assert.CollectT) { assert.Equal(c, 1, d.outboxRows(c, db, topic)) }, waitFor, 20*time.Millisecond,
			"the forwarder pruned every forwarded row but the last")
	})
}

package outbox_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// Sends of one command with one idempotency key made at once (a retry made
// while the first attempt was still under way, on another instance) each
// succeed with the one stored command, which is forwarded and handled once;
// no sequence number is skipped.
func TestConcurrentKeyedSendsThroughTheOutboxStoreOneCommand(t *testing.T) {
	const senders, rounds = 4, 8
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		topic := uniqueName("obk")
		d.dropOutbox(t, db, topic)
		h := newHarness(t, d, db, topic, nil)
		for i := range rounds {
			ctx := cqrs.ContextWithIdempotencyKey(context.Background(), "request-"+strconv.Itoa(i))
			envs := make([]cqrs.Envelope, senders)
			errs := make([]error, senders)
			var wg sync.WaitGroup
			for j := range senders {
				wg.Go(func() { envs[j], errs[j] = h.orders.Send(ctx, "o-k", PlaceOrder{OrderID: "o-k"}) })
			}
			wg.Wait()
			for j := range senders {
				require.NoError(t, errs[j], "round %d, sender %d", i, j)
				assert.Equal(t, envs[0].MessageID, envs[j].MessageID)
				assert.Equal(t, envs[0].Sequence, envs[j].Sequence)
			}
			require.Eventually(t, func() bool { return h.handled.count(envs[0].MessageID) == 1 },
				20*time.Second, 5*time.Millisecond, "round %d: the command is handled", i)
		}
		stream, err := h.store.Commands().Load(context.Background(), "o-k")
		require.NoError(t, err)
		require.Len(t, stream, rounds, "one command per key")
		for i, c := range stream {
			assert.Equal(t, int64(i+1), c.Envelope.Sequence, "no sequence number is skipped")
		}
	})
}

package outbox_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// RedriveWith with Where moves back only the dead letters it selects, shown with
// when they were dead-lettered and counting the redrive on the row; the
// others stay dead letters, in order, and a selection of none moves none.
func TestRedriveWithWhereMovesOnlyTheSelectedDeadLetters(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		h, inner, cfg := refusedOutbox(t, d)
		ctx := context.Background()
		ids := make([]string, 3)
		for i := range ids {
			require.NoError(t, h.store.WithinTx(ctx, func(ctx context.Context) error {
				env, err := h.orders.Send(ctx, fmt.Sprint("o-", i), PlaceOrder{OrderID: fmt.Sprint("o-", i)})
				ids[i] = env.MessageID
				return err
			}))
		}
		waitDeadLetters(t, cfg, len(ids))

		n, err := outbox.RedriveWith(ctx, cfg, cqrs.RedriveOptions{Where: func(*message.Message, time.Time) bool { return false }})
		require.NoError(t, err)
		assert.Zero(t, n, "a selection of none moves none")

		inner.closed.Store(false)
		var dated []time.Time
		n, err = outbox.RedriveWith(ctx, cfg, cqrs.RedriveOptions{Where: func(msg *message.Message, dead time.Time) bool {
			dated = append(dated, dead)
			return strings.Contains(string(msg.Payload), ids[1])
		}})
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		for _, at := range dated {
			assert.WithinDuration(t, time.Now(), at, time.Hour, "shown with when it was dead-lettered")
		}
		require.Eventually(t, func() bool { return h.handled.count(ids[1]) >= 1 }, waitFor, 10*time.Millisecond,
			"the selected command is handled")
		left := waitDeadLetters(t, cfg, 2)
		assert.Contains(t, string(left[0].Message.Payload), ids[0], "the others stay, in order")
		assert.Contains(t, string(left[1].Message.Payload), ids[2])
		assert.Zero(t, h.handled.count(ids[0]))
		assert.Empty(t, left[0].Message.Metadata.Get(sourceflow.MetaRedrives))
	})
}

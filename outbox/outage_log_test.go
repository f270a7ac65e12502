package outbox_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// During an outage of the inner transport the forwarder logs its first
// failed attempt, not every attempt after it, and once the inner transport
// recovers it logs the recovery with the number of failed attempts.
func TestALongOutageLogsItsFirstFailureAndItsRecoveryNotEveryAttempt(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		topic := uniqueName("obx")
		d.dropOutbox(t, db, topic)
		channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
		require.NoError(t, err)
		inner := &outageTransport{ChannelTransport: channel}
		inner.down.Store(true)
		logs := watermill.NewCaptureLogger()
		h := newHarness(t, d, db, topic, inner, func(box *outbox.Transport) { outbox.SetLogger(box, logs) })
		ctx := context.Background()
		var env cqrs.Envelope
		require.NoError(t, h.store.WithinTx(ctx, func(ctx context.Context) error {
			env, err = h.orders.Send(ctx, "o-1", PlaceOrder{OrderID: "o-1"})
			return err
		}))
		require.Eventually(t, func() bool { return inner.attempts.Load() >= 4 }, waitFor, 10*time.Millisecond,
			"the forwarder tries the row again and again")
		failures := func() (n int) {
			for _, m := range logs.Captured()[watermill.ErrorLogLevel] {
				if m.Err != nil && strings.Contains(m.Err.Error(), "queue service unavailable") {
					n++
				}
			}
			return n
		}
		assert.Equal(t, 1, failures(), "only the first failed attempt is logged")

		inner.down.Store(false)
		require.Eventually(t, func() bool { return h.handled.count(env.MessageID) == 1 }, waitFor, 10*time.Millisecond,
			"the row is forwarded once the inner transport recovers")
		var recovered []watermill.CapturedMessage
		require.Eventually(t, func() bool {
			recovered = recovered[:0]
			for _, m := range logs.Captured()[watermill.InfoLogLevel] {
				if strings.Contains(m.Msg, "forwarding resumed") {
					recovered = append(recovered, m)
				}
			}
			return len(recovered) > 0
		}, waitFor, 10*time.Millisecond, "the recovery is logged")
		require.Len(t, recovered, 1)
		assert.GreaterOrEqual(t, recovered[0].Fields["failed_attempts"], 4)
		assert.Equal(t, 1, failures())
	})
}

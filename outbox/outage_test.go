package outbox_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// outageTransport is a ChannelTransport whose publishes all fail,
// transiently, while down is set (an outage of the queue service);
// attempts counts the failed ones.
type outageTransport struct {
	*cqrs.ChannelTransport
	down     atomic.Bool
	attempts atomic.Int64
}

func (o *outageTransport) Publisher(destination string) (message.Publisher, error) {
	pub, err := o.ChannelTransport.Publisher(destination)
	return outagePublisher{Publisher: pub, t: o}, err
}

type outagePublisher struct {
	message.Publisher
	t *outageTransport
}

func (p outagePublisher) Publish(topic string, msgs ...*message.Message) error {
	if p.t.down.Load() {
		p.t.attempts.Add(1)
		return errors.New("queue service unavailable")
	}
	return p.Publisher.Publish(topic, msgs...)
}

// outageBound is how soon another outbox on the database forwards a message
// while one outbox's inner transport is down. A forwarder that kept its
// poll's transaction open between attempts would hold it for watermill-sql's
// ack deadline (30s), and on PostgreSQL no other reader sees newer rows
// meanwhile.
const outageBound = 20 * time.Second

// While an outbox's inner transport fails every publish, its forwarder
// holds a poll's transaction for one attempt at a time and waits between
// attempts outside it, so another outbox's forwarder on the same database
// (a reader that, on PostgreSQL, sees only rows of transactions older than
// every open one) keeps forwarding. The failing rows are tried again and
// again, never dropped, and forwarded once the inner transport recovers.
func TestAnOutageOfOneInnerTransportDoesNotHoldUpOtherReaders(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		failingTopic, healthyTopic := uniqueName("obx"), uniqueName("obx")
		d.dropOutbox(t, db, failingTopic)
		d.dropOutbox(t, db, healthyTopic)
		channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
		require.NoError(t, err)
		inner := &outageTransport{ChannelTransport: channel}
		inner.down.Store(true)
		failing := newHarness(t, d, db, failingTopic, inner)
		healthy := newHarness(t, d, db, healthyTopic, nil)
		ctx := context.Background()
		send := func(h *harness, id string) cqrs.Envelope {
			var env cqrs.Envelope
			require.NoError(t, h.store.WithinTx(ctx, func(ctx context.Context) error {
				var err error
				env, err = h.orders.Send(ctx, id, PlaceOrder{OrderID: id})
				return err
			}))
			return env
		}

		stuck := send(failing, "o-stuck")
		require.Eventually(t, func() bool { return inner.attempts.Load() >= 1 }, waitFor, 10*time.Millisecond,
			"the failing forwarder tries the row")
		behind := send(failing, "o-behind")

		start := time.Now()
		during := send(healthy, "o-during")
		require.Eventually(t, func() bool { return healthy.handled.count(during.MessageID) == 1 }, outageBound, 10*time.Millisecond,
			"the other outbox forwards while the inner transport is down")
		t.Logf("forwarded by the other outbox in %v, after %d failed attempts", time.Since(start), inner.attempts.Load())

		tried := inner.attempts.Load()
		require.Eventually(t, func() bool { return inner.attempts.Load() > tried }, waitFor, 10*time.Millisecond,
			"the failing row is tried again")
		assert.Zero(t, failing.handled.count(stuck.MessageID), "nothing is forwarded during the outage")
		assert.Zero(t, failing.handled.count(behind.MessageID), "the row behind waits")

		inner.down.Store(false)
		require.Eventually(t, func() bool {
			return failing.handled.count(stuck.MessageID) == 1 && failing.handled.count(behind.MessageID) == 1
		}, waitFor, 10*time.Millisecond, "the failed rows are forwarded once the inner transport recovers")
		require.EventuallyWithT(t, func(c *assert.CollectT) { assert.True(c, d.forwardedAll(c, db, failingTopic)) }, waitFor, 10*time.Millisecond)
	})
}

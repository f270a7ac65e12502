package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// flakyTransport is a ChannelTransport whose publishes fail transiently a
// number of times first, which refuses a publisher of "later" transiently
// a number of times first (as an instance of an older version that does
// not know the destination yet), and which refuses "nowhere" permanently,
// and every publish while closed is set.
type flakyTransport struct {
	*cqrs.ChannelTransport
	refusals, failures atomic.Int64
	closed             atomic.Bool
}

func (f *flakyTransport) Publisher(destination string) (message.Publisher, error) {
	if destination == "nowhere" {
		return nil, sourceflow.Permanent(fmt.Errorf("destination %q is refused", destination))
	}
	if destination == "later" && f.refusals.Add(-1) >= 0 {
		return nil, fmt.Errorf("%w: destination %q is not known yet", cqrs.ErrNotBound, destination)
	}
	pub, err := f.ChannelTransport.Publisher(destination)
	return flakyPublisher{Publisher: pub, t: f}, err
}

type flakyPublisher struct {
	message.Publisher
	t *flakyTransport
}

func (p flakyPublisher) Publish(topic string, msgs ...*message.Message) error {
	if p.t.closed.Load() {
		return sourceflow.Permanent(errors.New("destination refused"))
	}
	if p.t.failures.Add(-1) >= 0 {
		return errors.New("broker unavailable")
	}
	return p.Publisher.Publish(topic, msgs...)
}

// Rows the forwarder can never deliver are dead-lettered with their reason
// and payload, and the commands behind them still flow; a transient failure
// to publish, or to get a publisher of the destination (an instance of an
// older version that does not know it), is retried across deliveries, and
// never dead-lettered.
func TestUndeliverableRowsAreDeadLetteredAndTheRestFlows(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		topic := uniqueName("obx")
		d.dropOutbox(t, db, topic)
		channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
		require.NoError(t, err)
		inner := &flakyTransport{ChannelTransport: channel}
		// Each delivery makes one attempt: the row that fails is read again
		// by later polls, not dead-lettered.
		h := newHarness(t, d, db, topic, inner)
		ctx := context.Background()

		bad := []struct{ uuid, payload, metadata, reason string }{
			{"bad-payload", `"plain text"`, `{}`, "payload is not a forwarder envelope"},
			{"no-destination", `{"uuid":"m-1","payload":"e30="}`, `{}`, "envelope has no destination_topic"},
			{"bad-metadata", `{"destination_topic":"outbox-orders","uuid":"m-2","payload":"e30="}`, `{"n":1}`, "metadata column"},
			{"refused-destination", `{"destination_topic":"nowhere","uuid":"m-3","payload":"e30="}`, `{}`, `no publisher for destination "nowhere"`},
		}
		inner.refusals.Store(2)
		for _, b := range bad {
			d.insertRow(t, db, topic, b.uuid, b.payload, b.metadata)
		}
		d.insertRow(t, db, topic, "later", `{"destination_topic":"later","uuid":"m-4","payload":"e30="}`, `{}`)
		inner.failures.Store(3)
		var good cqrs.Envelope
		require.NoError(t, h.store.WithinTx(ctx, func(ctx context.Context) error {
			good, err = h.orders.Send(ctx, "o-good", PlaceOrder{OrderID: "o-good"})
			return err
		}))

		require.Eventually(t, func() bool { return h.handled.count(good.MessageID) == 1 }, waitFor, 10*time.Millisecond,
			"the command behind the bad rows is forwarded, after its transient failures")
		assert.LessOrEqual(t, inner.refusals.Load(), int64(0), "the transient refusals happened")
		assert.LessOrEqual(t, inner.failures.Load(), int64(0), "the transient failures happened")
		var letters []cqrs.DeadLetter
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			var err error
			letters, _, err = outbox.DeadLetters(ctx, outbox.Config{DB: db, Dialect: d.dialect, Topic: topic}, outbox.DeadLetterQuery{Max: 1000})
			require.NoError(c, err)
			assert.Len(c, letters, len(bad))
		}, waitFor, 10*time.Millisecond)
		for i, b := range bad {
			assert.Equal(t, b.uuid, letters[i].Message.UUID)
			assert.Contains(t, letters[i].Reason, b.reason)
			assert.JSONEq(t, b.payload, string(letters[i].Message.Payload))
			assert.Equal(t, topic, letters[i].Destination)
		}

		head, more, err := outbox.DeadLetters(ctx, outbox.Config{DB: db, Dialect: d.dialect, Topic: topic},
			outbox.DeadLetterQuery{Max: 2, PayloadBytes: 5})
		require.NoError(t, err)
		require.Len(t, head, 2, "at most Max")
		assert.Equal(t, int64(len(bad)-2), more, "and the count of the rest")
		for i, dl := range head {
			assert.Equal(t, bad[i].uuid, dl.Message.UUID, "the oldest first")
			assert.Len(t, dl.Message.Payload, 5, "the start of the payload")
		}
	})
}

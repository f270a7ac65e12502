package outbox_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// fakeLimit is the size limit of fakePubSub and the MaxMessageBytes the
// adapter is given.
const fakeLimit = 4096

// fakePubSub is a gochannel Pub/Sub that, as SNS does, refuses a message
// over its limit with an error that does not say it is for good, and
// refuses so a message whose payload says "refused-for-good" too. It
// records the largest payload it was asked to publish.
type fakePubSub struct {
	*gochannel.GoChannel
	mu      sync.Mutex
	largest int
}

func (f *fakePubSub) Publish(topic string, msgs ...*message.Message) error {
	for _, m := range msgs {
		f.mu.Lock()
		f.largest = max(f.largest, len(m.Payload))
		f.mu.Unlock()
		if len(m.Payload) > fakeLimit || strings.Contains(string(m.Payload), "refused-for-good") {
			return errors.New("api error InvalidParameter: Invalid parameter: Message too long")
		}
	}
	return f.GoChannel.Publish(topic, msgs...)
}

func (f *fakePubSub) largestAsked() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.largest
}

// tooLongIsPermanent marks the Pub/Sub's "too long" refusal permanent, as
// the README's watermill-aws helper does.
type tooLongIsPermanent struct{ message.Publisher }

func (p tooLongIsPermanent) Publish(topic string, msgs ...*message.Message) error {
	err := p.Publisher.Publish(topic, msgs...)
	if err != nil && strings.Contains(err.Error(), "InvalidParameter") && strings.Contains(err.Error(), "too long") {
		return sourceflow.Permanent(err)
	}
	return err
}

// Behind the outbox, a PubSubTransport refuses a message over
// MaxMessageBytes before sending it, and passes on the Pub/Sub's refusal
// its publisher marks permanent: both rows are dead-lettered with the
// reason, and the command behind them, for the same destination, goes out
// instead of waiting behind them for ever.
func TestRowsThePubSubRefusesForGoodAreDeadLetteredAndTheRestFlows(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		topic := uniqueName("obx")
		d.dropOutbox(t, db, topic)
		fake := &fakePubSub{GoChannel: gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: 64, Persistent: true}, watermill.NopLogger{})}
		inner, err := cqrs.NewPubSubTransport(cqrs.PubSubConfig{
			Publisher:       tooLongIsPermanent{fake},
			Subscriber:      func(string, string) (message.Subscriber, error) { return fake, nil },
			Capabilities:    cqrs.Capabilities{ConsumerGroups: true},
			MaxMessageBytes: fakeLimit,
		})
		require.NoError(t, err)
		h := newHarness(t, d, db, topic, inner)
		ctx := context.Background()
		send := func(entity, orderID string) cqrs.Envelope {
			var env cqrs.Envelope
			require.NoError(t, h.store.WithinTx(ctx, func(ctx context.Context) error {
				env, err = h.orders.Send(ctx, entity, PlaceOrder{OrderID: orderID})
				return err
			}))
			return env
		}

		send("o-big", strings.Repeat("n", 2*fakeLimit))
		send("o-refused", "refused-for-good")
		good := send("o-good", "o-good")

		require.Eventually(t, func() bool { return h.handled.count(good.MessageID) == 1 }, waitFor, 10*time.Millisecond,
			"the command behind the refused ones is forwarded")
		var letters []cqrs.DeadLetter
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			letters, _, err = outbox.DeadLetters(ctx, outbox.Config{DB: db, Dialect: d.dialect, Topic: topic}, outbox.DeadLetterQuery{Max: 10})
			require.NoError(c, err)
			assert.Len(c, letters, 2)
		}, waitFor, 10*time.Millisecond, "both refused rows are dead-lettered")
		assert.Regexp(t, `forward to "outbox-orders": cqrs: nothing sent to "outbox-orders": sourceflow: message too large: `+
			`message \S+ is \d+ bytes, the Pub/Sub accepts at most 4096`, letters[0].Reason)
		assert.Contains(t, letters[1].Reason, "InvalidParameter: Invalid parameter: Message too long")
		assert.Equal(t, 1, h.handled.total(), "only the good command reached its handler")
		assert.Less(t, fake.largestAsked(), fakeLimit, "the oversize message never reached the Pub/Sub")
	})
}

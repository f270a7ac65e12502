package outbox

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/destgrace"
)

// refusingTransport gives no publisher for any destination, with err.
type refusingTransport struct {
	*cqrs.ChannelTransport
	err error
}

func (r refusingTransport) Publisher(string) (message.Publisher, error) { return nil, r.err }

// A row whose destination the inner transport gives no publisher for is
// retried (a rolling deploy: an instance that knows the route forwards it)
// until the destination has had none on this forwarder for the grace; then
// its rows are dead-lettered with the reason, the first and every later one
// at once, so a removed route does not hold the outbox a grace per row. A
// refusal the inner transport marks permanent is dead-lettered at once.
func TestRowsForAnUnknownDestinationAreRetriedForTheGraceThenDeadLettered(t *testing.T) {
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = channel.Close() })
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := newRelay(refusingTransport{ChannelTransport: channel, err: errors.New("awsbus: unknown destination")}, "outbox_test", nil, watermill.NopLogger{})
	r.grace = destgrace.NewClock(func() time.Time { return now })

	first := message.NewMessage("m-1", []byte("{}"))
	err = r.Publish("orders", first)
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrUndeliverable, "retried, not dead-lettered")
	now = now.Add(destgrace.Grace - time.Second)
	assert.NotErrorIs(t, r.Publish("orders", first), ErrUndeliverable, "still within the grace")
	now = now.Add(time.Second)
	err = r.Publish("orders", first)
	require.ErrorIs(t, err, ErrUndeliverable)
	assert.Contains(t, err.Error(), `no publisher for destination "orders"`)
	assert.Contains(t, err.Error(), "15m0s")
	assert.ErrorIs(t, r.Publish("orders", message.NewMessage("m-2", []byte("{}"))), ErrUndeliverable,
		"the rows behind it go at once")
	assert.NotErrorIs(t, r.Publish("payments", first), ErrUndeliverable, "another destination has its own grace")

	permanent := newRelay(refusingTransport{ChannelTransport: channel,
		err: sourceflow.Permanent(fmt.Errorf("destination refused"))}, "outbox_test", nil, watermill.NopLogger{})
	assert.ErrorIs(t, permanent.Publish("orders", first), ErrUndeliverable)
}

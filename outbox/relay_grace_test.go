package outbox

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// refusingTransport gives no publisher for any destination, with err.
type refusingTransport struct {
	*cqrs.ChannelTransport
	err error
}

func (r refusingTransport) Publisher(string) (message.Publisher, error) { return nil, r.err }

// A row whose destination the inner transport gives no publisher for is
// retried (a rolling deploy: an instance that knows the route forwards it)
// for unknownDestinationGrace, then dead-lettered with its reason; a
// refusal the inner transport marks permanent is dead-lettered at once.
func TestARowForAnUnknownDestinationIsRetriedForTheGraceThenDeadLettered(t *testing.T) {
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = channel.Close() })
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := newRelay(refusingTransport{ChannelTransport: channel, err: errors.New("awsbus: unknown destination")})
	r.grace = newGraceClock(func() time.Time { return now })

	row := message.NewMessage("m-1", []byte("{}"))
	other := message.NewMessage("m-2", []byte("{}"))
	err = r.Publish("orders", row)
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrUndeliverable, "retried, not dead-lettered")
	now = now.Add(unknownDestinationGrace - time.Second)
	assert.NotErrorIs(t, r.Publish("orders", row), ErrUndeliverable, "still within the grace")
	assert.NotErrorIs(t, r.Publish("orders", other), ErrUndeliverable, "each row has a grace of its own")
	now = now.Add(time.Second)
	err = r.Publish("orders", row)
	require.ErrorIs(t, err, ErrUndeliverable)
	assert.Contains(t, err.Error(), `no publisher for destination "orders"`)
	assert.Contains(t, err.Error(), "15m0s")
	assert.NotErrorIs(t, r.Publish("orders", other), ErrUndeliverable)

	permanent := newRelay(refusingTransport{ChannelTransport: channel,
		err: sourceflow.Permanent(fmt.Errorf("destination refused"))})
	assert.ErrorIs(t, permanent.Publish("orders", row), ErrUndeliverable)
}

package dynamostore_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
)

// The relay after the commit and the sweep report each attempt to the
// relay observers: a failed relay after the commit with its error, then
// the sweep's relay that went out, each with the outbox's Name, the
// destination and the message's metadata.
func TestOutboxReportsEachRelayAttemptToTheRelayObservers(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	inner := &innerTransport{}
	rec := &cqrstest.RelayRecorder{}
	o, err := dynamostore.NewOutbox(ctx, st, dynamostore.OutboxConfig{
		Transport: inner, Name: "orders", RelayAfter: time.Second, SweepInterval: time.Hour,
		RelayObservers: []sourceflow.RelayObserver{rec},
	})
	require.NoError(t, err)
	require.NoError(t, o.Bind(ctx, sourceflow.Binding{}))
	t.Cleanup(func() { _ = o.Close() })
	pub, err := o.Publisher("events")
	require.NoError(t, err)
	at := time.Now().UTC().Format(time.RFC3339Nano)

	inner.setDown(true)
	require.NoError(t, st.WithinTx(ctx, func(ctx context.Context) error {
		m := message.NewMessage("u-1", []byte("{}"))
		m.Metadata.Set(sourceflow.MetaMessageID, "m-1")
		m.Metadata.Set(sourceflow.MetaOccurredAt, at)
		m.SetContext(ctx)
		return pub.Publish("events", m)
	}))
	attempts := rec.Attempts()
	require.Len(t, attempts, 1, "the relay after the commit")
	assert.Equal(t, cqrstest.RelayAttempt{Outbox: "orders", Destination: "events", MessageID: "m-1", OccurredAt: at,
		Err: attempts[0].Err, Ended: true}, attempts[0])
	assert.ErrorContains(t, attempts[0].Err, "inner transport is down")

	inner.setDown(false)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		_, err := o.Sweep(ctx)
		assert.NoError(c, err)
		assert.NotEmpty(c, rec.Relayed("m-1"))
	}, 20*time.Second, 200*time.Millisecond, "the sweep relays it once RelayAfter passed")
	got := rec.Relayed("m-1")[0]
	assert.Equal(t, "orders", got.Outbox)
	assert.Equal(t, "events", got.Destination)
	assert.Equal(t, at, got.OccurredAt)
}

func TestOutboxConfigRefusesANilRelayObserver(t *testing.T) {
	err := dynamostore.OutboxConfig{Transport: &innerTransport{}, Name: "orders",
		RelayObservers: []sourceflow.RelayObserver{nil}}.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "RelayObservers[0] is nil")
}

package dynamostore

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
	"github.com/sourceflow-go/sourceflow/internal/destgrace"
)

// A relay whose publish panics ends its observed attempt with the panic
// before the panic goes on, so the relay span ends and the failure is
// counted.
func TestRelayReportsAPublishThatPanics(t *testing.T) {
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = channel.Close() })
	rec := &cqrstest.RelayRecorder{}
	inner := cqrstest.PanickingTransport{ChannelTransport: channel, Value: "inner publisher bug"}
	o := &Outbox{grace: destgrace.NewClock(nil), pubs: map[string]message.Publisher{},
		cfg: OutboxConfig{Transport: inner, Name: "orders",
			RelayObservers: []sourceflow.RelayObserver{rec}}}
	m := message.NewMessage("u-1", nil)
	m.Metadata.Set(sourceflow.MetaMessageID, "m-1")

	require.PanicsWithValue(t, "inner publisher bug", func() { _ = o.send("events", m) })

	attempts := rec.Attempts()
	require.Len(t, attempts, 1)
	assert.True(t, attempts[0].Ended)
	var panicked *sourceflow.PanicError
	assert.ErrorAs(t, attempts[0].Err, &panicked)
}

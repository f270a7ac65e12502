package outbox

import (
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

// A forward that fails is reported to the observers with its error, each
// message of the call once.
func TestRelayReportsAFailedForward(t *testing.T) {
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = channel.Close() })
	rec := &cqrstest.RelayRecorder{}
	r := newRelay(refusingTransport{ChannelTransport: channel, err: errors.New("awsbus: unknown destination")},
		"outbox_test", []sourceflow.RelayObserver{rec}, watermill.NopLogger{})
	first, second := message.NewMessage("u-1", nil), message.NewMessage("u-2", nil)
	first.Metadata.Set(sourceflow.MetaMessageID, "m-1")
	second.Metadata.Set(sourceflow.MetaMessageID, "m-2")

	require.Error(t, r.Publish("orders", first, second))

	attempts := rec.Attempts()
	require.Len(t, attempts, 2)
	for i, id := range []string{"m-1", "m-2"} {
		assert.Equal(t, id, attempts[i].MessageID)
		assert.Equal(t, "outbox_test", attempts[i].Outbox)
		assert.Equal(t, "orders", attempts[i].Destination)
		assert.True(t, attempts[i].Ended)
		assert.ErrorContains(t, attempts[i].Err, "awsbus: unknown destination")
	}
}

// A forward that panics ends each observed attempt with the panic, so the
// relay span ends and the failure is counted: the publish runs in a
// goroutine of its own (boundedCalls), which returns its panic as a
// *sourceflow.PanicError with the publisher's stack.
func TestRelayReportsAForwardThatPanics(t *testing.T) {
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = channel.Close() })
	rec := &cqrstest.RelayRecorder{}
	inner := cqrstest.PanickingTransport{ChannelTransport: channel, Value: "inner publisher bug"}
	r := newRelay(inner, "outbox_test", []sourceflow.RelayObserver{rec}, watermill.NopLogger{})
	m := message.NewMessage("u-1", nil)
	m.Metadata.Set(sourceflow.MetaMessageID, "m-1")

	require.NotPanics(t, func() { err = r.Publish("orders", m) })
	var returned *sourceflow.PanicError
	require.ErrorAs(t, err, &returned)
	assert.Equal(t, "inner publisher bug", returned.Value)
	assert.NotErrorIs(t, err, ErrUndeliverable)

	attempts := rec.Attempts()
	require.Len(t, attempts, 1)
	assert.True(t, attempts[0].Ended)
	var panicked *sourceflow.PanicError
	assert.ErrorAs(t, attempts[0].Err, &panicked)
}

package cqrs_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// The ChannelTransport logs a dead letter as the other transports do:
// "Message dead-lettered", the reason as the line's error, and the
// message's correlation id, so one flow's dead letters are found in the
// logs by the id its other lines carry.
func TestChannelDeadLetterLogCarriesTheReasonAndTheCorrelationID(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{MaxDeliveries: 1, Logger: logs, Async: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	sub, err := tr.Subscriber("ev")
	require.NoError(t, err)
	out, err := sub.Subscribe(context.Background(), "ev")
	require.NoError(t, err)
	go func() {
		for m := range out {
			m.Nack()
		}
	}()
	pub, err := tr.Publisher("ev")
	require.NoError(t, err)
	m := message.NewMessage("m-1", nil)
	m.Metadata.Set(sourceflow.MetaCorrelationID, "flow-7")
	require.NoError(t, pub.Publish("ev", m))

	require.Eventually(t, func() bool { return tr.DeadLetterCount() > 0 }, 10*time.Second, time.Millisecond)
	lines := logs.Captured()[watermill.ErrorLogLevel]
	require.Len(t, lines, 1)
	assert.Equal(t, "Message dead-lettered", lines[0].Msg)
	require.Error(t, lines[0].Err)
	assert.Equal(t, tr.DeadLetters()[0].Reason, lines[0].Err.Error())
	assert.Equal(t, "flow-7", lines[0].Fields["correlation_id"])
	assert.Equal(t, "m-1", lines[0].Fields["message_id"])
}

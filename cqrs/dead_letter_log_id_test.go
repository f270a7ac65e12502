package cqrs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// The ChannelTransport's dead-letter line names the message as every
// transport's lines do, by its message id (message_id: its sf_id, what
// `sourceflow dlq peek` and `sql dead-letters` show as its message id), so
// a search for message_id=<id> finds it; no other field carries the id.
func TestChannelDeadLetterLogNamesTheMessageByItsMessageID(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	tr, svc := channelService(t, cqrs.ChannelConfig{MaxDeliveries: 1, Logger: logs, Async: true}, "dead-id")
	require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "a"), func(context.Context, *cqrs.Aggregate, OrderCreated, cqrs.Envelope) error {
		return sourceflow.Permanent(errors.New("card declined"))
	}))
	start(t, svc)
	_, err := svc.EventQueue().Raise(context.Background(), "o-1", OrderCreated{OrderID: "o-1"})
	require.NoError(t, err)

	require.EventuallyWithT(t, func(c *assert.CollectT) { assert.NotEmpty(c, tr.DeadLetters()) }, 10*time.Second, time.Millisecond)
	id := tr.DeadLetters()[0].Message.Metadata.Get(sourceflow.MetaMessageID)
	require.NotEmpty(t, id)
	lines := logs.Captured()[watermill.ErrorLogLevel]
	require.Len(t, lines, 1)
	assert.Equal(t, "Message dead-lettered", lines[0].Msg)
	assert.Equal(t, id, lines[0].Fields["message_id"])
	assert.NotContains(t, lines[0].Fields, "message_uuid")
}

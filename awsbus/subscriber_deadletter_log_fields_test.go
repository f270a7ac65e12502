package awsbus_test

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
)

// The "Message dead-lettered" line names the message by the id `sourceflow
// dlq peek` shows as its message id (sf_id) under message_id, the name
// every transport's line gives it, its SQS MessageId in the source queue
// under sqs_message_id, and its type and entity, so that a dead letter
// peek shows is found in the log by its message id.
func TestSubscriberDeadLetterLogNamesTheMessageAsPeekDoes(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{Logger: logs})
	require.NoError(t, w.pub.Publish("orders", command("m-1", "o-1")))
	failEvery(t, w, func(m *message.Message) { m.Metadata.Set(sourceflow.MetaFailure, "refused by its handler") })

	line := deadLetteredLine(t, logs)

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Len(c, w.sqs.Messages(w.ep.DLQURL), 1)
	}, waitFor, tick)
	assert.Equal(t, "m-1", line.Fields["message_id"], "the envelope's message id, not the Watermill UUID nor an SQS id")
	assert.Equal(t, "orders.CreateOrder", line.Fields["type"])
	assert.Equal(t, "o-1", line.Fields["entity"])
	sqsID, _ := line.Fields["sqs_message_id"].(string)
	assert.NotEmpty(t, sqsID, "the SQS MessageId in the source queue")
	assert.NotEqual(t, sqsID, line.Fields["dlq_message_id"])
}

package awsbus_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
)

// A publish whose many messages are refused before sending names the first
// ten refusals and counts the rest, as PublishError does; errors.Is and
// errors.As still reach each of them.
func TestPublisherRefusalsOfManyMessagesNameTheFirstTen(t *testing.T) {
	w := newWire(t, "orders.fifo", 5, awsbus.SubscriberConfig{})
	msgs := make([]*message.Message, 1_000)
	for i := range msgs {
		msgs[i] = command(fmt.Sprint(i), "e")
		msgs[i].Payload = nil
	}
	big := command("big", "e")
	big.Payload = []byte(strings.Repeat("a", awsbus.MaxSQSMessageBytes))
	msgs = append(msgs, big)

	err := w.pub.Publish("orders.fifo", msgs...)

	require.ErrorIs(t, err, awsbus.ErrInvalidPayload)
	assert.True(t, sourceflow.IsPermanent(err))
	var se *awsbus.SizeError
	require.ErrorAs(t, err, &se, "the last refusal is still reached")
	assert.Equal(t, "uuid-big", se.UUID)
	text := err.Error()
	assert.True(t, strings.HasPrefix(text, `awsbus: nothing sent to "orders.fifo": `+awsbus.ErrInvalidPayload.Error()+": message uuid-0 has"), text)
	assert.Contains(t, text, "message uuid-9 has an empty payload\nand 991 more")
	assert.NotContains(t, text, "uuid-10 ")
	assert.Empty(t, w.sqs.Messages(w.ep.QueueURL))
}

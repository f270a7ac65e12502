package awsbus_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
)

// The dead-letter copy says how often the consumer received the message
// (sf_delivery_count), which `sourceflow dlq peek` shows: the copy's own
// receive count counts only receives from the dead-letter queue. A count
// the sender put on the message is not taken for it.
func TestSubscriberDeadLetterCopyCarriesTheConsumersReceiveCount(t *testing.T) {
	for name, tt := range map[string]struct {
		fail func(m *message.Message)
		want string
	}{
		"failed on the last allowed receive": {func(m *message.Message) {
			m.Metadata.Set(sourceflow.MetaLastError, "inventory db: i/o timeout")
		}, "3"},
		"refused at once": {func(m *message.Message) {
			m.Metadata.Set(sourceflow.MetaFailure, "refused by its handler")
		}, "1"},
	} {
		t.Run(name, func(t *testing.T) {
			w := newWire(t, "orders", 3, awsbus.SubscriberConfig{})
			_, err := w.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{
				QueueUrl: aws.String(w.ep.QueueURL), MessageBody: aws.String(`{"id":"o-1"}`),
				MessageAttributes: map[string]types.MessageAttributeValue{
					sourceflow.MetaDeliveryCount: {DataType: aws.String("String"), StringValue: aws.String("99")},
				},
			})
			require.NoError(t, err)
			failEvery(t, w, tt.fail)

			require.EventuallyWithT(t, func(c *assert.CollectT) {
				assert.Len(c, w.sqs.Messages(w.ep.DLQURL), 1)
			}, waitFor, tick)
			dead := w.sqs.Messages(w.ep.DLQURL)[0]
			assert.Equal(t, tt.want, dead.Attributes[sourceflow.MetaDeliveryCount])
		})
	}
}

// failEvery subscribes to w's queue and nacks every message it receives
// after fail marks it.
func failEvery(t *testing.T, w *wire, fail func(m *message.Message)) {
	t.Helper()
	ch, err := w.sub.Subscribe(context.Background(), w.ep.Name)
	require.NoError(t, err)
	go func() {
		for m := range ch {
			fail(m)
			m.Nack()
		}
	}()
}

package awsbus_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
)

// A packed envelope that says another type or id than the message's
// attributes, or packs the type, is not
// handed to a handler: an SNS filter policy and `sourceflow dlq` read the
// attributes, so the consumer may not read something else. The message is
// dead-lettered at once with a reason naming the key; a good message sent
// after it is still handed out.
func TestSubscriberEnvelopeWithAKeyItNeverCarriesIsDeadLettered(t *testing.T) {
	for name, c := range map[string]struct{ env, key string }{
		"type and id repeated": {env: `{"uuid":"u1","sf_type":"orders.RefundAll","sf_id":"id-B"}`, key: `"sf_id"`},
		"type packed alone":    {env: `{"uuid":"u1","sf_type":"orders.RefundAll"}`, key: `"sf_type"`},
		"id repeated":          {env: `{"uuid":"u1","sf_id":"id-B"}`, key: `"sf_id"`},
		"type without uuid":    {env: `{"sf_type":"orders.RefundAll"}`, key: `"sf_type"`},
	} {
		t.Run(name, func(t *testing.T) {
			w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
			_, err := w.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{
				QueueUrl: aws.String(w.ep.QueueURL), MessageBody: aws.String(`{"all":true}`),
				MessageAttributes: map[string]types.MessageAttributeValue{
					sourceflow.MetaType:      {DataType: aws.String("String"), StringValue: aws.String("orders.Harmless")},
					sourceflow.MetaMessageID: {DataType: aws.String("String"), StringValue: aws.String("id-A")},
					sourceflow.MetaEnvelope:  {DataType: aws.String("String"), StringValue: aws.String(c.env)},
				},
			})
			require.NoError(t, err)
			require.NoError(t, w.pub.Publish("orders", command("after", "e-1")))
			ch, err := w.sub.Subscribe(context.Background(), "orders")
			require.NoError(t, err)
			m := next(t, ch)
			assert.Equal(t, "after", m.Metadata.Get(sourceflow.MetaMessageID), "only the good message is handed out")
			m.Ack()
			require.Eventually(t, func() bool {
				return len(w.sqs.Messages(w.ep.DLQURL)) == 1 && len(w.sqs.Messages(w.ep.QueueURL)) == 0
			}, waitFor, tick)
			reason := w.sqs.Messages(w.ep.DLQURL)[0].Attributes[sourceflow.MetaFailure]
			assert.Contains(t, reason, awsbus.ErrMalformedMessage.Error())
			assert.Contains(t, reason, "attribute sf_env holds the key "+c.key)
			assert.Equal(t, 0, w.sqs.Calls("ChangeMessageVisibility"), "dead-lettered at once, no retry budget burnt")
		})
	}
}

// A packed key this release does not know becomes metadata, so that a key a
// later release packs reaches this release's handlers during a rolling
// upgrade instead of dead-lettering every message it sends.
func TestSubscriberEnvelopeKeyOfALaterReleaseBecomesMetadata(t *testing.T) {
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
	_, err := w.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{
		QueueUrl: aws.String(w.ep.QueueURL), MessageBody: aws.String(`{"all":true}`),
		MessageAttributes: map[string]types.MessageAttributeValue{
			sourceflow.MetaType: {DataType: aws.String("String"), StringValue: aws.String("orders.Harmless")},
			sourceflow.MetaEnvelope: {DataType: aws.String("String"),
				StringValue: aws.String(`{"uuid":"u1","sf_id":"id-A","sf_due":"2027-01-01T00:00:00Z"}`)},
		},
	})
	require.NoError(t, err)
	ch, err := w.sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	m := next(t, ch)
	assert.Equal(t, "u1", m.UUID)
	assert.Equal(t, "id-A", m.Metadata.Get(sourceflow.MetaMessageID))
	assert.Equal(t, "2027-01-01T00:00:00Z", m.Metadata.Get("sf_due"))
	m.Ack()
	assert.Empty(t, w.sqs.Messages(w.ep.DLQURL))
}

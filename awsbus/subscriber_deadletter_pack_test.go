package awsbus_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
)

// A message from another producer that carries the most attributes SQS
// allows, none of them SourceFlow's envelope, reaches the dead-letter queue
// through the subscriber with its reason, packed with the attributes moved
// to make room into the envelope, and every original attribute kept.
func TestSubscriberDeadLettersAFullForeignMessageWithItsReason(t *testing.T) {
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
	sent := map[string]string{}
	attrs := map[string]types.MessageAttributeValue{}
	for i := range sourceflow.AttributeBudget {
		k, v := fmt.Sprintf("header_%d", i), fmt.Sprintf("value %d", i)
		sent[k] = v
		attrs[k] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	_, err := w.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{
		QueueUrl: aws.String(w.ep.QueueURL), MessageBody: aws.String(`{"id":"o-1"}`), MessageAttributes: attrs,
	})
	require.NoError(t, err)
	ch, err := w.sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	go func() {
		for m := range ch {
			m.Metadata.Set(sourceflow.MetaFailure, "cqrs: unknown type orders.Nope")
			m.Nack()
		}
	}()

	require.Eventually(t, func() bool {
		return len(w.sqs.Messages(w.ep.DLQURL)) == 1 && len(w.sqs.Messages(w.ep.QueueURL)) == 0
	}, waitFor, tick)
	dead := w.sqs.Messages(w.ep.DLQURL)[0]
	assert.Equal(t, `{"id":"o-1"}`, dead.Body)
	assert.LessOrEqual(t, len(dead.Attributes), sourceflow.AttributeBudget)
	var env map[string]string
	require.NoError(t, json.Unmarshal([]byte(dead.Attributes[sourceflow.MetaEnvelope]), &env), "a packed envelope holds the reason")
	assert.Equal(t, "cqrs: unknown type orders.Nope", env[sourceflow.MetaFailure])
	for k, v := range sent {
		got, ok := dead.Attributes[k]
		if !ok {
			got = env[k]
		}
		assert.Equal(t, v, got, k)
	}
}

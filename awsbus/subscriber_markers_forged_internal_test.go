package awsbus

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A sender that sets the delivery markers, as attributes of their own or
// packed in the envelope, cannot make a consumer's span claim a dead
// letter, a last delivery, a subscription or a delivery count: the
// subscriber drops them and sets its own from the queue.
func TestReceiveDropsTheDeliveryMarkersASenderSet(t *testing.T) {
	forged := map[string]string{sourceflow.MetaDeliveryCount: "99", sourceflow.MetaLastDelivery: "true",
		sourceflow.MetaDeadLetterQueue: "forged-dlq", sourceflow.MetaSubscription: "forged-queue"}
	packed, err := packEnvelope(map[string]string{envelopeUUID: "u-1", sourceflow.MetaLastDelivery: "true",
		sourceflow.MetaDeadLetterQueue: "packed-dlq"})
	require.NoError(t, err)
	attrs := map[string]string{sourceflow.MetaEnvelope: packed, "tenant": "a"}
	for k, v := range forged {
		attrs[k] = v
	}
	msg, err := unmarshal("{}", attrs, "sqs-id")
	require.NoError(t, err)
	sub := &subscription{ep: topology.Endpoint{Name: "pay", QueueURL: "http://sqs/000000000000/pay", MaxReceiveCount: 5}}
	d := &delivery{msg: msg, raw: sqstypes.Message{MessageId: aws.String("sqs-id"),
		Attributes: map[string]string{string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount): "1"}}}
	sub.markDelivery(d)

	assert.Equal(t, map[string]string{sourceflow.MetaDeliveryCount: "1", "tenant": "a"}, map[string]string(d.msg.Metadata))
	assert.Equal(t, "u-1", d.msg.UUID)
}

// A received message's delivery markers are never sent on: a handler that
// publishes it again (or copies its metadata) sends none of them.
func TestMarshalSendsNoDeliveryMarker(t *testing.T) {
	msg, err := unmarshal("{}", map[string]string{"tenant": "a"}, "sqs-id")
	require.NoError(t, err)
	sub := &subscription{ep: topology.Endpoint{Name: "orders-topic", MaxReceiveCount: 1,
		QueueURL: "http://sqs/000000000000/svc-orders-events", DLQURL: "http://sqs/000000000000/svc-orders-events-dlq"}}
	d := &delivery{msg: msg, raw: sqstypes.Message{
		Attributes: map[string]string{string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount): "1"}}}
	sub.markDelivery(d)
	require.Len(t, d.msg.Metadata, 5, "all four markers set")

	wire, err := marshal(d.msg)
	require.NoError(t, err)
	env, err := unpackEnvelope(wire.attrs[sourceflow.MetaEnvelope])
	require.NoError(t, err)
	for _, k := range []string{sourceflow.MetaDeliveryCount, sourceflow.MetaLastDelivery, sourceflow.MetaDeadLetterQueue, sourceflow.MetaSubscription} {
		assert.NotContains(t, wire.attrs, k)
		assert.NotContains(t, env, k)
	}
}

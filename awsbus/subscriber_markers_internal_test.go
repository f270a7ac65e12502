package awsbus

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A delivery handed out carries its receive count, whether a failure
// dead-letters it, the dead-letter queue and, for an event, its event queue.
func TestMarkDeliverySetsTheConsumeMarkers(t *testing.T) {
	ep := topology.Endpoint{Name: "orders-topic", MaxReceiveCount: 3,
		QueueURL: "http://sqs/000000000000/svc-orders-events", DLQURL: "http://sqs/000000000000/svc-orders-events-dlq"}
	for _, tc := range []struct {
		count, last string
	}{{"1", ""}, {"3", "true"}, {"4", "true"}} {
		sub := &subscription{ep: ep}
		d := &delivery{msg: message.NewMessage("u", nil), raw: sqstypes.Message{MessageId: aws.String("m"),
			Attributes: map[string]string{string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount): tc.count}}}
		sub.markDelivery(d)
		md := d.msg.Metadata
		assert.Equal(t, tc.count, md.Get(sourceflow.MetaDeliveryCount))
		assert.Equal(t, tc.last, md.Get(sourceflow.MetaLastDelivery), "receive %s", tc.count)
		assert.Equal(t, "svc-orders-events-dlq", md.Get(sourceflow.MetaDeadLetterQueue))
		assert.Equal(t, "svc-orders-events", md.Get(sourceflow.MetaSubscription))
	}
}

// A command read from the queue it was sent to names no subscription, and
// one without a dead-letter queue or redrive limit names none of those.
func TestMarkDeliveryOfACommandWithoutDeadLetterQueue(t *testing.T) {
	sub := &subscription{ep: topology.Endpoint{Name: "pay", QueueURL: "http://sqs/000000000000/pay"}}
	d := &delivery{msg: message.NewMessage("u", nil), raw: sqstypes.Message{
		Attributes: map[string]string{string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount): "7"}}}
	sub.markDelivery(d)
	assert.Equal(t, message.Metadata{sourceflow.MetaDeliveryCount: "7"}, d.msg.Metadata)
}

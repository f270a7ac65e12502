package awsbus

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

// A dead letter whose attributes fill the budget carries the consumer's
// receive count inside its packed envelope, in place of one the sender
// put there.
func TestDeadLetterAttributesPackTheReceiveCountOfAFullMessage(t *testing.T) {
	attrs := map[string]sqstypes.MessageAttributeValue{
		sourceflow.MetaEnvelope: stringAttribute(`{"uuid":"m-1","sf_delivery_count":"99"}`),
	}
	for i := len(attrs); i < sourceflow.AttributeBudget; i++ {
		attrs[fmt.Sprintf("user_%d", i)] = stringAttribute("v")
	}
	raw := sqstypes.Message{Body: aws.String("{}"), MessageAttributes: attrs,
		Attributes: map[string]string{string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount): "4"}}

	out := deadLetterAttributes(raw, "poison", failedOrigin{})

	assert.LessOrEqual(t, len(out), sourceflow.AttributeBudget)
	env, readable := packedEnvelope(out)
	assert.True(t, readable)
	assert.Equal(t, "4", env[sourceflow.MetaDeliveryCount])
	assert.Equal(t, "poison", env[sourceflow.MetaFailure])
}

package awsbus

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

// A dead letter's copy with room for its whole reason but not also for the
// consumer's receive count keeps the reason whole and leaves the count out:
// every dead letter says why it is there; the count only helps.
func TestDeadLetterAttributesKeepTheReasonBeforeTheReceiveCount(t *testing.T) {
	const reason = `cqrs: unknown message type: "bad.Unheard"`
	attrs := map[string]sqstypes.MessageAttributeValue{sourceflow.MetaType: stringAttribute("bad.Unheard")}
	room := MaxSQSMessageBytes - sqsSize("", withReason(attrs, reason))
	for _, spare := range []int{0, 1, 10} {
		raw := sqstypes.Message{
			Body:              aws.String(strings.Repeat("b", room-spare)),
			MessageAttributes: attrs,
			Attributes:        map[string]string{string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount): "3"},
		}
		out := deadLetterAttributes(raw, reason)
		assert.LessOrEqual(t, sqsSize(aws.ToString(raw.Body), out), MaxSQSMessageBytes, "%d bytes spare: the copy fits", spare)
		assert.Equal(t, reason, peekReason(t, out), "%d bytes spare: the reason is whole", spare)
		assert.NotContains(t, out, sourceflow.MetaDeliveryCount, "%d bytes spare: no room for the count", spare)
	}
	raw := sqstypes.Message{
		Body:              aws.String("b"),
		MessageAttributes: attrs,
		Attributes:        map[string]string{string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount): "3"},
	}
	out := deadLetterAttributes(raw, reason)
	assert.Equal(t, "3", aws.ToString(out[sourceflow.MetaDeliveryCount].StringValue), "with room, the count is there too")
}

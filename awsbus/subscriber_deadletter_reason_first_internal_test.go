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
		out := deadLetterAttributes(raw, reason, failedOrigin{})
		assert.LessOrEqual(t, sqsSize(aws.ToString(raw.Body), out), MaxSQSMessageBytes, "%d bytes spare: the copy fits", spare)
		assert.Equal(t, reason, peekReason(t, out), "%d bytes spare: the reason is whole", spare)
		assert.NotContains(t, out, sourceflow.MetaDeliveryCount, "%d bytes spare: no room for the count", spare)
	}
	raw := sqstypes.Message{
		Body:              aws.String("b"),
		MessageAttributes: attrs,
		Attributes:        map[string]string{string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount): "3"},
	}
	out := deadLetterAttributes(raw, reason, failedOrigin{})
	assert.Equal(t, "3", aws.ToString(out[sourceflow.MetaDeliveryCount].StringValue), "with room, the count is there too")
}

// A dead letter's copy with room for its whole reason but not also for
// where its handler failed keeps the reason whole and leaves the host and
// version out (the receive count first); with room, it carries both.
func TestDeadLetterAttributesKeepTheReasonBeforeTheFailedOrigin(t *testing.T) {
	const reason = `cqrs: unknown message type: "bad.Unheard"`
	o := failedOrigin{host: "web-7", version: "v1.4.2"}
	attrs := map[string]sqstypes.MessageAttributeValue{sourceflow.MetaType: stringAttribute("bad.Unheard")}
	room := MaxSQSMessageBytes - sqsSize("", withReason(attrs, reason))
	counted := map[string]string{string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount): "3"}
	for _, spare := range []int{0, 1, 10} {
		raw := sqstypes.Message{Body: aws.String(strings.Repeat("b", room-spare)), MessageAttributes: attrs, Attributes: counted}
		out := deadLetterAttributes(raw, reason, o)
		assert.LessOrEqual(t, sqsSize(aws.ToString(raw.Body), out), MaxSQSMessageBytes, "%d bytes spare: the copy fits", spare)
		assert.Equal(t, reason, peekReason(t, out), "%d bytes spare: the reason is whole", spare)
		assert.NotContains(t, out, sourceflow.MetaFailedHost, "%d bytes spare: no room for the host", spare)
		assert.NotContains(t, out, sourceflow.MetaFailedVersion, "%d bytes spare: no room for the version", spare)
	}
	withOrigin := sqsSize("", withMarkers(withReason(attrs, reason), o.markers(0)))
	raw := sqstypes.Message{Body: aws.String(strings.Repeat("b", MaxSQSMessageBytes-withOrigin)), MessageAttributes: attrs, Attributes: counted}
	out := deadLetterAttributes(raw, reason, o)
	assert.Equal(t, "web-7", aws.ToString(out[sourceflow.MetaFailedHost].StringValue), "room for the origin, not the count")
	assert.Equal(t, "v1.4.2", aws.ToString(out[sourceflow.MetaFailedVersion].StringValue))
	assert.NotContains(t, out, sourceflow.MetaDeliveryCount, "the count goes first")
}

// A host or version a sender forged on its message never shows in the
// dead letter as where the handler failed.
func TestDeadLetterAttributesDropAForgedFailedOrigin(t *testing.T) {
	attrs := map[string]sqstypes.MessageAttributeValue{
		sourceflow.MetaFailedHost: stringAttribute("forged"),
		sourceflow.MetaEnvelope:   stringAttribute(`{"uuid":"m-1","sf_failed_version":"forged"}`),
	}
	out := deadLetterAttributes(sqstypes.Message{Body: aws.String("{}"), MessageAttributes: attrs}, "poison", failedOrigin{})
	assert.NotContains(t, out, sourceflow.MetaFailedHost)
	env, readable := packedEnvelope(out)
	assert.True(t, readable)
	assert.NotContains(t, env, sourceflow.MetaFailedVersion)
}

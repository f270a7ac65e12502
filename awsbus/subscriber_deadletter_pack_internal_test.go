package awsbus

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// peekReason reads the reason of a dead letter as `sourceflow dlq peek`
// does: the attribute, else the key of the packed envelope.
func peekReason(t *testing.T, attrs map[string]sqstypes.MessageAttributeValue) string {
	t.Helper()
	if v, ok := attrs[sourceflow.MetaFailure]; ok {
		return aws.ToString(v.StringValue)
	}
	var env map[string]string
	if packed, ok := attrs[sourceflow.MetaEnvelope]; ok {
		require.NoError(t, json.Unmarshal([]byte(aws.ToString(packed.StringValue)), &env))
	}
	return env[sourceflow.MetaFailure]
}

// A message from another producer that fills the attribute budget without
// a packed envelope gets one holding the reason and the attributes moved
// to make room; a consumer reads every original attribute back.
func TestDeadLetterAttributesPacksTheReasonOfAFullMessageWithoutEnvelope(t *testing.T) {
	full := map[string]sqstypes.MessageAttributeValue{}
	for i := range sourceflow.AttributeBudget {
		full[fmt.Sprintf("attr_%d", i)] = stringAttribute(fmt.Sprintf("value %d", i))
	}
	raw := sqstypes.Message{Body: aws.String(`{"id":"o-1"}`), MessageAttributes: full}

	out := deadLetterAttributes(raw, "cqrs: unknown type orders.Nope", failedOrigin{})

	assert.LessOrEqual(t, len(out), sourceflow.AttributeBudget)
	assert.Equal(t, "cqrs: unknown type orders.Nope", peekReason(t, out))
	msg, err := unmarshal(aws.ToString(raw.Body), fromSQSAttributes(out), "sqs-id")
	require.NoError(t, err)
	assert.Equal(t, "sqs-id", msg.UUID)
	assert.Equal(t, `{"id":"o-1"}`, string(msg.Payload))
	for k, v := range full {
		assert.Equal(t, aws.ToString(v.StringValue), msg.Metadata.Get(k), k)
	}
	assert.Len(t, msg.Metadata, len(full), "nothing but the original attributes")
}

// Plain String attributes move into the envelope before SourceFlow's own
// and before other data types, and a value that is not valid UTF-8 (or a
// name the envelope reads otherwise) never moves.
func TestPackReasonMovesPlainAttributesFirst(t *testing.T) {
	attrs := map[string]sqstypes.MessageAttributeValue{
		sourceflow.MetaType: stringAttribute("orders.CreateOrder"),
		"uuid":              stringAttribute("u-1"),
		"count":             {DataType: aws.String("Number"), StringValue: aws.String("7")},
		"blob":              {DataType: aws.String("Binary"), BinaryValue: []byte{0xff, 0xfe}},
		"z_plain":           stringAttribute("z"),
	}
	for i := 0; len(attrs) < sourceflow.AttributeBudget; i++ {
		attrs[fmt.Sprintf("sf_x%d", i)] = stringAttribute("x")
	}

	out, ok := packReason(attrs, "poison")

	require.True(t, ok)
	require.Len(t, out, sourceflow.AttributeBudget)
	assert.NotContains(t, out, "z_plain", "the plain attribute moved")
	for _, stays := range []string{sourceflow.MetaType, "uuid", "count", "blob"} {
		assert.Contains(t, out, stays)
	}
	assert.JSONEq(t, `{"sf_failure":"poison","z_plain":"z"}`, aws.ToString(out[sourceflow.MetaEnvelope].StringValue))
}

// When no attribute can move without losing its value, the copy keeps the
// attributes as they are, within the budget; the reason is in the log.
func TestPackReasonKeepsAttributesThatCannotMove(t *testing.T) {
	attrs := map[string]sqstypes.MessageAttributeValue{}
	for i := range sourceflow.AttributeBudget {
		attrs[fmt.Sprintf("blob_%d", i)] = sqstypes.MessageAttributeValue{DataType: aws.String("Binary"), BinaryValue: []byte{0xff, byte(i)}}
	}

	out := withReason(attrs, "poison")

	assert.Equal(t, attrs, out)
}

// The type never moves into the packed envelope: SNS filter policies match
// the sf_type attribute, and a consumer refuses an envelope holding it
// (UnpackAttributes). When it is the only attribute that could move, the
// copy keeps the attributes as they are; the reason is in the log.
func TestPackReasonNeverMovesTheType(t *testing.T) {
	attrs := map[string]sqstypes.MessageAttributeValue{sourceflow.MetaType: stringAttribute("orders.CreateOrder")}
	for i := 0; len(attrs) < sourceflow.AttributeBudget; i++ {
		attrs[fmt.Sprintf("blob_%d", i)] = sqstypes.MessageAttributeValue{DataType: aws.String("Binary"), BinaryValue: []byte{0xff, byte(i)}}
	}

	out := withReason(attrs, "poison")

	assert.Equal(t, attrs, out)
	_, err := unmarshal("body", fromSQSAttributes(out), "sqs-id")
	require.NoError(t, err, "the copy stays readable")
}

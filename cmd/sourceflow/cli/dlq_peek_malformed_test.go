package cli_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// forgedWhy is why a consumer refuses forgedEnvelope.
const forgedWhy = `awsbus: malformed message: attribute sf_env holds the key "sf_id", which is also an attribute of the message`

// forgedEnvelope are the attributes of a message whose packed envelope
// says another type and id than its attributes.
var forgedEnvelope = map[string]string{
	sourceflow.MetaType:      "orders.Harmless",
	sourceflow.MetaMessageID: "id-A",
	sourceflow.MetaEnvelope:  `{"uuid":"u1","sf_type":"orders.RefundAll","sf_id":"id-B"}`,
}

// A dead letter whose packed envelope repeats attributes with other values
// is shown as a consumer reads it: malformed, with the reason naming the
// key, and its fields from its attributes alone, in the table and in JSON.
func TestDLQPeek_ShowsAForgedEnvelopeAsMalformed(t *testing.T) {
	e := newDLQEnv(t)
	_, err := e.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{
		QueueUrl: aws.String(e.sqs.QueueURL("orders-order-events-dlq")), MessageBody: aws.String(`{"all":true}`),
		MessageAttributes: stringAttributes(forgedEnvelope),
	})
	require.NoError(t, err)

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-order-events-dlq")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "\norders.Harmless\n")
	assert.Contains(t, out, "  message id  id-A\n")
	assert.Contains(t, out, "  malformed   "+forgedWhy+"\n")
	assert.NotContains(t, out, "RefundAll")
	assert.NotContains(t, out, "id-B")

	out, errOut, code = e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-order-events-dlq", "-o", "json")

	require.Equal(t, cli.ExitOK, code, errOut)
	var doc struct {
		Messages []map[string]any `json:"messages"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	require.Len(t, doc.Messages, 1)
	m := doc.Messages[0]
	assert.Equal(t, "orders.Harmless", m["type"])
	assert.Equal(t, "id-A", m["message_id"])
	assert.Equal(t, forgedWhy, m["malformed"])
}

// An awsbus consumer dead-letters the forged message at once, never
// handing it out, with the same reason peek gives it.
func TestDLQPeek_AConsumerAndPeekRefuseAForgedEnvelopeAlike(t *testing.T) {
	e := newDLQEnv(t)
	e.deadLetterThroughAwsbus(t, "orders-order-events", `{"all":true}`, stringAttributes(forgedEnvelope), nil)

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-order-events-dlq")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "  reason      "+forgedWhy)
	assert.Contains(t, out, "  malformed   "+forgedWhy+"\n")
	assert.Contains(t, out, "\norders.Harmless\n")
}

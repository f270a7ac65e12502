package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A message of another producer that filled the attribute budget is
// dead-lettered with a packed envelope holding the reason and the
// attribute moved to make room: peek shows that reason.
func TestDLQPeek_ShowsTheReasonOfAFullForeignMessage(t *testing.T) {
	e := newDLQEnv(t)
	attrs := map[string]string{sourceflow.MetaEnvelope: `{"sf_failure":"cqrs: unknown type orders.Nope","header_0":"value 0"}`}
	for i := 1; len(attrs) < sourceflow.AttributeBudget; i++ {
		attrs[fmt.Sprintf("header_%d", i)] = fmt.Sprintf("value %d", i)
	}
	_, err := e.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{
		QueueUrl: aws.String(e.sqs.QueueURL("orders-order-events-dlq")), MessageBody: aws.String(`{"id":"o-1"}`),
		MessageAttributes: stringAttributes(attrs),
	})
	require.NoError(t, err)

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-order-events-dlq")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "  reason      cqrs: unknown type orders.Nope\n")
}

// A message of another producer without a message id, dead-lettered by an
// awsbus consumer, can be matched to the consumer's "Message dead-lettered"
// log line: peek's SQS id is the line's dlq_message_id, and the reason
// names the line's message_id (the message's SQS id in its source queue,
// which stands for its missing UUID).
func TestDLQPeek_AForeignDeadLetterMatchesItsLogLine(t *testing.T) {
	e := newDLQEnv(t)
	logs := watermill.NewCaptureLogger()
	sourceID := e.deadLetterThroughAwsbus(t, "orders-order-events", `{"id":"o-1"}`, nil, logs)
	var line watermill.CapturedMessage
	for _, m := range logs.Captured()[watermill.ErrorLogLevel] {
		if m.Msg == "Message dead-lettered" {
			line = m
		}
	}
	require.Equal(t, sourceID, line.Fields["message_id"], "logged: %v", logs.Captured())

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-order-events-dlq", "-o", "json")

	require.Equal(t, cli.ExitOK, code, errOut)
	var doc struct {
		Messages []struct {
			MessageID string `json:"message_id"`
			SQSID     string `json:"sqs_id"`
			Reason    string `json:"reason"`
		} `json:"messages"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	require.Len(t, doc.Messages, 1)
	got := doc.Messages[0]
	assert.Equal(t, line.Fields["dlq_message_id"], got.SQSID, "the copy's SQS id is logged")
	assert.Equal(t, got.SQSID, got.MessageID, "no message id of its own")
	assert.Equal(t, "message "+sourceID+": cqrs: unknown type orders.Nope", got.Reason)
}

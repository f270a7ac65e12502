package cli_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// sendTo sends n messages to the source queue name, as a producer would.
func (e *dlqEnv) sendTo(t *testing.T, name string, n int) {
	t.Helper()
	ctx := context.Background()
	u, err := e.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	require.NoError(t, err)
	for range n {
		_, err := e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: u.QueueUrl, MessageBody: aws.String("{}")})
		require.NoError(t, err)
	}
}

// dlq list shows the backlog of each consumed queue beside its dead-letter
// queue's depth: what the service has yet to handle and what it is handling.
func TestDLQList_ShowsTheBacklogOfEachSourceQueue(t *testing.T) {
	e := newDLQEnv(t)
	e.sendTo(t, "orders-order-events", 4)
	e.put(t, "orders-order-events-dlq", letter{id: "m3", typ: "orders.OrderCreated", entity: "o-1", reason: "boom", body: "{}"})

	out, errOut, code := e.run(t, "dlq", "list", "-f", e.path)

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Regexp(t, `DEAD-LETTER QUEUE\s+SOURCE QUEUE\s+VISIBLE\s+IN FLIGHT\s+SOURCE AHEAD\s+SOURCE IN FLIGHT\n`, out)
	assert.Regexp(t, `\norders-order-events-dlq\s+orders-order-events\s+1\s+0\s+4\s+0\n`, out)
	assert.Regexp(t, `\norders-dlq\.fifo\s+orders\.fifo\s+0\s+0\s+0\s+0\n`, out)
	assert.Contains(t, out, "Service orders in us-east-1: 1 dead letter in 3 dead-letter queues; 4 messages ahead and 0 in flight in their source queues.\n")

	out, errOut, code = e.run(t, "dlq", "list", "-f", e.path, "-o", "json")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.JSONEq(t, `{"service":"orders","queues":[
		{"name":"orders-order-events-dlq","source":"orders-order-events","visible":1,"in_flight":0,"missing":false,
		 "source_ahead":4,"source_in_flight":0,"source_missing":false},
		{"name":"orders-payment-events-dlq","source":"orders-payment-events","visible":0,"in_flight":0,"missing":false,
		 "source_ahead":0,"source_in_flight":0,"source_missing":false},
		{"name":"orders-dlq.fifo","source":"orders.fifo","visible":0,"in_flight":0,"missing":false,
		 "source_ahead":0,"source_in_flight":0,"source_missing":false}]}`, out)
}

//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A message SQS's redrive policy moved after maxReceiveCount receives
// carries no count of the consumer's receives: peek says "unknown", on
// every peek, rather than its receive count in the dead-letter queue, which
// each peek raises, and shows its envelope's send time. peek --summary
// counts it, by its explanation, beside the dead letters awsbus copied.
func TestCLIDLQ_PeekOfAMessageTheRedrivePolicyMoved(t *testing.T) {
	r := newDLQRig(t)
	ctx := context.Background()
	src, dlq := r.url(t, r.standard), topology.DLQName(r.standard)
	sentAt := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	env, err := json.Marshal(map[string]string{"uuid": "moved-1", sourceflow.MetaMessageID: "moved-1",
		sourceflow.MetaOccurredAt: sentAt.Format(time.RFC3339Nano)})
	require.NoError(t, err)
	str := func(v string) sqstypes.MessageAttributeValue {
		return sqstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	_, err = r.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: src, MessageBody: aws.String("{}"),
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{
			sourceflow.MetaType: str("it.Audit"), sourceflow.MetaEnvelope: str(string(env)),
		}})
	require.NoError(t, err)
	dlqURL := aws.ToString(r.url(t, dlq))
	require.EventuallyWithT(t, func(c *assert.CollectT) { // fail it until the redrive policy moves it
		out, err := r.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: src, VisibilityTimeout: 1})
		if !assert.NoError(c, err) {
			return
		}
		for _, m := range out.Messages {
			_, _ = r.sqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: src, ReceiptHandle: m.ReceiptHandle})
		}
		visible, _, err := queueDepth(ctx, r.sqs, dlqURL)
		assert.NoError(c, err)
		assert.Equal(c, 1, visible)
	}, time.Minute, 50*time.Millisecond)

	for range 2 {
		out, errOut, code := runCLI(t, "dlq", "peek", "-f", r.path, "--queue", dlq)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "  receives    unknown (")
		assert.Contains(t, out, "  sent        "+sentAt.Format(time.RFC3339)+"\n")
		assert.Regexp(t, `  enqueued    \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n`, out)
	}

	r.deadLetter(t, r.standard, 2)
	out, errOut, code := runCLI(t, "dlq", "peek", "-f", r.path, "--queue", dlq, "--summary")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Read 3 of about 3 messages")
	assert.Regexp(t, `(?m)^cqrs: handler failed permanently\s+2$`, out)
	assert.Regexp(t, `(?m)^none given \(moved by the queue's redrive policy.*\s+1$`, out)
	visible, inFlight := r.depth(t, dlq)
	assert.Equal(t, 3, visible+inFlight, "peek consumes nothing")
}

package cli_test

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// visibilityEnds makes the messages of the first receive visible again
// before the second, as SQS does once a run outlasts the visibility timeout
// of its receives (30 seconds; a run of thousands of messages does).
type visibilityEnds struct {
	*awsbustest.MoveTaskSQS
	mu       sync.Mutex
	receives int
	receipts []*string
	released []string // the receipt handles the run released
}

func (v *visibilityEnds) ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	v.mu.Lock()
	v.released = append(v.released, aws.ToString(in.ReceiptHandle))
	v.mu.Unlock()
	return v.MoveTaskSQS.ChangeMessageVisibility(ctx, in, opts...)
}

func (v *visibilityEnds) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.receives++
	for _, h := range v.receipts {
		// A handle of a message deleted since fails; that is expected.
		_, _ = v.MoveTaskSQS.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
			QueueUrl: in.QueueUrl, ReceiptHandle: h, VisibilityTimeout: 0,
		})
	}
	out, err := v.MoveTaskSQS.ReceiveMessage(ctx, in, opts...)
	v.receipts = nil
	if err == nil && v.receives == 1 {
		for _, m := range out.Messages {
			v.receipts = append(v.receipts, m.ReceiptHandle)
		}
	}
	return out, err
}

func TestDLQRedrive_AMessageLeftBehindThatComesBackInTheSameRunIsNotCountedTwice(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	for _, id := range []string{"a", "b", "c"} {
		e.put(t, "orders-order-events-dlq", letter{id: id, typ: "orders.OrderCreated", entity: "o-" + id, reason: "boom", body: id})
	}
	e.sqs.FailNextEntries("SendMessageBatch", 1)
	client := &visibilityEnds{MoveTaskSQS: e.sqs}
	e.client = client

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq",
		"--method", "copy", "--rate", "1/s")

	require.Equal(t, cli.ExitAWS, code, errOut)
	assert.Contains(t, out, "Moved 2 messages")
	assert.Contains(t, errOut, "1 message could not be sent and stays in orders-order-events-dlq")
	assert.Equal(t, []string{"b", "c"}, bodies(e.messages("orders-order-events")), "the run went on to the messages it had not tried")
	assert.Equal(t, []string{"a"}, bodies(e.messages("orders-order-events-dlq")), "what the output says stays, stays")
	assert.Len(t, client.released, 1, "the message left behind, received twice, is released once, by its latest handle")
}

func TestDLQRedrive_AFIFOMessageKeptBackThatComesBackInTheSameRunIsNotCountedTwice(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	e.putFIFO(t, "a1:o-1", "a2:o-1", "b1:o-2", "c1:o-3")
	e.sqs.FailNextEntries("SendMessageBatch", 1)
	e.client = &visibilityEnds{MoveTaskSQS: e.sqs}

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-dlq.fifo", "--rate", "2/s")

	require.Equal(t, cli.ExitAWS, code, errOut)
	assert.Contains(t, out, "Moved 2 messages")
	assert.Contains(t, out, "1 message stays in orders-dlq.fifo behind a failed message of its FIFO group")
	assert.Contains(t, errOut, "1 message could not be sent and stays in orders-dlq.fifo")
	assert.Equal(t, []string{"b1", "c1"}, bodies(e.messages("orders.fifo")))
	left := e.messages("orders-dlq.fifo")
	assert.Equal(t, []string{"a1", "a2"}, bodies(left))
	for _, m := range left {
		assert.False(t, m.InFlight, "released when the run ends")
	}
}

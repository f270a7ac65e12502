package cli_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// unansweredEntry drops the last entry of every SendMessageBatch: it is
// not sent, and the answer lists it neither as successful nor as failed,
// as an endpoint that breaks the API's contract may.
type unansweredEntry struct {
	*awsbustest.MoveTaskSQS
}

func (u *unansweredEntry) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	cut := *in
	cut.Entries = in.Entries[:len(in.Entries)-1]
	if len(cut.Entries) == 0 {
		return &sqs.SendMessageBatchOutput{}, nil
	}
	return u.MoveTaskSQS.SendMessageBatch(ctx, &cut, opts...)
}

func TestDLQRedrive_AnEntryTheAnswerDoesNotListStaysInTheDeadLetterQueue(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	for _, id := range []string{"a", "b", "c"} {
		e.put(t, "orders-order-events-dlq", letter{id: id, typ: "orders.OrderCreated", entity: "o-" + id, reason: "boom", body: id})
	}
	e.client = &unansweredEntry{MoveTaskSQS: e.sqs}

	_, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--method", "copy")

	require.Equal(t, cli.ExitAWS, code, errOut)
	assert.Contains(t, errOut, "1 message could not be sent and stays in orders-order-events-dlq")
	assert.Contains(t, errOut, "no result for the entry")
	sent, left := bodies(e.messages("orders-order-events")), bodies(e.messages("orders-order-events-dlq"))
	assert.Len(t, sent, 2)
	assert.Len(t, left, 1, "the message SQS gave no result for is kept")
	assert.ElementsMatch(t, []string{"a", "b", "c"}, append(sent, left...), "every message is in one queue")
}

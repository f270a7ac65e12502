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

// unansweredDelete drops the last entry of every DeleteMessageBatch: the
// message is not deleted, and the answer lists the entry neither as
// successful nor as failed, as an endpoint that breaks the API's contract
// may.
type unansweredDelete struct {
	*awsbustest.MoveTaskSQS
}

func (u *unansweredDelete) DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	cut := *in
	cut.Entries = in.Entries[:len(in.Entries)-1]
	if len(cut.Entries) == 0 {
		return &sqs.DeleteMessageBatchOutput{}, nil
	}
	return u.MoveTaskSQS.DeleteMessageBatch(ctx, &cut, opts...)
}

func TestDLQRedriveType_ADeleteTheAnswerDoesNotListIsSaidToBeInBothQueues(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	for _, id := range []string{"a", "b", "c"} {
		e.put(t, "orders-order-events-dlq", letter{id: id, typ: "orders.OrderCreated", entity: "o-" + id, reason: "boom", body: id})
	}
	e.put(t, "orders-order-events-dlq", letter{id: "x", typ: "orders.OrderShipped", entity: "o-x", reason: "boom", body: "x"})
	e.client = &unansweredDelete{MoveTaskSQS: e.sqs}

	_, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--method", "copy",
		"--type", "orders.OrderCreated")

	require.Equal(t, cli.ExitAWS, code, errOut)
	assert.Contains(t, errOut, "no result for the entry")
	assert.Contains(t, errOut, "1 was sent but not deleted and is in both queues")
	assert.ElementsMatch(t, []string{"a", "b", "c"}, bodies(e.messages("orders-order-events")))
	left := e.messages("orders-order-events-dlq")
	assert.Len(t, left, 2, "the message SQS gave no delete result for stays, beside the other type")
	for _, m := range left {
		assert.False(t, m.InFlight, "message %s is still hidden", m.ID)
	}
}

func TestDLQPurgeType_ADeleteTheAnswerDoesNotListIsNotCountedDeleted(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	for _, id := range []string{"a", "b", "c"} {
		e.put(t, "orders-order-events-dlq", letter{id: id, typ: "orders.OrderShipped", entity: "o-" + id, reason: "boom", body: id})
	}
	e.client = &unansweredDelete{MoveTaskSQS: e.sqs}

	out, errOut, code := e.run(t, "dlq", "purge", "-f", e.path, "--queue", "orders-order-events-dlq",
		"--type", "orders.OrderShipped", "--yes")

	require.Equal(t, cli.ExitAWS, code, errOut)
	assert.Contains(t, out, "Deleted 2 messages of type orders.OrderShipped")
	assert.Contains(t, errOut, "no result for the entry")
	left := e.messages("orders-order-events-dlq")
	require.Len(t, left, 1)
	assert.False(t, left[0].InFlight, "the message not deleted is visible again")
}

package cli_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A copy moves each batch on a context an interrupt does not cancel,
// bounded by 20s: a --check-timeout longer than that does not cut a send
// SQS never answers, the batch's bound does, and the error says so rather
// than blaming --check-timeout, which did not run out.
func TestDLQRedrive_ASendCutByTheBatchBoundIsNotReportedAsTheCheckTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newDLQEnv(t)
		e.put(t, "orders-order-events-dlq", letter{id: "a", typ: "orders.OrderCreated", entity: "o-a", reason: "boom", body: "a"})
		e.client = stubSQS(e.sqs.Region(), e.sqs, "SendMessageBatch")

		_, errOut, code := e.runContext(t, withinAMinute(t), "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq",
			"--method", "copy", "--check-timeout", "45s")

		require.Equal(t, cli.ExitAWS, code, errOut)
		assert.NotContains(t, errOut, "within --check-timeout")
		assert.Contains(t, errOut, "SQS did not answer within 20s, the bound on the calls that move one batch of the copy")
		assert.Equal(t, []string{"a"}, bodies(e.messages("orders-order-events-dlq")))
	})
}

// slowSendSQS answers SendMessageBatch after 15s.
type slowSendSQS struct{ *awsbustest.MoveTaskSQS }

func (c slowSendSQS) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	select {
	case <-time.After(15 * time.Second):
		return c.MoveTaskSQS.SendMessageBatch(ctx, in, opts...)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Each call of a copy's batch has --check-timeout (18s), but the send
// takes 15s of the batch's 20s: the delete SQS never answers is cut by the
// batch's bound after 5s, and is not reported as one --check-timeout cut.
func TestDLQRedrive_ABatchThatOutlastsItsBoundIsNotReportedAsTheCheckTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newDLQEnv(t)
		e.put(t, "orders-order-events-dlq", letter{id: "a", typ: "orders.OrderCreated", entity: "o-a", reason: "boom", body: "a"})
		e.client = stubSQS(e.sqs.Region(), slowSendSQS{e.sqs}, "DeleteMessageBatch")

		_, errOut, code := e.runContext(t, withinAMinute(t), "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq",
			"--method", "copy", "--check-timeout", "18s")

		require.Equal(t, cli.ExitAWS, code, errOut)
		assert.Contains(t, errOut, "delete 1 sent message from orders-order-events-dlq")
		assert.NotContains(t, errOut, "within --check-timeout")
		assert.Contains(t, errOut, "SQS did not answer within 20s, the bound on the calls that move one batch of the copy")
		assert.Equal(t, []string{"a"}, bodies(e.messages("orders-order-events")))
	})
}

// A move task start SQS never answers may still have started the task: the
// error says so, and that a run again follows it, where a copy would move
// the messages beside it.
func TestDLQRedrive_AStartThatIsNeverAnsweredSaysTheTaskMayHaveStarted(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-order-events-dlq", letter{id: "a", typ: "orders.OrderCreated", entity: "o-a", reason: "boom", body: "a"})
	e.client = stubSQS(e.sqs.Region(), e.sqs, "StartMessageMoveTask")

	_, errOut, code := e.runContext(t, withinAMinute(t), "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq",
		"--check-timeout", "200ms")

	require.Equal(t, cli.ExitAWS, code, errOut)
	assert.Contains(t, errOut, "SQS may have started the move task: run the command again, which follows it; "+
		"--method copy would move the messages beside it)")
}

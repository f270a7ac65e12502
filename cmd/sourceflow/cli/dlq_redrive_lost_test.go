package cli_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// sdkRetry tries a StartMessageMoveTask whose answer was lost once more,
// as the SDK's retryer does after a connection reset.
type sdkRetry struct{ *awsbustest.MoveTaskSQS }

func (s sdkRetry) StartMessageMoveTask(ctx context.Context, in *sqs.StartMessageMoveTaskInput, opts ...func(*sqs.Options)) (*sqs.StartMessageMoveTaskOutput, error) {
	out, err := s.MoveTaskSQS.StartMessageMoveTask(ctx, in, opts...)
	if errors.Is(err, awsbustest.ErrAnswerLost) {
		return s.MoveTaskSQS.StartMessageMoveTask(ctx, in, opts...)
	}
	return out, err
}

// otherTask starts a move task of the dead-letter queue to another queue
// just before each start of the command, as another operator could.
type otherTask struct {
	*awsbustest.MoveTaskSQS
	to string
}

func (o otherTask) StartMessageMoveTask(ctx context.Context, in *sqs.StartMessageMoveTaskInput, opts ...func(*sqs.Options)) (*sqs.StartMessageMoveTaskOutput, error) {
	other := *in
	other.DestinationArn = aws.String(o.to)
	if _, err := o.MoveTaskSQS.StartMessageMoveTask(ctx, &other, opts...); err != nil {
		return nil, err
	}
	return o.MoveTaskSQS.StartMessageMoveTask(ctx, in, opts...)
}

// A move task started by a call whose answer was lost is followed as the
// run's task, whether the SDK's retry was refused because it runs or every
// attempt was lost: auto never copies beside it.
func TestDLQRedrive_FollowsTheMoveTaskAStartWithALostAnswerStarted(t *testing.T) {
	tests := []struct {
		name   string
		client func(e *dlqEnv) topology.SQSAPI
		// runningLists is how many task lists see the task running; 0:
		// it has ended when the run looks it up.
		runningLists int
	}{
		{"the retry refused", func(e *dlqEnv) topology.SQSAPI { return sdkRetry{e.sqs} }, 2},
		{"every answer lost", func(e *dlqEnv) topology.SQSAPI { return e.sqs }, 2},
		{"every answer lost, the task ended since", func(e *dlqEnv) topology.SQSAPI { return e.sqs }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newDLQEnv(t)
			e.sqs.RunningLists = tt.runningLists
			for _, id := range []string{"a", "b"} {
				e.put(t, "orders-order-events-dlq", letter{id: id, typ: "orders.OrderCreated", entity: "o-" + id, reason: "boom", body: "{}"})
			}
			e.client = tt.client(e)
			e.sqs.LoseNext("StartMessageMoveTask", 1, nil)

			out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq")

			require.Equal(t, cli.ExitOK, code, errOut)
			assert.NotContains(t, out, "copying instead")
			assert.Contains(t, out, "Moved 2 messages from orders-order-events-dlq to orders-order-events (method: native, SQS message move task).\n")
			assert.Zero(t, e.sqs.Calls("SendMessageBatch"), "no copy")
			assert.Len(t, e.messages("orders-order-events"), 2)
			assert.Empty(t, e.messages("orders-order-events-dlq"))
		})
	}
}

// A start refused because another task of the dead-letter queue runs, to
// another destination, names that task and copies nothing beside it.
func TestDLQRedrive_RefusesToCopyBesideAnotherRunningMoveTask(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	e.sqs.RunningLists = 2
	e.put(t, "orders-order-events-dlq", letter{id: "a", typ: "orders.OrderCreated", entity: "o-a", reason: "boom", body: "{}"})
	e.client = otherTask{MoveTaskSQS: e.sqs, to: e.sqs.QueueARN("orders-payment-events")}

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq")

	assert.Equal(t, cli.ExitAWS, code, errOut)
	assert.NotContains(t, out, "copying instead")
	assert.Contains(t, errOut, "dlq redrive orders-order-events-dlq: native method: start a message move task: api error "+
		"InvalidParameterValue: There is already a task running")
	assert.Contains(t, errOut, "move task task-1 to "+e.sqs.QueueARN("orders-payment-events")+" (started ")
	assert.Contains(t, errOut, "is running: wait for it to end, or cancel it with `aws sqs cancel-message-move-task --task-handle task-1`")
	assert.Zero(t, e.sqs.Calls("ReceiveMessage"), "no copy")
}

// A task of the dead-letter queue to another destination, already running
// when the run starts, is not followed as the run's own (its messages go
// elsewhere): the run names it and moves nothing.
func TestDLQRedrive_DoesNotFollowARunningMoveTaskToAnotherQueue(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	e.sqs.RunningLists = 2
	other := e.sqs.QueueARN("orders-payment-events")
	_, err := e.sqs.StartMessageMoveTask(context.Background(), &sqs.StartMessageMoveTaskInput{
		SourceArn: aws.String(e.sqs.QueueARN("orders-order-events-dlq")), DestinationArn: aws.String(other)})
	require.NoError(t, err)
	// Dead-lettered after the other task took what the queue held.
	e.put(t, "orders-order-events-dlq", letter{id: "a", typ: "orders.OrderCreated", entity: "o-a", reason: "boom", body: "{}"})

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq")

	assert.Equal(t, cli.ExitAWS, code, errOut)
	assert.NotContains(t, out, "Moved")
	assert.Contains(t, errOut, "move task task-1 to "+other+" (started ")
	assert.Contains(t, errOut, "is running: wait for it to end, or cancel it with `aws sqs cancel-message-move-task --task-handle task-1`")
	assert.Equal(t, 1, e.sqs.Calls("StartMessageMoveTask"), "no start beside it")
	assert.Zero(t, e.sqs.Calls("ReceiveMessage"), "no copy")
}

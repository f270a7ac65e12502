package cli_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// laggingList is SQS whose list of move tasks does not show a task yet,
// as right after another operator started one.
type laggingList struct{ *awsbustest.MoveTaskSQS }

func (laggingList) ListMessageMoveTasks(context.Context, *sqs.ListMessageMoveTasksInput, ...func(*sqs.Options)) (*sqs.ListMessageMoveTasksOutput, error) {
	return &sqs.ListMessageMoveTasksOutput{}, nil
}

// startTask starts a move task of the dead-letter queue dlq to the queue
// to, as another operator could, and returns its handle.
func (e *dlqEnv) startTask(t *testing.T, dlq, to string) *string {
	t.Helper()
	out, err := e.sqs.StartMessageMoveTask(context.Background(), &sqs.StartMessageMoveTaskInput{
		SourceArn: aws.String(e.sqs.QueueARN(dlq)), DestinationArn: aws.String(e.sqs.QueueARN(to))})
	require.NoError(t, err)
	return out.TaskHandle
}

// A start SQS refuses because a task is active is busy even when the list
// of move tasks does not show that task: auto copies nothing beside it.
func TestDLQRedrive_AStartRefusedForATaskTheListDoesNotShowIsBusy(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	e.sqs.RunningLists = 2
	e.startTask(t, "orders-order-events-dlq", "orders-payment-events")
	e.put(t, "orders-order-events-dlq", letter{id: "a", typ: "orders.OrderCreated", entity: "o-a", reason: "boom", body: "{}"})
	e.client = laggingList{e.sqs}

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq")

	assert.Equal(t, cli.ExitAWS, code, errOut)
	assert.NotContains(t, out, "copying instead")
	arn := e.sqs.QueueARN("orders-order-events-dlq")
	assert.Contains(t, errOut, "Error: dlq redrive orders-order-events-dlq: native method: start a message move task: api error "+
		"InvalidParameterValue: There is already a task running. Only one active task is allowed for a source queue arn "+
		"at a given time.; a move task of "+arn+" is active that its list of move tasks does not show yet: wait for it "+
		"to end (`aws sqs list-message-move-tasks --source-arn "+arn+"` shows it, and the handle to cancel a running one "+
		"with `aws sqs cancel-message-move-task --task-handle HANDLE`), and run the command again\n")
	assert.Zero(t, e.sqs.Calls("ReceiveMessage"), "no copy")
	assert.Len(t, e.messages("orders-order-events-dlq"), 1)
}

// A task being cancelled when the run starts is busy, even one to the same
// queue (it ends CANCELLED): the run starts nothing and copies nothing.
func TestDLQRedrive_AMoveTaskBeingCancelledIsBusy(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	e.sqs.RunningLists, e.sqs.CancellingLists = 2, 3
	handle := e.startTask(t, "orders-order-events-dlq", "orders-order-events")
	_, err := e.sqs.CancelMessageMoveTask(context.Background(), &sqs.CancelMessageMoveTaskInput{TaskHandle: handle})
	require.NoError(t, err)
	e.put(t, "orders-order-events-dlq", letter{id: "a", typ: "orders.OrderCreated", entity: "o-a", reason: "boom", body: "{}"})

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq")

	assert.Equal(t, cli.ExitAWS, code, errOut)
	assert.NotContains(t, out, "copying instead")
	assert.Contains(t, errOut, "dlq redrive orders-order-events-dlq: native method: move task to "+
		e.sqs.QueueARN("orders-order-events")+" (started ")
	assert.Contains(t, errOut, ") is being cancelled: wait until it is cancelled (`aws sqs list-message-move-tasks "+
		"--source-arn "+e.sqs.QueueARN("orders-order-events-dlq")+"` shows it CANCELLED), and run the command again\n")
	assert.Equal(t, 1, e.sqs.Calls("StartMessageMoveTask"), "no start beside it")
	assert.Zero(t, e.sqs.Calls("ReceiveMessage"), "no copy")
	assert.Len(t, e.messages("orders-order-events-dlq"), 1)
}

package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sourceflow-go/sourceflow"
)

// Move task statuses of ListMessageMoveTasks.
const (
	moveRunning    = "RUNNING"
	moveCancelling = "CANCELLING"
	moveCompleted  = "COMPLETED"
)

// Limits of the native method.
const (
	// maxNativeRate is the largest MaxNumberOfMessagesPerSecond SQS takes.
	maxNativeRate = 500
	// movePollInterval is how often a move task's progress is read.
	movePollInterval = time.Second
)

// nativeMove redrives with SQS's own message move task
// (StartMessageMoveTask): SQS moves the messages, unchanged, and the
// command follows the task's progress. A task that is already running for
// the dead-letter queue to the same queue, from an interrupted run, is
// followed instead of starting another; one to another queue, or one being
// cancelled, stops the run.
type nativeMove struct {
	api      dlqSQS
	from, to sqsQueue
	rate     int
	clock    sourceflow.Clock
	bar      *progress
}

// nativeStartError is a move task that could not be started: nothing was
// moved, so the copy method may run instead.
type nativeStartError struct{ err error }

func (e *nativeStartError) Error() string { return "start a message move task: " + e.err.Error() }
func (e *nativeStartError) Unwrap() error { return e.err }

// run starts or resumes the task and waits for its end. It returns the
// number of messages moved and the task handle.
func (n *nativeMove) run(ctx context.Context) (int64, string, error) {
	handle, err := n.start(ctx)
	if err != nil {
		return 0, "", err
	}
	for {
		t, err := n.task(ctx, handle)
		if err != nil {
			return 0, handle, err
		}
		moved := t.ApproximateNumberOfMessagesMoved
		n.bar.set(moved)
		switch status := aws.ToString(t.Status); status {
		case moveCompleted:
			return moved, handle, nil
		case moveRunning, moveCancelling:
		default:
			return moved, handle, fmt.Errorf("move task %s ended %s: %s", handle, status, aws.ToString(t.FailureReason))
		}
		select {
		case <-ctx.Done():
			return moved, handle, ctx.Err()
		case <-n.clock.After(movePollInterval):
		}
	}
}

// task returns the state of the task handle: the newest task of the
// dead-letter queue, since one runs at a time. SQS gives the handle of
// running tasks only.
func (n *nativeMove) task(ctx context.Context, handle string) (sqstypes.ListMessageMoveTasksResultEntry, error) {
	list, err := n.api.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(n.from.arn), MaxResults: aws.Int32(1)})
	if err != nil {
		return sqstypes.ListMessageMoveTasksResultEntry{}, fmt.Errorf("read move task %s: %w", handle, err)
	}
	if len(list.Results) == 0 {
		return sqstypes.ListMessageMoveTasksResultEntry{}, fmt.Errorf("move task %s is not among the tasks of %s", handle, n.from.name)
	}
	t := list.Results[0]
	if h := aws.ToString(t.TaskHandle); h != "" && h != handle {
		return t, fmt.Errorf("another move task (%s) replaced task %s of %s", h, handle, n.from.name)
	}
	return t, nil
}

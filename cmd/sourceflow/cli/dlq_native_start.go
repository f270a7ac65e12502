package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// moveTaskBusyError is a move task that was not started, or could not be,
// because another task of the dead-letter queue, not this run's, is
// running: copying beside it would move messages twice, so copy does not
// run instead. startErr is nil when the task was running before the start.
type moveTaskBusyError struct {
	startErr error
	task     sqstypes.ListMessageMoveTasksResultEntry
}

func (e *moveTaskBusyError) Error() string {
	handle := aws.ToString(e.task.TaskHandle)
	failed := ""
	if e.startErr != nil {
		failed = fmt.Sprintf("start a message move task: %v; ", e.startErr)
	}
	return fmt.Sprintf("%smove task %s to %s (started %s) is running: wait for it to end, "+
		"or cancel it with `aws sqs cancel-message-move-task --task-handle %s`, and run the command again",
		failed, handle, aws.ToString(e.task.DestinationArn), time.UnixMilli(e.task.StartedTimestamp).UTC().Format(time.RFC3339), handle)
}

func (e *moveTaskBusyError) Unwrap() error { return e.startErr }

// start returns the handle of the running task of the dead-letter queue,
// when it moves to this run's destination, or of a task it starts. A
// running task to another queue is a moveTaskBusyError.
func (n *nativeMove) start(ctx context.Context) (string, error) {
	before, err := n.newest(ctx)
	if err != nil {
		return "", &nativeStartError{err: err}
	}
	if before != nil && aws.ToString(before.Status) == moveRunning {
		if !n.ours(before) {
			return "", &moveTaskBusyError{task: *before}
		}
		return aws.ToString(before.TaskHandle), nil
	}
	in := &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(n.from.arn), DestinationArn: aws.String(n.to.arn)}
	if n.rate > 0 {
		in.MaxNumberOfMessagesPerSecond = aws.Int32(int32(min(n.rate, maxNativeRate)))
	}
	out, err := n.api.StartMessageMoveTask(ctx, in)
	if err != nil {
		return n.adopt(ctx, before, err)
	}
	return aws.ToString(out.TaskHandle), nil
}

// newest returns the newest move task of the dead-letter queue, nil when
// it has none.
func (n *nativeMove) newest(ctx context.Context) (*sqstypes.ListMessageMoveTasksResultEntry, error) {
	list, err := n.api.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(n.from.arn), MaxResults: aws.Int32(1)})
	if err != nil || len(list.Results) == 0 {
		return nil, err
	}
	return &list.Results[0], nil
}

// adopt answers a StartMessageMoveTask that failed with startErr. SQS
// may have started the task and its answer been lost (a connection reset),
// the SDK's retry then being refused because that task is running; copying
// beside it would move messages twice. So the newest task of the
// dead-letter queue is read again. A task newer than before (the newest
// task listed just before the first attempt; compared by SQS's
// StartedTimestamp, so no local clock is involved) started between that
// list and now, that is around this run's first attempt: moving from this
// dead-letter queue to this destination, it is taken as this run's task
// and followed. Another running task is a moveTaskBusyError; with no new
// task, nothing started: a nativeStartError, from which auto falls back to
// copy.
func (n *nativeMove) adopt(ctx context.Context, before *sqstypes.ListMessageMoveTasksResultEntry, startErr error) (string, error) {
	task, err := n.newest(ctx)
	if err != nil {
		return "", fmt.Errorf("start a message move task: %w; then list the move tasks of %s, to see whether it "+
			"started: %w", startErr, n.from.name, err)
	}
	switch {
	case task == nil || (before != nil && task.StartedTimestamp <= before.StartedTimestamp):
		return "", &nativeStartError{err: startErr} // no task started since
	case n.ours(task):
		return aws.ToString(task.TaskHandle), nil // SQS gives no handle once it ended: run reads the newest task
	case aws.ToString(task.Status) == moveRunning:
		return "", &moveTaskBusyError{startErr: startErr, task: *task}
	}
	return "", &nativeStartError{err: startErr}
}

// ours reports whether task moves from this run's dead-letter queue to its
// destination: the destination named, or none, which SQS reads as the
// queue whose dead-letter queue it is, the one redrive moves to.
func (n *nativeMove) ours(task *sqstypes.ListMessageMoveTasksResultEntry) bool {
	to := aws.ToString(task.DestinationArn)
	return aws.ToString(task.SourceArn) == n.from.arn && (to == n.to.arn || to == "")
}

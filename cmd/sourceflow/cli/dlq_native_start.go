package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

// moveTaskBusyError is a move task that was not started, or could not be,
// because another task of the dead-letter queue, not this run's, is
// running or being cancelled: copying beside it would move messages twice,
// so copy does not run instead. startErr is nil when the task was active
// before the start; task is nil when SQS refused the start for an active
// task that its list of move tasks did not show.
type moveTaskBusyError struct {
	startErr error
	task     *sqstypes.ListMessageMoveTasksResultEntry
	// source is the ARN of the dead-letter queue.
	source string
}

func (e *moveTaskBusyError) Error() string {
	failed := ""
	if e.startErr != nil {
		failed = fmt.Sprintf("start a message move task: %v; ", e.startErr)
	}
	if e.task == nil {
		return fmt.Sprintf("%sa move task of %s is active that its list of move tasks does not show yet: wait for it "+
			"to end (`aws sqs list-message-move-tasks --source-arn %s` shows it, and the handle to cancel a running "+
			"one with `aws sqs cancel-message-move-task --task-handle HANDLE`), and run the command again",
			failed, e.source, e.source)
	}
	handle := aws.ToString(e.task.TaskHandle)
	started := time.UnixMilli(e.task.StartedTimestamp).UTC().Format(time.RFC3339)
	if aws.ToString(e.task.Status) == moveCancelling {
		return fmt.Sprintf("%smove task to %s (started %s) is being cancelled: wait until it is cancelled "+
			"(`aws sqs list-message-move-tasks --source-arn %s` shows it CANCELLED), and run the command again",
			failed, aws.ToString(e.task.DestinationArn), started, e.source)
	}
	return fmt.Sprintf("%smove task %s to %s (started %s) is running: wait for it to end, "+
		"or cancel it with `aws sqs cancel-message-move-task --task-handle %s`, and run the command again",
		failed, handle, aws.ToString(e.task.DestinationArn), started, handle)
}

func (e *moveTaskBusyError) Unwrap() error { return e.startErr }

// start returns the handle of the running task of the dead-letter queue,
// when it moves to this run's destination, or of a task it starts. A
// running task to another queue, or one being cancelled (to any queue: it
// ends CANCELLED, not moved), is a moveTaskBusyError.
func (n *nativeMove) start(ctx context.Context) (string, error) {
	before, err := n.newest(ctx)
	if err != nil {
		return "", &nativeStartError{err: err}
	}
	if before != nil {
		switch aws.ToString(before.Status) {
		case moveCancelling:
			return "", &moveTaskBusyError{task: before, source: n.from.arn}
		case moveRunning:
			if !n.ours(before) {
				return "", &moveTaskBusyError{task: before, source: n.from.arn}
			}
			return aws.ToString(before.TaskHandle), nil
		}
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
// the SDK's retry then being refused because that task runs; copying
// beside it would move messages twice. So the newest task of the
// dead-letter queue is read again. A task newer than before (the newest
// task listed just before the first attempt; compared by SQS's
// StartedTimestamp, so no local clock is involved) started between that
// list and now, that is around this run's first attempt: moving from this
// dead-letter queue to this destination, it is taken as this run's task
// and followed. Another active task is a moveTaskBusyError, and so is a
// start SQS refused because a task is active (refusedBusy) whatever the
// list shows, which may not show a task yet; otherwise nothing started: a
// nativeStartError, from which auto falls back to copy.
func (n *nativeMove) adopt(ctx context.Context, before *sqstypes.ListMessageMoveTasksResultEntry, startErr error) (string, error) {
	task, err := n.newest(ctx)
	if err != nil {
		return "", fmt.Errorf("start a message move task: %w; then list the move tasks of %s, to see whether it "+
			"started: %w", startErr, n.from.name, err)
	}
	newer := task != nil && (before == nil || task.StartedTimestamp > before.StartedTimestamp)
	switch {
	case newer && n.ours(task):
		return aws.ToString(task.TaskHandle), nil // SQS gives no handle once it ended: run reads the newest task
	case newer && moveActive(task):
		return "", &moveTaskBusyError{startErr: startErr, task: task, source: n.from.arn}
	case refusedBusy(startErr):
		return "", &moveTaskBusyError{startErr: startErr, source: n.from.arn}
	}
	return "", &nativeStartError{err: startErr}
}

// moveActive reports whether task is running or being cancelled: SQS
// starts no other task of its source queue until it ends.
func moveActive(task *sqstypes.ListMessageMoveTasksResultEntry) bool {
	status := aws.ToString(task.Status)
	return status == moveRunning || status == moveCancelling
}

// refusedBusy reports whether err is SQS refusing StartMessageMoveTask
// because a task of the source queue is active (running or being
// cancelled): InvalidParameterValue, "There is already a task running.
// Only one active task is allowed for a source queue arn at a given time."
// The code alone also answers other invalid parameters, so the message
// tells this one, matched loosely ("task running", any case) so that a
// reworded message still does.
func refusedBusy(err error) bool {
	ae, ok := errors.AsType[smithy.APIError](err)
	return ok && ae.ErrorCode() == "InvalidParameterValue" &&
		strings.Contains(strings.ToLower(ae.ErrorMessage()), "task running")
}

// ours reports whether task moves from this run's dead-letter queue to its
// destination: the destination named, or none, which SQS reads as the
// queue whose dead-letter queue it is, the one redrive moves to.
func (n *nativeMove) ours(task *sqstypes.ListMessageMoveTasksResultEntry) bool {
	to := aws.ToString(task.DestinationArn)
	return aws.ToString(task.SourceArn) == n.from.arn && (to == n.to.arn || to == "")
}

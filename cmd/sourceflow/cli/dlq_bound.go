package cli

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// boundedSQS is a dlqSQS whose calls that the dlq commands make are each
// bounded by bound (--check-timeout), SDK retries included, so that
// an endpoint that does not answer fails the command after bound, naming
// the endpoint (boundedFailure), instead of after the whole --timeout.
// A receive's bound adds the time it waits for messages (WaitTimeSeconds).
type boundedSQS struct {
	dlqSQS
	bound time.Duration
}

// within runs call with ctx bounded by d. A call a deadline cut short
// returns a *cutCall (cutShort) that says whose: d's, or ctx's own when it
// ends first (--timeout, or the bound of a copy's batch, settle), so that
// only a call d cut is reported as cut by --check-timeout (cutByBound).
func within[O any](ctx context.Context, d time.Duration, call func(context.Context) (O, error)) (O, error) {
	bounded, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	out, err := call(bounded)
	return out, cutShort(ctx, bounded, err)
}

// GetQueueUrl is the client's, bounded.
func (b boundedSQS) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	return within(ctx, b.bound, func(ctx context.Context) (*sqs.GetQueueUrlOutput, error) {
		return b.dlqSQS.GetQueueUrl(ctx, in, opts...)
	})
}

// GetQueueAttributes is the client's, bounded.
func (b boundedSQS) GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	return within(ctx, b.bound, func(ctx context.Context) (*sqs.GetQueueAttributesOutput, error) {
		return b.dlqSQS.GetQueueAttributes(ctx, in, opts...)
	})
}

// ReceiveMessage is the client's, bounded beyond the time it waits for
// messages.
func (b boundedSQS) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	wait := time.Duration(in.WaitTimeSeconds) * time.Second
	return within(ctx, b.bound+wait, func(ctx context.Context) (*sqs.ReceiveMessageOutput, error) {
		return b.dlqSQS.ReceiveMessage(ctx, in, opts...)
	})
}

// ChangeMessageVisibility is the client's, bounded.
func (b boundedSQS) ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	return within(ctx, b.bound, func(ctx context.Context) (*sqs.ChangeMessageVisibilityOutput, error) {
		return b.dlqSQS.ChangeMessageVisibility(ctx, in, opts...)
	})
}

// SendMessageBatch is the client's, bounded.
func (b boundedSQS) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	return within(ctx, b.bound, func(ctx context.Context) (*sqs.SendMessageBatchOutput, error) {
		return b.dlqSQS.SendMessageBatch(ctx, in, opts...)
	})
}

// DeleteMessageBatch is the client's, bounded.
func (b boundedSQS) DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	return within(ctx, b.bound, func(ctx context.Context) (*sqs.DeleteMessageBatchOutput, error) {
		return b.dlqSQS.DeleteMessageBatch(ctx, in, opts...)
	})
}

// StartMessageMoveTask is the client's, bounded.
func (b boundedSQS) StartMessageMoveTask(ctx context.Context, in *sqs.StartMessageMoveTaskInput, opts ...func(*sqs.Options)) (*sqs.StartMessageMoveTaskOutput, error) {
	return within(ctx, b.bound, func(ctx context.Context) (*sqs.StartMessageMoveTaskOutput, error) {
		return b.dlqSQS.StartMessageMoveTask(ctx, in, opts...)
	})
}

// ListMessageMoveTasks is the client's, bounded.
func (b boundedSQS) ListMessageMoveTasks(ctx context.Context, in *sqs.ListMessageMoveTasksInput, opts ...func(*sqs.Options)) (*sqs.ListMessageMoveTasksOutput, error) {
	return within(ctx, b.bound, func(ctx context.Context) (*sqs.ListMessageMoveTasksOutput, error) {
		return b.dlqSQS.ListMessageMoveTasks(ctx, in, opts...)
	})
}

// PurgeQueue is the client's, bounded.
func (b boundedSQS) PurgeQueue(ctx context.Context, in *sqs.PurgeQueueInput, opts ...func(*sqs.Options)) (*sqs.PurgeQueueOutput, error) {
	return within(ctx, b.bound, func(ctx context.Context) (*sqs.PurgeQueueOutput, error) {
		return b.dlqSQS.PurgeQueue(ctx, in, opts...)
	})
}

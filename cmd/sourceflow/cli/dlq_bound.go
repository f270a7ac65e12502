package cli

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// boundedSQS is a dlqSQS whose calls that dlq list and dlq peek make are
// each bounded by bound (--check-timeout), SDK retries included, so that
// an endpoint that does not answer fails the command after bound, naming
// the endpoint (boundedFailure), instead of after the whole --timeout.
// A receive's bound adds the time it waits for messages (WaitTimeSeconds).
type boundedSQS struct {
	dlqSQS
	bound time.Duration
}

// within runs call with ctx bounded by d.
func within[O any](ctx context.Context, d time.Duration, call func(context.Context) (O, error)) (O, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return call(ctx)
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

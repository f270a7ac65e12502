package cli

import (
	"context"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// callBound is the SDK middleware that bounds each call of a client by
// bound (--check-timeout), SDK retries included, so that an endpoint that
// does not answer fails the command after bound, naming the endpoint
// (boundedFailure), instead of after the whole --timeout. A receive's
// bound adds the time it waits for messages (WaitTimeSeconds).
//
// A call a deadline cut short returns a *cutCall (cutShort) that says
// whose: the bound's, or the caller's context's own when it ends first
// (--timeout, or the bound of a copy's batch), so that only a call the
// bound cut is reported as cut by --check-timeout (cutByBound).
// unanswered, when set, is told of each call the bound cut, with the
// error the caller gets.
type callBound struct {
	bound      time.Duration
	unanswered func(err *smithy.OperationError)
}

// ID implements middleware.InitializeMiddleware.
func (callBound) ID() string { return "sourceflowCallBound" }

// HandleInitialize implements middleware.InitializeMiddleware: it runs
// the rest of the call (serialization, signing, retries) within the bound.
func (b callBound) HandleInitialize(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
	middleware.InitializeOutput, middleware.Metadata, error,
) {
	bounded, cancel := context.WithTimeout(ctx, b.bound+receiveWait(in.Parameters))
	defer cancel()
	out, md, err := next.HandleInitialize(bounded, in)
	err = cutShort(ctx, bounded, err)
	if b.unanswered != nil && cutByBound(ctx, err) {
		b.unanswered(&smithy.OperationError{ServiceID: middleware.GetServiceID(ctx),
			OperationName: middleware.GetOperationName(ctx), Err: err})
	}
	return out, md, err
}

// receiveWait is the time a ReceiveMessage of params waits for messages
// (WaitTimeSeconds); 0 for any other call.
func receiveWait(params any) time.Duration {
	if in, ok := params.(*sqs.ReceiveMessageInput); ok {
		return time.Duration(in.WaitTimeSeconds) * time.Second
	}
	return 0
}

// apiOptions returns options, a client's APIOptions, with b added last,
// in a slice of its own so that the client options were copied from keeps
// its own.
func (b callBound) apiOptions(options []func(*middleware.Stack) error) []func(*middleware.Stack) error {
	return append(slices.Clip(options), func(stack *middleware.Stack) error {
		return stack.Initialize.Add(b, middleware.After)
	})
}

package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// sqsQueue is a queue as the dlq commands address it.
type sqsQueue struct {
	name, url, arn string
	fifo           bool
	// visible and inFlight are the approximate depth when resolved.
	visible, inFlight int64
}

// errQueueMissing reports a queue that does not exist.
var errQueueMissing = errors.New("queue does not exist")

// resolveQueue returns the URL, ARN and depth of queue name; an error
// wrapping errQueueMissing when it does not exist.
func resolveQueue(ctx context.Context, api dlqSQS, name string) (sqsQueue, error) {
	u, err := api.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if err != nil {
		if topology.IsQueueMissing(err) {
			return sqsQueue{}, fmt.Errorf("queue %s: %w", name, errQueueMissing)
		}
		return sqsQueue{}, fmt.Errorf("get the URL of queue %s: %w", name, err)
	}
	q := sqsQueue{name: name, url: aws.ToString(u.QueueUrl), fifo: topology.IsFIFO(name)}
	out, err := api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: u.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn,
			sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible},
	})
	if err != nil {
		if topology.IsQueueMissing(err) {
			return sqsQueue{}, fmt.Errorf("queue %s: %w", name, errQueueMissing)
		}
		return sqsQueue{}, fmt.Errorf("read the attributes of queue %s: %w", name, err)
	}
	a := out.Attributes
	q.arn = a[string(sqstypes.QueueAttributeNameQueueArn)]
	q.visible, _ = strconv.ParseInt(a[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)], 10, 64)
	q.inFlight, _ = strconv.ParseInt(a[string(sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible)], 10, 64)
	return q, nil
}

// boundedQueueFailure is the error of resolving a queue of the file, each
// call bounded by --check-timeout (bound): missing (exit 1, see
// missingQueues), or a call that failed what (the command) as
// boundedFailure says.
func (s *session) boundedQueueFailure(ctx context.Context, what string, err error, bound time.Duration) error {
	if errors.Is(err, errQueueMissing) {
		return s.missingQueues(ctx, err, bound)
	}
	return s.boundedFailure(ctx, what, err, bound)
}

// missingQueues is the error (exit 1) of err, queues of the file found
// missing: when none of the file's queues exists where the session looks
// (noQueueFound), the region or the account is likely wrong, and apply
// would create the topology there, so it says to check them; otherwise
// apply creates what is missing.
func (s *session) missingQueues(ctx context.Context, err error, bound time.Duration) error {
	if s.noQueueFound(ctx, bound) {
		return &ExitError{Code: ExitDrift, Err: fmt.Errorf("%w: %s", err, s.nothingFoundAdvice("queues"))}
	}
	return &ExitError{Code: ExitDrift, Err: fmt.Errorf("%w: run `sourceflow apply -f %s` to create %s",
		err, fileArg(s.path), agree(missingCount(err), "it", "them"))}
}

// missingCount is how many queues err, a missing queue's error, reports.
func missingCount(err error) int {
	if n, ok := errors.AsType[errListMissing](err); ok {
		return n.dlqs + n.sources
	}
	return 1
}

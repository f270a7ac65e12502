package cli

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"
)

// depthSQS answers the two calls that read a queue's depth: queues holds
// the visible and in-flight counts of each queue that exists, and every
// call fails with fail when it is set.
type depthSQS struct {
	dlqSQS
	queues map[string][2]string
	fail   error
}

func (d depthSQS) GetQueueUrl(_ context.Context, in *sqs.GetQueueUrlInput, _ ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	if d.fail != nil {
		return nil, d.fail
	}
	if _, ok := d.queues[aws.ToString(in.QueueName)]; !ok {
		return nil, &sqstypes.QueueDoesNotExist{Message: aws.String("no such queue")}
	}
	return &sqs.GetQueueUrlOutput{QueueUrl: aws.String("https://sqs.test/" + aws.ToString(in.QueueName))}, nil
}

func (d depthSQS) GetQueueAttributes(_ context.Context, in *sqs.GetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	name := aws.ToString(in.QueueUrl)[len("https://sqs.test/"):]
	n := d.queues[name]
	return &sqs.GetQueueAttributesOutput{Attributes: map[string]string{
		string(sqstypes.QueueAttributeNameApproximateNumberOfMessages):           n[0],
		string(sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible): n[1],
	}}, nil
}

// A dlq list row reads the dead-letter queue's depth and its source
// queue's each the same way: a queue that does not exist is marked
// missing, in either place, and any other failure is returned.
func TestReadDLQDepth(t *testing.T) {
	ctx := context.Background()
	p := dlqPair{source: "orders", dlq: "orders-dlq"}

	both := depthSQS{queues: map[string][2]string{"orders": {"7", "2"}, "orders-dlq": {"3", "1"}}}
	row, err := readDLQDepth(ctx, both, p)
	require.NoError(t, err)
	require.Equal(t, dlqDepth{pair: p, dlq: queueDepth{visible: 3, inFlight: 1}, source: queueDepth{visible: 7, inFlight: 2}}, row)

	noSource := depthSQS{queues: map[string][2]string{"orders-dlq": {"3", "1"}}}
	row, err = readDLQDepth(ctx, noSource, p)
	require.NoError(t, err)
	require.Equal(t, dlqDepth{pair: p, dlq: queueDepth{visible: 3, inFlight: 1}, source: queueDepth{missing: true}}, row)

	noDLQ := depthSQS{queues: map[string][2]string{"orders": {"7", "2"}}}
	row, err = readDLQDepth(ctx, noDLQ, p)
	require.NoError(t, err)
	require.Equal(t, dlqDepth{pair: p, dlq: queueDepth{missing: true}, source: queueDepth{visible: 7, inFlight: 2}}, row)

	denied := errors.New("access denied")
	_, err = readDLQDepth(ctx, depthSQS{fail: denied}, p)
	require.ErrorIs(t, err, denied)
}

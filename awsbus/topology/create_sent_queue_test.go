package topology_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A queue the service only sends to belongs to its consumer, and so does
// that queue's dead-letter queue: when the queue is missing but its
// dead-letter queue exists (the consumer's stack made it first, or an
// earlier run stopped between the two), Create makes the queue and leaves
// the dead-letter queue's attributes, policy and tags as they are.
func TestCreateLeavesTheDeadLetterQueueOfAQueueItOnlySendsToAlone(t *testing.T) {
	sq, sn := newFakes()
	ctx := context.Background()
	dlqURL := consumersDeadLetterQueue(t, sq)
	b := ordersBinding()
	b.Listeners = b.Listeners[1:] // orders.fifo is only sent to
	eps, _ := createFor(t, sq, sn, topology.Options{Tags: map[string]string{"team": "checkout"}}, b)

	require.NotEmpty(t, eps["orders.fifo"].QueueURL, "the missing queue is made")
	attrs := queueAttrs(t, sq, dlqURL)
	for k, v := range consumersDLQAttributes {
		assert.Equal(t, v, attrs[k], "attribute %s of the consumer's dead-letter queue", k)
	}
	assert.Empty(t, attrs["Policy"], "the consumer's dead-letter queue policy")
	tags, err := sq.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(dlqURL)})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"team": "payments"}, tags.Tags)
	assert.Contains(t, queueAttrs(t, sq, eps["orders.fifo"].QueueURL)["RedrivePolicy"], "orders-dlq.fifo")
}

// Validate reports the missing queue a service only sends to, which Create
// would make, but not how its consumer set up that queue's dead-letter
// queue.
func TestValidateReportsNoDriftOnTheDeadLetterQueueOfAQueueItOnlySendsTo(t *testing.T) {
	sq, sn := newFakes()
	consumersDeadLetterQueue(t, sq)
	b := ordersBinding()
	b.Listeners = b.Listeners[1:] // orders.fifo is only sent to

	got := validateFor(t, sq, sn, topology.Options{Tags: map[string]string{"team": "checkout"}}, b)

	assert.Contains(t, got, "queue orders.fifo: missing")
	for _, d := range got {
		assert.NotContains(t, d, "orders-dlq.fifo")
	}
}

// consumersDLQAttributes are the attributes the consumer of orders.fifo
// gave its dead-letter queue, unlike those a plan derives.
var consumersDLQAttributes = map[string]string{
	"FifoQueue": "true", "MessageRetentionPeriod": "345600", topology.AttrKMSMasterKey: "alias/payments",
}

// consumersDeadLetterQueue makes the dead-letter queue of orders.fifo as its
// consumer set it up, tagged team=payments, and returns its URL.
func consumersDeadLetterQueue(t *testing.T, sq topology.SQSAPI) string {
	t.Helper()
	out, err := sq.CreateQueue(context.Background(), &sqs.CreateQueueInput{
		QueueName: aws.String("orders-dlq.fifo"), Attributes: consumersDLQAttributes, Tags: map[string]string{"team": "payments"},
	})
	require.NoError(t, err)
	return aws.ToString(out.QueueUrl)
}

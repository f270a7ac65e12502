package cli_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

func TestValidate_ExitsZeroWithoutDriftAndOneOnDrift(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})

	out, errOut, code := fake.run(t, "validate", "-f", path)
	assert.Equal(t, cli.ExitDrift, code, "nothing exists yet")
	assert.Contains(t, out, "queue orders-dlq.fifo: missing (dead-letter queue of orders.fifo)\n")
	assert.Contains(t, errOut, "12 differences")
	assert.Contains(t, errOut, "sourceflow apply -f "+path)
	assert.Contains(t, errOut, "to fix them, or fix the infrastructure code that owns them")

	_, _, code = fake.run(t, "apply", "-f", path)
	assert.Equal(t, cli.ExitOK, code)
	out, errOut, code = fake.run(t, "validate", "-f", path)
	assert.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "No drift: service orders in us-east-1 matches "+path+" (4 queues, 2 topics, 2 subscriptions).")

	setQueueAttribute(t, fake, "orders.fifo", "VisibilityTimeout", "99")
	out, errOut, code = fake.run(t, "validate", "-f", path)
	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, out, "queue orders.fifo: VisibilityTimeout is 99, want 30\n")
	assert.Contains(t, errOut, "1 difference from")
	assert.Contains(t, errOut, "to fix it, or fix the infrastructure code that owns it")
}

func TestValidate_ExitsThreeWhenAWSFails(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})
	fake.sqs.FailNext("GetQueueUrl", 1, errors.New("AccessDenied: not authorized to perform sqs:GetQueueUrl"))

	_, errOut, code := fake.run(t, "validate", "-f", path)

	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, errOut, `get URL of queue "orders-order-events": AccessDenied`)
	assert.Contains(t, errOut, "AWS_ENDPOINT_URL")
}

// Where none of a service's queues and topics exists, validate says to
// check the region and the account: a wrong AWS_REGION otherwise reads as
// a service never created (plan, run first on a new service, says
// nothing of it). With one of them in place, the hint is gone.
func TestValidate_NothingFoundHintsAtTheRegion(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})
	const hint = "None of the queues and topics of service orders exists in us-east-1: if they were created, check the region"

	out, _, code := fake.run(t, "validate", "-f", path)
	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, out, hint)
	out, _, _ = fake.run(t, "plan", "-f", path)
	assert.NotContains(t, out, "None of the queues", "a new service's plan")

	_, err := fake.sqs.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("orders.fifo"),
		Attributes: map[string]string{"FifoQueue": "true"}})
	require.NoError(t, err)
	out, _, _ = fake.run(t, "validate", "-f", path)
	assert.NotContains(t, out, "queue orders.fifo: missing")
	assert.NotContains(t, out, "None of the queues")
}

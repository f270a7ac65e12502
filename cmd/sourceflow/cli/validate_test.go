package cli_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

func TestValidate_ExitsZeroWithoutDriftAndOneOnDrift(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})

	out, errOut, code := fake.run(t, "validate", "-f", path)
	assert.Equal(t, cli.ExitDrift, code, "nothing exists yet")
	assert.Contains(t, out, "queue orders-dlq.fifo: missing (dead-letter queue of orders.fifo)\n")
	assert.Contains(t, errOut, "12 difference(s)")
	assert.Contains(t, errOut, "sourceflow apply -f "+path)

	_, _, code = fake.run(t, "apply", "-f", path)
	assert.Equal(t, cli.ExitOK, code)
	out, errOut, code = fake.run(t, "validate", "-f", path)
	assert.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "No drift: service orders in us-east-1 matches "+path+" (4 queues, 2 topics, 2 subscriptions).")

	setQueueAttribute(t, fake, "orders.fifo", "VisibilityTimeout", "99")
	out, errOut, code = fake.run(t, "validate", "-f", path)
	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, out, "queue orders.fifo: VisibilityTimeout is 99, want 30\n")
	assert.Contains(t, errOut, "1 difference(s)")
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

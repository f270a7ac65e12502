package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

func TestPlan_ListsWhatApplyWouldCreateAndWritesNothing(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})

	out, errOut, code := fake.run(t, "plan", "-f", path)

	assert.Equal(t, cli.ExitOK, code, errOut)
	for _, line := range []string{
		"+ create queue orders.fifo\n",
		"+ create queue orders-dlq.fifo (dead-letter queue of orders.fifo)\n",
		"+ create queue orders-payment-events\n",
		"+ create queue payments.fifo\n",
		"+ create topic order-events\n",
		"+ create subscription payment-events -> orders-payment-events\n",
		"Plan: 12 to create, 0 to change.",
	} {
		assert.Contains(t, out, line)
	}
	assert.Equal(t, 0, fake.sqs.Calls("CreateQueue")+fake.sqs.Calls("SetQueueAttributes")+fake.sns.Calls("CreateTopic"))
}

func TestPlan_ShowsChangesAfterDrift(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})
	_, errOut, code := fake.run(t, "apply", "-f", path)
	assert.Equal(t, cli.ExitOK, code, errOut)
	setQueueAttribute(t, fake, "orders.fifo", "VisibilityTimeout", "99")

	out, _, code := fake.run(t, "plan", "-f", path)

	assert.Equal(t, cli.ExitOK, code)
	assert.Contains(t, out, "~ change queue orders.fifo: VisibilityTimeout is 99, want 30\n")
	assert.Contains(t, out, "Plan: 0 to create, 1 to change.")
}

func TestPlan_ReportsNoChangesWhenInPlace(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})
	_, _, code := fake.run(t, "apply", "-f", path)
	assert.Equal(t, cli.ExitOK, code)

	out, _, code := fake.run(t, "plan", "-f", path)

	assert.Equal(t, cli.ExitOK, code)
	assert.Contains(t, out, "No changes: service orders in us-east-1 matches")
}

func TestPlan_MarksTopicsUncheckedWithoutAnAccountUntilGivenOne(t *testing.T) {
	fake := newFakeAWS()
	fake.noSTS = true
	path := writeTopology(t, ordersBinding(), topology.Options{})

	out, errOut, code := fake.run(t, "plan", "-f", path)

	assert.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "? unknown topic order-events: not checked: ")
	assert.Contains(t, out, "pass --account-id or set AWS_ACCOUNT_ID")

	out, errOut, code = fake.run(t, "plan", "-f", path, "--account-id", fake.sqs.AccountID())

	assert.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "+ create topic order-events\n")
	assert.NotContains(t, out, "?")
}

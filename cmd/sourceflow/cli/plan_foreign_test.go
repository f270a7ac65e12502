package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A topic and a queue of another account, named by ARN and missing, are
// left to their owner: plan does not propose to create them, and says
// what the owner creates and grants; validate says the same.
func TestPlan_LeavesAMissingTopicOrQueueOfAnotherAccountToItsOwner(t *testing.T) {
	const topicARN = "arn:aws:sns:eu-west-1:111111111111:order-events"
	const queueARN = "arn:aws:sqs:eu-west-1:111111111111:orders-commands"
	fake := newFakeAWS()
	path := writeTopology(t, sourceflow.Binding{Service: "billing",
		Routes: []sourceflow.Route{{Type: "orders.ConfirmPayment", Kind: sourceflow.KindCommand, Destination: queueARN}},
		Listeners: []sourceflow.Listener{{Destination: topicARN, Kind: sourceflow.KindEvent,
			Types: []string{"orders.OrderPlaced"}}}}, topology.Options{})

	out, errOut, code := fake.run(t, "plan", "-f", path)

	assert.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "! fix topic "+topicARN+": missing: account 111111111111 creates it in eu-west-1")
	assert.Contains(t, out, "! fix queue "+queueARN+": missing: account 111111111111 creates it in eu-west-1, "+
		"and grants this account sqs:GetQueueUrl and sqs:SendMessage in its queue policy")
	assert.Contains(t, out, "+ create queue billing-order-events\n")
	assert.Contains(t, out, "2 to fix outside apply: apply never creates nor changes a queue or topic named by ARN")
	assert.NotContains(t, out, "KMS key")

	_, errOut, code = fake.run(t, "validate", "-f", path)

	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, errOut, "apply does not change a queue or topic of another account: its owner fixes 2")
	assert.Equal(t, 0, fake.sqs.Calls("CreateQueue")+fake.sns.Calls("CreateTopic"))
}

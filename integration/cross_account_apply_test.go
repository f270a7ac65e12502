//go:build integration

package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A service that consumes a queue of its own and sends to another
// account's queue of the same name: apply looks each up where it is (the
// other by its owner's account and region) and creates the service's own,
// rather than taking the other account's queue for it.
func TestCrossAccountApplyTellsAQueueOfAnotherAccountFromItsNamesake(t *testing.T) {
	a := accountClients(t, ordersAccount, ordersRegion)
	name := uniqueName("xacct-commands", "")
	theirs := provision(t, a, ordersAccount, sourceflow.Binding{Service: "orders",
		Listeners: []sourceflow.Listener{{Destination: name, Kind: sourceflow.KindCommand, Types: []string{"orders.ConfirmPayment"}}}})
	queueARN := "arn:aws:sqs:" + ordersRegion + ":" + ordersAccount + ":" + name
	file, err := topology.NewFile(sourceflow.Binding{Service: uniqueName("billing", ""),
		Routes:    []sourceflow.Route{{Type: "orders.ConfirmPayment", Kind: sourceflow.KindCommand, Destination: queueARN}},
		Listeners: []sourceflow.Listener{{Destination: name, Kind: sourceflow.KindCommand, Types: []string{"billing.Charge"}}}},
		topology.Options{})
	require.NoError(t, err)
	path := writeTopology(t, file)

	out, errOut, code := runCLI(t, "apply", "-f", path)

	require.Equal(t, 0, code, "%s\n%s", out, errOut)
	t.Cleanup(func() { deleteQueue(t, name); deleteQueue(t, topology.DLQName(name)) })
	assert.Contains(t, out, "created queue "+name+"\n")
	own, err := sqs.NewFromConfig(awsConfig(t)).GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	require.NoError(t, err, "billing's own queue %s", name)
	assert.NotEqual(t, theirs[name].QueueURL, aws.ToString(own.QueueUrl))
	out, errOut, code = runCLI(t, "validate", "-f", path)
	require.Equal(t, 0, code, "%s\n%s", out, errOut)
	assert.Contains(t, out, "No drift")
}

package topology_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A service that consumes no queue, without AccountID or STS, creates the
// missing queue it sends to and that queue's dead-letter queue, the latter
// without the TLS statement it has no ARN for, and writes to neither; the
// consumer's Create, which owns both, adds the statement.
func TestCreateLeavesTheTLSStatementOfAQueueItOnlySendsToToItsConsumer(t *testing.T) {
	fake, sn := newFakes()
	sq := &policySQS{SQS: fake}
	sender, err := topology.New(sendOnlyBinding(false), topology.Options{})
	require.NoError(t, err)
	topo, err := topology.NewProvisioner(topology.ProvisionerConfig{SQS: sq, SNS: sn, Region: fake.Region()})
	require.NoError(t, err)
	ctx := context.Background()

	_, err = topo.Create(ctx, sender)

	require.NoError(t, err)
	assert.Empty(t, sq.set, "no write on the consumer's queues")
	assert.Equal(t, []string{"billing.fifo"}, sq.createdWithPolicy, "the queue gets its policy from its dead-letter queue's ARN")
	dlq := fake.QueueARN("billing-dlq.fifo")
	assert.False(t, topology.RefusesInsecureTransport(queueAttrs(t, fake, fake.QueueURL("billing-dlq.fifo"))["Policy"], dlq))

	consumer, err := topology.New(sourceflow.Binding{
		Service:   "billing",
		Routes:    []sourceflow.Route{{Type: "billing.Charge", Kind: sourceflow.KindCommand, Destination: "billing.fifo"}},
		Listeners: []sourceflow.Listener{{Destination: "billing.fifo", Kind: sourceflow.KindCommand, Types: []string{"billing.Charge"}}},
	}, topology.Options{})
	require.NoError(t, err)
	_, err = topo.Create(ctx, consumer)

	require.NoError(t, err)
	assert.True(t, topology.RefusesInsecureTransport(queueAttrs(t, fake, fake.QueueURL("billing-dlq.fifo"))["Policy"], dlq))
}

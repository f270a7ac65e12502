package topology_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A service that consumes no queue, without AccountID or STS, has no ARN
// for the policy refusing requests without TLS of a missing queue it sends
// to, and may not write that policy later (the queue is its consumer's):
// Create refuses to make the queue, saying what to set, and writes
// nothing; with the account known it creates both queues with the
// statement and writes to neither afterwards.
func TestCreateRefusesToMakeAQueueItOnlySendsToWithoutItsTLSStatement(t *testing.T) {
	fake, sn := newFakes()
	sq := &policySQS{SQS: fake}
	sender, err := topology.New(sendOnlyBinding(false), topology.Options{})
	require.NoError(t, err)
	topo, err := topology.NewProvisioner(topology.ProvisionerConfig{SQS: sq, SNS: sn, Region: fake.Region()})
	require.NoError(t, err)
	ctx := context.Background()

	_, err = topo.Create(ctx, sender)

	require.Error(t, err)
	assert.Contains(t, err.Error(), `create queue "billing-dlq.fifo", which another service consumes`)
	assert.Contains(t, err.Error(), "set ProvisionerConfig.AccountID or an STS client")
	assert.Empty(t, sq.set, "no write on the consumer's queues")
	assert.Empty(t, sq.createdWithPolicy, "no queue made without its statement")
	assert.Empty(t, fake.QueueURL("billing-dlq.fifo"))

	topo, err = topology.NewProvisioner(topology.ProvisionerConfig{SQS: sq, SNS: sn, Region: fake.Region(), AccountID: fake.AccountID()})
	require.NoError(t, err)
	_, err = topo.Create(ctx, sender)

	require.NoError(t, err)
	assert.Empty(t, sq.set, "no write on the consumer's queues")
	assert.ElementsMatch(t, []string{"billing-dlq.fifo", "billing.fifo"}, sq.createdWithPolicy)
	dlq := fake.QueueARN("billing-dlq.fifo")
	assert.True(t, topology.RefusesInsecureTransport(queueAttrs(t, fake, fake.QueueURL("billing-dlq.fifo"))["Policy"], dlq))
}

// With AccountID set but no Region, the ARN of the missing queue a
// send-only service creates cannot be built either: the refusal says to
// set the Region, not the AccountID the service already has.
func TestCreateRefusingAQueueItOnlySendsToWithoutRegionSaysToSetTheRegion(t *testing.T) {
	fake, sn := newFakes()
	sender, err := topology.New(sendOnlyBinding(false), topology.Options{})
	require.NoError(t, err)
	topo, err := topology.NewProvisioner(topology.ProvisionerConfig{SQS: fake, SNS: sn, AccountID: fake.AccountID()})
	require.NoError(t, err)

	_, err = topo.Create(context.Background(), sender)

	require.Error(t, err)
	assert.Contains(t, err.Error(), "set ProvisionerConfig.Region")
	assert.NotContains(t, err.Error(), "set ProvisionerConfig.AccountID")
	assert.Empty(t, fake.QueueURL("billing-dlq.fifo"))
}

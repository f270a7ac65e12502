package topology_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// policySQS records which queues CreateQueue gave a policy and which
// queues SetQueueAttributes wrote to; Create calls it from one goroutine.
type policySQS struct {
	*awsbustest.SQS
	createdWithPolicy []string
	set               []string
}

func (s *policySQS) CreateQueue(ctx context.Context, in *sqs.CreateQueueInput, opts ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error) {
	if in.Attributes["Policy"] != "" {
		s.createdWithPolicy = append(s.createdWithPolicy, aws.ToString(in.QueueName))
	}
	return s.SQS.CreateQueue(ctx, in, opts...)
}

func (s *policySQS) SetQueueAttributes(ctx context.Context, in *sqs.SetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.SetQueueAttributesOutput, error) {
	s.set = append(s.set, aws.ToString(in.QueueUrl))
	return s.SQS.SetQueueAttributes(ctx, in, opts...)
}

// Without a known account the first queue Create makes gets its policy
// only after it is made, with sqs:SetQueueAttributes, which the IAM policy
// grants on the queues the service consumes alone. Create therefore makes
// those first, even when a queue the service only sends to sorts before
// them: that queue and its dead-letter queue get their policy at
// CreateQueue.
func TestCreateWithoutAccountMakesTheQueuesItConsumesFirst(t *testing.T) {
	fake, sn := newFakes()
	sq := &policySQS{SQS: fake}
	b := sourceflow.Binding{
		Service: "orders",
		Routes: []sourceflow.Route{
			{Type: "billing.Charge", Kind: sourceflow.KindCommand, Destination: "billing.fifo"},
			{Type: "payments.PaymentTaken", Kind: sourceflow.KindEvent, Destination: "payment-events"},
		},
		Listeners: []sourceflow.Listener{{Destination: "payment-events", Kind: sourceflow.KindEvent, Types: []string{"payments.PaymentTaken"}}},
	}
	p, err := topology.New(b, topology.Options{})
	require.NoError(t, err)
	require.Equal(t, "billing.fifo", p.Queues[0].Name, "the queue only sent to sorts first")
	topo, err := topology.NewProvisioner(topology.ProvisionerConfig{SQS: sq, SNS: sn})
	require.NoError(t, err)

	_, err = topo.Create(context.Background(), p)

	require.NoError(t, err)
	assert.Subset(t, sq.createdWithPolicy, []string{"billing.fifo", "billing-dlq.fifo"})
	for _, url := range sq.set {
		assert.False(t, strings.Contains(url, "/billing"), "set the attributes of %s, a queue the service only sends to", url)
	}
	for _, name := range []string{"billing.fifo", "billing-dlq.fifo"} {
		assert.True(t, topology.RefusesInsecureTransport(queueAttrs(t, sq, fake.QueueURL(name))["Policy"], fake.QueueARN(name)), name)
	}
}

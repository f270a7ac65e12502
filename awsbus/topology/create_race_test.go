package topology_test

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// lateSQS answers GetQueueUrl for a queue as if it did not exist until
// its own CreateQueue for it: the view of an instance that looked just
// before another one created the queue.
type lateSQS struct {
	*awsbustest.SQS
	mu      sync.Mutex
	created map[string]bool
}

func (s *lateSQS) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	s.mu.Lock()
	created := s.created[aws.ToString(in.QueueName)]
	s.mu.Unlock()
	if !created {
		return nil, &sqstypes.QueueDoesNotExist{Message: aws.String("The specified queue does not exist.")}
	}
	return s.SQS.GetQueueUrl(ctx, in, opts...)
}

func (s *lateSQS) CreateQueue(ctx context.Context, in *sqs.CreateQueueInput, opts ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error) {
	s.mu.Lock()
	s.created[aws.ToString(in.QueueName)] = true
	s.mu.Unlock()
	return s.SQS.CreateQueue(ctx, in, opts...)
}

// Two instances create the topology at once: the second one's CreateQueue
// reaches AWS after the first one set the queue's policy, so SQS refuses it
// (QueueNameExists, an attribute differs). The second Create reconciles the
// queue that now exists instead of failing, and keeps the policy's
// statements.
func TestCreate_QueueCreatedMeanwhileByAnotherInstance(t *testing.T) {
	sq, sn := newFakes()
	p, err := topology.New(ordersBinding(), topology.Options{})
	require.NoError(t, err)
	first, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)
	eps, err := first.Create(context.Background(), p)
	require.NoError(t, err)
	before := queueAttrs(t, sq, eps["payment-events"].QueueURL)["Policy"]

	second, err := topology.NewProvisioner(topology.ProvisionerConfig{SQS: &lateSQS{SQS: sq, created: map[string]bool{}}, SNS: sn})
	require.NoError(t, err)
	again, err := second.Create(context.Background(), p)
	require.NoError(t, err, "a queue created meanwhile is reconciled, not an error")

	assert.Equal(t, eps, again)
	assert.JSONEq(t, before, queueAttrs(t, sq, eps["payment-events"].QueueURL)["Policy"],
		"the statements the first instance merged are kept")
}

package topology_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// takenSQS refuses the first CreateQueue as if another instance had just
// created that queue with other attributes, then throttles every lookup
// of that queue.
type takenSQS struct {
	*awsbustest.SQS
	mu    sync.Mutex
	taken string
}

func (s *takenSQS) CreateQueue(ctx context.Context, in *sqs.CreateQueueInput, opts ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.taken == "" {
		s.taken = aws.ToString(in.QueueName)
		return nil, &sqstypes.QueueNameExists{Message: aws.String("A queue already exists with the same name and a different value for attribute Policy")}
	}
	return s.SQS.CreateQueue(ctx, in, opts...)
}

func (s *takenSQS) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	s.mu.Lock()
	taken := s.taken != "" && s.taken == aws.ToString(in.QueueName)
	s.mu.Unlock()
	if taken {
		return nil, &smithy.GenericAPIError{Code: "RequestThrottled", Message: "Rate exceeded"}
	}
	return s.SQS.GetQueueUrl(ctx, in, opts...)
}

// When the lookup of a queue another instance created meanwhile fails,
// Create returns the lookup's error (here throttling, which a caller may
// try again on), not SQS's refusal of the CreateQueue.
func TestCreate_QueueCreatedMeanwhileLookupFails(t *testing.T) {
	sq, sn := newFakes()
	p, err := topology.New(ordersBinding(), topology.Options{})
	require.NoError(t, err)
	prov, err := topology.NewProvisioner(topology.ProvisionerConfig{SQS: &takenSQS{SQS: sq}, SNS: sn})
	require.NoError(t, err)

	_, err = prov.Create(context.Background(), p)
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "an AWS error: %v", err)
	assert.Equal(t, "RequestThrottled", ae.ErrorCode(), "the lookup's error: %v", err)
}

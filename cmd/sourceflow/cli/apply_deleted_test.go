package cli_test

import (
	"context"
	"path"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// goneSQS answers about queue gone as SQS does once another service
// deleted it, from when deleted is set on.
type goneSQS struct {
	topology.SQSAPI
	gone    string
	deleted *atomic.Bool
}

// at reports whether url is gone's, deleted.
func (s goneSQS) at(url *string) bool {
	return s.deleted.Load() && path.Base(aws.ToString(url)) == s.gone
}

func (s goneSQS) missing() error {
	return &sqstypes.QueueDoesNotExist{Message: aws.String("The specified queue does not exist.")}
}

func (s goneSQS) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	if s.deleted.Load() && aws.ToString(in.QueueName) == s.gone {
		return nil, s.missing()
	}
	return s.SQSAPI.GetQueueUrl(ctx, in, opts...)
}

func (s goneSQS) GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	if s.at(in.QueueUrl) {
		return nil, s.missing()
	}
	return s.SQSAPI.GetQueueAttributes(ctx, in, opts...)
}

func (s goneSQS) ListQueueTags(ctx context.Context, in *sqs.ListQueueTagsInput, opts ...func(*sqs.Options)) (*sqs.ListQueueTagsOutput, error) {
	if s.at(in.QueueUrl) {
		return nil, s.missing()
	}
	return s.SQSAPI.ListQueueTags(ctx, in, opts...)
}

// deletingSNS has the queue of goneSQS deleted once a subscription is
// made, the last of apply's changes: after them, before it compares again.
type deletingSNS struct {
	topology.SNSAPI
	deleted *atomic.Bool
}

func (s deletingSNS) Subscribe(ctx context.Context, in *sns.SubscribeInput, opts ...func(*sns.Options)) (*sns.SubscribeOutput, error) {
	out, err := s.SNSAPI.Subscribe(ctx, in, opts...)
	s.deleted.Store(true)
	return out, err
}

// A queue another service deletes while apply runs, after apply made it,
// is reported missing by the comparison after the changes, which asks SQS
// again: apply exits with the drift, not with a failed AWS call.
func TestApply_ReportsAQueueDeletedMeanwhileMissing(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})
	cfg, out, errOut := fake.config("")
	clients := cfg.Clients
	deleted := &atomic.Bool{}
	cfg.Clients = func(ctx context.Context) (cli.Clients, error) {
		c, err := clients(ctx)
		c.SQS = goneSQS{SQSAPI: c.SQS, gone: "orders.fifo", deleted: deleted}
		c.SNS = deletingSNS{SNSAPI: c.SNS, deleted: deleted}
		return c, err
	}

	code := cli.Run(context.Background(), cfg, []string{"apply", "-f", path})

	require.True(t, deleted.Load(), "apply subscribed")
	assert.Contains(t, out.String(), "left queue orders.fifo\n")
	assert.Equal(t, cli.ExitDrift, code, errOut.String())
	assert.Contains(t, errOut.String(), "orders.fifo")
	assert.Contains(t, errOut.String(), "missing")
	assert.NotContains(t, errOut.String(), "validate the result")
}
